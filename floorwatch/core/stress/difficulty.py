"""What makes a contact demanding, graded: each reason has a weight in [0, 1] from a continuous
ramp of its input (sentiment, hold time, queue wait, handle time against the agent's own
baseline), so no input has a cut-off where the score jumps. A closed contact adds its reasons'
points x weight x a length factor (emotional load) and its handle hours x the intensity of
last-hour occupancy (workload). Formulas and sources: docs/stress.md."""

from __future__ import annotations

from typing import NamedTuple

from floorwatch.core.stress.config import StressConfig

ESCALATED = "escalated"
TRANSFERRED = "transferred"
NEGATIVE_SENTIMENT = "negative_sentiment"
COMPLAINT = "complaint"
ABANDONED_ON_HOLD = "abandoned_on_hold"
HELD = "held"
QUEUE_WAIT = "queue_wait"
REPEAT_CONTACT = "repeat_contact"
LONG_HANDLE = "long_handle"

Reasons = tuple[tuple[str, float], ...]  # (reason, weight in (0, 1]), sorted by reason


class Impulse(NamedTuple):
    workload_points: float
    emotional_points: float


def points(reason: str, config: StressConfig) -> float:
    return {
        ESCALATED: config.escalated_points,
        TRANSFERRED: config.transfer_points,
        NEGATIVE_SENTIMENT: config.negative_sentiment_points,
        COMPLAINT: config.complaint_points,
        ABANDONED_ON_HOLD: config.abandoned_on_hold_points,
        HELD: config.hold_points,
        QUEUE_WAIT: config.queue_wait_points,
        REPEAT_CONTACT: config.repeat_contact_points,
        LONG_HANDLE: config.long_handle_points,
    }[reason]


def ramp(value: float, start: float, full: float) -> float:
    """0 at or below `start`, 1 at or above `full`, linear between."""
    if value <= start:
        return 0.0
    return 1.0 if value >= full else (value - start) / (full - start)


def with_reason(reasons: Reasons, reason: str, weight: float) -> Reasons:
    """The reasons with `reason` at least at `weight` (a later, stronger reading replaces a weaker one)."""
    if weight <= 0.0:
        return reasons
    known = dict(reasons)
    if known.get(reason, 0.0) >= weight:
        return reasons
    known[reason] = min(weight, 1.0)
    return tuple(sorted(known.items()))


def difficulty_points(reasons: Reasons, config: StressConfig) -> float:
    return sum(points(reason, config) * weight for reason, weight in reasons)


def sentiment_weight(score: float, config: StressConfig) -> float:
    return ramp(-score, -config.sentiment_neutral_at, -config.sentiment_hostile_at)


def long_handle_weight(handle_seconds: float, baseline_seconds: float, config: StressConfig) -> float:
    return ramp(handle_seconds / baseline_seconds, config.long_handle_from_ratio, config.long_handle_full_ratio)


def length_factor(handle_seconds: float | None, config: StressConfig) -> float:
    if handle_seconds is None:
        return 1.0
    ratio = handle_seconds / config.reference_handle_seconds
    return min(max(ratio, config.length_factor_min_ratio), config.length_factor_max_ratio)


def occupancy_intensity(occupancy_ratio: float | None, config: StressConfig) -> float:
    """Rises through the whole range (o), with a quadratic emphasis above the healthy band."""
    if occupancy_ratio is None:
        return 0.0
    healthy = config.healthy_occupancy_ratio
    excess = max(occupancy_ratio - healthy, 0.0) / (1.0 - healthy)
    return occupancy_ratio + config.occupancy_emphasis_ratio * excess * excess
