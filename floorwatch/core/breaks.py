"""Break compliance of one agent, live: is a break due, overdue, was a rule missed (docs/breaks.md).

The policy (`floorwatch.core.policy`) is a list of rules built from primitives; this track
follows the agent's working day against each of them (`break_rules`) and against the
schedule (`adherence`). The framing is protective: the figures say when the next break is
*due*, and a rule is flagged only after its grace. `docs/breaks.md` has the definitions.

A working day starts at the first staffed state and ends when the agent has been logged out
for `policy.new_day_after_logged_out_seconds`; rules due "by the end of the day" are judged
then. Worked time counts every staffed state except unpaid breaks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from floorwatch.core import adherence
from floorwatch.core.adherence import AdherenceFigures, AdherenceOutput, AdherenceTrack
from floorwatch.core.break_rules import (
    FRESH,
    BreakRuleBreached,
    RuleProgress,
    Stretch,
    advance_rule,
    due_in,
    end_of_day,
    rule_on_state,
)
from floorwatch.core.events import AgentState, SchedulePublishedData
from floorwatch.core.policy import BREAK_STATES, BreakPolicy, default_policy, load_policy, load_profile

__all__ = [
    "BreakFigures",
    "BreakPolicy",
    "BreakRuleBreached",
    "BreakTaken",
    "BreakTrack",
    "advance",
    "default_policy",
    "initial",
    "load_policy",
    "load_profile",
    "on_contact",
    "on_schedule",
    "on_state",
    "team_compliance_ratio",
    "view",
]
_OFF = (None, AgentState.LOGGED_OUT)
BreakOutput = BreakRuleBreached | AdherenceOutput  # what the break track reports, by when it was noticed
_Output = TypeVar("_Output", bound=BreakOutput)


@dataclass(frozen=True, slots=True)
class BreakTaken:
    start_seconds: float
    end_seconds: float | None  # None while the break goes on
    kind: str  # BREAK or LUNCH
    scheduled: bool  # matched a scheduled break (its planned length is the allowance)
    allowed_seconds: float | None  # how long it may run before an overrun rule looks at it


class BreakTrack(NamedTuple):
    """Immutable like the other tracks, but a NamedTuple: it is rebuilt on every state change,
    and an 11-field frozen dataclass costs ~5x more to build. Pydantic stores it as a JSON array."""

    clock_seconds: float | None
    on_day: bool  # a working day is open
    worked_seconds: float  # today's work (paid breaks included)
    logged_out_seconds: float  # the current logged-out run
    progress: tuple[RuleProgress, ...]  # one per policy rule, in order
    current_break: BreakTaken | None
    breaks_taken: tuple[BreakTaken, ...]  # finished breaks, newest last, at most policy.history_limit
    violations: tuple[BreakRuleBreached, ...]  # newest last, at most policy.history_limit
    violations_total: int
    planned_work_seconds: float | None  # the schedule's shift minus its breaks
    adherence: AdherenceTrack


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


def initial(policy: BreakPolicy) -> BreakTrack:
    return BreakTrack(
        clock_seconds=None,
        on_day=False,
        worked_seconds=0.0,
        logged_out_seconds=0.0,
        progress=(FRESH,) * len(policy.rules),
        current_break=None,
        breaks_taken=(),
        violations=(),
        violations_total=0,
        planned_work_seconds=None,
        adherence=adherence.initial(),
    )


def advance(
    track: BreakTrack, state: AgentState | None, from_seconds: float, to_seconds: float, policy: BreakPolicy
) -> tuple[BreakTrack, tuple[BreakOutput, ...]]:
    if to_seconds <= from_seconds:
        return track, ()
    outputs: tuple[BreakOutput, ...] = ()
    remaining_day = policy.new_day_after_logged_out_seconds - track.logged_out_seconds
    if state in _OFF and track.on_day and from_seconds + remaining_day <= to_seconds:
        day_ends_at = from_seconds + max(remaining_day, 0.0)
        track, outputs = _advance(track, state, from_seconds, day_ends_at, policy)
        track, ended = _end_day(track, day_ends_at, policy)
        outputs, from_seconds = outputs + ended, day_ends_at
    track, more = _advance(track, state, from_seconds, to_seconds, policy)
    return track, _in_order(outputs + more)


def _advance(
    track: BreakTrack, state: AgentState | None, from_seconds: float, to_seconds: float, policy: BreakPolicy
) -> tuple[BreakTrack, tuple[BreakOutput, ...]]:
    elapsed = to_seconds - from_seconds
    on_day = track.on_day or state not in _OFF
    works = on_day and state not in _OFF and (state not in BREAK_STATES or state in policy.paid_break_states)
    worked = track.worked_seconds + elapsed if works else track.worked_seconds
    progress = track.progress
    outputs: list[BreakRuleBreached] = []
    if on_day:
        current = track.current_break
        stretch = Stretch(
            state=state,
            from_seconds=from_seconds,
            to_seconds=to_seconds,
            worked_from_seconds=track.worked_seconds,
            worked_to_seconds=worked,
            planned_work_seconds=track.planned_work_seconds,
            break_start_seconds=None if current is None else current.start_seconds,
            break_allowed_seconds=None if current is None else current.allowed_seconds,
        )
        progress, outputs = _each_rule(advance_rule, policy, track, stretch)
    logged_out = track.logged_out_seconds + elapsed if state in _OFF else 0.0
    adherence_track, planned = adherence.advance(track.adherence, state, from_seconds, to_seconds, policy.adherence)
    t = track
    track = BreakTrack(
        clock_seconds=to_seconds,
        on_day=on_day,
        worked_seconds=worked,
        logged_out_seconds=logged_out,
        progress=progress,
        current_break=t.current_break,
        breaks_taken=t.breaks_taken,
        violations=t.violations,
        violations_total=t.violations_total,
        planned_work_seconds=t.planned_work_seconds,
        adherence=adherence_track,
    )
    return (_record(track, outputs, policy) if outputs else track), tuple(outputs) + planned


def _end_day(track: BreakTrack, at_seconds: float, policy: BreakPolicy) -> tuple[BreakTrack, tuple[BreakOutput, ...]]:
    logged_out_at = at_seconds - policy.new_day_after_logged_out_seconds
    outputs = [
        o
        for rule, p in zip(policy.rules, _aligned(track, policy))
        for o in end_of_day(rule, p, track.worked_seconds, logged_out_at, at_seconds)
    ]
    track = track._replace(on_day=False, worked_seconds=0.0, progress=(FRESH,) * len(policy.rules))
    return _record(track, outputs, policy), tuple(outputs)


def on_state(
    track: BreakTrack, old: AgentState | None, new: AgentState, at_seconds: float, policy: BreakPolicy
) -> tuple[BreakTrack, tuple[BreakOutput, ...]]:
    if new == old:
        return track, ()
    progress, outputs = _each_rule(rule_on_state, policy, track, old, new, at_seconds)
    taken, current = track.breaks_taken, track.current_break
    if current is not None:
        finished = BreakTaken(
            start_seconds=current.start_seconds,
            end_seconds=at_seconds,
            kind=current.kind,
            scheduled=current.scheduled,
            allowed_seconds=current.allowed_seconds,
        )
        taken, current = (taken + (finished,))[-policy.history_limit :], None
    adherence_track = track.adherence
    caught_up: tuple[AdherenceOutput, ...] = ()
    start = adherence_track.shift_start_seconds
    if track.clock_seconds is None and start is not None and start < at_seconds:
        # The agent's first event ever, after their shift began: not logged in until now.
        adherence_track, caught_up = adherence.advance(adherence_track, None, start, at_seconds, policy.adherence)
    adherence_track = adherence.on_state(adherence_track, old, new, at_seconds, policy.adherence)
    if new in BREAK_STATES:
        planned = adherence.planned_length_now(adherence_track)
        allowed = planned if planned is not None else policy.allowed_seconds(new)
        current = BreakTaken(
            start_seconds=at_seconds,
            end_seconds=None,
            kind=new.value,
            scheduled=planned is not None,
            allowed_seconds=allowed,
        )
    on_day = track.on_day or new is not AgentState.LOGGED_OUT
    logged_out = track.logged_out_seconds if old in _OFF and new in _OFF else 0.0
    track = BreakTrack(
        clock_seconds=at_seconds,
        on_day=on_day,
        worked_seconds=track.worked_seconds,
        logged_out_seconds=logged_out,
        progress=progress,
        current_break=current,
        breaks_taken=taken,
        violations=track.violations,
        violations_total=track.violations_total,
        planned_work_seconds=track.planned_work_seconds,
        adherence=adherence_track,
    )
    if not outputs:
        return track, _in_order(caught_up)
    return _record(track, outputs, policy), _in_order(tuple(outputs) + caught_up)


def on_contact(
    track: BreakTrack, event: object, at_seconds: float, policy: BreakPolicy
) -> tuple[BreakTrack, tuple[BreakOutput, ...]]:
    """Contacts do not move break compliance: the state changes around them do."""
    return track, ()


def on_schedule(track: BreakTrack, schedule: SchedulePublishedData, policy: BreakPolicy) -> BreakTrack:
    shift = schedule.shift_end.timestamp() - schedule.shift_start.timestamp()
    resting = sum(a.end.timestamp() - a.start.timestamp() for a in schedule.activities if a.kind in ("break", "lunch"))
    return track._replace(
        planned_work_seconds=max(shift - resting, 0.0),
        adherence=adherence.on_schedule(track.adherence, schedule),
    )


def view(track: BreakTrack, state: AgentState | None, now_seconds: float, policy: BreakPolicy) -> BreakFigures:
    """The figures at `now_seconds` (advancing a copy from the track's own clock if behind)."""
    if track.clock_seconds is not None and now_seconds > track.clock_seconds:
        track, _ = advance(track, state, track.clock_seconds, now_seconds, policy)
    dues = (
        [
            (due_in(rule, p, state, track.worked_seconds, track.planned_work_seconds), rule)
            for rule, p in zip(policy.rules, _aligned(track, policy))
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
        on_shift=state not in _OFF,
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
        adherence=adherence.view(track.adherence, now_seconds, policy.adherence),
    )


def team_compliance_ratio(figures: Iterable[BreakFigures]) -> float | None:
    """Of the agents on shift, the fraction with no break overdue; None when nobody is on shift."""
    on_shift = [f for f in figures if f.on_shift]
    if not on_shift:
        return None
    return sum(1 for f in on_shift if not f.overdue) / len(on_shift)


# --- helpers -------------------------------------------------------------------------


def _aligned(track: BreakTrack, policy: BreakPolicy) -> tuple[RuleProgress, ...]:
    """Progress per rule; a track made under another policy starts its rules afresh."""
    if len(track.progress) == len(policy.rules):
        return track.progress
    return (FRESH,) * len(policy.rules)


def _each_rule(
    step: Callable[..., tuple[RuleProgress, tuple[BreakRuleBreached, ...]]],
    policy: BreakPolicy,
    track: BreakTrack,
    *args: object,
) -> tuple[tuple[RuleProgress, ...], list[BreakRuleBreached]]:
    """`step(rule, progress, *args)` for every rule: the new progress tuple and all outputs, in rule order.
    A plain loop (no intermediate list of pairs): this runs on every state change."""
    progress: list[RuleProgress] = []
    outputs: list[BreakRuleBreached] = []
    for rule, p in zip(policy.rules, _aligned(track, policy)):
        moved, found = step(rule, p, *args)
        progress.append(moved)
        if found:
            outputs += found
    return tuple(progress), outputs


def _record(track: BreakTrack, outputs: Sequence[BreakOutput], policy: BreakPolicy) -> BreakTrack:
    found = _in_order(tuple(o for o in outputs if isinstance(o, BreakRuleBreached)))
    if not found:
        return track
    kept = (track.violations + found)[-policy.history_limit :]
    return track._replace(violations=kept, violations_total=track.violations_total + len(found))


def _in_order(outputs: tuple[_Output, ...]) -> tuple[_Output, ...]:
    """By the time each was flagged, so a violation is announced after what came before it."""
    if len(outputs) < 2:  # the usual case: nothing to order
        return tuple(outputs)
    return tuple(sorted(outputs, key=_noticed_at))


def _noticed_at(output: BreakOutput) -> float:
    return output.flagged_at_seconds if isinstance(output, BreakRuleBreached) else output.at_seconds
