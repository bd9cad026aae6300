"""Creating floorwatch's topics with the right partitions and cleanup policy, idempotently."""
from __future__ import annotations

import logging

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from floorwatch.contracts import topic_contracts
from floorwatch.streams.settings import WorkerSettings
from floorwatch.topics import Topics

log = logging.getLogger("floorwatch.streams")


def ensure_topics(settings: WorkerSettings, topics: Topics, internal: tuple[str, ...] = ()) -> list[str]:
    """Create any missing input, output and internal (repartition) topic; returns the names created.

    Faust would create the internal ones itself, but on a first start it can create them
    after it fetched the metadata it assigns partitions from, and then ignore them."""
    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers.split(","), client_id=f"{settings.app_id}-admin")
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(c.name, settings.partitions, settings.replication_factor,
                     topic_configs={"cleanup.policy": "compact" if c.compacted else "delete"})
            for c in topic_contracts(topics) if c.name not in existing
        ] + [NewTopic(name, settings.partitions, settings.replication_factor) for name in internal if name not in existing]
        created = []
        for topic in wanted:
            try:
                admin.create_topics([topic])
                created.append(topic.name)
            except TopicAlreadyExistsError:
                pass  # another worker made it between our list and create
        if created:
            log.info("created topics %s", ", ".join(created))
        return created
    finally:
        admin.close()
