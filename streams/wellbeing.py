"""agent-wellbeing records, sent by the tick for the agents whose stored value changed since
their last record (a dirty set: the stored value each record was built from, by identity).

One record per agent per tick however many events the agent had in it (an agent's events
come in bursts: a contact answered and the state change with it). Crash safety: the set lives
in memory only, so a new process, or a new owner after a rebalance, starts with it empty and
its first tick sends every owned agent once. Each record is a whole snapshot as of the agent's
last event on a compacted topic, so the repeat is harmless, and a change stored just before a
crash is published after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from floorwatch.core import agent
from floorwatch.core.agent import AgentTrack
from floorwatch.core.config import MetricConfig
from floorwatch.streams import records
from floorwatch.streams.messages import Send
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.views import View

YIELD_EVERY = 500


@dataclass
class WellbeingPublisher:
    topic: str
    labeller: AgentLabeller
    config: MetricConfig
    published: dict[str, bytes] = field(default_factory=dict)  # agent -> stored value last published

    async def changed(
        self,
        views: Mapping[str, View],
        track_of: Callable[[str, bytes], AgentTrack],
        viewed_at_last_event: bool,
        complete: bool = True,
    ) -> list[Send]:
        """Records for agents whose stored value is not the one last published. `views` are this
        tick's: every owned agent's (`complete`), or those viewed anew; when they were viewed at
        another instant than each agent's last event (wall clock), the record's figures are
        viewed again as of the last event."""
        sends: list[Send] = []
        for n, (agent_id, view) in enumerate(views.items()):
            if self.published.get(agent_id) is view.raw:
                continue
            self.published[agent_id] = view.raw
            figures = view.figures
            if figures.team_id is None or not self.labeller.per_agent_allowed:
                continue
            if not viewed_at_last_event:
                track = track_of(agent_id, view.raw)
                figures, _ = agent.view(track, track.last_event_seconds or 0.0, self.config)
            sends.append(records.wellbeing(self.topic, self.labeller, figures))
            if n % YIELD_EVERY == YIELD_EVERY - 1:
                await asyncio.sleep(0)
        if complete:
            self.forget([k for k in self.published if k not in views])
        return sends

    def forget(self, agent_ids: Iterable[str]) -> None:
        """Agents that moved away or were deleted: if they come back they are published afresh."""
        for agent_id in agent_ids:
            self.published.pop(agent_id, None)
