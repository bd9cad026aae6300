"""Where a short-staffed queue's agents can come from (docs/staffing.md).

A team's side: per queue, its agents serving it now; per skill, its agents who could be lent
without harm: available right now, no rest break due within the advice horizon, stress not
high. The advice then puts a queue's need (its `StaffingFigures`) beside what every team
serves and could lend. Team figures are computed where the team lives (its partition) and
the queue's where the queue lives; `advise` joins them for the replay and `floorwatch top`,
and the alert rules join the same published series in PromQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from floorwatch.core.agent import AgentFigures
from floorwatch.core.events import STATE_CATEGORY, AgentState, StateCategory
from floorwatch.core.staffing import StaffingConfig

_SERVING = (StateCategory.HANDLE, StateCategory.AVAILABLE)
_READY = {state.value for state, kind in STATE_CATEGORY.items() if kind in _SERVING}


class Need(Protocol):
    """What advice needs of a queue's staffing figures (StaffingFigures, or a row read back from /metrics)."""

    @property
    def skill(self) -> str: ...
    @property
    def target_label(self) -> str: ...
    @property
    def agents_needed(self) -> int | None: ...


@dataclass(frozen=True)
class TeamSupply:
    """What one team serves and could lend, at one instant."""

    agents_serving_by_queue: dict[str, int]  # handling or available now, serving the queue
    agents_movable_by_skill: dict[str, int]  # available now, no rest due within the horizon, stress not high


@dataclass(frozen=True)
class TeamOffer:
    team_id: str
    site_id: str
    occupancy_ratio: float | None  # over the last 15 minutes
    supply: TeamSupply


@dataclass(frozen=True)
class Source:
    team_id: str
    site_id: str
    agents_movable: int
    occupancy_ratio: float


@dataclass(frozen=True)
class QueueAdvice:
    queue_id: str
    skill: str
    target_label: str
    agents_needed: int | None
    agents_serving: int
    agents_short: int | None  # needed - serving, never below 0; None without a need
    sources: tuple[Source, ...]  # teams not serving the queue, same skill, spare occupancy; most movable first
    summary: str


def rest_due_within(figures: AgentFigures, horizon_seconds: float) -> bool:
    """The agent's rest break is overdue or falls due within the horizon (any rule, any basis)."""
    breaks = figures.breaks
    if breaks.overdue:
        return True
    if breaks.break_due_in_seconds is not None and breaks.break_due_in_seconds <= horizon_seconds:
        return True
    until = figures.as_of_seconds + horizon_seconds
    return any(r.latest_start_seconds is not None and r.latest_start_seconds <= until for r in breaks.required)


def team_supply(members: Iterable[AgentFigures], config: StaffingConfig) -> TeamSupply:
    serving: dict[str, int] = {}
    movable: dict[str, int] = {}
    for member in members:
        if member.state not in _READY:
            continue
        for queue_id in member.queues:
            serving[queue_id] = serving.get(queue_id, 0) + 1
        if member.state != AgentState.AVAILABLE.value or member.stress.band == "high":
            continue
        if rest_due_within(member, config.horizon_seconds):
            continue
        for skill in sorted({config.skill_of(q) for q in member.queues}):
            movable[skill] = movable.get(skill, 0) + 1
    return TeamSupply(dict(sorted(serving.items())), dict(sorted(movable.items())))


def advise(queue_id: str, need: Need, teams: Sequence[TeamOffer], spare_below_ratio: float) -> QueueAdvice:
    """The queue's need beside what every team serves and could lend (see the module's docstring)."""
    skill = need.skill
    serving = sum(t.supply.agents_serving_by_queue.get(queue_id, 0) for t in teams)
    short = None if need.agents_needed is None else max(0, need.agents_needed - serving)
    sources = sorted(
        (
            Source(t.team_id, t.site_id, t.supply.agents_movable_by_skill[skill], t.occupancy_ratio)
            for t in teams
            if t.supply.agents_movable_by_skill.get(skill, 0) > 0
            and queue_id not in t.supply.agents_serving_by_queue
            and t.occupancy_ratio is not None
            and t.occupancy_ratio < spare_below_ratio
        ),
        key=lambda s: (-s.agents_movable, s.occupancy_ratio, s.team_id),
    )
    return QueueAdvice(
        queue_id=queue_id,
        skill=skill,
        target_label=need.target_label,
        agents_needed=need.agents_needed,
        agents_serving=serving,
        agents_short=short,
        sources=tuple(sources),
        summary=summary(queue_id, need.target_label, need.agents_needed, short, sources),
    )


def summary(queue_id: str, target: str, needed: int | None, short: int | None, sources: Iterable[Source]) -> str:
    """One line for a person: 'q-billing needs 4 more agents for 80% in 20 s; lisbon-billing has 3 ...'."""
    if needed is None or short is None:
        return f"{queue_id}: not enough recent contacts to advise"
    if short == 0:
        return f"{queue_id} has the {needed} agents it needs for {target}"
    lines = [f"{queue_id} needs {short} more agent{'s' if short != 1 else ''} for {target} ({needed} in all)"]
    lines += [f"{s.team_id} has {s.agents_movable} available at {s.occupancy_ratio:.0%} occupancy" for s in sources]
    if len(lines) == 1:
        lines.append("no team with this skill has spare agents free of a due break")
    return "; ".join(lines)
