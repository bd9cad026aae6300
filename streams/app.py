"""The Faust worker: thin wiring of Kafka, tables and the clock around the stream steps.

Agents decode nothing and compute nothing themselves: each batch goes to a step
(`agent_step`, `queue_step`), outputs are sent and acknowledged by Kafka *before* the
table is written, and Faust acknowledges the batch after that. A crash anywhere in
between replays the batch: outputs may repeat (they carry stable ids or are compacted),
state is never ahead of what was published, and the stored offsets make re-applying a
no-op (at-least-once delivery, idempotent state; see STACK.md on exactly-once).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from dataclasses import dataclass

import faust
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from floorwatch.core.config import MetricConfig, load_config
from floorwatch.streams.agent_step import AgentStep, Internal
from floorwatch.streams.clock import FloorClock
from floorwatch.streams.group_step import parse_member
from floorwatch.streams.messages import RawMessage
from floorwatch.streams.metrics import FloorCollector, PipelineMetrics
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.queue_step import QueueStep
from floorwatch.streams.sending import count_into, send_all
from floorwatch.streams.settings import WorkerSettings
from floorwatch.streams.state import DecodedCache, dump_queue, load_agent, load_queue
from floorwatch.streams.ticker import Ticker
from floorwatch.streams.watchdog import RecoveryWatchdog
from floorwatch.topics import Topics

log = logging.getLogger("floorwatch.streams")


@dataclass
class Worker:
    """Everything one worker process holds; built by `create_app`, nothing at import time."""

    app: faust.App
    settings: WorkerSettings
    config: MetricConfig
    topics: Topics
    internal: Internal
    registry: CollectorRegistry
    pipeline: PipelineMetrics
    collector: FloorCollector
    clock: FloorClock
    # table -> key -> partition it lives on: Faust's memory store keeps no such index for
    # keys written live, and only keys of partitions owned now may reach /metrics.
    key_partitions: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    positions: dict[tuple[str, int], int] = dataclasses.field(default_factory=dict)  # newest offset processed
    agents_decoded: DecodedCache = dataclasses.field(default_factory=lambda: DecodedCache(load_agent))
    members_decoded: DecodedCache = dataclasses.field(
        default_factory=lambda: DecodedCache(lambda raw: load_agent(raw).track)
    )
    watchdog: RecoveryWatchdog | None = None  # started by the command that runs the worker


def create_app(settings: WorkerSettings) -> Worker:
    config = dataclasses.replace(
        load_config(settings.policy_file), allowed_lateness_seconds=settings.allowed_lateness_seconds
    )
    topics = Topics.with_prefix(settings.topic_prefix)
    internal = Internal(queue_events=f"{settings.app_id}-queue-events", team_members=f"{settings.app_id}-team-members")
    labeller = AgentLabeller(
        settings.privacy, settings.pseudonym_key.get_secret_value().encode(), settings.min_group_size
    )
    app = faust.App(
        settings.app_id,
        broker=[f"kafka://{server.strip()}" for server in settings.bootstrap_servers.split(",")],
        store="memory://",
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        table_standby_replicas=0,  # standbys would sit in the same in-memory dict as actives
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
        datadir=str(settings.data_dir),
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        broker_commit_every=1000,
        broker_commit_interval=1.0,
    )
    registry = CollectorRegistry()
    collector = FloorCollector(labeller)
    registry.register(collector)
    worker = Worker(
        app,
        settings,
        config,
        topics,
        internal,
        registry,
        PipelineMetrics.register(registry),
        collector,
        FloorClock(settings.clock),
    )
    _wire(worker, labeller)
    worker.watchdog = RecoveryWatchdog(
        lambda: bool(app.rebalancing or app.in_recovery), settings.recovery_timeout_seconds
    )
    return worker


def _raw(app: faust.App, *topics: str, **options):
    """A channel of raw bytes: the steps decode (and dead-letter) what they read themselves."""
    return app.topic(*topics, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw", **options)


def _wire(worker: Worker, labeller: AgentLabeller) -> None:
    app, settings, topics, internal = worker.app, worker.settings, worker.topics, worker.internal
    inputs = _raw(app, topics.agent_events, topics.contact_events, topics.schedules)
    queue_topic = _raw(app, internal.queue_events, partitions=settings.partitions, internal=True)
    team_topic = _raw(app, internal.team_members, partitions=settings.partitions, internal=True)
    agents = _bytes_table(worker, "agents")
    members = _bytes_table(worker, "team-members")
    queues = _bytes_table(worker, "queues")
    step = AgentStep(worker.config, topics, internal, labeller)
    queue_step = QueueStep(worker.config.queue)
    pipeline = worker.pipeline

    def load_stored(agent_id: str):
        raw = agents.get(agent_id.encode())
        return worker.agents_decoded.get(agent_id, raw) if raw is not None else None

    @app.agent(inputs, name="agent-events", concurrency=1)
    async def agent_events(stream):
        async for batch in stream.take_events(settings.batch_max_events, within=settings.batch_within_seconds):
            started = time.perf_counter()
            messages = [_raw_message(e) for e in batch]
            result = step.run(messages, load_stored)
            await send_all(app, result.sends, pipeline)
            await _persist(
                worker,
                agents,
                [
                    (agent_id, result.encoded[agent_id], message.partition)
                    for agent_id, (stored, message) in result.stored.items()
                ],
            )
            for agent_id, (stored, _) in result.stored.items():
                worker.agents_decoded.put(agent_id, result.encoded[agent_id], stored)
            for message in messages:
                worker.positions[message.topic, message.partition] = message.offset
            worker.clock.saw_event(result.newest_event_seconds)
            count_into(pipeline, result.counts)
            now = time.time()
            for event in batch:
                pipeline.event_delay_seconds.observe(max(now - event.message.timestamp, 0.0))
            pipeline.batch_seconds.observe(time.perf_counter() - started)

    @app.agent(team_topic, name="team-members", concurrency=1)
    async def team_members(stream):
        async for batch in stream.take_events(settings.batch_max_events, within=settings.batch_within_seconds):
            latest = {}
            for event in batch:
                key, body = parse_member(event.message.key.decode(), event.message.value)
                latest[key] = (body, event)
            await _persist(
                worker, members, [(key, body, event.message.partition) for key, (body, event) in latest.items()]
            )

    @app.agent(queue_topic, name="queue-events", concurrency=1)
    async def queue_events(stream):
        def load(queue_id: str):
            raw = queues.get(queue_id.encode())
            return load_queue(raw) if raw is not None else None

        async for batch in stream.take_events(settings.batch_max_events, within=settings.batch_within_seconds):
            messages = [_raw_message(e) for e in batch]
            result = queue_step.run(messages, load)
            await _persist(
                worker,
                queues,
                [
                    (queue_id, dump_queue(stored), message.partition)
                    for queue_id, (stored, message) in result.stored.items()
                ],
            )
            count_into(pipeline, result.counts)

    ticker = Ticker(worker, labeller, agents, members, queues, topics, inputs)

    @app.timer(settings.tick_seconds)
    async def tick():
        await ticker.tick()

    @app.page("/metrics")
    async def metrics(web, request):
        return web.bytes(generate_latest(worker.registry), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/health")
    async def health(web, request):
        ready = ticker.ready
        return web.json(
            {"status": "ok" if ready else "starting", "partitions": ticker.partition_summary()},
            status=200 if ready else 503,
        )


def _bytes_table(worker: Worker, name: str):
    owners = worker.key_partitions.setdefault(name, {})

    async def recovered(event) -> None:  # a changelog record replayed into this worker's table
        owners[event.message.key.decode()] = event.message.partition

    # Keys and values are bytes we encode ourselves; the schema makes the changelog (and so
    # recovery) use the same raw codec, which Faust would otherwise take to be JSON.
    raw = faust.Schema(key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    table = worker.app.Table(
        name,
        key_type=bytes,
        value_type=bytes,
        partitions=worker.settings.partitions,
        on_changelog_event=recovered,
        schema=raw,
    )
    table.key_serializer = "raw"
    table.value_serializer = "raw"
    return table


def _raw_message(event) -> RawMessage:
    m = event.message
    return RawMessage(m.topic, m.partition, m.offset, m.key, m.value)


async def _persist(worker: Worker, table, writes: list[tuple[str, bytes | None, int]]) -> None:
    """Store each key and write it to the table's changelog, on the partition of the message it
    came from, and wait for Kafka's acknowledgement before the batch is acknowledged.

    Faust's own `table[key] = value` sends changelog records in the background, and its commit
    may go ahead before they are sent (its producer flush gives up after 0.1 s): a SIGKILL then
    loses state whose input is already committed. Awaiting the acks here closes that window."""
    if not writes:
        return
    store, owners = table.data, worker.key_partitions[table.name]
    changelog = table.changelog_topic.get_topic_name()
    pending = []
    for key, value, partition in writes:
        raw_key = key.encode()
        if value is None:
            store.pop(raw_key, None)
            owners.pop(key, None)
        else:
            store[raw_key] = value
            owners[key] = partition
        pending.append(await worker.app.producer.send(changelog, raw_key, value, partition, None, None))
    await asyncio.gather(*pending)
