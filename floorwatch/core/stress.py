"""Stress load of one agent: a 0-100 workload and recovery exposure index (docs/stress.md).

The score is the sum of five components, each in points, capped at 100 (docs/stress.md):

- decaying loads, fed by impulses (the fatigue half of the impulse-response model):
  (a) `workload_intensity`: each finished contact adds its handle hours x the excess of the
      agent's last-hour occupancy over the healthy band; (c) `emotional_load`: each difficult
      contact adds its difficulty points x a length factor; (d) `back_to_back`: each contact
      taken with under ~10 s available since the last one adds a few points. Loads decay
      exponentially with a time constant per state class: slow while handling, moderate while
      available or in other work, fast while resting (break, lunch, logged out).
- levels: (b) `continuous_work`: work since the last real rest (a rest of >= 5 min) ramps
  from 0 to a maximum between two durations; (e) `shift_overrun`: work beyond the scheduled
  shift length ramps likewise.

The score never rises during a rest: levels freeze, loads decay, and an impulse that
arrives then (e.g. a late sentiment reading) is held and added when the rest ends.
Inputs are workload events and customer-side signals only, never agent biometrics
(EU AI Act Art. 5(1)(f)). The handle-time baseline is the agent's own running mean: the
queue's average would need a cross-partition join, and the agent's own is the fairer yardstick.

Choices made on purpose (docs/stress.md): a logout of >= 5 min counts as a real rest like
BREAK or LUNCH (the agent is off work); workload intensity is a decaying load fed at each
contact's end rather than the raw last-hour ratio (so a break can lower it); the baseline is
the agent's own mean, not the queue's. Functions take `StressConfig` (MetricConfig.stress).
"""

from __future__ import annotations

from dataclasses import dataclass

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
from floorwatch.core.stress_contacts import StressContacts, contact_event
from floorwatch.core.stress_model import (
    HANDLE,
    OFF,
    REST,
    Loads,
    StressBand,
    StressBandChanged,
    StressConfig,
    StressTrack,
    band_of,
    continuous_work_points,
    score_of,
    shift_overrun_points,
)
from floorwatch.core.stress_time import Scratch, advance, occupancy_ratio

__all__ = [
    "Loads",
    "StressBand",
    "StressBandChanged",
    "StressComponents",
    "StressConfig",
    "StressFigures",
    "StressTrack",
    "advance",
    "band_of",
    "continuous_work_points",
    "initial",
    "occupancy_ratio",
    "on_contact",
    "on_schedule",
    "on_state",
    "score_of",
    "shift_overrun_points",
    "view",
]
# Sets of exact event types: a pydantic model's isinstance costs ~0.25 us per class tried.
_CONTACT_EVENTS = frozenset(
    {ContactAnswered, ContactEscalated, ContactSentimentObserved, ContactTransferred, ContactEnded, ContactAbandoned}
)
_CLOSING = frozenset({ContactEnded, ContactTransferred, ContactAbandoned})
NO_LOAD = Loads()


@dataclass(frozen=True, slots=True)
class StressComponents:
    workload_intensity: float
    continuous_work: float
    emotional_load: float
    back_to_back: float
    shift_overrun: float


@dataclass(frozen=True, slots=True)
class StressFigures:
    score: float  # 0-100: the components' sum, capped
    band: str
    components: StressComponents  # points
    recovering: bool  # resting now: the score can only fall
    held_points: float  # load that arrived during this rest, added when it ends
    occupancy_60min_ratio: float | None
    continuous_work_seconds: float
    shift_seconds: float
    shift_overrun_seconds: float
    difficult_contacts: int
    back_to_back_contacts: int
    baseline_handle_seconds: float | None
    peak_score: float
    peak_at_seconds: float | None


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


def view(track: StressTrack, state: AgentState | None, now_seconds: float, config: StressConfig) -> StressFigures:
    """The figures at `now_seconds` (advancing a copy from the track's own clock if behind)."""
    if track.clock_seconds is not None and now_seconds > track.clock_seconds:
        track, _ = advance(track, state, track.clock_seconds, now_seconds, config)
    components = StressComponents(
        workload_intensity=track.loads.workload,
        continuous_work=continuous_work_points(track.continuous_work_seconds, config),
        emotional_load=track.loads.emotional,
        back_to_back=track.loads.back_to_back,
        shift_overrun=shift_overrun_points(track.overrun_seconds, config),
    )
    score = score_of(track, config)
    return StressFigures(
        score=score,
        band=band_of(score, config).value,
        components=components,
        recovering=state in REST,
        held_points=track.held.total(),
        occupancy_60min_ratio=occupancy_ratio(track.history, now_seconds, config),
        continuous_work_seconds=track.continuous_work_seconds,
        shift_seconds=track.shift_seconds,
        shift_overrun_seconds=track.overrun_seconds,
        difficult_contacts=track.contacts.difficult_contacts,
        back_to_back_contacts=track.back_to_back_contacts,
        baseline_handle_seconds=track.contacts.baseline_handle_seconds,
        peak_score=track.peak_score,
        peak_at_seconds=track.peak_at_seconds,
    )
