"""Simulator traffic for the benchmarks: encoded once, routed as floorwatch routes it."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer

from floorwatch.core.codec import encode
from floorwatch.core.events import partition_key
from floorwatch.services.simulator.engine import simulate
from floorwatch.services.simulator.roster import build_floor
from floorwatch.services.simulator.settings import SimulatorSettings
from floorwatch.topics import Topics

SHIFT_SECONDS = 8 * 3600.0


@dataclass(frozen=True, slots=True)
class Routed:
    """One event as it travels: which input topic, its key, the canonical JSON line."""

    topic_field: str  # "agent_events", "contact_events" or "schedules": a Topics attribute
    key: bytes
    value: bytes
    agent_id: str | None


def simulated(agents: int, seed: int, limit: int | None = None) -> Iterator:
    """The simulator's events for an 8-hour shift of `agents`, in time order (lazily generated)."""
    settings = SimulatorSettings(seed=seed, total_agents=agents, duration_seconds=SHIFT_SECONDS)
    events = simulate(build_floor(settings), settings)
    return itertools.islice(events, limit) if limit is not None else events


def route(events: Iterable) -> list[Routed]:
    names = Topics()
    fields = {names.agent_events: "agent_events", names.contact_events: "contact_events", names.schedules: "schedules"}
    return [
        Routed(fields[names.for_event(e)], partition_key(e).encode(), encode(e), getattr(e.data, "agent_id", None))
        for e in events
    ]


def events_per_agent_hour(routed: list[Routed], agents: int, hours: float) -> float:
    return len(routed) / agents / hours


async def started_producer(bootstrap: str) -> AIOKafkaProducer:
    # acks=all and idempotent like the simulator's producer (per-partition order kept);
    # aiokafka rather than kafka-python because it fills a topic about five times faster.
    sender = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=20,
        max_batch_size=512 * 1024,
        client_id="floorwatch-bench",
    )
    await sender.start()
    return sender


async def _produce_all(bootstrap: str, topics: Topics, routed: Iterable[Routed]) -> tuple[int, float]:
    sender = await started_producer(bootstrap)
    try:
        began = time.perf_counter()
        pending = [
            await sender.send(getattr(topics, item.topic_field), key=item.key, value=item.value) for item in routed
        ]
        await asyncio.gather(*pending)
        return len(pending), time.perf_counter() - began
    finally:
        await sender.stop()


def produce_all(bootstrap: str, topics: Topics, routed: Iterable[Routed]) -> tuple[int, float]:
    """Send every event as fast as the producer goes; returns (count, seconds) once all are acknowledged."""
    return asyncio.run(_produce_all(bootstrap, topics, routed))
