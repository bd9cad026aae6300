"""What the break track shows at an instant: the next break due, what is overdue, the violations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from floorwatch.core.breaks import adherence_view
from floorwatch.core.breaks.adherence_model import AdherenceFigures
from floorwatch.core.breaks.policy import BREAK_STATES, BreakPolicy
from floorwatch.core.breaks.progress import BreakRuleBreached, due_in
from floorwatch.core.breaks.track import OFF, BreakTaken, BreakTrack, advance, aligned
from floorwatch.core.events import AgentState


@dataclass(frozen=True, slots=True)
class BreakFigures:
    policy: str
    on_shift: bool
    on_break: bool
    worked_seconds: float
    break_due_in_seconds: float | None  # work until the next break is due; negative when overdue
    break_due_rule: str | None
    break_due_minimum_seconds: float | None  # how long that break should be
    overdue: bool
    overdue_rules: tuple[str, ...]
    violations_total: int
    violations: tuple[BreakRuleBreached, ...]
    violations_by_rule: dict[str, int]  # of the violations kept, how many per rule
    breaks_taken: tuple[BreakTaken, ...]  # the one in progress last, with end_seconds None
    adherence: AdherenceFigures | None


def view(track: BreakTrack, state: AgentState | None, now_seconds: float, policy: BreakPolicy) -> BreakFigures:
    """The figures at `now_seconds` (advancing a copy from the track's own clock if behind)."""
    if track.clock_seconds is not None and now_seconds > track.clock_seconds:
        track, _ = advance(track, state, track.clock_seconds, now_seconds, policy)
    dues = (
        [
            (due_in(rule, p, state, track.worked_seconds, track.planned_work_seconds), rule)
            for rule, p in zip(policy.rules, aligned(track, policy))
        ]
        if track.on_day
        else []
    )
    pending = [(seconds, rule) for (seconds, _), rule in dues if seconds is not None]
    first = min(pending, key=lambda pair: pair[0]) if pending else None
    overdue_rules = tuple(rule.name for (_, overdue), rule in dues if overdue)
    taken = track.breaks_taken + ((track.current_break,) if track.current_break is not None else ())
    return BreakFigures(
        policy=policy.name,
        on_shift=state not in OFF,
        on_break=state in BREAK_STATES,
        worked_seconds=track.worked_seconds,
        break_due_in_seconds=None if first is None else first[0],
        break_due_rule=None if first is None else first[1].name,
        break_due_minimum_seconds=None if first is None else first[1].minimum_seconds,
        overdue=bool(overdue_rules),
        overdue_rules=overdue_rules,
        violations_total=track.violations_total,
        violations=track.violations,
        violations_by_rule={
            rule.name: sum(1 for v in track.violations if v.rule == rule.name) for rule in policy.rules
        },
        breaks_taken=taken,
        adherence=adherence_view.view(track.adherence, now_seconds, policy.adherence),
    )


def team_compliance_ratio(figures: Iterable[BreakFigures]) -> float | None:
    """Of the agents on shift, the fraction with no break overdue; None when nobody is on shift."""
    on_shift = [f for f in figures if f.on_shift]
    if not on_shift:
        return None
    return sum(1 for f in on_shift if not f.overdue) / len(on_shift)
