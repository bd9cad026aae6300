"""A past window of the input topics, read back as a log the replay folds: `floorwatch report --from-kafka`.

Each partition of the agent and contact topics is read from the first record stamped at or after
the window's start (less a margin: producers stamp records a little after the event happened) to
the end it had when reading began; records whose event time falls in the window are kept. The
partitions are then merged by event time without reordering any partition, so every agent's
events (one partition) and every queue's keep the order the workers applied them in. Schedules
are plans, not timed events: the whole compacted topic is read and applied first, as the replay's
`--schedules` file would be.
"""

from __future__ import annotations

import heapq
import json
import time
from datetime import datetime

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from floorwatch.kafka_security import KafkaSecuritySettings
from floorwatch.topics import Topics


class KafkaWindowSettings(KafkaSecuritySettings):
    """Where to read: FLOORWATCH_* variables (FLOORWATCH_KAFKA_* for TLS and SASL), as for the workers."""

    model_config = SettingsConfigDict(env_prefix="FLOORWATCH_", frozen=True, extra="ignore", env_ignore_empty=True)

    bootstrap_servers: str = Field("127.0.0.1:19092", description="Kafka bootstrap servers, comma separated.")
    topic_prefix: str = Field("floorwatch", description="Prefix of every floorwatch topic.")
    # How much earlier than the window's start to begin looking, by record timestamp: records are
    # stamped when produced, which may be after the event (a platform's retry, a re-ingest).
    window_seek_margin_seconds: float = Field(3600.0, ge=0)
    window_read_timeout_seconds: float = Field(120.0, gt=0)


class WindowError(RuntimeError):
    """The window cannot be read; the message says what to check."""


def read_window(
    settings: KafkaWindowSettings, since_seconds: float, until_seconds: float
) -> tuple[list[bytes], list[bytes]]:
    """(schedule lines, event lines) for events with since <= occurred_at < until, merged by event time."""
    from kafka import KafkaConsumer  # imported here: the file path never needs a Kafka client

    topics = Topics.with_prefix(settings.topic_prefix)
    consumer = KafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers.split(","),
        enable_auto_commit=False,
        group_id=None,  # reads only: no offsets committed, no consumer group joined
        client_id="floorwatch-report",
        **settings.kafka_python_options(),
    )
    try:
        known = consumer.topics()
        missing = [t for t in (topics.agent_events, topics.contact_events, topics.schedules) if t not in known]
        if missing:
            raise WindowError(f"topics {', '.join(missing)} do not exist on {settings.bootstrap_servers}")
        deadline = time.monotonic() + settings.window_read_timeout_seconds
        schedules = [value for part in _read(consumer, topics.schedules, None, deadline) for _, value in part]
        seek_ms = int((since_seconds - settings.window_seek_margin_seconds) * 1000)
        parts = [
            [(at, value) for at, value in part if since_seconds <= at < until_seconds]
            for topic in (topics.agent_events, topics.contact_events)
            for part in _read(consumer, topic, seek_ms, deadline)
        ]
    finally:
        consumer.close()
    return schedules, [value for _, value in heapq.merge(*parts, key=lambda item: item[0])]


def _read(consumer, topic: str, from_ms: int | None, deadline: float) -> list[list[tuple[float, bytes]]]:
    """Each partition's (event time, value) from `from_ms` (None: the beginning) to its current end."""
    from kafka import TopicPartition

    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
    consumer.assign(partitions)
    ends = consumer.end_offsets(partitions)
    starts = consumer.beginning_offsets(partitions)
    if from_ms is not None:
        found = consumer.offsets_for_times(dict.fromkeys(partitions, max(from_ms, 0)))
        starts = {tp: found[tp].offset if found[tp] is not None else ends[tp] for tp in partitions}
    for tp in partitions:
        consumer.seek(tp, starts[tp])
    records: dict[TopicPartition, list[tuple[float, bytes]]] = {tp: [] for tp in partitions}
    while any(consumer.position(tp) < ends[tp] for tp in partitions):
        if time.monotonic() > deadline:
            raise WindowError(f"reading {topic} took longer than the read timeout; is the broker overloaded?")
        for tp, batch in consumer.poll(timeout_ms=500).items():
            records[tp].extend((_event_seconds(r.value, r.timestamp), r.value) for r in batch if r.offset < ends[tp])
    return [records[tp] for tp in partitions]


def _event_seconds(value: bytes, record_ms: int) -> float:
    """The event's own time; a value that is not an event keeps its record time (the replay rejects it, saying why)."""
    try:
        return datetime.fromisoformat(json.loads(value)["occurred_at"].replace("Z", "+00:00")).timestamp()
    except (ValueError, KeyError, TypeError, AttributeError):
        return record_ms / 1000


def parse_instant(text: str) -> float:
    """An RFC 3339 instant with its zone (2026-11-24T08:00:00Z) as epoch seconds; ValueError otherwise."""
    instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone: write it like 2026-11-24T08:00:00Z")
    return instant.timestamp()
