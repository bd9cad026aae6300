"""Every threshold and alert duration the dashboards and rules use, each with why it is what it is.

Occupancy and stress cut-offs come from the core's own configuration, so a panel's colours,
an alert's threshold and the band a worker reports can never disagree. Durations are
separate (`AlertTimings`): production waits minutes before paging, a test of the very same
rules waits seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from floorwatch.core.occupancy import OccupancyConfig
from floorwatch.core.staffing import StaffingConfig
from floorwatch.core.stress import StressConfig

_OCCUPANCY = OccupancyConfig()
_STRESS = StressConfig()
_STAFFING = StaffingConfig()


@dataclass(frozen=True)
class Thresholds:
    # Practitioner bands (docs/metrics.md): below 70 % the floor is overstaffed, 75-85 % is the
    # target, 85-90 % pressure, above 90 % sustained is the burnout zone.
    overstaffed_below_ratio: float = _OCCUPANCY.overstaffed_below_ratio
    target_from_ratio: float = _OCCUPANCY.target_from_ratio
    pressure_above_ratio: float = _OCCUPANCY.pressure_above_ratio
    burnout_above_ratio: float = _OCCUPANCY.burnout_above_ratio
    # Stress bands (docs/stress.md): >= 70 suggests a recovery break now.
    stress_elevated_from: float = _STRESS.elevated_from
    stress_high_from: float = _STRESS.high_from
    # A team lends agents to a short queue only below this 15-minute occupancy (docs/staffing.md).
    spare_below_ratio: float = _STAFFING.spare_below_ratio
    # The industry's classic 80/20: 80 % of contacts answered within 20 s.
    service_level_target_ratio: float = 0.80
    # A service level over a handful of contacts is noise; the queue needs this many offered (30 min).
    service_level_min_offered_contacts: int = 10
    # Break coverage: this share of a queue's staffed agents (in one team) on a rest break ...
    coverage_on_break_ratio: float = 0.30
    # ... while at least this many contacts wait in that queue.
    coverage_min_contacts_waiting: int = 2
    # A worker this far behind its input shows figures minutes old.
    consumer_lag_messages: int = 5000
    # A site whose agents sent no event for this long is probably cut off, not idle
    # (a staffed floor changes state every few minutes).
    site_silent_seconds: int = 300
    # Longest wait worth flagging on the floor overview (seconds).
    longest_wait_warning_seconds: int = 60
    longest_wait_critical_seconds: int = 180


@dataclass(frozen=True)
class AlertTimings:
    """How long a condition must hold before its alert fires (Prometheus `for:`)."""

    team_overload: str = "15m"  # docs/alerts.md: occupancy over 15 min > 90 % for 15 min
    agent_stress_high: str = "10m"  # docs/alerts.md: stress >= 70 for 10 min
    breaks_overdue: str = "5m"  # a grace period on top of the policy's own grace
    break_coverage: str = "5m"  # breaks end on their own; only a lasting gap matters
    service_level_low: str = "10m"
    consumer_lag: str = "10m"
    dead_letters: str = "1m"
    site_silent: str = "5m"
    worker_down: str = "2m"

    @classmethod
    def uniform(cls, duration: str) -> AlertTimings:
        """Every alert with the same `for:` (tests use a few seconds)."""
        return replace(cls(), **{f.name: duration for f in fields(cls)})


# Workers are scraped under a job whose name starts with "floorwatch" (docker-compose:
# floorwatch-worker; local runs and tests: floorwatch); Prometheus's own job does not.
WORKER_JOB_SELECTOR = 'job=~"floorwatch.*"'
