"""What makes a contact difficult, and what a closed contact adds to the score: its reasons'
points times a length factor (emotional load), its handle hours times the occupancy excess
(workload intensity). Formulas: docs/stress.md."""

from __future__ import annotations

from dataclasses import dataclass

from floorwatch.core.stress.config import StressConfig

ESCALATED = "escalated"
LONG_TRANSFER = "transferred_after_long_handle"
NEGATIVE_SENTIMENT = "negative_sentiment"
COMPLAINT = "complaint"
ABANDONED_ON_HOLD = "abandoned_after_long_hold"
LONG_HANDLE = "long_handle"


@dataclass(frozen=True, slots=True)
class Impulse:
    workload_points: float
    emotional_points: float
    reasons: frozenset[str]


def points(reason: str, config: StressConfig) -> float:
    return {
        ESCALATED: config.escalated_points,
        LONG_TRANSFER: config.long_transfer_points,
        NEGATIVE_SENTIMENT: config.negative_sentiment_points,
        COMPLAINT: config.complaint_points,
        ABANDONED_ON_HOLD: config.abandoned_on_hold_points,
        LONG_HANDLE: config.long_handle_points,
    }[reason]


def length_factor(handle_seconds: float | None, config: StressConfig) -> float:
    if handle_seconds is None:
        return 1.0
    ratio = handle_seconds / config.reference_handle_seconds
    return min(max(ratio, config.length_factor_min_ratio), config.length_factor_max_ratio)


def occupancy_excess(occupancy_ratio: float | None, config: StressConfig) -> float:
    """0 inside the healthy band, rising to 1 at 100 % occupancy."""
    if occupancy_ratio is None:
        return 0.0
    healthy = config.healthy_occupancy_ratio
    return min(max((occupancy_ratio - healthy) / (1.0 - healthy), 0.0), 1.0)
