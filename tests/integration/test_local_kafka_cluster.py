"""The three-broker KRaft cluster: replication 3, min.insync.replicas 2, and one broker lost."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient

from floorwatch.deploy.localkafka import LocalKafka
from floorwatch.deploy.processes import pid_alive
from tests.helpers import record_summary, wait_until


@pytest.fixture
def cluster_admin(kafka_cluster: LocalKafka) -> Iterator[KafkaAdminClient]:
    admin = KafkaAdminClient(bootstrap_servers=kafka_cluster.bootstrap_servers, client_id="floorwatch-cluster-tests")
    yield admin
    admin.close()


def _partitions(admin: KafkaAdminClient, topic: str) -> list[dict]:
    return admin.describe_topics([topic])[0]["partitions"]


def _consume(bootstrap: str, topic: str, group: str, expected: int) -> list[bytes]:
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False
    )
    values: list[bytes] = []

    def poll_all() -> bool:
        values.extend(r.value for records in consumer.poll(timeout_ms=500).values() for r in records)
        return len(values) >= expected

    try:
        wait_until(poll_all, 60, f"the group did not receive {expected} messages")
        consumer.commit()
        return values
    finally:
        consumer.close()


def test_the_cluster_defaults_to_three_replicas_for_new_topics_and_consumer_offsets(
    kafka_cluster: LocalKafka,
    cluster_admin: KafkaAdminClient,
    unique_name: Callable[[str], str],
) -> None:
    brokers = cluster_admin.describe_cluster()["brokers"]
    assert sorted(broker["port"] for broker in brokers) == sorted(
        node.broker_port for node in kafka_cluster.layout.nodes
    )
    topic = unique_name("defaults")
    cluster_admin.create_topics({topic: {}}, wait_for_metadata=True)  # broker defaults decide
    producer = KafkaProducer(bootstrap_servers=kafka_cluster.bootstrap_servers, acks="all")
    producer.send(topic, b"one").get(timeout=30)
    producer.close()

    assert _consume(kafka_cluster.bootstrap_servers, topic, unique_name("group"), 1) == [b"one"]

    assert {len(partition["replica_nodes"]) for partition in _partitions(cluster_admin, topic)} == {3}
    assert {len(partition["replica_nodes"]) for partition in _partitions(cluster_admin, "__consumer_offsets")} == {3}


def test_a_topic_with_three_replicas_takes_acks_all_writes_and_serves_reads_with_its_leader_crashed(
    kafka_cluster: LocalKafka,
    cluster_admin: KafkaAdminClient,
    unique_name: Callable[[str], str],
    pytestconfig: pytest.Config,
) -> None:
    topic = unique_name("replicated")
    cluster_admin.create_topics({topic: {"num_partitions": 3, "replication_factor": 3}}, wait_for_metadata=True)
    # The broker asked may not have the new topic's partitions in its metadata yet: wait, with a deadline.
    partitions = wait_until(
        lambda: _partitions(cluster_admin, topic) if len(_partitions(cluster_admin, topic)) == 3 else None,
        30,
        f"{topic} never showed its three partitions",
    )
    assert [sorted(partition["replica_nodes"]) for partition in partitions] == [[1, 2, 3]] * 3
    leader = next(p["leader_id"] for p in partitions if p["partition_index"] == 0)
    leader_pid = kafka_cluster.pid(leader)
    assert leader_pid is not None

    kafka_cluster.stop_node(leader, kill=True)  # a crash, not a clean shutdown
    try:
        assert not pid_alive(leader_pid), "the killed broker's JVM is still running"
        assert kafka_cluster.running_node_ids() == [n for n in (1, 2, 3) if n != leader]
        producer = KafkaProducer(bootstrap_servers=kafka_cluster.bootstrap_servers, acks="all", retries=10)
        sent = [f"event-{n}".encode() for n in range(20)]
        for value in sent:
            producer.send(topic, key=value, value=value).get(timeout=60)
        producer.close()
        received = _consume(kafka_cluster.bootstrap_servers, topic, unique_name("group"), len(sent))
        assert sorted(received) == sorted(sent)
    finally:
        restart_seconds = kafka_cluster.start_node(leader)

    wait_until(
        lambda: all(len(p["isr_nodes"]) == 3 for p in _partitions(cluster_admin, topic)),
        60,
        f"node {leader} never rejoined the in-sync replicas of {topic}",
    )
    record_summary(
        pytestconfig,
        "three-broker cluster",
        f"replication-3 topic kept taking acks=all writes and reads with node {leader} killed; "
        f"the node restarted and rejoined the ISR ({restart_seconds:.1f} s to serve again)",
    )
