"""What the stress track shows at an instant: the score, its band, its load and the components."""

from __future__ import annotations

from dataclasses import dataclass

from floorwatch.core.events import AgentState
from floorwatch.core.stress.config import REST, StressConfig, band_of_load
from floorwatch.core.stress.dynamics import advance
from floorwatch.core.stress.history import occupancy_ratio
from floorwatch.core.stress.state import (
    StressTrack,
    missed_break_points,
    shift_overrun_points,
    time_on_task_points,
)


@dataclass(frozen=True, slots=True)
class StressComponents:
    """Load points; they add up to the load, and the score is 100 (1 - exp(-load / scale))."""

    workload_intensity: float
    continuous_work: float  # time on task since the last sufficient rest
    missed_breaks: float  # work beyond a break rule's limit without its rest
    emotional_load: float
    back_to_back: float
    shift_overrun: float


@dataclass(frozen=True, slots=True)
class StressFigures:
    score: float  # 0-100: a bounded transform of the load, never at a ceiling
    band: str
    load_points: float  # the unbounded load: the components' sum
    components: StressComponents
    signals: tuple[str, ...]  # the contact signals seen so far (which inputs the emotional load could use)
    recovering: bool  # resting now: the score can only fall
    held_points: float  # load that arrived during this rest, added when it ends
    occupancy_60min_ratio: float | None
    continuous_work_seconds: float  # time on task, in work-seconds since a sufficient rest
    shift_seconds: float
    shift_overrun_seconds: float
    difficult_contacts: int
    back_to_back_contacts: int
    baseline_handle_seconds: float | None
    peak_score: float
    peak_at_seconds: float | None


def view(track: StressTrack, state: AgentState | None, now_seconds: float, config: StressConfig) -> StressFigures:
    """The figures at `now_seconds` (advancing a copy from the track's own clock if behind)."""
    if track.clock_seconds is not None and now_seconds > track.clock_seconds:
        track, _ = advance(track, state, track.clock_seconds, now_seconds, config)
    resting = state in REST
    components = StressComponents(
        workload_intensity=track.loads.workload,
        continuous_work=time_on_task_points(track.time_on_task_seconds, config),
        missed_breaks=missed_break_points(track.unrested_seconds, track.rest_run_seconds, resting, config),
        emotional_load=track.loads.emotional,
        back_to_back=track.loads.back_to_back,
        shift_overrun=shift_overrun_points(track.overrun_seconds, config),
    )
    load = (
        components.workload_intensity
        + components.continuous_work
        + components.missed_breaks
        + components.emotional_load
        + components.back_to_back
        + components.shift_overrun
    )
    return StressFigures(
        score=config.score_of_load(load),
        band=band_of_load(load, config).value,
        load_points=load,
        components=components,
        signals=track.contacts.signals,
        recovering=resting,
        held_points=track.held.total(),
        occupancy_60min_ratio=occupancy_ratio(track.history, now_seconds, config),
        continuous_work_seconds=track.time_on_task_seconds,
        shift_seconds=track.shift_seconds,
        shift_overrun_seconds=track.overrun_seconds,
        difficult_contacts=track.contacts.difficult_contacts,
        back_to_back_contacts=track.back_to_back_contacts,
        baseline_handle_seconds=track.contacts.baseline_handle_seconds,
        peak_score=config.score_of_load(track.peak_load),
        peak_at_seconds=track.peak_at_seconds,
    )
