"""One agent's frozen stress state, and the two levels as plain functions of time worked.

`StressTrack` is rebuilt on every event; `Loads` are the three decaying loads; the levels
(continuous work, shift overrun) and the score are read from a track (docs/stress.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from floorwatch.core.events import AgentState
from floorwatch.core.stress.config import StressBand, StressConfig
from floorwatch.core.stress.contacts import StressContacts


@dataclass(frozen=True, slots=True)
class StressBandChanged:
    band: str
    previous_band: str
    score: float
    at_seconds: float


class Loads(NamedTuple):
    """Built several times per event: a NamedTuple costs a fifth of a frozen dataclass."""

    workload: float = 0.0
    emotional: float = 0.0
    back_to_back: float = 0.0

    def total(self) -> float:
        return self.workload + self.emotional + self.back_to_back

    def scaled(self, factor: float) -> Loads:
        return Loads(
            workload=self.workload * factor, emotional=self.emotional * factor, back_to_back=self.back_to_back * factor
        )

    def plus(self, other: Loads) -> Loads:
        return Loads(
            workload=self.workload + other.workload,
            emotional=self.emotional + other.emotional,
            back_to_back=self.back_to_back + other.back_to_back,
        )


NO_LOAD = Loads()
History = tuple[tuple[float, float, bool], ...]  # (start, end, is_handle) over the occupancy window


class StressTrack(NamedTuple):
    """Immutable like the other tracks, but a NamedTuple: it is rebuilt on every event, and a
    17-field frozen dataclass costs ~10x more to build. Serialised by pydantic as a JSON array."""

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


def continuous_work_points(seconds: float, config: StressConfig) -> float:
    """(b): 0 for the first `free` seconds of work, then linear to the maximum at `full`."""
    free, full = config.continuous_work_free_seconds, config.continuous_work_full_seconds
    if seconds <= free:
        return 0.0
    if seconds >= full:
        return config.continuous_work_max_points
    return config.continuous_work_max_points * (seconds - free) / (full - free)


def shift_overrun_points(seconds: float, config: StressConfig) -> float:
    """(e): linear from 0 at the end of the allowed shift to the maximum `full` seconds later."""
    if seconds >= config.shift_overrun_full_seconds:
        return config.shift_overrun_max_points
    return config.shift_overrun_max_points * max(seconds, 0.0) / config.shift_overrun_full_seconds


def allowed_shift_seconds(scheduled_shift_seconds: float | None, config: StressConfig) -> float:
    return scheduled_shift_seconds if scheduled_shift_seconds is not None else config.default_shift_seconds


def score_of(track: StressTrack, config: StressConfig) -> float:
    levels = continuous_work_points(track.continuous_work_seconds, config) + shift_overrun_points(
        track.overrun_seconds, config
    )
    return min(track.loads.total() + levels, 100.0)
