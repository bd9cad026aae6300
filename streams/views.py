"""Each agent's last viewed figures, kept between ticks so a tick views only what changed.

An agent's figures depend on its stored value and on "now". A new stored value (a new bytes
object in the table) is viewed at the next tick. With the event clock, "now" for an agent is
its own newest event, so nothing else changes its figures. With the wall clock they also
drift as time passes (windows slide, stress decays, a break falls due): those agents are
viewed again on a slower cadence, `refresh_seconds`, a bounded number per tick so the
refreshes spread over the ticks instead of all arriving in one.

A tick either walks every key (`begin`, `view` each, `end`: after a start or an assignment) or
views only the keys written since the last tick (`view` each, then `drop` the gone ones) and
the oldest views due for a drift refresh (`refresh`); `fresh` lists what either viewed anew.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

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
    fresh: dict[str, View] = field(default_factory=dict)  # viewed anew by this tick
    _seen: set[str] = field(default_factory=set)
    _budget: int = 0
    _now: float = 0.0
    # (viewed_monotonic, key) in viewing order, so the oldest views are found without a walk;
    # entries of keys viewed again since are skipped when they reach the front (wall clock only)
    _by_age: deque[tuple[float, str]] = field(default_factory=deque)

    def begin(self, items: int, monotonic: float) -> None:
        """Start a tick that walks about `items` keys: how many drift-only refreshes it may do."""
        self.start(monotonic)
        self._seen = set()
        # Twice the steady rate, so a backlog after a busy spell clears within a few ticks.
        self._budget = max(1, math.ceil(2 * items * self.tick_seconds / self.refresh_seconds))

    def start(self, monotonic: float) -> None:
        """Start a tick that views only keys written since the last one (and `refresh`)."""
        self._now, self.fresh, self._budget = monotonic, {}, 0

    def view(
        self,
        key: str,
        raw: bytes,
        decode: Callable[[], AgentTrack],
        now_for: Callable[[AgentTrack], float],
        known: Callable[[], AgentFigures | None] | None = None,
    ) -> View:
        """The key's figures: kept, or viewed again at `now_for(track)` (decoding only then). `known`
        may offer figures already viewed from the same stored value (a team member whose agent this
        worker holds): taken as they are, without decoding or viewing the value again."""
        self._seen.add(key)
        held = self.held.get(key)
        if held is not None and held.raw is raw:
            if not self.drifts or self._now - held.viewed_monotonic < self.refresh_seconds or self._budget <= 0:
                return held
            self._budget -= 1
        elif known is not None and (figures := known()) is not None:
            return self._keep(key, View(raw, self._now, figures, ()))
        return self._view_anew(key, raw, decode, now_for)

    def _view_anew(
        self, key: str, raw: bytes, decode: Callable[[], AgentTrack], now_for: Callable[[AgentTrack], float]
    ) -> View:
        track = decode()
        figures, due = agent.view(track, now_for(track), self.config)
        return self._keep(key, View(raw, self._now, figures, tuple(due)))

    def _keep(self, key: str, fresh: View) -> View:
        self.held[key] = self.fresh[key] = fresh
        if self.drifts:
            self._by_age.append((self._now, key))
        return fresh

    def end(self) -> list[str]:
        """Forget keys this walk did not see (moved to another worker, or gone); returns them."""
        gone = [k for k in self.held if k not in self._seen]
        for key in gone:
            del self.held[key]
        self._by_age = deque(item for item in self._by_age if item[1] in self.held)
        return gone

    def drop(self, key: str) -> bool:
        """Forget one key (its value was deleted, or it is not one to show); True if it was held."""
        self.fresh.pop(key, None)
        return self.held.pop(key, None) is not None

    def refresh(
        self, items: int, decode: Callable[[str, bytes], AgentTrack], now_for: Callable[[AgentTrack], float]
    ) -> None:
        """With the wall clock: view again the oldest views older than `refresh_seconds`, as many as
        the walk of `items` keys would have (twice the steady rate)."""
        if not self.drifts:
            return
        budget = max(1, math.ceil(2 * items * self.tick_seconds / self.refresh_seconds))
        queue = self._by_age
        while queue and budget > 0:
            viewed, key = queue[0]
            held = self.held.get(key)
            if held is None or held.viewed_monotonic != viewed or key in self.fresh:
                queue.popleft()  # viewed again since, or gone
                continue
            if self._now - viewed < self.refresh_seconds:
                return
            queue.popleft()
            budget -= 1
            self._view_anew(key, held.raw, partial(decode, key, held.raw), now_for)
