"""How often the tick may run (a long tick is followed by a pause, so a backlog keeps the loop),
and how its heavier parts are spread: team roll-ups once a second, load records over a period."""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass


@dataclass
class TickPacer:
    """A long tick (thousands of changed agents while a backlog is applied: seconds) is followed
    by a pause of `factor` times its length, so catching up keeps most of the event loop. A tick
    under `long_seconds` is never held back, even one that outlasted its period: at five times
    the live rate on a busy machine ticks of 0.3-0.7 s are common, and pausing after them thinned
    the ticks out (each next tick then had more to do) and lengthened the latency tail. The pause
    is capped well inside /health's stale-figures limit (3 ticks + 10 s)."""

    factor: float = 2.0
    long_seconds: float = 1.0
    max_pause_seconds: float = 2.0
    # While the worker is behind its input by more than `backlog_messages` (measured: owned input
    # partitions' ends minus the offsets applied), a tick starts at most every `backlog_every_seconds`:
    # each tick views every agent changed since the last, so four ticks a second during a catch-up
    # viewed most agents four times (the tick was 17 % of the worker's CPU applying a backlog at
    # 1,000 agents). At live rates the lag is a batch or less and ticks keep their period.
    backlog_messages: int = 2_000
    backlog_every_seconds: float = 1.0
    resume_at: float = -math.inf
    began_at: float = -math.inf

    def due(self, monotonic: float, behind_messages: int = 0) -> bool:
        if behind_messages > self.backlog_messages and monotonic - self.began_at < self.backlog_every_seconds:
            return False
        return monotonic >= self.resume_at

    def ran(self, began: float, ended: float) -> float:
        """Note a tick; returns when it ended."""
        took = ended - began
        self.began_at = began
        self.resume_at = ended + min(self.factor * took, self.max_pause_seconds) if took > self.long_seconds else ended
        return ended


@dataclass
class TeamCadence:
    """Teams are rolled up and their lines rendered at most every `every_seconds`; agents every
    tick. At five times the live rate a 0.25 s tick re-rolled ~70 teams and re-rendered their
    lines every time (about 40 ms of its ~120 ms of CPU at 10,000 agents); a team's figure a
    second old is still fresh for a floor manager, and members written meanwhile stay marked
    until the next roll-up, so nothing is skipped."""

    every_seconds: float = 1.0
    last_at: float = -math.inf

    def due(self, monotonic: float) -> bool:
        return monotonic - self.last_at >= self.every_seconds

    def ran(self, monotonic: float) -> None:
        self.last_at = monotonic


@dataclass
class LoadCadence:
    """Each team and queue is looked at for a `team-load` / `queue-load` record once every
    `every_seconds`, in a slot of that period picked by its key (a hash), so a period's records
    are built and sent a slice per tick. All at once, at five times the live rate, that was
    about 900 records built in one tick every period: a step in the latency tail."""

    every_seconds: float
    tick_seconds: float
    _last: int | None = None  # the slot of the last look

    @property
    def slots(self) -> int:
        return max(1, round(self.every_seconds / self.tick_seconds))

    def due_slots(self, monotonic: float) -> set[int]:
        """The slots whose turn came since the last call (every slot at the first, and at most
        one period's worth after a long pause)."""
        slots = self.slots
        now = math.floor(monotonic * slots / self.every_seconds)
        passed = slots if self._last is None else min(max(now - self._last, 0), slots)
        self._last = now
        return {(now - back) % slots for back in range(passed)}

    def slot_of(self, key: str) -> int:
        return zlib.crc32(key.encode()) % self.slots
