"""'Now' for figures that grow while an agent sits in one state (docs/time.md)."""

from __future__ import annotations

import time
from collections.abc import Callable

from floorwatch.streams.settings import ClockMode


class FloorClock:
    """wall: the UTC clock, so a live dashboard moves without new events.
    event: each agent, queue and team member is seen as of its own newest event, so the
    figures equal a replay's "through last event" view whatever the partition layout."""

    def __init__(self, mode: ClockMode, wall: Callable[[], float] = time.time):
        self.mode = mode
        self._wall = wall
        self.newest_event_seconds: float | None = None

    def saw_event(self, seconds: float | None) -> None:
        if seconds is not None and (self.newest_event_seconds is None or seconds > self.newest_event_seconds):
            self.newest_event_seconds = seconds

    def now(self) -> float:
        if self.mode is ClockMode.WALL:
            return self._wall()
        return self.newest_event_seconds if self.newest_event_seconds is not None else 0.0

    def for_own_clock(self, own_seconds: float | None) -> float:
        """The instant to view something whose own event clock is `own_seconds`."""
        if self.mode is ClockMode.WALL:
            return self._wall()
        return own_seconds if own_seconds is not None else 0.0
