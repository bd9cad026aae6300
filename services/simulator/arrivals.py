"""Contact arrivals: a Poisson process whose rate follows the intraday profile, interval by interval."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import datetime

from floorwatch.services.simulator.model import Segment


def floor_segments(start: datetime, duration_seconds: float, profile: Sequence[float]) -> tuple[Segment, ...]:
    """Cut the simulated window at the forecast-interval boundaries of the clock (e.g. :00 and :30)."""
    interval_seconds = 86400.0 / len(profile)
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    offset_seconds = (start - midnight).total_seconds()
    segments = []
    at_seconds = 0.0
    while at_seconds < duration_seconds:
        time_of_day = (offset_seconds + at_seconds) % 86400.0
        index = int(time_of_day // interval_seconds)
        end_seconds = min(duration_seconds, at_seconds + (index + 1) * interval_seconds - time_of_day)
        segments.append(Segment(at_seconds, end_seconds, profile[index]))
        at_seconds = end_seconds
    return tuple(segments)


def arrival_times(
    segments: Sequence[Segment], rates_per_second: Sequence[float], rng: random.Random
) -> Iterator[float]:
    """Arrival instants, in order. The rate is constant inside a segment; because the exponential
    is memoryless, restarting the draw at each boundary gives an exact non-homogeneous process."""
    for segment, rate in zip(segments, rates_per_second):
        if rate <= 0:
            continue
        at_seconds = segment.start_seconds
        while True:
            at_seconds += rng.expovariate(rate)
            if at_seconds >= segment.end_seconds:
                break
            yield at_seconds


def expected_arrivals(
    segments: Sequence[Segment], rates_per_second: Sequence[float], from_seconds: float, to_seconds: float
) -> float:
    """The forecast volume between two instants: the integral of the rate."""
    total = 0.0
    for segment, rate in zip(segments, rates_per_second):
        overlap = min(segment.end_seconds, to_seconds) - max(segment.start_seconds, from_seconds)
        if overlap > 0:
            total += rate * overlap
    return total
