"""Each agent's last viewed figures, kept between ticks so a tick views only what changed.

An agent's figures depend on its stored value and on "now". A new stored value (a new bytes
object in the table) is viewed at the next tick. With the event clock, "now" for an agent is
its own newest event, so nothing else changes its figures. With the wall clock they also
drift as time passes (windows slide, stress decays, a break falls due): those agents are
viewed again on a slower cadence, `refresh_seconds`, a bounded number per tick so the
refreshes spread over the ticks instead of all arriving in one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from floorwatch.core import agent
from floorwatch.core.agent import AgentFigures, AgentOutput, AgentTrack
from floorwatch.core.config import MetricConfig


@dataclass(frozen=True, slots=True)
class View:
    raw: bytes  # the stored value viewed (by identity: the table hands back the object stored)
    viewed_monotonic: float
    figures: AgentFigures
    due: tuple[AgentOutput, ...]  # breaches the clock reached before the agent's next event


@dataclass
class ViewCache:
    config: MetricConfig
    refresh_seconds: float
    tick_seconds: float
    drifts: bool  # wall clock: figures change with time too
    held: dict[str, View] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set)
    _budget: int = 0
    _now: float = 0.0

    def begin(self, items: int, monotonic: float) -> None:
        """Start a tick over about `items` keys: how many drift-only refreshes it may do."""
        self._seen, self._now = set(), monotonic
        # Twice the steady rate, so a backlog after a busy spell clears within a few ticks.
        self._budget = max(1, math.ceil(2 * items * self.tick_seconds / self.refresh_seconds))

    def view(
        self, key: str, raw: bytes, decode: Callable[[], AgentTrack], now_for: Callable[[AgentTrack], float]
    ) -> View:
        """The key's figures: kept, or viewed again at `now_for(track)` (decoding only then)."""
        self._seen.add(key)
        held = self.held.get(key)
        if held is not None and held.raw is raw:
            if not self.drifts or self._now - held.viewed_monotonic < self.refresh_seconds or self._budget <= 0:
                return held
            self._budget -= 1
        track = decode()
        figures, due = agent.view(track, now_for(track), self.config)
        fresh = View(raw, self._now, figures, tuple(due))
        self.held[key] = fresh
        return fresh

    def end(self) -> None:
        """Forget keys this tick did not see (moved to another worker, or gone)."""
        for key in [k for k in self.held if k not in self._seen]:
            del self.held[key]
