"""What a shift report shows, as plain JSON-ready data: the figures come from the core, untouched.

The tables are `floorwatch replay --by day|shift` rows (`period_report`), the plots the floor
sampled through the day (`timeline`); this module only picks the scope (floor, a site, a team)
and applies the privacy mode: per-agent rows under their keyed pseudonym or not at all, and
with per-agent detail off no team smaller than the minimum group size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from floorwatch.core.config import MetricConfig
from floorwatch.core.period_report import fold_log, periods_report
from floorwatch.core.periods import PeriodKind
from floorwatch.core.replay import decode_lines
from floorwatch.core.timeline import Timeline, timeline

Json = dict[str, Any]


@dataclass(frozen=True)
class Privacy:
    per_agent: bool  # False: aggregates only
    label: Callable[[str], str]  # the published label of an agent id (identity, or a keyed pseudonym)
    min_group_size: int = 5  # with per-agent detail off, smaller teams are held back
    mode: str = "pseudonymous"


@dataclass(frozen=True)
class Scope:
    kind: str  # floor, site or team
    id: str | None = None

    @property
    def title(self) -> str:
        return "whole floor" if self.id is None else f"{self.kind} {self.id}"


@dataclass(frozen=True)
class Folded:
    """One log, folded once for the tables and once, with samples, for the plots."""

    periods: Json
    violations: list[tuple[str, str, str]]  # (agent id, rule, basis) for every violation judged
    timeline: Timeline
    config: MetricConfig


def fold_for_report(
    lines: Sequence[bytes],
    config: MetricConfig,
    kind: PeriodKind,
    zone: tzinfo,
    schedule_lines: Sequence[bytes] = (),
    received_at_seconds: float | None = None,
    step_seconds: float = 900.0,
) -> Folded:
    fold, events = fold_log(lines, config, kind, zone, schedule_lines, received_at_seconds)
    periods = periods_report(fold.finish(), events, config, kind, zone)
    violations = [(agent_id, v.rule, v.basis) for agent_id, v in fold.violations()]
    entries = [
        *decode_lines(schedule_lines, "schedules", received_at_seconds),
        *decode_lines(lines, "events", received_at_seconds),
    ]
    return Folded(periods, violations, timeline(entries, config, step_seconds), config)


def sites_and_teams(folded: Folded) -> dict[str, list[str]]:
    """Each site's teams, as the agents' events name them."""
    sites: dict[str, set[str]] = {}
    for sample in folded.timeline.samples:
        for team in sample.teams:
            sites.setdefault(team.site_id, set()).add(team.team_id)
    return {site: sorted(teams) for site, teams in sorted(sites.items())}


def report_data(folded: Folded, scope: Scope, privacy: Privacy) -> Json:
    teams = _teams_in_scope(folded, scope, privacy)
    team_of = {agent_id: track.team_id for agent_id, track in folded.timeline.result.agents.items()}
    periods = folded.periods
    agent_rows = [r for r in periods["agents"] if r["team_id"] in teams]
    rules = Counter((rule, basis) for agent_id, rule, basis in folded.violations if team_of.get(agent_id) in teams)
    samples = folded.timeline.samples
    queues = _queues_in_scope(folded, teams)
    occupancy = folded.config.occupancy
    return {
        "report": "floorwatch.shift-report",
        "scope": {"kind": scope.kind, "id": scope.id, "title": scope.title},
        "by": periods["by"],
        "timezone": periods["timezone"],
        "privacy": {"mode": privacy.mode, "per_agent": privacy.per_agent, "min_group_size": privacy.min_group_size},
        "events": {k: v for k, v in periods["events"].items() if k != "rejections"},
        "thresholds": {
            "overload_above_ratio": occupancy.burnout_above_ratio,
            "pressure_above_ratio": occupancy.pressure_above_ratio,
        },
        "team_rows": [r for r in periods["teams"] if r["team_id"] in teams],
        "agent_rows": [{**r, "id": privacy.label(r["id"])} for r in agent_rows] if privacy.per_agent else [],
        "violations_by_rule": [
            {"rule": rule, "basis": basis, "violations": n} for (rule, basis), n in sorted(rules.items())
        ],
        "timeline": {
            "step_seconds": folded.timeline.step_seconds,
            "at": [_iso(s.at_seconds) for s in samples],
            "teams": {team: _team_series(samples, team) for team in sorted(teams)},
            "queues": {
                queue: {
                    **_queue_series(samples, queue),
                    "target_service_level_ratio": folded.config.queue.staffing.target_for(queue).level_ratio,
                }
                for queue in queues
            },
        },
    }


def _teams_in_scope(folded: Folded, scope: Scope, privacy: Privacy) -> set[str]:
    sites = sites_and_teams(folded)
    teams = {t for site, members in sites.items() for t in members if scope.kind != "site" or site == scope.id}
    if scope.kind == "team":
        teams &= {scope.id or ""}
    if not privacy.per_agent:  # a small team's figures would identify its members
        sizes = Counter(t.team_id for t in folded.timeline.result.agents.values() if t.team_id is not None)
        teams = {t for t in teams if sizes[t] >= privacy.min_group_size}
    return teams


def _queues_in_scope(folded: Folded, teams: set[str]) -> list[str]:
    """The queues the scope's agents serve (a site's report shows its own queues)."""
    served = {q for t in folded.timeline.result.agents.values() if t.team_id in teams for q in t.queues}
    return sorted(served & set(folded.timeline.result.queues))


def _team_series(samples: Sequence[Any], team_id: str) -> Json:
    points = [next((t for t in s.teams if t.team_id == team_id), None) for s in samples]
    return {
        "occupancy_15m_ratio": [_r(p.occupancy_15m_ratio) if p else None for p in points],
        "agents_staffed": [p.agents_staffed if p else 0 for p in points],
        "break_compliance_ratio": [_r(p.break_compliance_ratio) if p else None for p in points],
        "agents_break_overdue": [p.agents_break_overdue if p else 0 for p in points],
        "agents_by_stress_band": {
            band: [p.agents_by_stress_band.get(band, 0) if p else 0 for p in points]
            for band in ("normal", "elevated", "high")
        },
    }


def _queue_series(samples: Sequence[Any], queue_id: str) -> Json:
    points = [next((q for q in s.queues if q.queue_id == queue_id), None) for s in samples]
    return {
        "offered_contacts": [p.offered_contacts if p else 0 for p in points],
        "service_level_ratio": [_r(p.service_level_ratio) if p else None for p in points],
        "abandon_rate_ratio": [_r(p.abandon_rate_ratio) if p else None for p in points],
        "agents_needed": [p.agents_needed if p else None for p in points],
        "agents_serving": [p.agents_serving if p else 0 for p in points],
    }


def _r(value: float | None) -> float | None:
    return round(value, 6) if value is not None else None


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
