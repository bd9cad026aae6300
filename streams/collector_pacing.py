"""Keeps CPython's full garbage collections from stopping the worker for seconds at a time.

At 10,000 agents a worker holds over a million container objects (decoded tracks, the figures
kept between ticks). A full collection walks all of them with the event loop stopped: 2-3 s,
every 20-30 s at live rates (measured in-process, `bench.pipeline` batches and ticks), which
was most of the latency tail. After each tick everything alive is moved to the permanent
generation (`gc.freeze()`), so collections walk only what is newer. Garbage in reference
cycles that was frozen is reclaimed by one full collection every `full_every_seconds`.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field


@dataclass
class CollectorPacing:
    full_every_seconds: float
    last_full_monotonic: float = field(default_factory=time.monotonic)

    def after_tick(self, now_monotonic: float) -> None:
        if now_monotonic - self.last_full_monotonic >= self.full_every_seconds:
            gc.unfreeze()
            gc.collect()
            self.last_full_monotonic = now_monotonic
        gc.freeze()
