"""Live mode: release events when the wall clock reaches their simulated time, divided by the speed."""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Protocol

_MIN_SLEEP_SECONDS = 0.002  # below this, sleeping costs more than it saves


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class WallClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def paced(events: Iterable, simulated_start: datetime, speed: float, clock: Clock) -> Iterator:
    """Yield each event no earlier than wall start + (occurred_at - simulated start) / speed.

    The engine emits in event-time order, so this never reorders anything; a slow consumer
    only delays events, it never drops them.
    """
    wall_start = clock.monotonic()
    for event in events:
        due = wall_start + (event.occurred_at - simulated_start).total_seconds() / speed
        delay = due - clock.monotonic()
        if delay > _MIN_SLEEP_SECONDS:
            clock.sleep(delay)
        yield event
