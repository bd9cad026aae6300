"""The worker's real tick (`streams/ticker.py`) in-process, over the tables `StepTimer` fills.

A stand-in for Faust (ownership of every partition, no rebalance, no consumer) and a sender
that only collects records: everything else is the worker's own code, so the CPU measured
here is what a live worker's tick costs, without the broker.
"""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

from aiokafka import TopicPartition
from prometheus_client import CollectorRegistry

from bench.pipeline import StepTimer, kafka_partition
from floorwatch.streams.agent_step import Internal
from floorwatch.streams.clock import FloorClock
from floorwatch.streams.exposition import FloorPage
from floorwatch.streams.group_step import team_of
from floorwatch.streams.health import HealthLimits, Progress
from floorwatch.streams.metrics import FloorCollector, PipelineMetrics
from floorwatch.streams.settings import ClockMode
from floorwatch.streams.ticker import Ticker

try:
    from floorwatch.streams.tick_pacing import TickPacer
except ImportError:  # a commit before the pacer, measured side by side
    TickPacer = None  # type: ignore[assignment,misc]
try:
    from floorwatch.streams.tick_pacing import TeamCadence
except ImportError:  # a commit before the team cadence
    TeamCadence = object  # type: ignore[assignment,misc]
from floorwatch.streams.worker import Worker
from floorwatch.topics import Topics


class _Sender:
    def __init__(self) -> None:
        self.records = 0

    def offer(self, sends: list) -> None:
        self.records += len(sends)


class RealTick:
    """The worker's Ticker over a StepTimer's tables; `sync()` hands it what batches wrote since."""

    def __init__(self, timer: StepTimer, partitions: int, clock: ClockMode = ClockMode.EVENT, tick_seconds=0.25):
        self.timer, self.partitions = timer, partitions
        topics, internal = Topics(), Internal("queue-events", "team-members")
        names = (topics.agent_events, "team-members", "queue-events")
        owned = {TopicPartition(t, p) for t in names for p in range(partitions)}
        app: Any = SimpleNamespace(
            rebalancing=False,
            in_recovery=False,
            assignor=SimpleNamespace(assigned_actives=lambda: owned),
            consumer=SimpleNamespace(highwater=lambda tp: None),
        )
        settings: Any = SimpleNamespace(
            clock=clock, drift_refresh_seconds=30.0, tick_seconds=tick_seconds, publish_seconds=5.0
        )
        self.worker = Worker(
            app=app,
            settings=settings,
            config=timer.config,
            topics=topics,
            internal=internal,
            registry=CollectorRegistry(),
            pipeline=PipelineMetrics.register(CollectorRegistry()),
            page=FloorPage(FloorCollector(timer.labeller)),
            clock=FloorClock(clock),
            gap_check=None,  # type: ignore[arg-type]  # never asked: no gaps without a consumer
            progress=Progress(started_at=time.monotonic()),
            failpoint=None,  # type: ignore[arg-type]
            health_limits=HealthLimits(tick_seconds=tick_seconds),
        )
        self.worker.progress.recovered = True
        # The worker's batch path hands the tick the values it decoded (app.py puts them in this
        # cache); without sharing it the tick here decoded every changed agent again.
        self.worker.agents_decoded = timer.agents_decoded
        self.page_seconds = 0.0
        self.worker.page.show = self._timed_show(self.worker.page.show)  # type: ignore[method-assign]
        self.tables: dict[str, dict[bytes, bytes]] = {"agents": {}, "team-members": {}, "queues": {}}
        for name in self.tables:
            self.worker.key_partitions[name] = {}
        self.sender = _Sender()
        self.ticker = Ticker(
            self.worker,
            timer.labeller,
            _Table(self.tables["agents"]),
            _Table(self.tables["team-members"]),
            _Table(self.tables["queues"]),
            self.sender,  # type: ignore[arg-type]
        )
        if hasattr(self.ticker, "pacer"):  # (so that older commits can be measured side by side)
            self.ticker.pacer = TickPacer(factor=0.0)  # ticks here follow each other at once, each measured
        if hasattr(self.ticker, "team_cadence"):  # in the worker every 1 s: here every 1 s of ticks
            self.ticker.team_cadence = _TickCountCadence(max(1, round(1.0 / tick_seconds)))
        self._seen: dict[str, dict[str, bytes]] = {name: {} for name in self.tables}
        self.sync()

    def sync(self) -> None:
        """Copy the values StepTimer's batches set since the last call, as the worker's batch path sets them."""
        sources = {"agents": self.timer.agents, "team-members": self.timer.members, "queues": self.timer.queues}
        for name, source in sources.items():
            seen, table, owners = self._seen[name], self.tables[name], self.worker.key_partitions[name]
            for key, value in source.items():
                if seen.get(key) is not value:
                    seen[key] = value
                    table[key.encode()] = value
                    keyed = team_of(key) if name == "team-members" else key
                    owners[key] = kafka_partition(keyed.encode(), self.partitions)
                    if hasattr(self.worker, "changed_keys"):  # commits before the dirty set walk anyway
                        self.worker.changed_keys.mark(name, key)

    def tick(self) -> float:
        """One tick; its CPU seconds (`page_seconds`: of which showing it on the page)."""
        self.page_seconds = 0.0
        began = time.process_time()
        asyncio.run(self.ticker.tick())
        return time.process_time() - began

    def _timed_show(self, show):
        async def timed(*args, **kwargs):
            began = time.process_time()
            await show(*args, **kwargs)
            self.page_seconds += time.process_time() - began

        return timed


class _TickCountCadence(TeamCadence):
    """The worker rolls teams up once a second by the wall clock; ticks here come back to back, so
    the second is counted in ticks of the period measured."""

    def __init__(self, every_ticks: int):
        super().__init__()
        self.every_ticks, self.ticks = every_ticks, 0

    def due(self, monotonic: float) -> bool:
        self.ticks += 1
        return self.ticks % self.every_ticks == 1 or self.every_ticks == 1

    def ran(self, monotonic: float) -> None:
        pass


class _Table:
    def __init__(self, data: dict[bytes, bytes]):
        self.data = data

    def items(self):
        return self.data.items()

    def get(self, key: bytes):
        return self.data.get(key)
