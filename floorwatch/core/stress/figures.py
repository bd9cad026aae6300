"""What the stress track shows at an instant: the score, its band and its five components."""

from __future__ import annotations

from dataclasses import dataclass

from floorwatch.core.events import AgentState
from floorwatch.core.stress.config import REST, StressConfig, band_of
from floorwatch.core.stress.dynamics import advance
from floorwatch.core.stress.history import occupancy_ratio
from floorwatch.core.stress.state import StressTrack, continuous_work_points, score_of, shift_overrun_points


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
