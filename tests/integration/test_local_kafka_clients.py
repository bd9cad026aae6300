"""The clients floorwatch uses, against the real local broker: kafka-python and aiokafka (Faust's transport).

Kafka 4 removed old protocol versions, so the pairing is proven here rather than assumed:
produce, consume in a consumer group with committed offsets, and transactions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient

from tests.helpers import record_summary, wait_until


def test_kafka_python_round_trips_keyed_messages_through_a_consumer_group_and_commits_offsets(
    kafka_bootstrap: str,
    kafka_admin: KafkaAdminClient,
    topic_factory: Callable[..., str],
    unique_name: Callable[[str], str],
    pytestconfig: pytest.Config,
) -> None:
    topic = topic_factory("round-trip", partitions=3)
    group = unique_name("group")
    sent = {(f"agent-{n % 5}", f"event-{n}") for n in range(30)}
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    for key, value in sent:
        producer.send(topic, key=key.encode(), value=value.encode())
    producer.flush(timeout=30)
    producer.close()

    consumer = KafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False
    )
    received: list[tuple[str, str, int]] = []

    def poll_all() -> bool:
        for records in consumer.poll(timeout_ms=500).values():
            received.extend((r.key.decode(), r.value.decode(), r.partition) for r in records)
        return len(received) >= len(sent)

    wait_until(poll_all, 30, f"the group did not receive all {len(sent)} messages")
    consumer.commit()
    consumer.close()

    assert {(key, value) for key, value, _ in received} == sent
    assert len(received) == len(sent), "a message was delivered twice"
    partitions_by_key: dict[str, set[int]] = {}
    for key, _, partition in received:
        partitions_by_key.setdefault(key, set()).add(partition)
    assert all(len(partitions) == 1 for partitions in partitions_by_key.values()), "one key must map to one partition"
    committed = kafka_admin.list_group_offsets(group)[group]
    assert sum(offset.offset for offset in committed.values()) == len(sent)
    record_summary(
        pytestconfig,
        "kafka-python",
        f"produced and consumed {len(sent)} keyed messages through the real broker (group {group}, offsets committed)",
    )


async def _produce_in_transactions(
    bootstrap: str, topic: str, transactional_id: str, committed: list[bytes], aborted: list[bytes]
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, transactional_id=transactional_id, enable_idempotence=True)
    await producer.start()
    try:
        async with producer.transaction():
            for value in committed:
                await producer.send_and_wait(topic, value, key=b"agent-1")
        await producer.begin_transaction()
        for value in aborted:
            await producer.send_and_wait(topic, value, key=b"agent-1")
        await producer.abort_transaction()
    finally:
        await producer.stop()


async def _consume_to_end(bootstrap: str, topic: str, group: str, isolation_level: str) -> list[bytes]:
    """Read partition 0 of `topic` up to its end (for read_committed: the last stable offset)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        isolation_level=isolation_level,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        values: list[bytes] = []
        end = (await consumer.end_offsets([partition]))[partition]
        async with asyncio.timeout(30):
            while partition not in consumer.assignment() or await consumer.position(partition) < end:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    values.extend(record.value for record in records)
        await consumer.commit()
        return values
    finally:
        await consumer.stop()


def test_aiokafka_read_committed_consumers_see_committed_transactions_and_never_aborted_ones(
    kafka_bootstrap: str,
    topic_factory: Callable[..., str],
    unique_name: Callable[[str], str],
    pytestconfig: pytest.Config,
) -> None:
    topic = topic_factory("transactions")
    committed = [f"committed-{n}".encode() for n in range(5)]
    aborted = [f"aborted-{n}".encode() for n in range(3)]
    asyncio.run(_produce_in_transactions(kafka_bootstrap, topic, unique_name("tx"), committed, aborted))

    read_committed = asyncio.run(_consume_to_end(kafka_bootstrap, topic, unique_name("group"), "read_committed"))
    read_uncommitted = asyncio.run(_consume_to_end(kafka_bootstrap, topic, unique_name("group"), "read_uncommitted"))

    assert read_committed == committed
    # The aborted records are really in the log: only the isolation level hides them.
    assert read_uncommitted == committed + aborted
    record_summary(
        pytestconfig,
        "aiokafka",
        f"transactions: {len(committed)} committed records read back, "
        f"{len(aborted)} aborted ones hidden by read_committed",
    )
