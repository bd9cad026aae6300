"""Time passing for the stress score: decay, ramps, resets and band crossings between events.

`advance` cuts time at every *knot* (a level starting or stopping to ramp, a rest reaching
five minutes, a logout long enough to end the shift) so that between knots the score is
`a*exp(-x/tau) + b + k*x` (`stress_curve`). Knots are snapped exactly, so advancing a->b->c
equals a->c. The work happens on `Scratch`, a mutable copy that lives only inside one call
(the hot path of every event); the result is a new frozen `StressTrack`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from floorwatch.core import stress_curve
from floorwatch.core.events import AgentState
from floorwatch.core.stress_contacts import StressContacts
from floorwatch.core.stress_model import (
    HANDLE,
    OFF,
    REST,
    History,
    Loads,
    StressBand,
    StressBandChanged,
    StressConfig,
    StressTrack,
    allowed_shift_seconds,
    band_of,
    continuous_work_points,
    shift_overrun_points,
)

_INF = float("inf")


@dataclass(slots=True)
class Scratch:
    """A working copy of a StressTrack's moving parts, private to one call."""

    workload: float
    emotional: float
    back_to_back: float
    held: Loads
    continuous_work_seconds: float
    rest_run_seconds: float
    logged_out_seconds: float
    shift_seconds: float
    overrun_seconds: float
    contacts: StressContacts
    band: StressBand
    peak_score: float
    peak_at_seconds: float | None

    @classmethod
    def of(cls, track: StressTrack) -> Scratch:
        loads = track.loads
        return cls(
            workload=loads.workload,
            emotional=loads.emotional,
            back_to_back=loads.back_to_back,
            held=track.held,
            continuous_work_seconds=track.continuous_work_seconds,
            rest_run_seconds=track.rest_run_seconds,
            logged_out_seconds=track.logged_out_seconds,
            shift_seconds=track.shift_seconds,
            overrun_seconds=track.overrun_seconds,
            contacts=track.contacts,
            band=track.band,
            peak_score=track.peak_score,
            peak_at_seconds=track.peak_at_seconds,
        )

    def freeze(
        self,
        track: StressTrack,
        clock_seconds: float | None,
        state: AgentState | None,
        history: History,
        handle_ended_at_seconds: float | None,
        back_to_back_contacts: int,
    ) -> StressTrack:
        return StressTrack(
            clock_seconds=clock_seconds,
            state=state,
            loads=Loads(workload=self.workload, emotional=self.emotional, back_to_back=self.back_to_back),
            held=self.held,
            continuous_work_seconds=self.continuous_work_seconds,
            rest_run_seconds=self.rest_run_seconds,
            logged_out_seconds=self.logged_out_seconds,
            shift_seconds=self.shift_seconds,
            overrun_seconds=self.overrun_seconds,
            scheduled_shift_seconds=track.scheduled_shift_seconds,
            history=history,
            contacts=self.contacts,
            handle_ended_at_seconds=handle_ended_at_seconds,
            band=self.band,
            peak_score=self.peak_score,
            peak_at_seconds=self.peak_at_seconds,
            back_to_back_contacts=back_to_back_contacts,
        )

    def levels(self, config: StressConfig) -> float:
        return continuous_work_points(self.continuous_work_seconds, config) + shift_overrun_points(
            self.overrun_seconds, config
        )

    def score(self, config: StressConfig) -> float:
        score = self.workload + self.emotional + self.back_to_back + self.levels(config)
        return score if score < 100.0 else 100.0

    def rebanded(self, at_seconds: float, config: StressConfig, outputs: list[StressBandChanged]) -> None:
        """After a jump (an impulse, a reset): announce a band change and keep the peak."""
        score = self.score(config)
        band = band_of(score, config)
        if band != self.band:
            outputs.append(
                StressBandChanged(band=band.value, previous_band=self.band.value, score=score, at_seconds=at_seconds)
            )
            self.band = band
        if score > self.peak_score:
            self.peak_score, self.peak_at_seconds = score, at_seconds


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
    history = _extend_history(track.history, state, from_seconds, to_seconds, config)
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
        for x, threshold, rising in stress_curve.crossings(
            a, tau, b, k, step, (config.elevated_from, config.high_from)
        ):
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
            at = t + next(x for x, _, rising in stress_curve.crossings(a, tau, b, k, step, (100.0,)) if rising)
        _keep_peak(s, at, config)


def _may_cross(
    a: float, tau: float, b: float, k: float, step: float, f_end: float, band: StressBand, config: StressConfig
) -> bool:
    """Cheap test first: most steps stay inside one band."""
    if band_of(f_end, config) != band:
        return True
    turn = stress_curve.turning_point(a, tau, k, step)
    return turn is not None and band_of(stress_curve.value(a, tau, b, k, turn), config) != band


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


# --- occupancy over the last hour ------------------------------------------------------


def _extend_history(
    history: History, state: AgentState | None, from_seconds: float, to_seconds: float, config: StressConfig
) -> History:
    if state in HANDLE or state is AgentState.AVAILABLE:
        is_handle = state in HANDLE
        if history and history[-1][1] == from_seconds and history[-1][2] == is_handle:
            history = history[:-1] + ((history[-1][0], to_seconds, is_handle),)
        else:
            history = history + ((from_seconds, to_seconds, is_handle),)
    cutoff = to_seconds - config.occupancy_window_seconds
    drop = 0
    while drop < len(history) and history[drop][1] <= cutoff:
        drop += 1
    return history[drop:] if drop else history


def occupancy_ratio(history: History, now_seconds: float, config: StressConfig) -> float | None:
    """Handle / (handle + available) over the last hour, from the track's own history."""
    start = now_seconds - config.occupancy_window_seconds
    handle = available = 0.0
    for begin, end, is_handle in history:
        seconds = (end if end < now_seconds else now_seconds) - (begin if begin > start else start)
        if seconds > 0.0:
            if is_handle:
                handle += seconds
            else:
                available += seconds
    total = handle + available
    return handle / total if total > 0.0 else None
