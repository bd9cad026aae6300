"""The Faust worker: the one module that talks to Faust. Thin wiring of Kafka, tables and the
clock around the stream steps (docs/architecture.md draws it).

Agents compute nothing themselves: each batch is judged by the worker's own input audit
(`audit.py`), handed to a step (`agent_step`, `queue_step`, `group_step`), its outputs sent and
acknowledged by Kafka, then its table values (packed, in the state log) and finally its input
positions (a changelog), each acknowledged too. Any error on that path stops the process (exit 75) before
anything is acknowledged; the supervisor starts it again and it resumes from its stored
positions, never from Faust's commits (docs/reliability.md).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import signal
import threading
import time
from typing import Any, cast

import faust
import uvloop
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from floorwatch.core.config import load_config
from floorwatch.kafka_security import SecurityProtocol
from floorwatch.redact import redact_logs
from floorwatch.streams import logs
from floorwatch.streams.agent_step import AgentStep, Internal
from floorwatch.streams.clock import FloorClock
from floorwatch.streams.collector_pacing import CollectorPacing
from floorwatch.streams.delivery import (
    Handler,
    guarded,
    probe_broker,
    resume_from_positions,
    run_batch,
    save_before_revoke,
    set_in_memory,
    write_owed_positions,
)
from floorwatch.streams.exposition import FloorPage, accepts_gzip
from floorwatch.streams.failpoint import Failpoint
from floorwatch.streams.gapcheck import GapCheck
from floorwatch.streams.health import HealthLimits, Progress, problems
from floorwatch.streams.messages import RawMessage
from floorwatch.streams.metrics import FloorCollector, PipelineMetrics
from floorwatch.streams.outbox import Outbox, entries_of
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.queue_step import QueueStep
from floorwatch.streams.sending import TickSender, count_into, send_all
from floorwatch.streams.settings import ClockMode, WorkerSettings
from floorwatch.streams.state import StoredAgent, dump_queue
from floorwatch.streams.state_store import StateStore, recover_under_lock
from floorwatch.streams.team_rebuild import MemoryTable, TeamRebuild, member_writes, rebuild_on_assignment
from floorwatch.streams.ticker import Ticker
from floorwatch.streams.watchdog import RecoveryWatchdog, StallWatchdog
from floorwatch.streams.worker import Worker, kafka_client_options
from floorwatch.topics import Topics
from floorwatch.web_config import BasicAuth, load_web_config

log = logging.getLogger("floorwatch.streams")


def create_app(settings: WorkerSettings) -> Worker:
    config = dataclasses.replace(
        load_config(settings.policy_file, settings.staffing_file),
        allowed_lateness_seconds=settings.allowed_lateness_seconds,
    )
    topics = Topics.with_prefix(settings.topic_prefix)
    internal = Internal(queue_events=f"{settings.app_id}-queue-events", team_members=f"{settings.app_id}-team-members")
    web = load_web_config(settings.web_config_file)  # WebConfigError: a file that cannot be used stops the start
    for warning in web.warnings():
        log.warning("%s", warning)
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
        broker_credentials=_broker_credentials(settings),
        web_host=settings.web_host,
        web_bind=settings.web_host,  # web_host alone only sets the advertised URL; Faust binds all interfaces
        web_port=settings.web_port,
        web_ssl_context=web.ssl_context(),
        # Faust's own pages are on by default: /table/ serves table data (real agent ids and
        # per-agent state), /router/ the cluster layout. floorwatch serves only its own two.
        web_tables_enabled=False,
        web_router_enabled=False,
        web_stats_enabled=False,
        web_graph_enabled=False,
        web_metrics_enabled=False,
        web_in_thread=False,
        datadir=str(settings.data_dir),
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        # A batch's records are sent together and awaited together: wait a few ms to put them
        # in one request per partition rather than one request per record (at linger 0 the
        # producer's requests took about a third of a stateful Faust job's CPU here).
        producer_linger=0.005,
        producer_max_batch_size=512 * 1024,
        broker_commit_every=1000,
        broker_commit_interval=1.0,
    )
    registry = CollectorRegistry()
    worker = Worker(
        app=app,
        settings=settings,
        config=config,
        topics=topics,
        internal=internal,
        registry=registry,
        pipeline=PipelineMetrics.register(registry),
        page=FloorPage(FloorCollector(labeller)),
        clock=FloorClock(settings.clock),
        gap_check=GapCheck(kafka_client_options(settings)),
        failpoint=Failpoint.from_environment(settings.data_dir),
        progress=Progress(started_at=time.monotonic()),
        health_limits=HealthLimits(tick_seconds=settings.tick_seconds),
        collector_pacing=CollectorPacing(settings.gc_full_every_seconds),
        outbox=Outbox(settings.partitions),
        team_rebuild=TeamRebuild(settings.partitions),
        state=StateStore(state_topic(settings.app_id), settings.state_checkpoint_min_bytes),
    )
    _wire(worker, labeller, BasicAuth(web.basic_auth_users))
    worker.watchdogs = (
        RecoveryWatchdog(worker.busy, settings.recovery_timeout_seconds),
        StallWatchdog(worker.progress, worker.busy, settings.stall_timeout_seconds, settings.tick_seconds),
    )
    return worker


def state_topic(app_id: str) -> str:
    return f"{app_id}-state"


def _broker_credentials(settings: WorkerSettings) -> Any:
    """Faust's form of FLOORWATCH_KAFKA_*: the same TLS context and SASL user as the worker's own clients."""
    context = settings.ssl_context()
    if settings.kafka_security_protocol is SecurityProtocol.SASL_SSL:
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=settings.sasl_password(),
            ssl_context=context,
            mechanism=settings.kafka_sasl_mechanism.value,
        )
    return faust.SSLCredentials(context) if context is not None else None


def secrets_of(settings: WorkerSettings) -> list[str]:
    """What must never reach a log line."""
    found = [settings.pseudonym_key.get_secret_value()]
    if settings.kafka_security_protocol is SecurityProtocol.SASL_SSL:
        found.append(settings.sasl_password())
    return found


def _raw(app: faust.App, *topics: str, **options: Any) -> Any:
    """A channel of raw bytes: the steps decode (and dead-letter) what they read themselves."""
    return app.topic(*topics, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw", **options)


def _wire(worker: Worker, labeller: AgentLabeller, auth: BasicAuth) -> None:
    app, settings, topics, internal = worker.app, worker.settings, worker.topics, worker.internal
    inputs = _raw(app, topics.agent_events, topics.contact_events, topics.schedules)
    queue_topic = _raw(app, internal.queue_events, partitions=settings.partitions, internal=True)
    team_topic = _raw(app, internal.team_members, partitions=settings.partitions, internal=True)
    # agents and queues: process memory, stored packed in <app_id>-state by floorwatch itself
    # and read back on assignment (state_store.py); no Faust changelog.
    agents = _memory_table(worker, MemoryTable("agents"))
    members = _memory_table(worker, worker.members)  # not stored: rebuilt on every assignment (team_rebuild.py)
    queues = _memory_table(worker, MemoryTable("queues"))
    positions = _bytes_table(worker, "input-positions")
    step = AgentStep(worker.config, topics, internal, labeller, judge_ahead=settings.clock is ClockMode.WALL)
    queue_step = QueueStep(worker.config.queue)
    pipeline = worker.pipeline
    batches = dict(within=settings.batch_within_seconds)
    repartitions = {internal.queue_events, internal.team_members}

    def load_stored(agent_id: str) -> StoredAgent | None:
        raw = agents.get(agent_id.encode())
        return worker.agents_decoded.get(agent_id, raw) if raw is not None else None

    async def apply_agent_events(messages: list[RawMessage]) -> None:
        started = time.perf_counter()
        result = step.run(messages, load_stored)
        # Outputs now; what the queues and teams read goes packed with the next save (outbox.py).
        await send_all(app, [s for s in result.sends if s.topic not in repartitions], pipeline)
        for send in result.sends:
            if send.topic in repartitions:
                worker.outbox.add(send)
        writes = [(agent_id, result.encoded[agent_id], m.partition) for agent_id, (_, m) in result.stored.items()]
        set_in_memory(worker, agents, writes)  # stored (state log) with the next positions
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
        entries = [entry for packed in messages for entry in entries_of(packed)]
        set_in_memory(worker, members, member_writes(worker, entries), changelog=False)

    async def apply_queue_events(messages: list[RawMessage]) -> None:
        def load(queue_id: str) -> Any:
            raw = queues.get(queue_id.encode())
            return worker.queues_decoded.get(queue_id, raw) if raw is not None else None

        result = queue_step.run([entry for packed in messages for entry in entries_of(packed)], load)
        writes = [(queue_id, dump_queue(stored), m.partition) for queue_id, (stored, m) in result.stored.items()]
        set_in_memory(worker, queues, writes)
        for (queue_id, value, _), (stored, _) in zip(writes, result.stored.values(), strict=True):
            worker.queues_decoded.put(queue_id, value, stored)  # a queue's track is decoded once, not per batch
        count_into(pipeline, result.counts)

    def consume(channel: Any, name: str, apply: Handler) -> None:
        async def agent(stream: Any) -> None:
            async for batch in stream.take_events(settings.batch_max_events, **batches):
                await guarded(
                    worker, f"{name} batch", run_batch(worker, positions, [_raw_message(e) for e in batch], apply)
                )

        app.agent(channel, name=name, concurrency=1)(agent)

    consume(inputs, "agent-events", apply_agent_events)
    consume(team_topic, "team-members", apply_team_members)
    consume(queue_topic, "queue-events", apply_queue_events)

    @positions.on_recover
    async def positions_recovered() -> None:
        # Faust recovered the positions table; the state of every partition gained comes from the
        # state log, before any of its input is resumed.
        actives = set(worker.app.assignor.assigned_actives())
        owned = {tp.partition for tp in actives if tp.topic == topics.agent_events}
        await guarded(worker, "reading the state of gained partitions", recover_under_lock(worker, positions, owned))
        worker.changed_keys.start_over()  # tables recovered: the next tick walks every key
        await guarded(worker, "resuming from stored positions", resume_from_positions(worker, positions))
        await guarded(worker, "sending agents to their teams again", rebuild_on_assignment(worker, actives))

    async def save_before_rebalance(sender: Any, *_: Any, signal: Any, **__: Any) -> None:
        worker.changed_keys.start_over()
        await guarded(worker, "saving state before a rebalance", save_before_revoke(worker, positions))

    app.on_partitions_revoked.connect(cast(Any, save_before_rebalance))  # awaited by Faust, after the batches in flight

    sender = TickSender(app, pipeline, snapshot_topics={topics.team_load, topics.queue_load, topics.agent_wellbeing})
    ticker = Ticker(worker, labeller, agents, members, queues, sender)

    @app.timer(settings.tick_seconds)
    async def tick() -> None:
        await guarded(worker, "tick", ticker.tick())

    @app.task
    async def send_tick_outputs() -> None:
        logs.limit_repeats()  # Faust configured logging by now
        log.info("event loop: %s", type(asyncio.get_running_loop()).__module__)
        redact_logs(secrets_of(settings))
        await sender.run()

    @app.timer(settings.positions_every_seconds)
    async def write_positions() -> None:
        await guarded(worker, "writing input positions", write_owed_positions(worker, positions))

    @app.timer(5.0)
    async def ask_broker() -> None:
        await probe_broker(worker)

    @app.page("/metrics")
    async def metrics(web: Any, request: Any) -> Any:
        if not await auth.allows(request.headers.get("Authorization")):
            return _unauthorized(web)
        # The floor's figures as rendered by the last tick, then the process's own counters.
        # charset in the header: a bare text/plain makes clients read non-ASCII labels as Latin-1
        # The page is the same bytes for every scrape of a snapshot (and gzipped once per snapshot).
        tail = generate_latest(worker.registry)
        headers = {"Content-Type": CONTENT_TYPE_LATEST, "Vary": "Accept-Encoding"}
        if accepts_gzip(request.headers.get("Accept-Encoding")):
            return web.bytes(await worker.page.gzipped_with(tail), headers={**headers, "Content-Encoding": "gzip"})
        return web.bytes(worker.page.body_with(tail), headers=headers)

    @app.page("/health")
    async def health(web: Any, request: Any) -> Any:
        if not await auth.allows(request.headers.get("Authorization")):
            return _unauthorized(web)
        found = problems(worker.progress, worker.health_limits, time.monotonic(), worker.busy())
        body = {
            "status": "ok" if not found else "unhealthy",
            "problems": found,
            "partitions": ticker.partition_summary(),
            "behind_messages": dict(worker.progress.behind_messages),
        }
        return web.json(body, status=200 if not found else 503)


def _unauthorized(web: Any) -> Any:
    return web.text("401 Unauthorized\n", status=401, headers={"WWW-Authenticate": 'Basic realm="floorwatch"'})


def _memory_table(worker: Worker, table: MemoryTable) -> MemoryTable:
    worker.key_partitions.setdefault(table.name, {})
    worker.tables[table.name] = table
    return table


def _bytes_table(worker: Worker, name: str) -> Any:
    owners = worker.key_partitions.setdefault(name, {})

    async def recovered(event: Any) -> None:  # a changelog record replayed into this worker's table
        key = event.message.key.decode()
        owners[key] = event.message.partition
        worker.changed_keys.mark(name, key)

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
    worker.tables[name] = table
    return table


def _raw_message(event: Any) -> RawMessage:
    m = event.message
    return RawMessage(m.topic, m.partition, m.offset, m.key, m.value, m.timestamp)


def run(worker: Worker) -> None:
    """Run the worker's Faust app in this process until it is stopped, on uvloop: the loop's own
    machinery (tasks, futures, selectors) was a fifth to a quarter of the worker's CPU on asyncio's.
    Every loop made from here on is one, the one Faust's consumer thread makes too."""
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    BoundedWorker(
        worker.app, worker.settings.shutdown_timeout_seconds, loglevel=worker.settings.log_level, quiet=True
    ).execute_from_commandline()


class BoundedWorker(faust.Worker):
    """A Faust worker whose graceful stop after SIGTERM or SIGINT has a deadline.

    A worker stuck in a Kafka metadata loop or a hung recovery does not finish its stop;
    past the deadline the process exits anyway. Nothing is lost: state and positions
    are stored before input is acknowledged, and a restart resumes from them."""

    def __init__(self, app: Any, shutdown_timeout_seconds: float, **options: Any):
        super().__init__(app, **options)
        self.shutdown_timeout_seconds = shutdown_timeout_seconds
        self.spinner = None  # its handler would set the root logger to DEBUG (docs/performance.md)

    def install_signal_handlers(self) -> None:
        """Plain signal handlers, not the event loop's: they run even when the loop is stuck
        (the case the deadline exists for), start the deadline, then ask the loop to stop."""
        for number, stop in ((signal.SIGTERM, super()._on_sigterm), (signal.SIGINT, super()._on_sigint)):
            signal.signal(number, self._handler(number, stop))

    def _handler(self, number: int, stop: Any) -> Any:
        def handle(signum: int, frame: Any) -> None:
            self._exit_by_deadline(signal.Signals(number).name)
            self.loop.call_soon_threadsafe(stop)

        return handle

    def _exit_by_deadline(self, signal_name: str) -> None:
        deadline = self.shutdown_timeout_seconds

        def exit_late() -> None:
            time.sleep(deadline)
            logging.getLogger("floorwatch.streams").warning(
                "stop after %s took over %.0f s (FLOORWATCH_SHUTDOWN_TIMEOUT_SECONDS); exiting now",
                signal_name,
                deadline,
            )
            for handler in logging.getLogger().handlers:
                handler.flush()
            os._exit(0)

        threading.Thread(target=exit_late, name="shutdown-deadline", daemon=True).start()
