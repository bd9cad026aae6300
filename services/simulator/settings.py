"""The simulator's configuration: one frozen object, validated on construction, passed down."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, fields
from datetime import UTC, datetime

# A fixed default start so that files generated without --start are reproducible (a Tuesday).
DEFAULT_START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

# Relative contact volume per half hour of the simulated day (48 values, 00:00-23:30 of the
# simulation clock): a morning peak at 10:00-11:00, a dip over lunch, a second, lower peak after
# lunch at 14:00-15:00, then the evening decline. Only the shape matters: the volume is sized
# to the staff (see staffing.py).
DEFAULT_INTRADAY_PROFILE: tuple[float, ...] = (
    0.05,
    0.05,
    0.04,
    0.04,
    0.04,
    0.04,
    0.04,
    0.04,
    0.05,
    0.05,
    0.07,
    0.09,  # 00:00-05:30
    0.12,
    0.16,
    0.35,
    0.50,
    0.70,
    0.85,
    0.95,
    1.05,
    1.12,
    1.15,
    1.05,
    0.95,  # 06:00-11:30
    0.80,
    0.75,
    0.85,
    0.95,
    1.00,
    1.02,
    0.95,
    0.88,
    0.78,
    0.68,
    0.55,
    0.45,  # 12:00-17:30
    0.35,
    0.28,
    0.22,
    0.18,
    0.14,
    0.11,
    0.09,
    0.08,
    0.07,
    0.06,
    0.06,
    0.05,  # 18:00-23:30
)


@dataclass(frozen=True)
class Lognormal:
    """A right-skewed duration given by its mean (what a WFM report shows) and log-scale spread."""

    mean_seconds: float
    sigma: float

    @property
    def mu(self) -> float:
        # E[X] = exp(mu + sigma^2 / 2), so this mu makes the configured mean the true mean.
        return math.log(self.mean_seconds) - self.sigma**2 / 2

    def draw(self, rng: random.Random) -> float:
        return rng.lognormvariate(self.mu, self.sigma)


@dataclass(frozen=True)
class SimulatorSettings:
    seed: int = 1
    start: datetime = DEFAULT_START
    duration_seconds: float = 8 * 3600.0  # the simulated window; contacts arrive inside it
    shift_seconds: float | None = None  # None: one shift covering the whole window
    sites: int = 2
    teams_per_site: int = 3
    agents_per_team: int = 18
    total_agents: int | None = None  # when set: teams of agents_per_team, the last one smaller
    # Staffing and service level (80/20 is the industry's default target).
    service_level_threshold_seconds: float = 20.0
    target_service_level_ratio: float = 0.80
    # A fixed arrival rate for every queue (contacts per hour, Poisson) instead of a volume sized to the
    # staff: with it, agents_per_team staffs a queue at a chosen level (to check staffing advice).
    arrivals_per_hour: float | None = None
    understaffed_teams: int = 1  # how many teams (the last ones) get fewer agents than planned
    understaff_ratio: float = 0.7  # share of the planned headcount that works in those teams
    intraday_profile: tuple[float, ...] = DEFAULT_INTRADAY_PROFILE
    # Contact handling: talk, hold and after-contact work.
    talk: Lognormal = Lognormal(270.0, 0.6)
    hold: Lognormal = Lognormal(50.0, 0.7)
    wrap: Lognormal = Lognormal(45.0, 0.5)
    hold_ratio: float = 0.25  # share of answered contacts put on hold once
    ring_min_seconds: float = 1.0  # routing + ringing before the agent answers
    ring_max_seconds: float = 4.0
    # Callers' patience (exponential); None means nobody hangs up while queued.
    patience_mean_seconds: float | None = 150.0
    hold_abandon_ratio: float = 0.03  # share of holds on which the caller hangs up
    # Difficult contacts.
    escalation_ratio: float = 0.05
    escalation_talk_factor: float = 1.6  # an escalated contact's talk is this much longer
    transfer_ratio: float = 0.06
    negative_sentiment_ratio: float = 0.12  # sentiment <= -0.5
    complaint_ratio: float = 0.03  # complaints are a subset of the negative-sentiment contacts
    sentiment_coverage_ratio: float = 1.0  # share of contacts scored by speech analytics
    # Schedules and how people really follow them.
    break_seconds: float = 900.0
    lunch_seconds: float = 1800.0
    training_ratio: float = 0.10  # share of agents with a training session in their shift
    training_seconds: float = 3600.0
    meeting_ratio: float = 0.15
    meeting_seconds: float = 1800.0
    late_break_ratio: float = 0.15
    late_break_mean_seconds: float = 240.0
    overrun_break_ratio: float = 0.15
    overrun_mean_seconds: float = 300.0
    skip_break_ratio: float = 0.05  # short breaks only; lunches are always taken
    personal_aux_per_hour: float = 0.08  # unscheduled personal time (OTHER_AUX), per agent and shift hour
    personal_aux: Lognormal = Lognormal(240.0, 0.5)
    late_login_ratio: float = 0.10
    late_login_mean_seconds: float = 300.0
    source: str = "floorwatch-simulator"

    def __post_init__(self) -> None:
        problems = list(_problems(self))
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def shift_length_seconds(self) -> float:
        return self.duration_seconds if self.shift_seconds is None else self.shift_seconds

    @property
    def interval_seconds(self) -> float:
        """The forecast interval: a day divided by the profile's length (30 min by default)."""
        return 86400.0 / len(self.intraday_profile)


_RATIOS = (
    "target_service_level_ratio",
    "understaff_ratio",
    "hold_ratio",
    "hold_abandon_ratio",
    "escalation_ratio",
    "transfer_ratio",
    "negative_sentiment_ratio",
    "complaint_ratio",
    "sentiment_coverage_ratio",
    "training_ratio",
    "meeting_ratio",
    "late_break_ratio",
    "overrun_break_ratio",
    "skip_break_ratio",
    "late_login_ratio",
)
_POSITIVE = ("duration_seconds", "sites", "teams_per_site", "agents_per_team", "break_seconds", "lunch_seconds")


def _problems(s: SimulatorSettings):
    for name in _RATIOS:
        if not 0.0 <= getattr(s, name) <= 1.0:
            yield f"{name}: must be a ratio between 0 and 1, got {getattr(s, name)}"
    for name in _POSITIVE:
        if not getattr(s, name) > 0:
            yield f"{name}: must be positive, got {getattr(s, name)}"
    if s.understaff_ratio <= 0:
        yield "understaff_ratio: must be above 0 (0 would mean a team with nobody in it)"
    if s.start.tzinfo is None:
        yield "start: needs a UTC offset, e.g. 2026-11-24T08:00:00Z"
    if s.shift_seconds is not None and s.shift_seconds <= 0:
        yield f"shift_seconds: must be positive, got {s.shift_seconds}"
    if s.total_agents is not None and s.total_agents < 1:
        yield f"total_agents: must be at least 1, got {s.total_agents}"
    if s.arrivals_per_hour is not None and s.arrivals_per_hour <= 0:
        yield f"arrivals_per_hour: must be positive or None, got {s.arrivals_per_hour}"
    if s.personal_aux_per_hour < 0:
        yield f"personal_aux_per_hour: must not be negative, got {s.personal_aux_per_hour}"
    if s.understaffed_teams < 0:
        yield f"understaffed_teams: must not be negative, got {s.understaffed_teams}"
    if s.complaint_ratio > s.negative_sentiment_ratio:
        yield (
            "complaint_ratio: complaints are a subset of negative-sentiment contacts, "
            "so it cannot exceed negative_sentiment_ratio"
        )
    if s.patience_mean_seconds is not None and s.patience_mean_seconds <= 0:
        yield f"patience_mean_seconds: must be positive or None, got {s.patience_mean_seconds}"
    if not 0 <= s.ring_min_seconds <= s.ring_max_seconds:
        yield "ring_min_seconds/ring_max_seconds: need 0 <= min <= max"
    if len(s.intraday_profile) == 0 or 86400 % len(s.intraday_profile) or min(s.intraday_profile) < 0:
        yield "intraday_profile: needs non-negative weights whose count divides a day (e.g. 24, 48 or 96)"
    for name in (f.name for f in fields(s)):
        value = getattr(s, name)
        if isinstance(value, Lognormal) and not (value.mean_seconds > 0 and value.sigma >= 0):
            yield f"{name}: a lognormal needs a positive mean and a non-negative sigma, got {value}"
