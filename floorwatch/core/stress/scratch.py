"""`Scratch`: a mutable working copy of a StressTrack's moving parts, private to one call.

The hot path of every event works on it and freezes the result into a new `StressTrack`."""

from __future__ import annotations

from dataclasses import dataclass

from floorwatch.core.events import AgentState
from floorwatch.core.stress.config import StressBand, StressConfig, band_of
from floorwatch.core.stress.contacts import StressContacts
from floorwatch.core.stress.state import (
    History,
    Loads,
    StressBandChanged,
    StressTrack,
    continuous_work_points,
    shift_overrun_points,
)


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
