"""The stress index's settings, its bands and the state classes its time constants follow
(docs/stress.md): an uncalibrated index, so every weight and time constant is a documented
setting, and every response to an input is continuous (ramps and exponentials, no cut-offs)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from floorwatch.core.events import AgentState

_S = AgentState
HANDLE = frozenset({_S.ON_CONTACT, _S.HOLD, _S.AFTER_CONTACT_WORK})
REST = frozenset({_S.BREAK, _S.LUNCH, _S.LOGGED_OUT, None})
OFF = frozenset({_S.LOGGED_OUT, None})


class StressBand(StrEnum):
    NORMAL = "normal"
    ELEVATED = "elevated"
    HIGH = "high"  # suggest a recovery break now


class RestRequirement(NamedTuple):
    """What a break rule asks: at most `max_work_seconds` of work without a rest of `rest_seconds`
    (read from the break policy by MetricConfig; docs/stress.md "Missed and short breaks")."""

    rule: str
    max_work_seconds: float
    rest_seconds: float
    grace_seconds: float


# The default break policy (floorwatch/policies/default.yaml): a 10-min rest every 2 h of work, and
# 20 min once the day passes 6 h. MetricConfig replaces these with the policy in force.
DEFAULT_REST_REQUIREMENTS = (
    RestRequirement(rule="rest-every-2h", max_work_seconds=7200.0, rest_seconds=600.0, grace_seconds=120.0),
    RestRequirement(rule="break-over-6h", max_work_seconds=21600.0, rest_seconds=1200.0, grace_seconds=120.0),
)


@dataclass(frozen=True, slots=True)
class StressConfig:
    """Weights and time constants (docs/stress.md "Defaults and why")."""

    elevated_from: float = 40.0  # bands on the score: < 40 normal, 40-70 elevated, >= 70 high
    high_from: float = 70.0
    load_scale_points: float = 70.0  # score = 100 (1 - exp(-load / scale)): headroom, never a ceiling
    # Decaying loads (effort-recovery: Meijman & Mulder 1998): time constants per state class.
    handling_time_constant_seconds: float = 5400.0  # 90 min: load barely fades while handling
    idle_time_constant_seconds: float = 1800.0  # 30 min: available, training, meetings
    rest_time_constant_seconds: float = 1200.0  # 20 min: a 15-min break sheds 53 %, a 30-min lunch 78 %
    emotional_idle_time_constant_seconds: float = 3600.0  # hostile callers linger (rumination)
    emotional_rest_time_constant_seconds: float = 2700.0  # 45 min: a 15-min break sheds 28 %
    # Workload intensity: each finished contact adds handle hours x intensity(last-hour occupancy).
    workload_points_per_handle_hour: float = 12.0
    healthy_occupancy_ratio: float = 0.85  # the top of the healthy band: the emphasis starts above it
    occupancy_emphasis_ratio: float = 2.0  # intensity(o) = o + emphasis x (max(o - healthy, 0) / (1 - healthy))^2
    occupancy_window_seconds: float = 3600.0
    # Time on task: grows with work, recovers at rest (Tucker, Folkard & Macdonald 2003).
    time_on_task_points_per_hour: float = 5.0
    time_on_task_rest_time_constant_seconds: float = 900.0  # 5 min sheds 28 %, 15 min 63 %, 30 min 86 %
    # Missed and short breaks: work beyond a rule's limit without its rest.
    rest_requirements: tuple[RestRequirement, ...] = DEFAULT_REST_REQUIREMENTS
    missed_break_points_per_hour: float = 5.0
    rest_credit_from_ratio: float = 0.5  # a rest counts from half the rule's length, fully at its length
    # Emotional and cognitive load per contact (Grandey, Dickter & Sin 2004): points x grade x length factor.
    negative_sentiment_points: float = 8.0
    sentiment_neutral_at: float = -0.1  # no points at or above; full points at or below `hostile_at`
    sentiment_hostile_at: float = -0.7
    complaint_points: float = 10.0
    escalated_points: float = 6.0
    transfer_points: float = 4.0
    transfer_full_handle_seconds: float = 600.0  # a transfer weighs more the longer it was handled
    hold_points: float = 2.0
    hold_full_seconds: float = 180.0  # holds up to 3 min in total weigh in proportion
    abandoned_on_hold_points: float = 5.0
    queue_wait_points: float = 1.0
    queue_wait_free_seconds: float = 30.0  # the caller waited: pressure grades from 30 s to 5 min
    queue_wait_full_seconds: float = 300.0
    repeat_contact_points: float = 3.0
    long_handle_points: float = 4.0
    long_handle_from_ratio: float = 1.5  # against the agent's own running mean: graded from 1.5x to 2.5x
    long_handle_full_ratio: float = 2.5
    baseline_weight_ratio: float = 0.1  # running mean weight: about the last 10-20 contacts
    baseline_min_contacts: int = 5
    reference_handle_seconds: float = 300.0  # a contact this long has length factor 1
    length_factor_min_ratio: float = 0.5
    length_factor_max_ratio: float = 2.0
    difficult_from_points: float = 4.0  # counted in `difficult_contacts` (a figure, not the score)
    late_sentiment_window_seconds: float = 1800.0  # post-call analytics accepted this long after the clock
    # Pace: each contact adds points x exp(-gap / scale), gap = available time since the last one.
    back_to_back_gap_seconds: float = 10.0
    back_to_back_points: float = 1.5
    # Shift length beyond schedule.
    default_shift_seconds: float = 8.5 * 3600.0  # without a schedule: 8 h plus a 30-min lunch
    shift_overrun_points_per_hour: float = 10.0
    new_shift_after_logged_out_seconds: float = 4 * 3600.0  # as occupancy: a lunch logged out is no new shift
    max_open_contacts: int = 8  # bounds memory when end events go missing
    recent_contacts: int = 16  # closed contacts remembered for late sentiment and repeat contacts
    # The bands as loads (derived): compared with the load, so no logarithm per step.
    elevated_load: float = field(init=False, default=0.0)
    high_load: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        if not 0.0 < self.elevated_from < self.high_from < 100.0:
            raise ValueError("stress bands need 0 < elevated_from < high_from < 100")
        taus = (
            self.handling_time_constant_seconds,
            self.idle_time_constant_seconds,
            self.rest_time_constant_seconds,
            self.emotional_idle_time_constant_seconds,
            self.emotional_rest_time_constant_seconds,
            self.time_on_task_rest_time_constant_seconds,
            self.load_scale_points,
        )
        if min(taus) <= 0:
            raise ValueError("stress time constants and the load scale must be positive")
        if not 0.0 <= self.healthy_occupancy_ratio < 1.0:
            raise ValueError("healthy_occupancy_ratio must be in [0, 1)")
        if not self.sentiment_hostile_at < self.sentiment_neutral_at:
            raise ValueError("sentiment_hostile_at must be below sentiment_neutral_at")
        if not 0.0 < self.rest_credit_from_ratio < 1.0:
            raise ValueError("rest_credit_from_ratio must be in (0, 1)")
        object.__setattr__(self, "elevated_load", self.load_at(self.elevated_from))
        object.__setattr__(self, "high_load", self.load_at(self.high_from))

    def load_time_constant_seconds(self, state: AgentState | None) -> float:
        """Workload and pace loads."""
        if state in REST:
            return self.rest_time_constant_seconds
        return self.handling_time_constant_seconds if state in HANDLE else self.idle_time_constant_seconds

    def emotional_time_constant_seconds(self, state: AgentState | None) -> float:
        if state in REST:
            return self.emotional_rest_time_constant_seconds
        return self.handling_time_constant_seconds if state in HANDLE else self.emotional_idle_time_constant_seconds

    def load_at(self, score: float) -> float:
        """The load that gives `score` (the inverse of `score_of_load`)."""
        return -self.load_scale_points * math.log(1.0 - score / 100.0)

    def score_of_load(self, load: float) -> float:
        return 100.0 * -math.expm1(-load / self.load_scale_points)


def band_of_load(load: float, config: StressConfig) -> StressBand:
    if load >= config.high_load:
        return StressBand.HIGH
    return StressBand.ELEVATED if load >= config.elevated_load else StressBand.NORMAL


def band_of(score: float, config: StressConfig) -> StressBand:
    if score >= config.high_from:
        return StressBand.HIGH
    return StressBand.ELEVATED if score >= config.elevated_from else StressBand.NORMAL
