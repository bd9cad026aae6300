"""Live mode: release events when the wall clock reaches their simulated time, divided by the speed."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Protocol

_MIN_SLEEP_SECONDS = 0.002  # below this, sleeping costs more than it saves


class Clock(Protocol):
    def time(self) -> float: ...  # UTC epoch seconds

    def sleep(self, seconds: float) -> None: ...


class WallClock:
    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def paced(
    events: Iterable, simulated_start: datetime, speed: float, clock: Clock, wall_start: float | None = None
) -> Iterator:
    """Yield each event no earlier than wall_start + (occurred_at - simulated start) / speed.

    `wall_start` is the epoch second at which the simulated start happens on the wall clock:
    pass the start itself when the simulation starts "now", so that at speed 1 every event
    leaves at its own `occurred_at` however long the set-up took; None anchors the pacing to
    the first event pulled (for a start in the past or future). The engine emits in event-time
    order, so this never reorders anything; a slow consumer delays events, never drops them.
    """
    for event in events:
        if wall_start is None:
            wall_start = clock.time()
        due = wall_start + (event.occurred_at - simulated_start).total_seconds() / speed
        delay = due - clock.time()
        if delay > _MIN_SLEEP_SECONDS:
            clock.sleep(delay)
        yield event
