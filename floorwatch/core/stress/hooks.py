"""How events move the stress track: a change of state, a contact event, a published schedule."""

from __future__ import annotations

import math
from typing import NamedTuple

from floorwatch.core.events import (
    AgentState,
    AnyEvent,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactEscalated,
    ContactHeld,
    ContactResumed,
    ContactSentimentObserved,
    ContactTransferred,
    SchedulePublishedData,
)
from floorwatch.core.stress.config import HANDLE, OFF, REST, StressBand, StressConfig
from floorwatch.core.stress.contacts import Points, StressContacts, contact_event, finish_wrap_up, wrap_up_pending
from floorwatch.core.stress.dynamics import advance_work
from floorwatch.core.stress.state import NO_LOAD, Loads, StressBandChanged, StressTrack
from floorwatch.core.stress.work import StressWork

# Sets of exact event types: a pydantic model's isinstance costs ~0.25 us per class tried.
_CONTACT_EVENTS = frozenset(
    {
        ContactAnswered,
        ContactHeld,
        ContactResumed,
        ContactEscalated,
        ContactSentimentObserved,
        ContactTransferred,
        ContactEnded,
        ContactAbandoned,
    }
)


def initial(config: StressConfig) -> StressTrack:
    return StressTrack(
        clock_seconds=None,
        state=None,
        loads=NO_LOAD,
        held=NO_LOAD,
        time_on_task_seconds=0.0,
        unrested_seconds=tuple(0.0 for _ in config.rest_requirements),
        rest_run_seconds=0.0,
        logged_out_seconds=0.0,
        shift_seconds=0.0,
        overrun_seconds=0.0,
        scheduled_shift_seconds=None,
        history=(),
        contacts=StressContacts(),
        handle_ended_at_seconds=None,
        band=StressBand.NORMAL,
        peak_load=0.0,
        peak_at_seconds=None,
        back_to_back_contacts=0,
    )


def on_state(
    track: StressTrack, old: AgentState | None, new: AgentState, at_seconds: float, config: StressConfig
) -> tuple[StressTrack, tuple[StressBandChanged, ...]]:
    if new == old:
        return track, ()
    s = StressWork.of(track, config)
    outputs: list[StressBandChanged] = []
    step_state_work(s, None, old, new, at_seconds, config, [], outputs)
    return s.freeze(), tuple(outputs)


def on_contact(
    track: StressTrack, event: AnyEvent, at_seconds: float, config: StressConfig
) -> tuple[StressTrack, tuple[StressBandChanged, ...]]:
    if type(event) not in _CONTACT_EVENTS:
        return track, ()
    s = StressWork.of(track, config)
    outputs: list[StressBandChanged] = []
    _contact(s, event, at_seconds, config, outputs)
    return s.freeze(), tuple(outputs)


class Stepped(NamedTuple):
    """One event's pass over the stress track: the new track, what advancing to the event
    reported, then what the event itself did (kept apart: the agent orders outputs by sub-track)."""

    track: StressTrack
    advanced: tuple[StressBandChanged, ...]
    outputs: tuple[StressBandChanged, ...]


def step_state(
    track: StressTrack,
    since_seconds: float | None,
    old: AgentState | None,
    new: AgentState,
    at_seconds: float,
    config: StressConfig,
) -> Stepped:
    """`advance` from `since_seconds` to `at_seconds` in `old`, then `on_state`: `step_state_work` on a thawed copy."""
    s = StressWork.of(track, config)
    advanced: list[StressBandChanged] = []
    outputs: list[StressBandChanged] = []
    step_state_work(s, since_seconds, old, new, at_seconds, config, advanced, outputs)
    return Stepped(s.freeze(), tuple(advanced), tuple(outputs))


def step_contact(
    track: StressTrack,
    since_seconds: float | None,
    state: AgentState | None,
    event: AnyEvent,
    at_seconds: float,
    config: StressConfig,
) -> Stepped:
    """`advance` from `since_seconds` to `at_seconds` in `state`, then `on_contact`: `step_contact_work` on a copy."""
    s = StressWork.of(track, config)
    advanced: list[StressBandChanged] = []
    outputs: list[StressBandChanged] = []
    step_contact_work(s, since_seconds, state, event, at_seconds, config, advanced, outputs)
    return Stepped(s.freeze(), tuple(advanced), tuple(outputs))


def step_state_work(
    s: StressWork,
    since_seconds: float | None,
    old: AgentState | None,
    new: AgentState,
    at_seconds: float,
    config: StressConfig,
    advanced: list[StressBandChanged],
    outputs: list[StressBandChanged],
) -> None:
    """In place: `advance` from `since_seconds` to `at_seconds` in `old` (what it reports goes
    to `advanced`), then the change of state (to `outputs`). No time passes when `since_seconds`
    is None or not before `at_seconds`; then an unchanged state leaves the clock where it was."""
    if since_seconds is not None and at_seconds > since_seconds:
        advance_work(s, old, since_seconds, at_seconds, config, advanced)
        s.clock_seconds = at_seconds
    if new == old:
        return
    _state_changed(s, old, new, at_seconds, config, outputs)
    s.clock_seconds, s.state = at_seconds, new


def step_contact_work(
    s: StressWork,
    since_seconds: float | None,
    state: AgentState | None,
    event: AnyEvent,
    at_seconds: float,
    config: StressConfig,
    advanced: list[StressBandChanged],
    outputs: list[StressBandChanged],
) -> None:
    """In place: `advance` from `since_seconds` to `at_seconds` in `state`, then the contact event.
    With no time to pass, the clock stays where it was."""
    if since_seconds is not None and at_seconds > since_seconds:
        advance_work(s, state, since_seconds, at_seconds, config, advanced)
        s.clock_seconds = at_seconds
    if type(event) in _CONTACT_EVENTS:
        _contact(s, event, at_seconds, config, outputs)


def _contact(
    s: StressWork, event: AnyEvent, at_seconds: float, config: StressConfig, outputs: list[StressBandChanged]
) -> None:
    """One contact event (of `_CONTACT_EVENTS`) in the stress track's own state."""
    if type(event) is ContactAbandoned and event.data.agent_id is None:
        return
    # The last hour's occupancy weighs a contact's workload: read from the history only if one closes.
    impulse = contact_event(s.contacts, event, at_seconds, s.state in HANDLE, s.history, config)
    # Many contact events (a reading that is not negative, an end before the wrap-up) add nothing.
    if impulse[0] or impulse[1]:
        _impulse(s, s.state, impulse, at_seconds, config, outputs)


def _state_changed(
    s: StressWork,
    old: AgentState | None,
    new: AgentState,
    at_seconds: float,
    config: StressConfig,
    outputs: list[StressBandChanged],
) -> None:
    """A change of state (`new != old`) in place; the caller moves the clock and the state."""
    if old in REST and new not in REST:
        s.end_rest(config)
    elif old not in REST and new in REST:
        s.rest_run_seconds = 0.0
    if (old in OFF and new not in OFF) or (new is AgentState.LOGGED_OUT and old not in OFF):
        s.logged_out_seconds = 0.0
    ended = s.handle_ended_at_seconds
    if old in HANDLE and new not in HANDLE:
        ended = at_seconds
        if wrap_up_pending(s.contacts):  # the wrap-up is over: the contact's handle time is known
            impulse = finish_wrap_up(s.contacts, at_seconds, s.history, config)
            _add(s, impulse, False)  # the contact was work: a rest starting now recovers from it
    s.handle_ended_at_seconds = ended
    if new is AgentState.ON_CONTACT and old is not AgentState.HOLD:
        gap = 0.0 if old in HANDLE else (None if ended is None else at_seconds - ended)
        if gap is not None:  # graded: exp(-gap / scale), so 9 s and 11 s differ by a little
            s.back_to_back += config.back_to_back_points * math.exp(-gap / config.back_to_back_gap_seconds)
            s.back_to_back_contacts += gap < config.back_to_back_gap_seconds
    s.rebanded(new, at_seconds, config, outputs)


def _impulse(
    s: StressWork,
    state: AgentState | None,
    impulse: Points,
    at_seconds: float,
    config: StressConfig,
    outputs: list[StressBandChanged],
) -> None:
    _add(s, impulse, state in REST)
    if state not in REST:
        s.rebanded(state, at_seconds, config, outputs)


def _add(s: StressWork, impulse: Points, resting: bool) -> None:
    workload, emotional = impulse
    if resting:  # never rises during a rest: held until it ends
        s.held = s.held.plus(Loads(workload=workload, emotional=emotional))
    else:
        s.workload += workload
        s.emotional += emotional


def on_schedule(track: StressTrack, schedule: SchedulePublishedData, config: StressConfig) -> StressTrack:
    return track._replace(scheduled_shift_seconds=scheduled_shift_seconds(schedule))


def scheduled_shift_seconds(schedule: SchedulePublishedData) -> float:
    length = schedule.shift_end.timestamp() - schedule.shift_start.timestamp()
    return max(length, 0.0)
