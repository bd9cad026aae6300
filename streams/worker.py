"""What one worker process holds: built once by `create_app`, passed to everything that runs."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry

from floorwatch.core.config import MetricConfig
from floorwatch.streams.agent_step import Internal
from floorwatch.streams.audit import InputAudit, OwedPositions, Unsaved
from floorwatch.streams.changes import ChangedKeys
from floorwatch.streams.clock import FloorClock
from floorwatch.streams.collector_pacing import CollectorPacing
from floorwatch.streams.exposition import FloorPage
from floorwatch.streams.failpoint import Failpoint
from floorwatch.streams.gapcheck import GapCheck
from floorwatch.streams.health import HealthLimits, Progress
from floorwatch.streams.metrics import PipelineMetrics
from floorwatch.streams.outbox import Outbox
from floorwatch.streams.settings import WorkerSettings
from floorwatch.streams.state import DecodedCache, StoredAgent, StoredQueue, load_agent, load_queue
from floorwatch.streams.state_store import StateStore
from floorwatch.streams.team_rebuild import MemoryTable, TeamRebuild
from floorwatch.streams.watchdog import RecoveryWatchdog, StallWatchdog
from floorwatch.topics import Topics

if TYPE_CHECKING:
    import faust


@dataclass
class Worker:
    """Everything one worker process holds; nothing is built at import time."""

    app: faust.App
    settings: WorkerSettings
    config: MetricConfig
    topics: Topics
    internal: Internal
    registry: CollectorRegistry  # the process's own counters; the floor figures are in `page`
    pipeline: PipelineMetrics
    page: FloorPage
    clock: FloorClock
    gap_check: GapCheck
    progress: Progress
    failpoint: Failpoint
    health_limits: HealthLimits
    # table -> key -> partition it lives on: Faust's memory store keeps no such index for
    # keys written live, and only keys of partitions owned now may reach /metrics.
    key_partitions: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    audit: InputAudit = dataclasses.field(default_factory=InputAudit)
    owed_positions: OwedPositions = dataclasses.field(default_factory=OwedPositions)
    unsaved: Unsaved = dataclasses.field(default_factory=Unsaved)  # table values not in the state log yet
    changed_keys: ChangedKeys = dataclasses.field(default_factory=ChangedKeys)  # what the next tick views
    outbox: Outbox = dataclasses.field(default_factory=lambda: Outbox(0))  # create_app sizes it
    tables: dict[str, Any] = dataclasses.field(default_factory=dict)  # name -> table (`data`, `get`, `items`)
    # The agents and queues tables' storage: the packed state log (state_store.py); create_app names it.
    state: StateStore = dataclasses.field(default_factory=lambda: StateStore("", 0))
    # The team-members table: process memory only, rebuilt on every assignment (team_rebuild.py).
    members: MemoryTable = dataclasses.field(default_factory=lambda: MemoryTable("team-members"))
    team_rebuild: TeamRebuild = dataclasses.field(default_factory=lambda: TeamRebuild(0))  # create_app sizes it
    # One writer of state and positions at a time: positions must never pass state another
    # writer has sent but Kafka has not acknowledged yet.
    saving: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)
    collector_pacing: CollectorPacing | None = None  # set by create_app; None in tests
    agents_decoded: DecodedCache[StoredAgent] = dataclasses.field(default_factory=lambda: DecodedCache(load_agent))
    members_decoded: DecodedCache[StoredAgent] = dataclasses.field(default_factory=lambda: DecodedCache(load_agent))
    queues_decoded: DecodedCache[StoredQueue] = dataclasses.field(default_factory=lambda: DecodedCache(load_queue))
    watchdogs: tuple[RecoveryWatchdog | StallWatchdog, ...] = ()  # started by the command that runs the worker

    @property
    def input_topics(self) -> frozenset[str]:
        """Every topic a worker consumes: the inputs and the two repartitions."""
        t, i = self.topics, self.internal
        return frozenset((t.agent_events, t.contact_events, t.schedules, i.queue_events, i.team_members))

    def busy(self) -> bool:
        """A rebalance or table recovery is under way."""
        return bool(self.app.rebalancing or self.app.in_recovery)

    def owned_partitions(self) -> set[Any]:
        """(topic, partition) pairs this worker actively owns now, of every topic it reads."""
        return set(self.app.assignor.assigned_actives())

    def highwater(self, tp: Any) -> int | None:
        """The partition's end as the consumer last heard it (no request to Kafka)."""
        value = self.app.consumer.highwater(tp)
        return int(value) if value is not None else None


def kafka_client_options(settings: WorkerSettings) -> dict[str, Any]:
    """The options of every aiokafka client the worker builds itself: servers, TLS and SASL."""
    return {
        "bootstrap_servers": [server.strip() for server in settings.bootstrap_servers.split(",")],
        **settings.aiokafka_options(),
    }
