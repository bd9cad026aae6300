"""Creating floorwatch's topics with the right partitions and cleanup policy, idempotently."""

from __future__ import annotations

import logging
import time

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import TopicAlreadyExistsError

from floorwatch.contracts import topic_contracts
from floorwatch.streams.settings import WorkerSettings
from floorwatch.topics import Topics

log = logging.getLogger("floorwatch.streams")


class TopicLayoutError(RuntimeError):
    """Existing topics that cannot work with these settings; the message says how to fix it."""


def state_configs() -> dict[str, str]:
    """The packed state log: never compacted (a record holds many keys) and never expired by time or
    size (an idle partition's only checkpoint must stay); floorwatch deletes what it no longer needs."""
    return {"cleanup.policy": "delete", "retention.ms": "-1", "retention.bytes": "-1"}


def ensure_topics(
    settings: WorkerSettings, topics: Topics, internal: tuple[str, ...] = (), state: str | None = None
) -> list[str]:
    """Create any missing input, output and internal (repartition) topic; returns the names created.

    Faust would create the internal ones itself, but on a first start it can create them
    after it fetched the metadata it assigns partitions from, and then ignore them."""
    admin = KafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers.split(","),
        client_id=f"{settings.app_id}-admin",
        **settings.kafka_python_options(),
    )
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(
                c.name,
                settings.partitions,
                settings.replication_factor,
                topic_configs=_topic_configs(c.compacted, c.name == topics.dead_letter, settings),
            )
            for c in topic_contracts(topics)
            if c.name not in existing
        ] + [
            NewTopic(name, settings.partitions, settings.replication_factor)
            for name in internal
            if name not in existing
        ]
        if state is not None and state not in existing:
            wanted.append(
                NewTopic(state, settings.partitions, settings.replication_factor, topic_configs=state_configs())
            )
        created = []
        for topic in wanted:
            try:
                admin.create_topics([topic])
                created.append(topic.name)
            except TopicAlreadyExistsError:
                pass  # another worker made it between our list and create
        if created:
            log.info("created topics %s", ", ".join(created))
        if topics.dead_letter in existing:
            _keep_dead_letters(admin, topics.dead_letter, settings)
        names = [topics.agent_events, topics.contact_events, topics.schedules, *internal]
        _check_partitions(admin, [*names, state] if state is not None else names, settings)
        if state is not None:
            _check_state_topic(admin, state)
        return created
    finally:
        admin.close()


def _topic_configs(compacted: bool, dead_letter: bool, settings: WorkerSettings) -> dict[str, str]:
    configs = {"cleanup.policy": "compact" if compacted else "delete"}
    if dead_letter:
        configs.update(dead_letter_configs(settings))
    return configs


def dead_letter_configs(settings: WorkerSettings) -> dict[str, str]:
    """Rejected input keeps its original bytes (real agent ids): only for FLOORWATCH_DEAD_LETTER_RETENTION_HOURS."""
    return {"cleanup.policy": "delete", "retention.ms": str(int(settings.dead_letter_retention_hours * 3_600_000))}


def _keep_dead_letters(admin: KafkaAdminClient, topic: str, settings: WorkerSettings) -> None:
    """Apply the retention to a topic made earlier too, so changing the setting takes effect on restart."""
    admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs=dead_letter_configs(settings))])


def _check_partitions(admin: KafkaAdminClient, names: list[str], settings: WorkerSettings) -> None:
    """Tables are co-partitioned with their input: every input topic needs the same partition count."""
    deadline = time.monotonic() + 15
    counts = _partition_counts(admin, names)
    while any(n == 0 for n in counts.values()) and time.monotonic() < deadline:
        time.sleep(0.2)  # a topic created a moment ago: its partitions are not in the metadata yet
        counts = _partition_counts(admin, names)
    wrong = [f"{name} has {count}" for name, count in counts.items() if count != settings.partitions]
    if wrong:
        raise TopicLayoutError(
            f"input topics must have FLOORWATCH_PARTITIONS={settings.partitions} partitions, but {', '.join(wrong)}. "
            "Set FLOORWATCH_PARTITIONS to match, or recreate the topics (they were perhaps auto-created by a "
            "producer that started first)."
        )


def _check_state_topic(admin: KafkaAdminClient, name: str) -> None:
    """A state topic made by hand with compaction or a retention would lose state: refuse to start."""
    answer = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)], config_filter="all")
    found = {
        str(key): str(data.get("value") if isinstance(data, dict) else data)
        for by_name in answer.values()
        for configs in by_name.values()
        for key, data in configs.items()
    }
    wanted = state_configs()
    wrong = [f"{key}={found[key]}" for key, value in wanted.items() if key in found and found[key] != value]
    if wrong:
        raise TopicLayoutError(
            f"{name} (floorwatch's packed state) has {', '.join(wrong)}; it needs "
            f"{', '.join(f'{k}={v}' for k, v in wanted.items())}, or Kafka deletes state under the worker. "
            f"Set them: kafka-configs.sh --alter --entity-type topics --entity-name {name} --add-config ..."
        )


def _partition_counts(admin: KafkaAdminClient, names: list[str]) -> dict[str, int]:
    return {d["name"]: len(d["partitions"]) for d in admin.describe_topics(names)}
