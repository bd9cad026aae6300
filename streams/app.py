"""The Faust worker: the one module that talks to Faust. Thin wiring of Kafka, tables and the
clock around the stream steps (docs/architecture.md draws it).

Agents compute nothing themselves: each batch is judged by the worker's own input audit
(`audit.py`), handed to a step (`agent_step`, `queue_step`, `group_step`), its outputs sent and
acknowledged by Kafka, then its table values and finally its input positions written to the
changelogs (acknowledged too). Any error on that path stops the process (exit 75) before
anything is acknowledged; the supervisor starts it again and it resumes from its stored
positions, never from Faust's commits (docs/reliability.md).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import faust
from faust.types import TP
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from floorwatch.core.config import MetricConfig, load_config
from floorwatch.streams import logs
from floorwatch.streams.agent_step import AgentStep, Internal
from floorwatch.streams.audit import InputAudit, dump_position, load_position, parse_position_key, position_key
from floorwatch.streams.clock import FloorClock
from floorwatch.streams.failpoint import Failpoint
from floorwatch.streams.gapcheck import GapCheck
from floorwatch.streams.group_step import newest_members, parse_member
from floorwatch.streams.health import HealthLimits, Progress, problems
from floorwatch.streams.messages import RawMessage
from floorwatch.streams.metrics import FloorCollector, PipelineMetrics
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.queue_step import QueueStep
from floorwatch.streams.sending import TickSender, count_into, send_all
from floorwatch.streams.settings import WorkerSettings
from floorwatch.streams.state import DecodedCache, StoredAgent, dump_queue, load_agent, load_queue
from floorwatch.streams.ticker import Ticker
from floorwatch.streams.watchdog import RESTART_EXIT_CODE, RecoveryWatchdog, StallWatchdog
from floorwatch.topics import Topics

log = logging.getLogger("floorwatch.streams")
Handler = Callable[[list[RawMessage]], Awaitable[None]]


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
    gap_check: GapCheck
    progress: Progress
    failpoint: Failpoint
    health_limits: HealthLimits
    # table -> key -> partition it lives on: Faust's memory store keeps no such index for
    # keys written live, and only keys of partitions owned now may reach /metrics.
    key_partitions: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    audit: InputAudit = dataclasses.field(default_factory=InputAudit)
    agents_decoded: DecodedCache[StoredAgent] = dataclasses.field(default_factory=lambda: DecodedCache(load_agent))
    members_decoded: DecodedCache[StoredAgent] = dataclasses.field(default_factory=lambda: DecodedCache(load_agent))
    watchdogs: tuple[RecoveryWatchdog | StallWatchdog, ...] = ()  # started by the command that runs the worker

    @property
    def input_topics(self) -> frozenset[str]:
        """Every topic a worker consumes: the inputs and the two repartitions."""
        t, i = self.topics, self.internal
        return frozenset((t.agent_events, t.contact_events, t.schedules, i.queue_events, i.team_members))

    def busy(self) -> bool:
        return bool(self.app.rebalancing or self.app.in_recovery)


def kafka_client_options(settings: WorkerSettings) -> dict[str, Any]:
    return {"bootstrap_servers": [server.strip() for server in settings.bootstrap_servers.split(",")]}


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
        web_bind=settings.web_host,  # web_host alone only sets the advertised URL; Faust binds all interfaces
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
        app=app,
        settings=settings,
        config=config,
        topics=topics,
        internal=internal,
        registry=registry,
        pipeline=PipelineMetrics.register(registry),
        collector=collector,
        clock=FloorClock(settings.clock),
        gap_check=GapCheck(kafka_client_options(settings)),
        failpoint=Failpoint.from_environment(settings.data_dir),
        progress=Progress(started_at=time.monotonic()),
        health_limits=HealthLimits(tick_seconds=settings.tick_seconds),
    )
    _wire(worker, labeller)
    worker.watchdogs = (
        RecoveryWatchdog(worker.busy, settings.recovery_timeout_seconds),
        StallWatchdog(worker.progress, worker.busy, settings.stall_timeout_seconds, settings.tick_seconds),
    )
    return worker


def _raw(app: faust.App, *topics: str, **options: Any) -> Any:
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
    positions = _bytes_table(worker, "input-positions")
    step = AgentStep(worker.config, topics, internal, labeller)
    queue_step = QueueStep(worker.config.queue)
    pipeline = worker.pipeline
    batches = dict(within=settings.batch_within_seconds)

    def load_stored(agent_id: str) -> StoredAgent | None:
        raw = agents.get(agent_id.encode())
        return worker.agents_decoded.get(agent_id, raw) if raw is not None else None

    async def apply_agent_events(messages: list[RawMessage]) -> None:
        started = time.perf_counter()
        result = step.run(messages, load_stored)
        await send_all(app, result.sends, pipeline)
        writes = [(agent_id, result.encoded[agent_id], m.partition) for agent_id, (_, m) in result.stored.items()]
        await _persist(worker, agents, writes)
        for agent_id, (stored, _) in result.stored.items():
            worker.agents_decoded.put(agent_id, result.encoded[agent_id], stored)
        worker.clock.saw_event(result.newest_event_seconds)
        count_into(pipeline, result.counts)
        now = time.time()
        for message in messages:
            if message.timestamp is not None:
                pipeline.event_delay_seconds.observe(max(now - message.timestamp, 0.0))
        pipeline.batch_seconds.observe(time.perf_counter() - started)

    async def apply_team_members(messages: list[RawMessage]) -> None:
        def held_revision(key: str) -> int | None:
            raw = members.get(key.encode())
            return worker.members_decoded.get(key, raw).revision if raw is not None else None

        partition_of: dict[str, int] = {}
        updates = []
        for message in messages:
            update = parse_member(message.key.decode() if message.key else "", message.value or b"")
            updates.append(update)
            partition_of[update.key] = message.partition
        newer = newest_members(updates, held_revision)
        await _persist(worker, members, [(u.key, u.body, partition_of[u.key]) for u in newer])

    async def apply_queue_events(messages: list[RawMessage]) -> None:
        def load(queue_id: str) -> Any:
            raw = queues.get(queue_id.encode())
            return load_queue(raw) if raw is not None else None

        result = queue_step.run(messages, load)
        writes = [(queue_id, dump_queue(stored), m.partition) for queue_id, (stored, m) in result.stored.items()]
        await _persist(worker, queues, writes)
        count_into(pipeline, result.counts)

    def consume(channel: Any, name: str, apply: Handler) -> None:
        async def agent(stream: Any) -> None:
            async for batch in stream.take_events(settings.batch_max_events, **batches):
                await _guarded(worker, f"{name} batch", _run_batch(worker, positions, batch, apply))

        app.agent(channel, name=name, concurrency=1)(agent)

    consume(inputs, "agent-events", apply_agent_events)
    consume(team_topic, "team-members", apply_team_members)
    consume(queue_topic, "queue-events", apply_queue_events)

    @positions.on_recover
    async def positions_recovered() -> None:
        await _guarded(worker, "resuming from stored positions", _resume_from_positions(worker, positions))

    sender = TickSender(app, pipeline, snapshot_topics={topics.team_load, topics.queue_load, topics.agent_wellbeing})
    ticker = Ticker(worker, labeller, agents, members, queues, sender)

    @app.timer(settings.tick_seconds)
    async def tick() -> None:
        await _guarded(worker, "tick", ticker.tick())

    @app.task
    async def send_tick_outputs() -> None:
        logs.limit_repeats()  # Faust configured logging by now
        await sender.run()

    @app.timer(5.0)
    async def probe_broker() -> None:
        await _probe_broker(worker)

    @app.page("/metrics")
    async def metrics(web: Any, request: Any) -> Any:
        # charset in the header: a bare text/plain makes clients read non-ASCII labels as Latin-1
        return web.bytes(generate_latest(worker.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    @app.page("/health")
    async def health(web: Any, request: Any) -> Any:
        found = problems(worker.progress, worker.health_limits, time.monotonic(), worker.busy())
        body = {
            "status": "ok" if not found else "unhealthy",
            "problems": found,
            "partitions": ticker.partition_summary(),
            "behind_messages": dict(worker.progress.behind_messages),
        }
        return web.json(body, status=200 if not found else 503)


async def _guarded(worker: Worker, what: str, work: Awaitable[None]) -> None:
    """Run `work`; on any error stop the process before anything more is acknowledged.

    Faust would restart a failed agent in place and commit the batch it was holding (upstream
    robinhood/faust #604), losing it; a fresh process resumes from the stored positions."""
    try:
        await work
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("%s failed; exiting with code %d so the supervisor restarts this worker", what, RESTART_EXIT_CODE)
        fail_fast()


def fail_fast() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
    os._exit(RESTART_EXIT_CODE)


async def _run_batch(worker: Worker, positions: Any, batch: Iterable[Any], apply: Handler) -> None:
    assigned = worker.app.consumer.assignment()
    messages = [_raw_message(event) for event in batch if event.message.tp in assigned]
    plan = worker.audit.plan(messages)
    for gap in list(plan.gaps):
        if await worker.gap_check.holds_records(gap):
            log.error("the consumer skipped %s: going back for them", gap)
            worker.pipeline.offset_gaps.labels(gap.topic, "skipped").inc()
            plan.cut_at(gap)
            worker.audit.rewind(gap, time.monotonic())
            await worker.app.consumer.seek(TP(gap.topic, gap.partition), gap.first)
        else:
            worker.pipeline.offset_gaps.labels(gap.topic, "absent").inc()
    if plan.to_apply:
        await apply(plan.to_apply)
    worker.failpoint.maybe_fail()
    await _persist(
        worker,
        positions,
        [(position_key(t, p).decode(), dump_position(n), p) for (t, p), n in plan.next_offsets.items()],
    )
    worker.audit.stored(plan)
    _account(worker, plan.next_offsets, len(plan.redelivered), len(plan.rewinding))


def _account(worker: Worker, next_offsets: dict[tuple[str, int], int], redelivered: int, rewinding: int) -> None:
    pipeline = worker.pipeline
    for (topic, partition), nxt in next_offsets.items():
        pipeline.applied_offset.labels(topic, str(partition)).set(nxt - 1)
    if redelivered:
        pipeline.verdicts.labels("redelivered").inc(redelivered)
    if rewinding:
        pipeline.offset_gaps.labels("", "refetched").inc(rewinding)
    if next_offsets:
        worker.progress.last_applied_at = time.monotonic()


async def _resume_from_positions(worker: Worker, positions: Any) -> None:
    """After every assignment: start each input partition at its stored next offset.

    Runs between table recovery and Faust's seek to the committed offsets, so committing the
    stored positions here is what makes that seek land on them."""
    app = worker.app
    actives = {tp for tp in app.assignor.assigned_actives() if tp.topic in worker.input_topics}
    stored: dict[tuple[str, int], int] = {}
    for key, raw in list(positions.data.items()):
        where = parse_position_key(key)
        if TP(*where) in actives:
            stored[where] = load_position(raw)
    starts = await app.consumer.earliest_offsets(*actives) if actives else {}
    nexts: dict[tuple[str, int], int] = {}
    for tp in actives:
        start = starts.get(tp) or 0
        nxt = stored.get((tp.topic, tp.partition), start)
        if nxt < start:
            log.error(
                "%s[%d] offsets %d..%d were deleted by retention before this deployment applied them",
                tp.topic,
                tp.partition,
                nxt,
                start - 1,
            )
            worker.pipeline.offset_gaps.labels(tp.topic, "expired").inc()
            nxt = start
        nexts[(tp.topic, tp.partition)] = nxt
    worker.audit.next_offsets = nexts
    worker.audit.rewinds.clear()
    worker.pipeline.applied_offset.clear()
    for (topic, partition), nxt in nexts.items():
        worker.pipeline.applied_offset.labels(topic, str(partition)).set(nxt - 1)
    if actives:
        # The consumer's own commit, not Faust's: Faust commits what it acknowledged, this commits
        # what is stored. Faust's seek to the committed offsets comes right after this callback.
        consumer: Any = app.consumer
        await consumer._commit({tp: nexts[tp.topic, tp.partition] for tp in actives})
    worker.progress.recovered = True
    log.info("resuming %d input partitions from stored positions", len(actives))


async def _probe_broker(worker: Worker) -> None:
    """Ask Kafka for its metadata; /health counts how long since it last answered."""
    from aiokafka import AIOKafkaClient  # the worker's own clients are Faust's; this one only asks

    client = AIOKafkaClient(**kafka_client_options(worker.settings), request_timeout_ms=4000)
    try:
        await asyncio.wait_for(client.bootstrap(), 4.5)
        worker.progress.broker_seen_at = time.monotonic()
    except Exception:  # unreachable is what this probe is for; /health says so
        log.warning("Kafka at %s did not answer a metadata request", worker.settings.bootstrap_servers)
    finally:
        await client.close()


def _bytes_table(worker: Worker, name: str) -> Any:
    owners = worker.key_partitions.setdefault(name, {})

    async def recovered(event: Any) -> None:  # a changelog record replayed into this worker's table
        owners[event.message.key.decode()] = event.message.partition

    # Keys and values are bytes we encode ourselves; the schema makes the changelog (and so
    # recovery) use the same raw codec, which Faust would otherwise take to be JSON.
    raw: Any = faust.Schema(key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    table: Any = worker.app.Table(
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


def _raw_message(event: Any) -> RawMessage:
    m = event.message
    return RawMessage(m.topic, m.partition, m.offset, m.key, m.value, m.timestamp)


async def _persist(worker: Worker, table: Any, writes: Sequence[tuple[str, bytes | None, int]]) -> None:
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
