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
from floorwatch.core.stress.contacts import StressContacts, contact_event, finish_wrap_up, wrap_up_pending
from floorwatch.core.stress.difficulty import Impulse
from floorwatch.core.stress.dynamics import advance_scratch
from floorwatch.core.stress.history import occupancy_ratio
from floorwatch.core.stress.scratch import Scratch
from floorwatch.core.stress.state import NO_LOAD, History, Loads, StressBandChanged, StressTrack

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
_CLOSING = frozenset({ContactAnswered, ContactEnded, ContactTransferred, ContactAbandoned})


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
    s = Scratch.of(track, config)
    outputs: list[StressBandChanged] = []
    ended, back_to_back = _state_changed(s, track, track.history, old, new, at_seconds, config, outputs)
    return s.freeze(track, at_seconds, new, track.history, ended, back_to_back), tuple(outputs)


def on_contact(
    track: StressTrack, event: AnyEvent, at_seconds: float, config: StressConfig
) -> tuple[StressTrack, tuple[StressBandChanged, ...]]:
    kind = type(event)
    if kind not in _CONTACT_EVENTS:
        return track, ()
    if type(event) is ContactAbandoned and event.data.agent_id is None:
        return track, ()
    occupancy = occupancy_ratio(track.history, at_seconds, config) if kind in _CLOSING else None
    handling = track.state in HANDLE
    contacts, impulse = contact_event(track.contacts, event, at_seconds, handling, occupancy, config)
    if not (impulse.workload_points or impulse.emotional_points):
        # Many contact events (a reading that is not negative, an end before the wrap-up) change nothing here.
        return (track if contacts is track.contacts else track._replace(contacts=contacts)), ()
    s = Scratch.of(track, config)
    outputs: list[StressBandChanged] = []
    s.contacts = contacts
    _impulse(s, track.state, impulse, at_seconds, config, outputs)
    track = s.freeze(
        track,
        track.clock_seconds,
        track.state,
        track.history,
        track.handle_ended_at_seconds,
        track.back_to_back_contacts,
    )
    return track, tuple(outputs)


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
    """`advance` from `since_seconds` to `at_seconds` in `old`, then `on_state`, on one working
    copy: the same track and outputs as the two calls, with one copy and one freeze."""
    if since_seconds is None or at_seconds <= since_seconds:  # no time to pass
        moved, outputs_only = on_state(track, old, new, at_seconds, config)
        return Stepped(moved, (), outputs_only)
    s = Scratch.of(track, config)
    advanced: list[StressBandChanged] = []
    history = advance_scratch(s, track, old, since_seconds, at_seconds, config, advanced)
    if new == old:
        moved = s.freeze(
            track, at_seconds, track.state, history, track.handle_ended_at_seconds, track.back_to_back_contacts
        )
        return Stepped(moved, tuple(advanced), ())
    outputs: list[StressBandChanged] = []
    ended, back_to_back = _state_changed(s, track, history, old, new, at_seconds, config, outputs)
    return Stepped(s.freeze(track, at_seconds, new, history, ended, back_to_back), tuple(advanced), tuple(outputs))


def step_contact(
    track: StressTrack,
    since_seconds: float | None,
    state: AgentState | None,
    event: AnyEvent,
    at_seconds: float,
    config: StressConfig,
) -> Stepped:
    """`advance` from `since_seconds` to `at_seconds` in `state`, then `on_contact`, on one working copy."""
    if since_seconds is None or at_seconds <= since_seconds:  # no time to pass
        moved, outputs_only = on_contact(track, event, at_seconds, config)
        return Stepped(moved, (), outputs_only)
    s = Scratch.of(track, config)
    advanced: list[StressBandChanged] = []
    history = advance_scratch(s, track, state, since_seconds, at_seconds, config, advanced)
    outputs: list[StressBandChanged] = []
    kind = type(event)
    if kind in _CONTACT_EVENTS and not (type(event) is ContactAbandoned and event.data.agent_id is None):
        occupancy = occupancy_ratio(history, at_seconds, config) if kind in _CLOSING else None
        handling = track.state in HANDLE
        s.contacts, impulse = contact_event(s.contacts, event, at_seconds, handling, occupancy, config)
        if impulse.workload_points or impulse.emotional_points:
            _impulse(s, track.state, impulse, at_seconds, config, outputs)
    moved = s.freeze(
        track, at_seconds, track.state, history, track.handle_ended_at_seconds, track.back_to_back_contacts
    )
    return Stepped(moved, tuple(advanced), tuple(outputs))


def _state_changed(
    s: Scratch,
    track: StressTrack,
    history: History,
    old: AgentState | None,
    new: AgentState,
    at_seconds: float,
    config: StressConfig,
    outputs: list[StressBandChanged],
) -> tuple[float | None, int]:
    """A change of state (`new != old`) on the working copy; returns (handle ended at, back-to-back count)."""
    if old in REST and new not in REST:
        s.end_rest(config)
    elif old not in REST and new in REST:
        s.rest_run_seconds = 0.0
    if (old in OFF and new not in OFF) or (new is AgentState.LOGGED_OUT and old not in OFF):
        s.logged_out_seconds = 0.0
    ended = track.handle_ended_at_seconds
    if old in HANDLE and new not in HANDLE:
        ended = at_seconds
        if wrap_up_pending(s.contacts):  # the wrap-up is over: the contact's handle time is known
            occupancy = occupancy_ratio(history, at_seconds, config)
            s.contacts, impulse = finish_wrap_up(s.contacts, at_seconds, occupancy, config)
            _add(s, impulse, False)  # the contact was work: a rest starting now recovers from it
    back_to_back = track.back_to_back_contacts
    if new is AgentState.ON_CONTACT and old is not AgentState.HOLD:
        gap = 0.0 if old in HANDLE else (None if ended is None else at_seconds - ended)
        if gap is not None:  # graded: exp(-gap / scale), so 9 s and 11 s differ by a little
            s.back_to_back += config.back_to_back_points * math.exp(-gap / config.back_to_back_gap_seconds)
            back_to_back += gap < config.back_to_back_gap_seconds
    s.rebanded(new, at_seconds, config, outputs)
    return ended, back_to_back


def _impulse(
    s: Scratch,
    state: AgentState | None,
    impulse: Impulse,
    at_seconds: float,
    config: StressConfig,
    outputs: list[StressBandChanged],
) -> None:
    _add(s, impulse, state in REST)
    if state not in REST:
        s.rebanded(state, at_seconds, config, outputs)


def _add(s: Scratch, impulse: Impulse, resting: bool) -> None:
    if resting:  # never rises during a rest: held until it ends
        s.held = s.held.plus(Loads(workload=impulse.workload_points, emotional=impulse.emotional_points))
    else:
        s.workload += impulse.workload_points
        s.emotional += impulse.emotional_points


def on_schedule(track: StressTrack, schedule: SchedulePublishedData, config: StressConfig) -> StressTrack:
    length = schedule.shift_end.timestamp() - schedule.shift_start.timestamp()
    return track._replace(scheduled_shift_seconds=max(length, 0.0))
