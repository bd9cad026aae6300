"""One agent's break track: its working day, its progress on each rule, time passing (`advance`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from floorwatch.core.breaks import adherence
from floorwatch.core.breaks.adherence_model import AdherenceOutput, AdherenceTrack
from floorwatch.core.breaks.policy import BREAK_STATES, BreakPolicy
from floorwatch.core.breaks.progress import FRESH, BreakRuleBreached, ProgressWork, RuleProgress, Stretch
from floorwatch.core.breaks.rules import advance_rule, end_of_day
from floorwatch.core.events import AgentState

OFF = (None, AgentState.LOGGED_OUT)
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
    held: tuple[BreakRuleBreached, ...] = ()  # breaches found, their alert held until the grace is over
    last_day_ended_at_seconds: float | None = None  # the logout that ended the previous working day


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


@dataclass(slots=True)
class BreakWork:
    """A BreakTrack's fields, mutable: the in-place functions below (`advance_work`, and
    `hooks.on_state_work`) update it; `advance` and `hooks.on_state` thaw a track into one and
    freeze it again. The replay's fold keeps one per agent across its events."""

    clock_seconds: float | None
    on_day: bool
    worked_seconds: float
    logged_out_seconds: float
    progress: tuple[RuleProgress, ...]  # as frozen; while `moving` is None, the progress itself
    moving: list[ProgressWork] | None  # thawed at the first state change (`moving_progress`)
    current_break: BreakTaken | None
    breaks_taken: tuple[BreakTaken, ...]
    violations: tuple[BreakRuleBreached, ...]
    violations_total: int
    planned_work_seconds: float | None
    adherence: adherence.AdherenceWork
    held: tuple[BreakRuleBreached, ...]
    last_day_ended_at_seconds: float | None

    @classmethod
    def of(cls, track: BreakTrack) -> BreakWork:
        return cls(
            clock_seconds=track.clock_seconds,
            on_day=track.on_day,
            worked_seconds=track.worked_seconds,
            logged_out_seconds=track.logged_out_seconds,
            progress=track.progress,
            moving=None,
            current_break=track.current_break,
            breaks_taken=track.breaks_taken,
            violations=track.violations,
            violations_total=track.violations_total,
            planned_work_seconds=track.planned_work_seconds,
            adherence=adherence.AdherenceWork(track.adherence),
            held=track.held,
            last_day_ended_at_seconds=track.last_day_ended_at_seconds,
        )

    def frozen_progress(self) -> tuple[RuleProgress, ...]:
        moving = self.moving
        if moving is None:
            return self.progress
        return tuple([p.freeze() for p in moving])

    def freeze(self) -> BreakTrack:
        return BreakTrack(
            clock_seconds=self.clock_seconds,
            on_day=self.on_day,
            worked_seconds=self.worked_seconds,
            logged_out_seconds=self.logged_out_seconds,
            progress=self.frozen_progress(),
            current_break=self.current_break,
            breaks_taken=self.breaks_taken,
            violations=self.violations,
            violations_total=self.violations_total,
            planned_work_seconds=self.planned_work_seconds,
            adherence=self.adherence.freeze(),
            held=self.held,
            last_day_ended_at_seconds=self.last_day_ended_at_seconds,
        )


def advance(
    track: BreakTrack, state: AgentState | None, from_seconds: float, to_seconds: float, policy: BreakPolicy
) -> tuple[BreakTrack, tuple[BreakOutput, ...]]:
    if to_seconds <= from_seconds:
        return track, ()
    work = BreakWork.of(track)
    outputs = advance_work(work, state, from_seconds, to_seconds, policy)
    return work.freeze(), outputs


def advance_work(
    w: BreakWork, state: AgentState | None, from_seconds: float, to_seconds: float, policy: BreakPolicy
) -> tuple[BreakOutput, ...]:
    """`advance` in place."""
    if to_seconds <= from_seconds:
        return ()
    outputs: tuple[BreakOutput, ...] = ()
    remaining_day = policy.new_day_after_logged_out_seconds - w.logged_out_seconds
    if state in OFF and w.on_day and from_seconds + remaining_day <= to_seconds:
        day_ends_at = from_seconds + max(remaining_day, 0.0)
        outputs = _advance(w, state, from_seconds, day_ends_at, policy)
        outputs, from_seconds = outputs + _end_day(w, day_ends_at, policy), day_ends_at
    more = _advance(w, state, from_seconds, to_seconds, policy)
    return release(w, outputs + more, to_seconds, policy)


def _advance(
    w: BreakWork, state: AgentState | None, from_seconds: float, to_seconds: float, policy: BreakPolicy
) -> tuple[BreakOutput, ...]:
    elapsed = to_seconds - from_seconds
    on_day = w.on_day or state not in OFF
    works = on_day and state not in OFF and (state not in BREAK_STATES or state in policy.paid_break_states)
    worked = w.worked_seconds + elapsed if works else w.worked_seconds
    outputs: list[BreakRuleBreached] = []
    if on_day:
        current = w.current_break
        stretch = Stretch(
            state=state,
            from_seconds=from_seconds,
            to_seconds=to_seconds,
            worked_from_seconds=w.worked_seconds,
            worked_to_seconds=worked,
            planned_work_seconds=w.planned_work_seconds,
            break_start_seconds=None if current is None else current.start_seconds,
            break_allowed_seconds=None if current is None else current.allowed_seconds,
        )
        for rule, p in zip(policy.rules, moving_progress(w, policy)):  # a plain loop: every state change
            found = advance_rule(rule, p, stretch)
            if found:
                outputs += found
    w.logged_out_seconds = w.logged_out_seconds + elapsed if state in OFF else 0.0
    planned = adherence.advance_work(w.adherence, state, from_seconds, to_seconds, policy.adherence)
    w.clock_seconds, w.on_day, w.worked_seconds = to_seconds, on_day, worked
    if outputs:
        return tuple(outputs) + planned
    return planned


def _end_day(w: BreakWork, at_seconds: float, policy: BreakPolicy) -> tuple[BreakOutput, ...]:
    logged_out_at = at_seconds - policy.new_day_after_logged_out_seconds
    outputs = [
        o
        for rule, p in zip(policy.rules, moving_progress(w, policy))
        for o in end_of_day(rule, p, w.worked_seconds, logged_out_at, at_seconds)
    ]
    w.on_day, w.worked_seconds = False, 0.0
    w.progress, w.moving = (FRESH,) * len(policy.rules), None
    w.last_day_ended_at_seconds = logged_out_at
    return tuple(outputs)


# --- helpers -------------------------------------------------------------------------


def aligned(track: BreakTrack, policy: BreakPolicy) -> tuple[RuleProgress, ...]:
    """Progress per rule; a track made under another policy starts its rules afresh."""
    return aligned_progress(track.progress, policy)


def aligned_progress(progress: tuple[RuleProgress, ...], policy: BreakPolicy) -> tuple[RuleProgress, ...]:
    if len(progress) == len(policy.rules):
        return progress
    return (FRESH,) * len(policy.rules)


def moving_progress(w: BreakWork, policy: BreakPolicy) -> list[ProgressWork]:
    """The progress per rule as working state, thawed once (aligned to the policy as `aligned_progress`)."""
    moving = w.moving
    if moving is None:
        moving = w.moving = [ProgressWork(p) for p in aligned_progress(w.progress, policy)]
    elif len(moving) != len(policy.rules):
        moving = w.moving = [ProgressWork(FRESH) for _ in policy.rules]
    return moving


def release(
    w: BreakWork, outputs: tuple[BreakOutput, ...], now_seconds: float, policy: BreakPolicy
) -> tuple[BreakOutput, ...]:
    """Let out the breaches whose grace is over by `now_seconds`; hold the others.
    A breach is found at its deadline; the grace delays the alert, it never erases it."""
    if not w.held and (not outputs or not any(isinstance(o, BreakRuleBreached) for o in outputs)):
        return in_order(outputs)  # the usual case: nothing found, nothing held
    found = w.held + tuple(o for o in outputs if isinstance(o, BreakRuleBreached))
    due = tuple(b for b in found if b.flagged_at_seconds <= now_seconds)
    w.held = tuple(b for b in found if b.flagged_at_seconds > now_seconds)
    record(w, due, policy)
    return in_order(tuple(o for o in outputs if not isinstance(o, BreakRuleBreached)) + due)


def record(w: BreakWork, outputs: Sequence[BreakOutput], policy: BreakPolicy) -> None:
    found = in_order(tuple(o for o in outputs if isinstance(o, BreakRuleBreached)))
    if found:
        w.violations = (w.violations + found)[-policy.history_limit :]
        w.violations_total += len(found)


def in_order(outputs: tuple[_Output, ...]) -> tuple[_Output, ...]:
    """By the time each was flagged, so a violation is announced after what came before it."""
    if len(outputs) < 2:  # the usual case: nothing to order
        return tuple(outputs)
    return tuple(sorted(outputs, key=_noticed_at))


def _noticed_at(output: BreakOutput) -> float:
    return output.flagged_at_seconds if isinstance(output, BreakRuleBreached) else output.at_seconds
