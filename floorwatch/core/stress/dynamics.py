"""Time passing for the stress index: decay, ramps, recovery and band crossings between events.

`advance` cuts time at every *knot* (a rule's work limit and grace reached, the shift's allowed
length reached, a logout long enough to end the shift) so that between knots the load has the
form of `curve`. Knots are snapped exactly, so advancing a->b->c equals a->c. The work happens
in place on `StressWork` (`advance_work`: the fold's hot path, every event); `advance` thaws a
frozen `StressTrack` into one and freezes the result.
"""

from __future__ import annotations

import math

from floorwatch.core.events import AgentState
from floorwatch.core.stress import curve
from floorwatch.core.stress.config import OFF, REST, StressBand, StressConfig, band_of_load
from floorwatch.core.stress.history import extend_history
from floorwatch.core.stress.state import (
    Loads,
    StressBandChanged,
    StressTrack,
    allowed_shift_seconds,
    missed_break_points,
    shift_overrun_points,
)
from floorwatch.core.stress.work import StressWork

_INF = float("inf")


def advance(
    track: StressTrack, state: AgentState | None, from_seconds: float, to_seconds: float, config: StressConfig
) -> tuple[StressTrack, tuple[StressBandChanged, ...]]:
    if to_seconds <= from_seconds:
        return track, ()
    s = StressWork.of(track, config)
    outputs: list[StressBandChanged] = []
    advance_work(s, state, from_seconds, to_seconds, config, outputs)
    s.clock_seconds = to_seconds
    return s.freeze(), tuple(outputs)


def advance_work(
    s: StressWork,
    state: AgentState | None,
    from_seconds: float,
    to_seconds: float,
    config: StressConfig,
    outputs: list[StressBandChanged],
) -> None:
    """`advance` in place (`from_seconds < to_seconds`); the caller moves the clock."""
    allowed = allowed_shift_seconds(s.scheduled_shift_seconds, config)
    t = from_seconds
    while True:
        remaining = to_seconds - t
        knot = _next_knot(s, state, allowed, config)
        if knot > remaining:
            _step(s, state, allowed, t, remaining, config, outputs)
            break
        _step(s, state, allowed, t, knot, config, outputs)
        t += knot
        _at_knot(s, state, allowed, t, config, outputs)
        if knot == remaining:  # a knot exactly at the end is applied here, as it would be mid-way
            break
    extend_history(s.history, state, from_seconds, to_seconds, config)


def _next_knot(s: StressWork, state: AgentState | None, allowed: float, config: StressConfig) -> float:
    """Seconds until a level starts ramping faster, or a logout ends the shift."""
    if state in REST:
        limit = config.new_shift_after_logged_out_seconds
        if state in OFF and s.shift_seconds > 0.0 and s.logged_out_seconds < limit:
            return limit - s.logged_out_seconds
        return _INF
    knot = allowed - s.shift_seconds if s.shift_seconds < allowed else _INF
    for seconds, need in zip(s.unrested_seconds, config.rest_requirements):
        due = need.max_work_seconds + need.grace_seconds
        if seconds < due and due - seconds < knot:
            knot = due - seconds
    return knot


def _slope(s: StressWork, state: AgentState | None, allowed: float, config: StressConfig) -> float:
    """Load points per second the levels rise at while working (levels do not rise at rest)."""
    if state in REST:
        return 0.0
    missed = 0
    for seconds, need in zip(s.unrested_seconds, config.rest_requirements):
        missed += seconds >= need.max_work_seconds + need.grace_seconds
    slope = config.time_on_task_points_per_hour + missed * config.missed_break_points_per_hour
    if s.shift_seconds >= allowed:
        slope += config.shift_overrun_points_per_hour
    return slope / 3600.0


def _step(
    s: StressWork,
    state: AgentState | None,
    allowed: float,
    t: float,
    step: float,
    config: StressConfig,
    outputs: list[StressBandChanged],
) -> None:
    """`step` seconds pass in `state` with no knot inside: band crossings, decay, ramps, peak."""
    resting = state in REST
    tau_a, tau_e = config.load_time_constant_seconds(state), config.emotional_time_constant_seconds(state)
    a, e = s.workload + s.back_to_back, s.emotional
    decay_a, decay_e = math.exp(-step / tau_a), math.exp(-step / tau_e)
    start = 0.0  # the load at the step's start: only a working step needs it
    if resting:
        decay_t = math.exp(-step / config.time_on_task_rest_time_constant_seconds)
        end = _rest_load(s, step, decay_a, decay_e, decay_t, config)
        if band_of_load(end, config) != s.band:
            found = curve.crossings(lambda x: _rest_load_at(s, x, tau_a, tau_e, config), step, None, _t(config))
            _announce(s, t, found, config, outputs)
    else:
        k = _slope(s, state, allowed, config)
        start = s.load(state, config)
        b = start - a - e
        end = a * decay_a + e * decay_e + b + k * step
        if _may_cross_working(a, decay_a, e, decay_e, b, end, s.band, config):
            turn = curve.turning_point(a, tau_a, e, tau_e, k, step)
            found = curve.crossings(
                lambda x: a * math.exp(-x / tau_a) + e * math.exp(-x / tau_e) + b + k * x, step, turn, _t(config)
            )
            _announce(s, t, found, config, outputs)
    s.workload, s.back_to_back, s.emotional = s.workload * decay_a, s.back_to_back * decay_a, s.emotional * decay_e
    if resting:
        held = s.held
        if held.workload or held.emotional or held.back_to_back:
            s.held = Loads(held.workload * decay_a, held.emotional * decay_e, held.back_to_back * decay_a)
        s.time_on_task_seconds *= decay_t
        s.rest_run_seconds += step
        if state in OFF:
            s.logged_out_seconds += step
        else:
            s.shift_seconds += step
        return
    if s.shift_seconds >= allowed:
        s.overrun_seconds += step
    s.time_on_task_seconds += step
    s.unrested_seconds = [seconds + step for seconds in s.unrested_seconds]
    s.shift_seconds += step
    s.rest_run_seconds = s.logged_out_seconds = 0.0
    if end > start:  # convex: the peak is at an end; read it from the state, as hooks do
        _keep_peak(s, state, t + step, config)


def _t(config: StressConfig) -> tuple[float, float]:
    return (config.elevated_load, config.high_load)


def _rest_load(s: StressWork, x: float, decay_a: float, decay_e: float, decay_t: float, config: StressConfig) -> float:
    """The load `x` seconds into this rest step (every term falls)."""
    return (
        (s.workload + s.back_to_back) * decay_a
        + s.emotional * decay_e
        + config.time_on_task_points_per_hour * s.time_on_task_seconds * decay_t / 3600.0
        + missed_break_points(s.unrested_seconds, s.rest_run_seconds + x, True, config)
        + shift_overrun_points(s.overrun_seconds, config)
    )


def _rest_load_at(s: StressWork, x: float, tau_a: float, tau_e: float, config: StressConfig) -> float:
    decay_t = math.exp(-x / config.time_on_task_rest_time_constant_seconds)
    return _rest_load(s, x, math.exp(-x / tau_a), math.exp(-x / tau_e), decay_t, config)


def _may_cross_working(
    a: float, decay_a: float, e: float, decay_e: float, b: float, end: float, band: StressBand, config: StressConfig
) -> bool:
    """Cheap test first: most steps stay inside one band. Convex: it can only dip in between,
    and never below b plus the loads decayed over the whole step."""
    if band_of_load(end, config) != band:
        return True
    return band_of_load(a * decay_a + e * decay_e + b, config) != band


def _announce(
    s: StressWork,
    t: float,
    found: list[tuple[float, float, bool]],
    config: StressConfig,
    outputs: list[StressBandChanged],
) -> None:
    for x, threshold, rising in found:
        band = band_of_load(threshold, config) if rising else _band_below(threshold, config)
        if band != s.band:
            score = config.high_from if threshold == config.high_load else config.elevated_from
            changed = StressBandChanged(band=band.value, previous_band=s.band.value, score=score, at_seconds=t + x)
            outputs.append(changed)
            s.band = band


def _at_knot(
    s: StressWork,
    state: AgentState | None,
    allowed: float,
    t: float,
    config: StressConfig,
    outputs: list[StressBandChanged],
) -> None:
    """Snap the variable that reached its knot exactly onto it, and apply resets."""
    if state in REST:
        limit = config.new_shift_after_logged_out_seconds
        if state in OFF and s.shift_seconds > 0.0 and s.logged_out_seconds >= limit - 1e-9:
            s.logged_out_seconds, s.shift_seconds, s.overrun_seconds = max(s.logged_out_seconds, limit), 0.0, 0.0
            s.contacts.new_shift()
        s.rebanded(state, t, config, outputs)
        return
    for i, (seconds, need) in enumerate(zip(s.unrested_seconds, config.rest_requirements)):
        due = need.max_work_seconds + need.grace_seconds
        if abs(seconds - due) <= 1e-9 * max(due, 1.0):
            s.unrested_seconds[i] = due
    if abs(s.shift_seconds - allowed) <= 1e-9 * max(allowed, 1.0):
        s.shift_seconds = allowed
    _keep_peak(s, state, t, config)  # snapping may lift the load by a rounding error: keep it at the knot


def _keep_peak(s: StressWork, state: AgentState | None, at_seconds: float, config: StressConfig) -> None:
    load = s.load(state, config)
    if load > s.peak_load:
        s.peak_load, s.peak_at_seconds = load, at_seconds


def _band_below(threshold: float, config: StressConfig) -> StressBand:
    return StressBand.ELEVATED if threshold > config.elevated_load else StressBand.NORMAL
