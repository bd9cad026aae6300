"""How events move the stress track: a change of state, a contact event, a published schedule."""

from __future__ import annotations

from floorwatch.core.events import (
    AgentState,
    AnyEvent,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactEscalated,
    ContactSentimentObserved,
    ContactTransferred,
    SchedulePublishedData,
)
from floorwatch.core.stress.config import HANDLE, OFF, REST, StressBand, StressConfig
from floorwatch.core.stress.contacts import StressContacts, contact_event
from floorwatch.core.stress.history import occupancy_ratio
from floorwatch.core.stress.scratch import Scratch
from floorwatch.core.stress.state import NO_LOAD, Loads, StressBandChanged, StressTrack

# Sets of exact event types: a pydantic model's isinstance costs ~0.25 us per class tried.
_CONTACT_EVENTS = frozenset(
    {ContactAnswered, ContactEscalated, ContactSentimentObserved, ContactTransferred, ContactEnded, ContactAbandoned}
)
_CLOSING = frozenset({ContactEnded, ContactTransferred, ContactAbandoned})


def initial(config: StressConfig) -> StressTrack:
    return StressTrack(
        clock_seconds=None,
        state=None,
        loads=NO_LOAD,
        held=NO_LOAD,
        continuous_work_seconds=0.0,
        rest_run_seconds=0.0,
        logged_out_seconds=0.0,
        shift_seconds=0.0,
        overrun_seconds=0.0,
        scheduled_shift_seconds=None,
        history=(),
        contacts=StressContacts(),
        handle_ended_at_seconds=None,
        band=StressBand.NORMAL,
        peak_score=0.0,
        peak_at_seconds=None,
        back_to_back_contacts=0,
    )


def on_state(
    track: StressTrack, old: AgentState | None, new: AgentState, at_seconds: float, config: StressConfig
) -> tuple[StressTrack, tuple[StressBandChanged, ...]]:
    if new == old:
        return track, ()
    s = Scratch.of(track)
    outputs: list[StressBandChanged] = []
    if old in REST and new not in REST:  # the rest is over: what arrived during it counts now
        held = s.held
        s.workload, s.emotional, s.back_to_back = (
            s.workload + held.workload,
            s.emotional + held.emotional,
            s.back_to_back + held.back_to_back,
        )
        s.held, s.rest_run_seconds = NO_LOAD, 0.0
    elif old not in REST and new in REST:
        s.rest_run_seconds = 0.0
    if (old in OFF and new not in OFF) or (new is AgentState.LOGGED_OUT and old not in OFF):
        s.logged_out_seconds = 0.0
    back_to_back = track.back_to_back_contacts
    ended = track.handle_ended_at_seconds
    if new is AgentState.ON_CONTACT and old is not AgentState.HOLD:
        gap = (
            0.0 if old in HANDLE else (None if ended is None or old is not AgentState.AVAILABLE else at_seconds - ended)
        )
        if gap is not None and gap < config.back_to_back_gap_seconds:
            s.back_to_back += config.back_to_back_points
            back_to_back += 1
    if new is AgentState.AVAILABLE:
        ended = at_seconds if old in HANDLE else ended
    else:
        ended = None
    s.rebanded(at_seconds, config, outputs)
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
    contacts, impulse = contact_event(track.contacts, event, at_seconds, occupancy, config)
    if impulse is None:
        # Many contact events (a reading that is not negative, an end already counted) change nothing here.
        return (track if contacts is track.contacts else _with_contacts(track, contacts)), ()
    s = Scratch.of(track)
    outputs: list[StressBandChanged] = []
    s.contacts = contacts
    if track.state in REST:  # never rises during a rest: held until it ends
        s.held = s.held.plus(Loads(workload=impulse.workload_points, emotional=impulse.emotional_points))
    else:
        s.workload += impulse.workload_points
        s.emotional += impulse.emotional_points
        s.rebanded(at_seconds, config, outputs)
    track = s.freeze(
        track,
        track.clock_seconds,
        track.state,
        track.history,
        track.handle_ended_at_seconds,
        track.back_to_back_contacts,
    )
    return track, tuple(outputs)


def _with_contacts(track: StressTrack, contacts: StressContacts) -> StressTrack:
    t = track
    return StressTrack(
        clock_seconds=t.clock_seconds,
        state=t.state,
        loads=t.loads,
        held=t.held,
        continuous_work_seconds=t.continuous_work_seconds,
        rest_run_seconds=t.rest_run_seconds,
        logged_out_seconds=t.logged_out_seconds,
        shift_seconds=t.shift_seconds,
        overrun_seconds=t.overrun_seconds,
        scheduled_shift_seconds=t.scheduled_shift_seconds,
        history=t.history,
        contacts=contacts,
        handle_ended_at_seconds=t.handle_ended_at_seconds,
        band=t.band,
        peak_score=t.peak_score,
        peak_at_seconds=t.peak_at_seconds,
        back_to_back_contacts=t.back_to_back_contacts,
    )


def on_schedule(track: StressTrack, schedule: SchedulePublishedData, config: StressConfig) -> StressTrack:
    length = schedule.shift_end.timestamp() - schedule.shift_start.timestamp()
    t = track
    return StressTrack(
        clock_seconds=t.clock_seconds,
        state=t.state,
        loads=t.loads,
        held=t.held,
        continuous_work_seconds=t.continuous_work_seconds,
        rest_run_seconds=t.rest_run_seconds,
        logged_out_seconds=t.logged_out_seconds,
        shift_seconds=t.shift_seconds,
        overrun_seconds=t.overrun_seconds,
        scheduled_shift_seconds=max(length, 0.0),
        history=t.history,
        contacts=t.contacts,
        handle_ended_at_seconds=t.handle_ended_at_seconds,
        band=t.band,
        peak_score=t.peak_score,
        peak_at_seconds=t.peak_at_seconds,
        back_to_back_contacts=t.back_to_back_contacts,
    )
