"""The worker's per-batch work without Kafka or Faust: the same step functions on the same batches.

`StepTimer` runs what `streams/app.py` runs for each input batch (agent step, table
writes as JSON, the queue and team repartitions) and what `streams/ticker.py` runs each
tick (agents and members with new input viewed, their teams rolled up, the changed part of
/metrics rendered), keeping time per stage.
It shows where a worker's CPU goes, and lets a profiler see inside without a broker.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from kafka.partitioner.default import murmur2

from bench.traffic import Routed
from floorwatch.core import queue
from floorwatch.core.config import MetricConfig, load_config
from floorwatch.streams.agent_step import AgentStep, Internal
from floorwatch.streams.exposition import FloorPage
from floorwatch.streams.group_step import TeamView, parse_member, same_members, team_of, team_view
from floorwatch.streams.messages import RawMessage
from floorwatch.streams.metrics import FloorCollector, FloorSnapshot
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.queue_step import QueueStep
from floorwatch.streams.settings import PrivacyMode
from floorwatch.streams.state import DecodedCache, dump_queue, load_agent, load_queue
from floorwatch.streams.views import ViewCache
from floorwatch.topics import Topics


def kafka_partition(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner picks for a keyed record."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def as_messages(routed: Sequence[Routed], partitions: int) -> list[RawMessage]:
    topics = Topics()
    offsets: dict[tuple[str, int], int] = defaultdict(int)
    messages = []
    for item in routed:
        topic, partition = getattr(topics, item.topic_field), kafka_partition(item.key, partitions)
        messages.append(RawMessage(topic, partition, offsets[topic, partition], item.key, item.value))
        offsets[topic, partition] += 1
    return messages


@dataclass
class StepTimer:
    """Tables are plain dicts of the bytes the worker's tables hold."""

    config: MetricConfig = field(default_factory=load_config)
    agents: dict[str, bytes] = field(default_factory=dict)
    queues: dict[str, bytes] = field(default_factory=dict)
    members: dict[str, bytes] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    records: Counter = field(default_factory=Counter)  # Kafka records the worker would send, by kind

    def __post_init__(self) -> None:
        self.labeller = AgentLabeller(PrivacyMode.NAMED, b"bench-only-key")
        self.internal = Internal("queue-events", "team-members")
        self.step = AgentStep(self.config, Topics(), self.internal, self.labeller)
        self.queue_step = QueueStep(self.config.queue)
        self.agents_decoded = DecodedCache(load_agent)
        self.members_decoded = DecodedCache(load_agent)
        self.page = FloorPage(FloorCollector(self.labeller))
        self.agent_views = ViewCache(self.config, refresh_seconds=30.0, tick_seconds=0.5, drifts=False)
        self.member_views = ViewCache(self.config, refresh_seconds=30.0, tick_seconds=0.5, drifts=False)
        self.teams: dict[str, TeamView] = {}

    def _timed(self, stage: str, began: float) -> float:
        now = time.process_time()
        self.seconds[stage] += now - began
        return now

    def batch(self, messages: Sequence[RawMessage]) -> None:
        t = time.process_time()
        result = self.step.run(messages, self._load_agent)
        t = self._timed("agent step (decode, apply, JSON-encode state, outputs)", t)
        for agent_id, (stored, _) in result.stored.items():
            self.agents[agent_id] = result.encoded[agent_id]
            self.agents_decoded.put(agent_id, result.encoded[agent_id], stored)
        t = self._timed("agent table write", t)
        self.records["input events"] += len(messages)
        self.records["agents table changelog"] += len(result.stored)
        for send in result.sends:
            self.records[f"sent to {send.topic}"] += 1
        queue_messages, member_messages = [], []
        for n, send in enumerate(result.sends):
            if send.topic == self.internal.queue_events:
                queue_messages.append(RawMessage(send.topic, 0, n, send.key, send.value))
            elif send.topic == self.internal.team_members:
                member_messages.append(send)
        queued = self.queue_step.run(queue_messages, self._load_queue)
        for queue_id, (stored_queue, _) in queued.stored.items():
            self.queues[queue_id] = dump_queue(stored_queue)
        self.records["queues table changelog"] += len(queued.stored)
        self.records["team-members table changelog"] += len(member_messages)
        t = self._timed("queue step + table write", t)
        for send in member_messages:
            assert send.key is not None and send.value is not None  # a team-members message carries both
            update = parse_member(send.key.decode(), send.value)
            if update.body is None:
                self.members.pop(update.key, None)
            else:
                self.members[update.key] = update.body
        self._timed("team-member table write", t)

    def tick(self) -> None:
        """One clock tick as the worker runs it (event clock): view agents and members whose stored
        value changed, re-roll teams with a re-viewed member, render the changed part of /metrics."""
        t = time.process_time()
        self.agent_views.begin(len(self.agents), time.monotonic())
        figures = [self._view(self.agent_views, self.agents_decoded, key, raw) for key, raw in self.agents.items()]
        self.agent_views.end()
        t = self._timed("tick: view agents with new input", t)
        self.member_views.begin(len(self.members), time.monotonic())
        by_team: dict[str, list] = {}
        for key, raw in self.members.items():
            by_team.setdefault(team_of(key), []).append(self._view(self.member_views, self.members_decoded, key, raw))
        self.member_views.end()
        teams = []
        for team_id in sorted(by_team):
            held, members = self.teams.get(team_id), by_team[team_id]
            if held is None or not same_members(held, members):
                held = self.teams[team_id] = team_view(team_id, members, self.config)
            teams.append(held)
        t = self._timed("tick: team roll-ups (teams with a changed member)", t)
        queues = []
        for raw in self.queues.values():
            queue_track = load_queue(raw).track
            queues.append(queue.view(queue_track, queue_track.clock_seconds or 0.0, self.config.queue))
        t = self._timed("tick: queues", t)
        snapshot = FloorSnapshot(time.time(), tuple(figures), tuple(teams), tuple(queues), {})
        asyncio.run(self.page.show(snapshot))
        self.scrape_bytes = len(self.page.body)
        self._timed("scrape: render the changed part of /metrics", t)

    def _view(self, views: ViewCache, decoded: DecodedCache, key: str, raw: bytes):
        def track():
            return decoded.get(key, raw).track

        return views.view(key, raw, track, lambda tr: tr.last_event_seconds or 0.0).figures

    def _load_agent(self, agent_id: str):
        raw = self.agents.get(agent_id)
        return self.agents_decoded.get(agent_id, raw) if raw is not None else None

    def _load_queue(self, queue_id: str):
        raw = self.queues.get(queue_id)
        return load_queue(raw) if raw is not None else None


def run_batches(
    messages: Sequence[RawMessage], batch_size: int, tick_every_batches: int = 0, timer: StepTimer | None = None
) -> StepTimer:
    timer = timer or StepTimer()
    for n, start in enumerate(range(0, len(messages), batch_size), 1):
        timer.batch(messages[start : start + batch_size])
        if tick_every_batches and n % tick_every_batches == 0:
            timer.tick()
    return timer


def profile_by_function(run, limit: int = 25) -> list[dict]:
    """Own time per function under cProfile (which inflates call-heavy code; read shares, not absolutes)."""
    profiler = cProfile.Profile()
    profiler.runcall(run)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]  # undocumented, not in typeshed
    total = sum(own for (_, _, own, _, _) in stats.values())
    rows = sorted(
        (
            (own, cumulative, calls, f"{'/'.join(path.split('/')[-2:])}:{line} {name}")
            for (path, line, name), (calls, _, own, cumulative, _) in stats.items()
        ),
        reverse=True,
    )
    return [
        {
            "function": where,
            "own_share": own / total,
            "own_seconds": own,
            "cumulative_seconds": cumulative,
            "calls": calls,
        }
        for own, cumulative, calls, where in rows[:limit]
    ]
