"""Stress load of one agent: a 0-100 workload and recovery exposure index (DOMAIN.md §3).

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
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from floorwatch.core import stress_curve
from floorwatch.core.events import (
    AgentState,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactEscalated,
    ContactSentimentObserved,
    ContactTransferred,
    SchedulePublishedData,
)
from floorwatch.core.stress_contacts import StressContacts, contact_event

_S = AgentState
_HANDLE = frozenset({_S.ON_CONTACT, _S.HOLD, _S.AFTER_CONTACT_WORK})
_REST = frozenset({_S.BREAK, _S.LUNCH, _S.LOGGED_OUT, None})
_OFF = frozenset({_S.LOGGED_OUT, None})
__all__ = ["StressBand", "StressBandChanged", "StressComponents", "StressConfig", "StressFigures", "StressTrack",
           "advance", "band_of", "initial", "on_contact", "on_schedule", "on_state", "view"]


class StressBand(StrEnum):
    NORMAL = "normal"
    ELEVATED = "elevated"
    HIGH = "high"  # suggest a recovery break now


@dataclass(frozen=True, slots=True)
class StressConfig:
    """Weights and time constants: an uncalibrated index, so every number is a documented setting."""

    elevated_from: float = 40.0  # bands: < 40 normal, 40-70 elevated, >= 70 high
    high_from: float = 70.0
    # Decay time constants of the loads (fast recovery at rest: Kim et al. 2018; Wendsche et al. 2016).
    handling_time_constant_seconds: float = 5400.0  # 90 min: load barely fades while handling
    idle_time_constant_seconds: float = 1800.0  # 30 min: available, training, meetings
    rest_time_constant_seconds: float = 600.0  # 10 min: a 15-min break sheds ~78 %, a 30-min lunch ~95 %
    # (a) workload intensity
    healthy_occupancy_ratio: float = 0.85  # top of the healthy band (occupancy "pressure" starts above)
    occupancy_window_seconds: float = 3600.0  # "occupancy over the last hour"
    workload_points_per_handle_hour: float = 20.0  # at 100 % occupancy; scaled by the excess
    # (b) continuous work
    min_rest_seconds: float = 300.0  # a real rest: BREAK, LUNCH (or logged out) of >= 5 min
    continuous_work_free_seconds: float = 3600.0  # the first hour of work adds nothing
    continuous_work_full_seconds: float = 4 * 3600.0  # full points after 4 hours without a rest
    continuous_work_max_points: float = 25.0
    # (c) emotional load: difficulty points per contact (Grandey et al. 2004)
    escalated_points: float = 6.0
    long_transfer_points: float = 4.0
    long_transfer_handle_seconds: float = 600.0  # transferred after 10 min of handling
    negative_sentiment_points: float = 8.0
    negative_sentiment_at_most: float = -0.5
    complaint_points: float = 10.0
    abandoned_on_hold_points: float = 5.0
    long_hold_seconds: float = 120.0  # the caller hung up after 2 min on hold
    long_handle_points: float = 4.0
    long_handle_ratio: float = 2.0  # handle time >= 2x the agent's own running mean
    baseline_weight_ratio: float = 0.1  # running mean weight: about the last 10-20 contacts
    baseline_min_contacts: int = 5  # no "far above the mean" before the mean means something
    reference_handle_seconds: float = 300.0  # a contact this long has length factor 1
    length_factor_min_ratio: float = 0.5
    length_factor_max_ratio: float = 2.0
    # (d) back-to-back contacts
    back_to_back_gap_seconds: float = 10.0
    back_to_back_points: float = 1.5
    # (e) shift length beyond schedule
    default_shift_seconds: float = 8.5 * 3600.0  # without a schedule: 8 h plus a 30-min lunch
    shift_overrun_full_seconds: float = 2 * 3600.0
    shift_overrun_max_points: float = 20.0
    new_shift_after_logged_out_seconds: float = 4 * 3600.0  # as occupancy: a lunch logged out is no new shift
    max_open_contacts: int = 8  # bounds memory when end events go missing

    def __post_init__(self) -> None:
        if not 0.0 < self.elevated_from < self.high_from < 100.0:
            raise ValueError("stress bands need 0 < elevated_from < high_from < 100")
        if min(self.handling_time_constant_seconds, self.idle_time_constant_seconds, self.rest_time_constant_seconds) <= 0:
            raise ValueError("stress time constants must be positive")
        if not 0.0 <= self.continuous_work_free_seconds < self.continuous_work_full_seconds:
            raise ValueError("continuous_work_free_seconds must be below continuous_work_full_seconds")
        if self.shift_overrun_full_seconds <= 0 or not 0.0 <= self.healthy_occupancy_ratio < 1.0:
            raise ValueError("shift_overrun_full_seconds must be positive and healthy_occupancy_ratio in [0, 1)")

    def time_constant_seconds(self, state: AgentState | None) -> float:
        if state in _REST:
            return self.rest_time_constant_seconds
        return self.handling_time_constant_seconds if state in _HANDLE else self.idle_time_constant_seconds


def band_of(score: float, config: StressConfig) -> StressBand:
    if score >= config.high_from:
        return StressBand.HIGH
    return StressBand.ELEVATED if score >= config.elevated_from else StressBand.NORMAL


@dataclass(frozen=True, slots=True)
class StressBandChanged:
    band: str
    previous_band: str
    score: float
    at_seconds: float


@dataclass(frozen=True, slots=True)
class Loads:
    workload: float = 0.0
    emotional: float = 0.0
    back_to_back: float = 0.0

    def total(self) -> float:
        return self.workload + self.emotional + self.back_to_back

    def scaled(self, factor: float) -> "Loads":
        return Loads(self.workload * factor, self.emotional * factor, self.back_to_back * factor)

    def plus(self, other: "Loads") -> "Loads":
        return Loads(self.workload + other.workload, self.emotional + other.emotional, self.back_to_back + other.back_to_back)


NO_LOAD = Loads()


@dataclass(frozen=True, slots=True)
class StressTrack:
    clock_seconds: float | None
    state: AgentState | None  # as of the last on_state
    loads: Loads
    held: Loads  # impulses that arrived during a rest, added when it ends
    continuous_work_seconds: float
    rest_run_seconds: float
    logged_out_seconds: float
    shift_seconds: float  # staffed time since the shift began (rest included)
    overrun_seconds: float  # work done beyond the shift's allowed length
    scheduled_shift_seconds: float | None
    history: tuple[tuple[float, float, bool], ...]  # (start, end, is_handle) over the occupancy window
    contacts: StressContacts
    handle_ended_at_seconds: float | None  # the agent went from a contact to AVAILABLE then
    band: StressBand
    peak_score: float
    peak_at_seconds: float | None
    back_to_back_contacts: int


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
    return StressTrack(None, None, NO_LOAD, NO_LOAD, 0.0, 0.0, 0.0, 0.0, 0.0, None, (), StressContacts(), None,
                       StressBand.NORMAL, 0.0, None, 0)


# --- levels --------------------------------------------------------------------------


def continuous_work_points(seconds: float, config: StressConfig) -> float:
    free, full = config.continuous_work_free_seconds, config.continuous_work_full_seconds
    return config.continuous_work_max_points * min(max((seconds - free) / (full - free), 0.0), 1.0)


def shift_overrun_points(seconds: float, config: StressConfig) -> float:
    return config.shift_overrun_max_points * min(max(seconds / config.shift_overrun_full_seconds, 0.0), 1.0)


def _levels(track: StressTrack, config: StressConfig) -> float:
    return continuous_work_points(track.continuous_work_seconds, config) + shift_overrun_points(track.overrun_seconds, config)


def score_of(track: StressTrack, config: StressConfig) -> float:
    return min(track.loads.total() + _levels(track, config), 100.0)


def _allowed_shift_seconds(track: StressTrack, config: StressConfig) -> float:
    return track.scheduled_shift_seconds if track.scheduled_shift_seconds is not None else config.default_shift_seconds


# --- time passing ----------------------------------------------------------------------


def advance(track: StressTrack, state: AgentState | None, from_seconds: float, to_seconds: float,
            config: StressConfig) -> tuple[StressTrack, tuple[StressBandChanged, ...]]:
    if to_seconds <= from_seconds:
        return track, ()
    outputs: list[StressBandChanged] = []
    t = from_seconds
    while t < to_seconds:
        knot = _next_knot(track, state, config)
        step = min(knot, to_seconds - t)
        track = _step(track, state, t, step, config, outputs)
        t = to_seconds if step == to_seconds - t else t + step
        if step == knot:
            track = _at_knot(track, state, t, config, outputs)
    track = _replace(track, clock_seconds=to_seconds, history=_extend_history(track.history, state, from_seconds, to_seconds, config))
    return track, tuple(outputs)


def _next_knot(track: StressTrack, state: AgentState | None, config: StressConfig) -> float:
    """Seconds until a level starts or stops ramping, or a rest/logout resets something."""
    knots = [float("inf")]
    if state in _REST:
        if track.continuous_work_seconds > 0.0 and track.rest_run_seconds < config.min_rest_seconds:
            knots.append(config.min_rest_seconds - track.rest_run_seconds)
        if state in _OFF and track.logged_out_seconds < config.new_shift_after_logged_out_seconds and track.shift_seconds > 0.0:
            knots.append(config.new_shift_after_logged_out_seconds - track.logged_out_seconds)
        return min(knots)
    work = track.continuous_work_seconds
    for ramp in (config.continuous_work_free_seconds, config.continuous_work_full_seconds):
        if work < ramp:
            knots.append(ramp - work)
            break
    allowed = _allowed_shift_seconds(track, config)
    if track.shift_seconds < allowed:
        knots.append(allowed - track.shift_seconds)
    elif track.overrun_seconds < config.shift_overrun_full_seconds:
        knots.append(config.shift_overrun_full_seconds - track.overrun_seconds)
    return min(knots)


def _slope(track: StressTrack, state: AgentState | None, config: StressConfig) -> float:
    if state in _REST:
        return 0.0
    slope = 0.0
    free, full = config.continuous_work_free_seconds, config.continuous_work_full_seconds
    if free <= track.continuous_work_seconds < full:
        slope += config.continuous_work_max_points / (full - free)
    if track.shift_seconds >= _allowed_shift_seconds(track, config) and track.overrun_seconds < config.shift_overrun_full_seconds:
        slope += config.shift_overrun_max_points / config.shift_overrun_full_seconds
    return slope


def _step(track: StressTrack, state: AgentState | None, t: float, step: float, config: StressConfig,
          outputs: list[StressBandChanged]) -> StressTrack:
    """Let `step` seconds pass in `state` with no knot inside: decay, ramps, band crossings, peak."""
    tau = config.time_constant_seconds(state)
    a, b, k = track.loads.total(), _levels(track, config), _slope(track, state, config)
    band = track.band
    for x, threshold, rising in stress_curve.crossings(a, tau, b, k, step, (config.elevated_from, config.high_from)):
        new_band = band_of(threshold, config) if rising else _band_below(threshold, config)
        if new_band != band:
            outputs.append(StressBandChanged(new_band.value, band.value, threshold, t + x))
            band = new_band
    decay = stress_curve.value(1.0, tau, 0.0, 0.0, step)
    resting, off = state in _REST, state in _OFF
    working = not resting
    shift_before = track.shift_seconds
    allowed = _allowed_shift_seconds(track, config)
    track = _replace(
        track,
        loads=track.loads.scaled(decay),
        held=track.held.scaled(decay),
        continuous_work_seconds=track.continuous_work_seconds + (step if working else 0.0),
        rest_run_seconds=track.rest_run_seconds + step if resting else 0.0,
        logged_out_seconds=track.logged_out_seconds + step if off else 0.0,
        shift_seconds=shift_before + (0.0 if off else step),
        overrun_seconds=track.overrun_seconds + (step if working and shift_before >= allowed else 0.0),
        band=band,
    )
    return _peak(track, t + step, config) if stress_curve.value(a, tau, b, k, step) > stress_curve.value(a, tau, b, k, 0.0) else track


def _at_knot(track: StressTrack, state: AgentState | None, t: float, config: StressConfig,
             outputs: list[StressBandChanged]) -> StressTrack:
    """Snap the variable that reached its knot exactly onto it, and apply resets."""
    changes: dict[str, object] = {}
    if state in _REST:
        if track.continuous_work_seconds > 0.0 and track.rest_run_seconds >= config.min_rest_seconds - 1e-9:
            changes.update(rest_run_seconds=max(track.rest_run_seconds, config.min_rest_seconds), continuous_work_seconds=0.0)
        limit = config.new_shift_after_logged_out_seconds
        if state in _OFF and track.shift_seconds > 0.0 and track.logged_out_seconds >= limit - 1e-9:
            changes.update(logged_out_seconds=max(track.logged_out_seconds, limit), shift_seconds=0.0, overrun_seconds=0.0,
                           contacts=track.contacts.new_shift())
    else:
        for ramp in (config.continuous_work_free_seconds, config.continuous_work_full_seconds):
            if abs(track.continuous_work_seconds - ramp) <= 1e-9 * max(ramp, 1.0):
                changes["continuous_work_seconds"] = ramp
        allowed = _allowed_shift_seconds(track, config)
        if abs(track.shift_seconds - allowed) <= 1e-9 * max(allowed, 1.0):
            changes["shift_seconds"] = allowed
        if abs(track.overrun_seconds - config.shift_overrun_full_seconds) <= 1e-9 * config.shift_overrun_full_seconds:
            changes["overrun_seconds"] = config.shift_overrun_full_seconds
    return _rebanded(_replace(track, **changes), t, config, outputs) if changes else track


# --- events --------------------------------------------------------------------------


def on_state(track: StressTrack, old: AgentState | None, new: AgentState, at_seconds: float,
             config: StressConfig) -> tuple[StressTrack, tuple[StressBandChanged, ...]]:
    if new == old:
        return track, ()
    changes: dict[str, object] = {"state": new, "clock_seconds": at_seconds}
    if old in _REST and new not in _REST:  # the rest is over: what arrived during it counts now
        changes.update(loads=track.loads.plus(track.held), held=NO_LOAD, rest_run_seconds=0.0)
    if old not in _REST and new in _REST:
        changes["rest_run_seconds"] = 0.0
    if old in _OFF and new not in _OFF or new is _S.LOGGED_OUT and old not in _OFF:
        changes["logged_out_seconds"] = 0.0
    ended = track.handle_ended_at_seconds
    if new is _S.ON_CONTACT and old is not _S.HOLD:
        gap = 0.0 if old in _HANDLE else (None if ended is None or old is not _S.AVAILABLE else at_seconds - ended)
        if gap is not None and gap < config.back_to_back_gap_seconds:
            loads = changes.get("loads", track.loads)
            changes.update(loads=loads.plus(Loads(back_to_back=config.back_to_back_points)),
                           back_to_back_contacts=track.back_to_back_contacts + 1)
    if new is _S.AVAILABLE:
        changes["handle_ended_at_seconds"] = at_seconds if old in _HANDLE else ended
    else:
        changes["handle_ended_at_seconds"] = None
    outputs: list[StressBandChanged] = []
    track = _rebanded(_replace(track, **changes), at_seconds, config, outputs)
    return track, tuple(outputs)


def on_contact(track: StressTrack, event: object, at_seconds: float,
               config: StressConfig) -> tuple[StressTrack, tuple[StressBandChanged, ...]]:
    if not isinstance(event, (ContactAnswered, ContactEscalated, ContactSentimentObserved, ContactTransferred,
                              ContactEnded, ContactAbandoned)):
        return track, ()
    if isinstance(event, ContactAbandoned) and event.data.agent_id is None:
        return track, ()
    occupancy = occupancy_ratio(track.history, at_seconds, config)
    contacts, impulse = contact_event(track.contacts, event, at_seconds, occupancy, config)
    track = _replace(track, contacts=contacts)
    if impulse is None:
        return track, ()
    load = Loads(workload=impulse.workload_points, emotional=impulse.emotional_points)
    if track.state in _REST:  # never rises during a rest: held until it ends
        track = _replace(track, held=track.held.plus(load))
    else:
        track = _replace(track, loads=track.loads.plus(load))
    outputs: list[StressBandChanged] = []
    track = _rebanded(track, at_seconds, config, outputs)
    return track, tuple(outputs)


def on_schedule(track: StressTrack, schedule: SchedulePublishedData, config: StressConfig) -> StressTrack:
    length = schedule.shift_end.timestamp() - schedule.shift_start.timestamp()
    return _replace(track, scheduled_shift_seconds=max(length, 0.0))


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
        recovering=state in _REST,
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


# --- occupancy over the last hour ------------------------------------------------------


def _extend_history(history, state: AgentState | None, from_seconds: float, to_seconds: float, config: StressConfig):
    if state in _HANDLE or state is _S.AVAILABLE:
        is_handle = state in _HANDLE
        if history and history[-1][1] == from_seconds and history[-1][2] == is_handle:
            history = history[:-1] + ((history[-1][0], to_seconds, is_handle),)
        else:
            history = history + ((from_seconds, to_seconds, is_handle),)
    cutoff = to_seconds - config.occupancy_window_seconds
    drop = 0
    while drop < len(history) and history[drop][1] <= cutoff:
        drop += 1
    return history[drop:] if drop else history


def occupancy_ratio(history, now_seconds: float, config: StressConfig) -> float | None:
    """Handle / (handle + available) over the last hour, from the track's own history."""
    start = now_seconds - config.occupancy_window_seconds
    handle = available = 0.0
    for begin, end, is_handle in history:
        seconds = min(end, now_seconds) - max(begin, start)
        if seconds > 0.0:
            if is_handle:
                handle += seconds
            else:
                available += seconds
    total = handle + available
    return handle / total if total > 0.0 else None


# --- helpers -------------------------------------------------------------------------


def _rebanded(track: StressTrack, at_seconds: float, config: StressConfig, outputs: list[StressBandChanged]) -> StressTrack:
    """After a jump (impulse, reset): announce a band change and update the peak."""
    score = score_of(track, config)
    band = band_of(score, config)
    if band != track.band:
        outputs.append(StressBandChanged(band.value, track.band.value, score, at_seconds))
        track = _replace(track, band=band)
    return _peak(track, at_seconds, config)


def _band_below(threshold: float, config: StressConfig) -> StressBand:
    return StressBand.ELEVATED if threshold > config.elevated_from else StressBand.NORMAL


def _peak(track: StressTrack, at_seconds: float, config: StressConfig) -> StressTrack:
    score = score_of(track, config)
    if score > track.peak_score:
        return _replace(track, peak_score=score, peak_at_seconds=at_seconds)
    return track


def _replace(track: StressTrack, **changes) -> StressTrack:
    values = {name: getattr(track, name) for name in StressTrack.__slots__}
    values.update(changes)
    return StressTrack(**values)
