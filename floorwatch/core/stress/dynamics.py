"""Time passing for the stress score: decay, ramps, resets and band crossings between events.

`advance` cuts time at every *knot* (a level starting or stopping to ramp, a rest reaching
five minutes, a logout long enough to end the shift) so that between knots the score is
`a*exp(-x/tau) + b + k*x` (`curve`). Knots are snapped exactly, so advancing a->b->c
equals a->c. The work happens on `Scratch`, a mutable copy that lives only inside one call
(the hot path of every event); the result is a new frozen `StressTrack`.
"""

from __future__ import annotations

import math

from floorwatch.core.events import AgentState
from floorwatch.core.stress import curve
from floorwatch.core.stress.config import OFF, REST, StressBand, StressConfig, band_of
from floorwatch.core.stress.history import extend_history
from floorwatch.core.stress.scratch import Scratch
from floorwatch.core.stress.state import StressBandChanged, StressTrack, allowed_shift_seconds

_INF = float("inf")


def advance(
    track: StressTrack, state: AgentState | None, from_seconds: float, to_seconds: float, config: StressConfig
) -> tuple[StressTrack, tuple[StressBandChanged, ...]]:
    if to_seconds <= from_seconds:
        return track, ()
    s = Scratch.of(track)
    outputs: list[StressBandChanged] = []
    allowed = allowed_shift_seconds(track.scheduled_shift_seconds, config)
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
    history = extend_history(track.history, state, from_seconds, to_seconds, config)
    track = s.freeze(
        track, to_seconds, track.state, history, track.handle_ended_at_seconds, track.back_to_back_contacts
    )
    return track, tuple(outputs)


def _next_knot(s: Scratch, state: AgentState | None, allowed: float, config: StressConfig) -> float:
    """Seconds until a level starts or stops ramping, or a rest or logout resets something."""
    knot = _INF
    if state in REST:
        if s.continuous_work_seconds > 0.0 and s.rest_run_seconds < config.min_rest_seconds:
            knot = config.min_rest_seconds - s.rest_run_seconds
        limit = config.new_shift_after_logged_out_seconds
        if state in OFF and s.shift_seconds > 0.0 and s.logged_out_seconds < limit:
            knot = min(knot, limit - s.logged_out_seconds)
        return knot
    work = s.continuous_work_seconds
    if work < config.continuous_work_free_seconds:
        knot = config.continuous_work_free_seconds - work
    elif work < config.continuous_work_full_seconds:
        knot = config.continuous_work_full_seconds - work
    if s.shift_seconds < allowed:
        return min(knot, allowed - s.shift_seconds)
    if s.overrun_seconds < config.shift_overrun_full_seconds:
        return min(knot, config.shift_overrun_full_seconds - s.overrun_seconds)
    return knot


def _slope(s: Scratch, state: AgentState | None, allowed: float, config: StressConfig) -> float:
    """Points per second the levels rise at (0 at rest: levels freeze)."""
    if state in REST:
        return 0.0
    slope = 0.0
    free, full = config.continuous_work_free_seconds, config.continuous_work_full_seconds
    if free <= s.continuous_work_seconds < full:
        slope += config.continuous_work_max_points / (full - free)
    if s.shift_seconds >= allowed and s.overrun_seconds < config.shift_overrun_full_seconds:
        slope += config.shift_overrun_max_points / config.shift_overrun_full_seconds
    return slope


def _step(
    s: Scratch,
    state: AgentState | None,
    allowed: float,
    t: float,
    step: float,
    config: StressConfig,
    outputs: list[StressBandChanged],
) -> None:
    """`step` seconds pass in `state` with no knot inside: band crossings, decay, ramps, peak."""
    tau = config.time_constant_seconds(state)
    a = s.workload + s.emotional + s.back_to_back
    b, k = s.levels(config), _slope(s, state, allowed, config)
    decay = math.exp(-step / tau)
    f_end = a * decay + b + k * step
    if _may_cross(a, tau, b, k, step, f_end, s.band, config):
        for x, threshold, rising in curve.crossings(a, tau, b, k, step, (config.elevated_from, config.high_from)):
            band = band_of(threshold, config) if rising else _band_below(threshold, config)
            if band != s.band:
                outputs.append(
                    StressBandChanged(band=band.value, previous_band=s.band.value, score=threshold, at_seconds=t + x)
                )
                s.band = band
    s.workload, s.emotional, s.back_to_back = s.workload * decay, s.emotional * decay, s.back_to_back * decay
    if s.held.total():
        s.held = s.held.scaled(decay)
    if state in REST:
        s.rest_run_seconds += step
        if state in OFF:
            s.logged_out_seconds += step
        else:
            s.shift_seconds += step
    else:
        if s.shift_seconds >= allowed:
            s.overrun_seconds += step
        s.continuous_work_seconds += step
        s.shift_seconds += step
        s.rest_run_seconds = s.logged_out_seconds = 0.0
    if f_end > a + b:  # convex: the peak is at an end; read it from the state, as hooks do
        at = t + step
        if f_end >= 100.0 > s.peak_score:  # the cap is a plateau: the peak is where it starts
            at = t + next(x for x, _, rising in curve.crossings(a, tau, b, k, step, (100.0,)) if rising)
        _keep_peak(s, at, config)


def _may_cross(
    a: float, tau: float, b: float, k: float, step: float, f_end: float, band: StressBand, config: StressConfig
) -> bool:
    """Cheap test first: most steps stay inside one band."""
    if band_of(f_end, config) != band:
        return True
    turn = curve.turning_point(a, tau, k, step)
    return turn is not None and band_of(curve.value(a, tau, b, k, turn), config) != band


def _at_knot(
    s: Scratch,
    state: AgentState | None,
    allowed: float,
    t: float,
    config: StressConfig,
    outputs: list[StressBandChanged],
) -> None:
    """Snap the variable that reached its knot exactly onto it, and apply resets."""
    if state in REST:
        if s.continuous_work_seconds > 0.0 and s.rest_run_seconds >= config.min_rest_seconds - 1e-9:
            s.rest_run_seconds, s.continuous_work_seconds = max(s.rest_run_seconds, config.min_rest_seconds), 0.0
        limit = config.new_shift_after_logged_out_seconds
        if state in OFF and s.shift_seconds > 0.0 and s.logged_out_seconds >= limit - 1e-9:
            s.logged_out_seconds, s.shift_seconds, s.overrun_seconds = max(s.logged_out_seconds, limit), 0.0, 0.0
            s.contacts = s.contacts.new_shift()
        s.rebanded(t, config, outputs)
        return
    for ramp in (config.continuous_work_free_seconds, config.continuous_work_full_seconds):
        if abs(s.continuous_work_seconds - ramp) <= 1e-9 * max(ramp, 1.0):
            s.continuous_work_seconds = ramp
    if abs(s.shift_seconds - allowed) <= 1e-9 * max(allowed, 1.0):
        s.shift_seconds = allowed
    full = config.shift_overrun_full_seconds
    if abs(s.overrun_seconds - full) <= 1e-9 * full:
        s.overrun_seconds = full
    _keep_peak(s, t, config)  # snapping may lift the score by a rounding error: keep it at the knot


def _keep_peak(s: Scratch, at_seconds: float, config: StressConfig) -> None:
    score = s.score(config)
    if score > s.peak_score:
        s.peak_score, s.peak_at_seconds = score, at_seconds


def _band_below(threshold: float, config: StressConfig) -> StressBand:
    return StressBand.ELEVATED if threshold > config.elevated_from else StressBand.NORMAL
