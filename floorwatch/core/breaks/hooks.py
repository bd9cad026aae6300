"""How events move the break track: a change of state, a contact (nothing), a published schedule."""

from __future__ import annotations

from floorwatch.core.breaks import adherence
from floorwatch.core.breaks.adherence_model import AdherenceOutput
from floorwatch.core.breaks.policy import BREAK_STATES, BreakPolicy
from floorwatch.core.breaks.progress import BreakRuleBreached, breach
from floorwatch.core.breaks.rules import rule_on_state
from floorwatch.core.breaks.track import (
    OFF,
    BreakOutput,
    BreakTaken,
    BreakTrack,
    BreakWork,
    in_order,
    moving_progress,
    release,
)
from floorwatch.core.events import AgentState, SchedulePublishedData


def on_state(
    track: BreakTrack, old: AgentState | None, new: AgentState, at_seconds: float, policy: BreakPolicy
) -> tuple[BreakTrack, tuple[BreakOutput, ...]]:
    if new == old:
        return track, ()
    work = BreakWork.of(track)
    outputs = on_state_work(work, old, new, at_seconds, policy)
    return work.freeze(), outputs


def on_state_work(
    w: BreakWork, old: AgentState | None, new: AgentState, at_seconds: float, policy: BreakPolicy
) -> tuple[BreakOutput, ...]:
    """`on_state` in place."""
    if new == old:
        return ()
    outputs: list[BreakRuleBreached] = []
    for rule, p in zip(policy.rules, moving_progress(w, policy)):  # a plain loop: every state change
        found = rule_on_state(rule, p, old, new, at_seconds)
        if found:
            outputs += found
    current = w.current_break
    if current is not None:
        finished = BreakTaken(
            start_seconds=current.start_seconds,
            end_seconds=at_seconds,
            kind=current.kind,
            scheduled=current.scheduled,
            allowed_seconds=current.allowed_seconds,
        )
        w.breaks_taken, current = (w.breaks_taken + (finished,))[-policy.history_limit :], None
    adherence_work = w.adherence
    caught_up: tuple[AdherenceOutput, ...] = ()
    start = adherence_work.shift_start_seconds
    if w.clock_seconds is None and start is not None and start < at_seconds:
        # The agent's first event ever, after their shift began: not logged in until now.
        caught_up = adherence.advance_work(adherence_work, None, start, at_seconds, policy.adherence)
    adherence.on_state_work(adherence_work, old, new, at_seconds, policy.adherence)
    if new in BREAK_STATES:
        planned = adherence.planned_length_now(adherence_work)
        allowed = planned if planned is not None else policy.allowed_seconds(new)
        current = BreakTaken(
            start_seconds=at_seconds,
            end_seconds=None,
            kind=new.value,
            scheduled=planned is not None,
            allowed_seconds=allowed,
        )
    if not w.on_day and new is not AgentState.LOGGED_OUT:
        outputs += _daily_rest(w.last_day_ended_at_seconds, at_seconds, policy)
    w.on_day = w.on_day or new is not AgentState.LOGGED_OUT
    w.logged_out_seconds = w.logged_out_seconds if old in OFF and new in OFF else 0.0
    w.clock_seconds, w.current_break = at_seconds, current
    if not outputs and not w.held:
        return in_order(caught_up)
    return release(w, tuple(outputs) + caught_up, at_seconds, policy)


def _daily_rest(ended_at: float | None, starts_at: float, policy: BreakPolicy) -> list[BreakRuleBreached]:
    """A working day starts: was the rest since the previous one long enough ("at least 11 consecutive hours")?"""
    if ended_at is None:
        return []
    rest = starts_at - ended_at
    return [
        breach(
            rule,
            starts_at,
            starts_at + rule.grace_seconds,
            f"{rest / 3600:.2f} h of rest between working days, at least {rule.minimum_seconds / 3600:g} h required",
        )
        for rule in policy.rules
        if rule.kind == "daily_rest" and rest < rule.minimum_seconds
    ]


def on_contact(
    track: BreakTrack, event: object, at_seconds: float, policy: BreakPolicy
) -> tuple[BreakTrack, tuple[BreakOutput, ...]]:
    """Contacts do not move break compliance: the state changes around them do."""
    return track, ()


def on_schedule(track: BreakTrack, schedule: SchedulePublishedData, policy: BreakPolicy) -> BreakTrack:
    work = BreakWork.of(track)
    on_schedule_work(work, schedule, policy)
    return work.freeze()


def on_schedule_work(w: BreakWork, schedule: SchedulePublishedData, policy: BreakPolicy) -> None:
    """`on_schedule` in place."""
    shift = schedule.shift_end.timestamp() - schedule.shift_start.timestamp()
    resting = sum(a.end.timestamp() - a.start.timestamp() for a in schedule.activities if a.kind in ("break", "lunch"))
    w.planned_work_seconds = max(shift - resting, 0.0)
    w.adherence = adherence.AdherenceWork(adherence.on_schedule(w.adherence.freeze(), schedule))  # a day's plan: rare
