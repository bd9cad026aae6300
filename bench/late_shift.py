"""Latency late in the shift: a floor whose tracks hold `LATE_HOURS` simulated hours, warmed in
minutes rather than the hour a worker would take to apply the ~3 million events themselves.

The first hours of the simulator's shift are folded here, in-process, by the core the worker
runs (`replay.fold`; the equivalence tests hold the worker to it); what the worker would have
stored is written straight into its packed state log (`<app_id>-state`: per partition a claim and
a checkpoint of the agents and queues, the worker's own encodings and record format, on the
partitions the worker uses; the team table is not stored, the worker rebuilds it from its agents
on assignment); a worker is started and reads them, as after a restart. The simulator's next
events then go to the input topics at the live rate, so the live phases continue the very floor
the tracks describe.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from aiokafka import AIOKafkaProducer

from bench import throughput
from bench.broker import committed_offsets, create_input_topics, end_offsets, fresh_prefix
from bench.pipeline import kafka_partition
from bench.plan import Plan
from bench.processes import floorwatch_worker
from bench.traffic import Routed, route
from floorwatch.core import replay
from floorwatch.core.config import load_config
from floorwatch.services.simulator.engine import simulate
from floorwatch.services.simulator.roster import build_floor
from floorwatch.services.simulator.settings import SimulatorSettings
from floorwatch.streams.state import StoredAgent, StoredQueue, dump_agent, dump_queue
from floorwatch.streams.state_log import checkpoint_records, claim_record
from floorwatch.topics import Topics

SHIFT_SECONDS = 8 * 3600.0
Write = tuple[bytes, bytes, int]  # key, value, partition


def fold_hours(agents: int, seed: int, hours: float) -> tuple[replay.FoldResult, Iterator, int]:
    """The floor after `hours` of its shift, and the simulator's events from there on (lazily)."""
    settings = SimulatorSettings(seed=seed, total_agents=agents, duration_seconds=SHIFT_SECONDS)
    events = simulate(build_floor(settings), settings)
    cutoff = settings.start + timedelta(hours=hours)
    first_after: list = []
    folded = 0

    def until_cutoff():
        nonlocal folded
        for event in events:
            if event.occurred_at >= cutoff:
                first_after.append(event)
                return
            folded += 1
            yield ("simulator", folded, event)

    result = replay.fold(until_cutoff(), load_config())
    return result, itertools.chain(first_after, events), folded


def table_writes(result: replay.FoldResult, partitions: int) -> dict[str, list[Write]]:
    """What the worker's tables would hold, per table name, with each key's changelog partition."""
    agents = []
    for agent_id, track in result.agents.items():
        # No applied offsets: the input topics start empty, so every live event is new to the agent.
        value = dump_agent(StoredAgent(track, (), revision=1))
        agents.append((agent_id.encode(), value, kafka_partition(agent_id.encode(), partitions)))
    queues = [
        (queue_id.encode(), dump_queue(StoredQueue(track, ())), kafka_partition(queue_id.encode(), partitions))
        for queue_id, track in result.queues.items()
    ]
    return {"agents": agents, "queues": queues}  # no team-members changelog: rebuilt on assignment


async def _write_state(bootstrap: str, app_id: str, writes: dict[str, list[Write]]) -> int:
    """Per partition: a claim past what the first worker wrote, then a checkpoint of its values."""
    topic = f"{app_id}-state"
    by_partition: dict[int, list] = {}
    for table, rows in writes.items():
        for key, value, partition in rows:
            by_partition.setdefault(partition, []).append(((table, key.decode()), value))
    ends = end_offsets(bootstrap, [topic])
    sender = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=20, max_batch_size=512 * 1024, client_id="floorwatch-bench"
    )
    await sender.start()
    try:
        pending = []
        for partition, entries in sorted(by_partition.items()):
            read_to = ends.get((topic, partition), 0)
            records = [claim_record("bench", {}, read_to), *checkpoint_records("bench", "late", {}, entries)]
            pending += [await sender.send(topic, value=r, partition=partition) for r in records]
        await asyncio.gather(*pending)
        return len(pending)
    finally:
        await sender.stop()


def routed_lazily(events: Iterator) -> Iterator[Routed]:
    for event in events:
        yield from route([event])


def late_latency(plan: Plan, servers: str, run_dir: Path, live_rate: float, log, phases) -> dict:
    """Fold, write the changelogs, start a worker on them, run the live phases (`phases`: live.phases)."""
    prefix = fresh_prefix("late")
    topics, group = Topics.with_prefix(prefix), f"{prefix}-app"
    create_input_topics(servers, topics, plan.partitions)
    # A first worker creates the internal topics (the state log, with its partitions and retention).
    creator = floorwatch_worker(servers, prefix, run_dir, partitions=plan.partitions, tick_seconds=plan.tick_seconds)
    creator.start()
    try:
        creator.wait_for("/health", 120)
    finally:
        creator.stop()
    log(f"late shift: folding {plan.late_shift_hours:g} simulated hours of {plan.latency_agents:,} agents ...")
    began = time.process_time()
    result, rest, folded = fold_hours(plan.latency_agents, plan.seed + 2, plan.late_shift_hours)
    fold_seconds = time.process_time() - began
    writes = table_writes(result, plan.partitions)
    written = asyncio.run(_write_state(servers, group, writes))
    values = [len(value) for _, value, _ in writes["agents"]]
    out: dict = {
        "agents": len(result.agents),
        "simulated_hours": plan.late_shift_hours,
        "events_folded": folded,
        "fold_cpu_seconds": fold_seconds,
        "state_records_written": written,
        "agent_value_bytes_mean": sum(values) / len(values) if values else None,
        "tick_seconds": plan.tick_seconds,
        "live_rate_per_second": live_rate,
    }
    log(f"  folded {folded:,} events in {fold_seconds:.0f} s of CPU; {written:,} packed state records written")
    worker = floorwatch_worker(servers, prefix, run_dir, partitions=plan.partitions, tick_seconds=plan.tick_seconds)
    started = time.monotonic()
    worker.start()
    try:
        worker.wait_for("/health", 300)
        out["recovery_seconds"] = time.monotonic() - started
        log(f"  worker ready after {out['recovery_seconds']:.1f} s (state log read)")
        out["phases"], out["scrapes"] = phases(
            plan, servers, topics, group, routed_lazily(rest), live_rate, worker, log, run_dir, "late-shift"
        )
        ends = end_offsets(servers, throughput.inputs_of(topics))
        committed = committed_offsets(servers, group)
        out["input_lag_after_phases"] = sum(max(0, end - committed.get(tp, 0)) for tp, end in ends.items())
        out["rss_bytes"] = worker.proc().rss_bytes
    finally:
        worker.stop()
    return out
