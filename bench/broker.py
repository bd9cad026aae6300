"""The real local broker the benchmarks run against, and topics made fresh for each run."""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic

from floorwatch.deploy.kafka_jars import ensure_kafka_jars
from floorwatch.deploy.localkafka import LocalKafka, broker_ready
from floorwatch.deploy.settings import DeploySettings
from floorwatch.topics import Topics


@contextmanager
def local_broker(bootstrap: str | None = None) -> Iterator[str]:
    """Yield bootstrap servers: `bootstrap` when given and answering, else a broker started here."""
    if bootstrap:
        if not broker_ready(bootstrap, 1):
            raise RuntimeError(f"no Kafka broker answers at {bootstrap}")
        yield bootstrap
        return
    jars = ensure_kafka_jars(DeploySettings().cache_root)
    with tempfile.TemporaryDirectory(prefix="floorwatch-bench-kafka-") as run_dir:
        kafka = LocalKafka(Path(run_dir), jars=jars, heap_mb=1024)
        kafka.start()
        try:
            yield kafka.bootstrap_servers
        finally:
            kafka.stop()


def fresh_prefix(label: str) -> str:
    return f"bench-{label}-{uuid.uuid4().hex[:8]}"


def create_input_topics(bootstrap: str, topics: Topics, partitions: int) -> None:
    """The three input topics, made before any producer can auto-create them with another count."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="floorwatch-bench")
    try:
        names = [topics.agent_events, topics.contact_events, topics.schedules]
        admin.create_topics([NewTopic(name, partitions, 1) for name in names])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            described = admin.describe_topics(names)
            if all(d["partitions"] and all(p["leader_id"] >= 0 for p in d["partitions"]) for d in described):
                return
            time.sleep(0.1)
        raise RuntimeError(f"topics {names} got no leaders within 30 s")
    finally:
        admin.close()


def end_offsets(bootstrap: str, names: list[str]) -> dict[tuple[str, int], int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="floorwatch-bench-offsets")
    try:
        partitions = [TopicPartition(n, p) for n in names for p in sorted(consumer.partitions_for_topic(n) or ())]
        return {(tp.topic, tp.partition): offset for tp, offset in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


def committed_offsets(bootstrap: str, group: str) -> dict[tuple[str, int], int]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="floorwatch-bench-offsets")
    try:
        return {
            (tp.topic, tp.partition): meta.offset for tp, meta in admin.list_group_offsets(group).get(group, {}).items()
        }
    finally:
        admin.close()
