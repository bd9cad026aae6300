"""How events move the break track: a change of state, a contact (nothing), a published schedule."""

from __future__ import annotations

from floorwatch.core.breaks import adherence
from floorwatch.core.breaks.adherence_model import AdherenceOutput
from floorwatch.core.breaks.policy import BREAK_STATES, BreakPolicy
from floorwatch.core.breaks.progress import BreakRuleBreached, RuleProgress, breach
from floorwatch.core.breaks.rules import rule_on_state
from floorwatch.core.breaks.track import OFF, BreakOutput, BreakTaken, BreakTrack, aligned, in_order, release
from floorwatch.core.events import AgentState, SchedulePublishedData


def on_state(
    track: BreakTrack, old: AgentState | None, new: AgentState, at_seconds: float, policy: BreakPolicy
) -> tuple[BreakTrack, tuple[BreakOutput, ...]]:
    if new == old:
        return track, ()
    moved: list[RuleProgress] = []
    outputs: list[BreakRuleBreached] = []
    for rule, p in zip(policy.rules, aligned(track, policy)):  # a plain loop: this runs at every state change
        p, found = rule_on_state(rule, p, old, new, at_seconds)
        moved.append(p)
        if found:
            outputs += found
    progress = tuple(moved)
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
    if not track.on_day and new is not AgentState.LOGGED_OUT:
        outputs += _daily_rest(track.last_day_ended_at_seconds, at_seconds, policy)
    on_day = track.on_day or new is not AgentState.LOGGED_OUT
    logged_out = track.logged_out_seconds if old in OFF and new in OFF else 0.0
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
        held=track.held,
        last_day_ended_at_seconds=track.last_day_ended_at_seconds,
    )
    if not outputs and not track.held:
        return track, in_order(caught_up)
    return release(track, tuple(outputs) + caught_up, at_seconds, policy)


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
    shift = schedule.shift_end.timestamp() - schedule.shift_start.timestamp()
    resting = sum(a.end.timestamp() - a.start.timestamp() for a in schedule.activities if a.kind in ("break", "lunch"))
    return track._replace(
        planned_work_seconds=max(shift - resting, 0.0),
        adherence=adherence.on_schedule(track.adherence, schedule),
    )
