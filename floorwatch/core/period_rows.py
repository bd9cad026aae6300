"""Per-period rows for people and spreadsheets: one per agent and period, one per team and period.

A team's row sums its members' seconds and counts for the period and divides the sums
(time-weighted, never an average of the members' ratios); its peak stress is the highest
member's. The same columns serve the JSON report and the CSV file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from floorwatch.core.occupancy import OccupancyConfig, span_figures
from floorwatch.core.periods import AgentPeriod, PeriodKind, Totals

COLUMNS = (
    "scope",
    "id",
    "team_id",
    "period",
    "start",
    "end",
    "agents",
    "handle_seconds",
    "available_seconds",
    "aux_seconds",
    "staffed_seconds",
    "occupancy_ratio",
    "utilization_ratio",
    "contacts_handled",
    "breaks_taken",
    "break_violations",
    "peak_stress_score",
)
Row = dict[str, Any]


def agent_rows(periods: Iterable[AgentPeriod], config: OccupancyConfig, zone: tzinfo) -> list[Row]:
    return [_row("agent", p, 1, config, zone) for p in periods]


def team_rows(periods: Iterable[AgentPeriod], kind: PeriodKind, config: OccupancyConfig, zone: tzinfo) -> list[Row]:
    """Teams per day; with shifts, per day the shifts start on (a team has no shift of its own)."""
    groups: dict[tuple[str, str], list[AgentPeriod]] = defaultdict(list)
    for p in periods:
        label = p.period if kind is PeriodKind.DAY else datetime.fromtimestamp(p.start_seconds, zone).date().isoformat()
        groups[(p.team_id or "unassigned", label)].append(p)
    return [
        _row("team", _summed(team, label, members), len(members), config, zone)
        for (team, label), members in sorted(groups.items())
    ]


def _summed(team: str, label: str, members: list[AgentPeriod]) -> AgentPeriod:
    return AgentPeriod(
        agent_id=team,
        team_id=team,
        period=label,
        start_seconds=min(m.start_seconds for m in members),
        end_seconds=max(m.end_seconds for m in members),
        totals=Totals(
            handle_seconds=sum(m.totals.handle_seconds for m in members),
            available_seconds=sum(m.totals.available_seconds for m in members),
            aux_seconds=sum(m.totals.aux_seconds for m in members),
            contacts_handled=sum(m.totals.contacts_handled for m in members),
        ),
        breaks_taken=sum(m.breaks_taken for m in members),
        violations=sum(m.violations for m in members),
        peak_stress_score=max(m.peak_stress_score for m in members),
    )


def _row(scope: str, p: AgentPeriod, agents: int, config: OccupancyConfig, zone: tzinfo) -> Row:
    t = p.totals
    span = span_figures(t.handle_seconds, t.available_seconds, t.aux_seconds, config)
    return {
        "scope": scope,
        "id": p.agent_id,
        "team_id": p.team_id,
        "period": p.period,
        "start": datetime.fromtimestamp(p.start_seconds, zone).isoformat(),
        "end": datetime.fromtimestamp(p.end_seconds, zone).isoformat(),
        "agents": agents,
        "handle_seconds": round(span.handle_seconds, 3),
        "available_seconds": round(span.available_seconds, 3),
        "aux_seconds": round(span.aux_seconds, 3),
        "staffed_seconds": round(span.staffed_seconds, 3),
        "occupancy_ratio": _ratio(span.occupancy_ratio),
        "utilization_ratio": _ratio(span.utilization_ratio),
        "contacts_handled": t.contacts_handled,
        "breaks_taken": p.breaks_taken,
        "break_violations": p.violations,
        "peak_stress_score": round(p.peak_stress_score, 3),
    }


def _ratio(value: float | None) -> float | None:
    return round(value, 6) if value is not None else None
