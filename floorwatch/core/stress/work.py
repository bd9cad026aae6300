"""`StressWork`: one agent's stress state, mutable, updated in place event after event.

The replay's fold keeps one per agent across its events and freezes it into a `StressTrack`
only where something stores or views the track; the immutable API (`stress.advance`,
`step_state`...) thaws a track into one, steps it and freezes it again. Same operations in the
same order either way: freezing and thawing copy values, they compute nothing."""

from __future__ import annotations

from dataclasses import dataclass

from floorwatch.core.events import AgentState
from floorwatch.core.stress.config import REST, StressBand, StressConfig, band_of_load
from floorwatch.core.stress.contacts import ContactsWork
from floorwatch.core.stress.history import Span
from floorwatch.core.stress.state import (
    Loads,
    StressBandChanged,
    StressTrack,
    missed_break_points,
    rest_credit,
    shift_overrun_points,
    time_on_task_points,
)


@dataclass(slots=True)
class StressWork:
    """A StressTrack's fields, with the loads unpacked and the unrested work as a list."""

    clock_seconds: float | None
    state: AgentState | None
    workload: float
    emotional: float
    back_to_back: float
    held: Loads
    time_on_task_seconds: float
    unrested_seconds: list[float]
    rest_run_seconds: float
    logged_out_seconds: float
    shift_seconds: float
    overrun_seconds: float
    contacts: ContactsWork
    band: StressBand
    peak_load: float
    peak_at_seconds: float | None
    scheduled_shift_seconds: float | None
    history: list[Span]  # the track's History, extended in place
    handle_ended_at_seconds: float | None
    back_to_back_contacts: int

    @classmethod
    def of(cls, track: StressTrack, config: StressConfig) -> StressWork:
        loads = track.loads
        unrested = list(track.unrested_seconds)
        if len(unrested) != len(config.rest_requirements):  # a track stored under another break policy
            unrested = (unrested + [0.0] * len(config.rest_requirements))[: len(config.rest_requirements)]
        return cls(
            clock_seconds=track.clock_seconds,
            state=track.state,
            workload=loads.workload,
            emotional=loads.emotional,
            back_to_back=loads.back_to_back,
            held=track.held,
            time_on_task_seconds=track.time_on_task_seconds,
            unrested_seconds=unrested,
            rest_run_seconds=track.rest_run_seconds,
            logged_out_seconds=track.logged_out_seconds,
            shift_seconds=track.shift_seconds,
            overrun_seconds=track.overrun_seconds,
            contacts=ContactsWork(track.contacts),
            band=track.band,
            peak_load=track.peak_load,
            peak_at_seconds=track.peak_at_seconds,
            scheduled_shift_seconds=track.scheduled_shift_seconds,
            history=list(track.history),
            handle_ended_at_seconds=track.handle_ended_at_seconds,
            back_to_back_contacts=track.back_to_back_contacts,
        )

    def freeze(self) -> StressTrack:
        return StressTrack(
            clock_seconds=self.clock_seconds,
            state=self.state,
            loads=Loads(workload=self.workload, emotional=self.emotional, back_to_back=self.back_to_back),
            held=self.held,
            time_on_task_seconds=self.time_on_task_seconds,
            unrested_seconds=tuple(self.unrested_seconds),
            rest_run_seconds=self.rest_run_seconds,
            logged_out_seconds=self.logged_out_seconds,
            shift_seconds=self.shift_seconds,
            overrun_seconds=self.overrun_seconds,
            scheduled_shift_seconds=self.scheduled_shift_seconds,
            history=tuple(self.history),
            contacts=self.contacts.freeze(),
            handle_ended_at_seconds=self.handle_ended_at_seconds,
            band=self.band,
            peak_load=self.peak_load,
            peak_at_seconds=self.peak_at_seconds,
            back_to_back_contacts=self.back_to_back_contacts,
        )

    def levels(self, state: AgentState | None, config: StressConfig) -> float:
        resting = state in REST
        return (
            time_on_task_points(self.time_on_task_seconds, config)
            + missed_break_points(self.unrested_seconds, self.rest_run_seconds, resting, config)
            + shift_overrun_points(self.overrun_seconds, config)
        )

    def load(self, state: AgentState | None, config: StressConfig) -> float:
        # `levels` inlined (same terms, same order of additions): this runs two or three times per event.
        levels = (
            config.time_on_task_points_per_hour * self.time_on_task_seconds / 3600.0
            + missed_break_points(self.unrested_seconds, self.rest_run_seconds, state in REST, config)
            + config.shift_overrun_points_per_hour * max(self.overrun_seconds, 0.0) / 3600.0
        )
        return self.workload + self.emotional + self.back_to_back + levels

    def end_rest(self, config: StressConfig) -> None:
        """The rest is over: what arrived during it counts now, and it credits each rule's unrested work."""
        held = self.held
        self.workload += held.workload
        self.emotional += held.emotional
        self.back_to_back += held.back_to_back
        self.held = Loads()
        if self.rest_run_seconds > 0.0:
            self.unrested_seconds = [
                seconds * rest_credit(self.rest_run_seconds, need.rest_seconds, config)
                for seconds, need in zip(self.unrested_seconds, config.rest_requirements)
            ]
        self.rest_run_seconds = 0.0

    def rebanded(
        self, state: AgentState | None, at_seconds: float, config: StressConfig, outputs: list[StressBandChanged]
    ) -> None:
        """After a jump (an impulse, a reset): announce a band change and keep the peak."""
        load = self.load(state, config)
        band = band_of_load(load, config)
        if band != self.band:
            outputs.append(
                StressBandChanged(
                    band=band.value,
                    previous_band=self.band.value,
                    score=config.score_of_load(load),
                    at_seconds=at_seconds,
                )
            )
            self.band = band
        if load > self.peak_load:
            self.peak_load, self.peak_at_seconds = load, at_seconds
