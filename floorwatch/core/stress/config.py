"""The stress score's settings, its bands and the state classes its time constants follow
(docs/stress.md): every weight and time constant is a documented setting."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from floorwatch.core.events import AgentState

_S = AgentState
HANDLE = frozenset({_S.ON_CONTACT, _S.HOLD, _S.AFTER_CONTACT_WORK})
REST = frozenset({_S.BREAK, _S.LUNCH, _S.LOGGED_OUT, None})
OFF = frozenset({_S.LOGGED_OUT, None})


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
        if (
            min(self.handling_time_constant_seconds, self.idle_time_constant_seconds, self.rest_time_constant_seconds)
            <= 0
        ):
            raise ValueError("stress time constants must be positive")
        if not 0.0 <= self.continuous_work_free_seconds < self.continuous_work_full_seconds:
            raise ValueError("continuous_work_free_seconds must be below continuous_work_full_seconds")
        if self.shift_overrun_full_seconds <= 0 or not 0.0 <= self.healthy_occupancy_ratio < 1.0:
            raise ValueError("shift_overrun_full_seconds must be positive and healthy_occupancy_ratio in [0, 1)")

    def time_constant_seconds(self, state: AgentState | None) -> float:
        if state in REST:
            return self.rest_time_constant_seconds
        return self.handling_time_constant_seconds if state in HANDLE else self.idle_time_constant_seconds


def band_of(score: float, config: StressConfig) -> StressBand:
    if score >= config.high_from:
        return StressBand.HIGH
    return StressBand.ELEVATED if score >= config.elevated_from else StressBand.NORMAL
