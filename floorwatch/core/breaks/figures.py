"""What the break track shows at an instant: the next break due, what is overdue, the violations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from floorwatch.core.breaks import adherence_view
from floorwatch.core.breaks.adherence_model import AdherenceFigures
from floorwatch.core.breaks.policy import BASES, BREAK_STATES, BreakPolicy, BreakRule
from floorwatch.core.breaks.progress import (
    BreakRuleBreached,
    ProgressWork,
    applies,
    due_in,
    qualifies,
    satisfied,
)
from floorwatch.core.breaks.track import OFF, BreakTaken, BreakTrack, advance, aligned
from floorwatch.core.events import AgentState


@dataclass(frozen=True, slots=True)
class BreakRequired:
    """A break the day already calls for and that has not been taken: for rules judged when the
    day ends, the only sign while the agent works that one will be missed."""

    rule: str
    basis: str
    minimum_seconds: float  # how long the break (each one, for a count) must be
    missing: int  # breaks still to take (1, or more for a count per day)
    latest_start_seconds: float | None  # the last start that still satisfies the rule; None: not known


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
    required: tuple[BreakRequired, ...] = ()  # required today, not yet taken, rule by rule
    violations_by_basis: dict[str, int] | None = None  # of the violations kept, how many per basis
    overdue_bases: tuple[str, ...] = ()  # the bases of the overdue rules
    compliance_bases: tuple[str, ...] = ("statute",)  # what the team compliance ratio counts


def view(track: BreakTrack, state: AgentState | None, now_seconds: float, policy: BreakPolicy) -> BreakFigures:
    """The figures at `now_seconds` (advancing a copy from the track's own clock if behind)."""
    if track.clock_seconds is not None and now_seconds > track.clock_seconds:
        track, _ = advance(track, state, track.clock_seconds, now_seconds, policy)
    dues = (
        [
            (due_in(rule, p, state, track.worked_seconds, track.planned_work_seconds), rule)
            for rule, p in zip(policy.rules, _progress(track, policy))
        ]
        if track.on_day
        else []
    )
    pending = [(seconds, rule) for (seconds, _), rule in dues if seconds is not None]
    first = min(pending, key=lambda pair: pair[0]) if pending else None
    overdue_rules = tuple(rule.name for (_, overdue), rule in dues if overdue)
    taken = track.breaks_taken + ((track.current_break,) if track.current_break is not None else ())
    required = _required(track, state, now_seconds, policy) if track.on_day else ()
    overdue_bases = tuple(sorted({rule.basis for (_, overdue), rule in dues if overdue}))
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
        required=required,
        violations_by_basis={basis: sum(1 for v in track.violations if v.basis == basis) for basis in BASES},
        overdue_bases=overdue_bases,
        compliance_bases=tuple(sorted(policy.compliance_bases)),
    )


def _required(
    track: BreakTrack, state: AgentState | None, now_seconds: float, policy: BreakPolicy
) -> tuple[BreakRequired, ...]:
    """Computed for a view only (never in the fold): rules the day already calls for, not yet met."""
    found = []
    for rule, p in zip(policy.rules, _progress(track, policy)):
        missing = _missing(rule, p, track.worked_seconds, track.planned_work_seconds)
        if missing:
            latest = _latest_start(rule, p, state, track, now_seconds)
            found.append(BreakRequired(rule.name, rule.basis, rule.minimum_seconds, missing, latest))
    return tuple(found)


def _progress(track: BreakTrack, policy: BreakPolicy) -> list[ProgressWork]:
    """Each rule's progress in the form the rules read (a copy: a view changes nothing)."""
    return [ProgressWork(p) for p in aligned(track, policy)]


def _missing(rule: BreakRule, p: ProgressWork, worked: float, planned: float | None) -> int:
    if rule.kind == "count_per_worked":
        day = max(worked, planned or 0.0)
        return max(rule.required_count(day) - p.taken - p.pending_taken - qualifies(rule, p), 0)
    if rule.kind == "rest_by_worked" and not p.flagged and applies(rule, worked, planned):
        return 0 if satisfied(rule, p) else 1
    return 0


def _latest_start(
    rule: BreakRule, p: ProgressWork, state: AgentState | None, track: BreakTrack, now_seconds: float
) -> float | None:
    """With a latest start in worked time: now plus the work left before it (it passes only while
    working). Otherwise the rest must end before the scheduled shift does, with work after it."""
    deadline = rule.latest_start_worked_seconds
    if deadline is not None:
        if p.deadline_at_seconds is not None:
            return p.deadline_at_seconds
        return now_seconds + max(deadline - track.worked_seconds, 0.0)
    shift_end = track.adherence.shift_end_seconds
    if shift_end is None or shift_end <= now_seconds:
        return None
    return shift_end - rule.minimum_seconds - (60.0 if rule.must_interrupt_work else 0.0)


def team_compliance_ratio(figures: Iterable[BreakFigures], bases: Iterable[str] | None = None) -> float | None:
    """Of the agents on shift, the fraction with no break overdue under a rule of the counted
    bases (the policy's `compliance_bases`, statute only by default); None when nobody is on shift."""
    on_shift = [f for f in figures if f.on_shift]
    if not on_shift:
        return None
    counted = set(bases) if bases is not None else None
    compliant = sum(
        1 for f in on_shift if not set(f.overdue_bases) & (counted if counted is not None else set(f.compliance_bases))
    )
    return compliant / len(on_shift)


def compliance_ratio_by_basis(figures: Iterable[BreakFigures]) -> dict[str, float | None]:
    """The team compliance ratio for each basis alone: law, guidance and house policy apart."""
    listed = list(figures)
    return {basis: team_compliance_ratio(listed, (basis,)) for basis in BASES}
