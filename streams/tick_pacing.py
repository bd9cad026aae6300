"""How often the tick may run: a long tick is followed by a pause, so a backlog keeps the loop."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class TickPacer:
    """A tick longer than its period (thousands of changed agents while a backlog is applied) is
    followed by a pause of `factor` times its length, so catching up keeps most of the event loop;
    a live-rate tick (tens of ms) is never held back. The pause is capped well inside /health's stale-figures
    limit (3 ticks + 10 s)."""

    factor: float = 2.0
    max_pause_seconds: float = 2.0
    resume_at: float = -math.inf

    def due(self, monotonic: float) -> bool:
        return monotonic >= self.resume_at

    def ran(self, began: float, ended: float, period_seconds: float) -> float:
        """Note a tick; only one that outlasted its period holds the next back (a busy machine
        stretching a live-rate tick must not thin the ticks out)."""
        took = ended - began
        self.resume_at = ended + min(self.factor * took, self.max_pause_seconds) if took > period_seconds else ended
        return ended
