"""(g) One of three brokers killed and restarted; (h) the whole cluster down for two minutes.

Both on one three-node cluster (replication 3, min.insync.replicas 2), in this order."""

from __future__ import annotations

import time

import pytest
from kafka.admin import KafkaAdminClient

from tests.integration.faults.harness import scenario, simulate

CLUSTER_OUTAGE_SECONDS = 120


def _topic_layout(bootstrap: str, topic: str) -> tuple[int, int]:
    """(replicas of partition 0, its leader)"""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="fault-suite")
    try:
        (described,) = admin.describe_topics([topic])
        partition = next(p for p in described["partitions"] if p["partition_index"] == 0)
        return len(partition["replica_nodes"]), partition["leader_id"]
    finally:
        admin.close()


@pytest.mark.timeout(600)
def test_one_of_three_brokers_killed_and_restarted(make_floor, kafka_cluster, tmp_path, pytestconfig):
    lines = simulate(60, "3h", 27, tmp_path)
    half = len(lines) // 2
    with scenario("one_of_three_brokers_killed", pytestconfig) as result:
        floor = make_floor(kafka_cluster.bootstrap_servers, FLOORWATCH_REPLICATION_FACTOR="3")
        floor.start_worker()
        floor.produce(lines[:half])
        floor.wait_applied(half // 4)
        replicas, leader = _topic_layout(kafka_cluster.bootstrap_servers, floor.topics.agent_events)
        assert replicas == 3, f"the worker created its input topics with {replicas} replicas"
        applied_at_kill = floor.applied_total()
        result.detail.update(killed_node=leader, applied_at_kill=applied_at_kill)
        kafka_cluster.stop_node(leader, kill=True)  # the leader of agent-events[0]: a leader moves
        try:
            floor.produce(lines[half:])  # acks=all still succeeds: two replicas are in sync
            floor.wait_applied(applied_at_kill + 1000, timeout=120)  # and the worker goes on
        finally:
            kafka_cluster.start_node(leader)
        floor.verify(result, lines)


@pytest.mark.timeout(900)
def test_whole_cluster_down_for_two_minutes(make_floor, kafka_cluster, tmp_path, pytestconfig):
    lines = simulate(60, "3h", 28, tmp_path)
    half = len(lines) // 2
    with scenario("whole_cluster_down_2min", pytestconfig) as result:
        floor = make_floor(kafka_cluster.bootstrap_servers, FLOORWATCH_REPLICATION_FACTOR="3")
        floor.start_worker()
        floor.produce(lines[:half])
        floor.wait_applied(half // 4)
        bootstrap = kafka_cluster.bootstrap_servers
        result.detail["applied_at_outage"] = floor.applied_total()
        kafka_cluster.stop()
        try:
            time.sleep(CLUSTER_OUTAGE_SECONDS)  # the fault: every broker away for two minutes
        finally:
            kafka_cluster.start()
        assert kafka_cluster.bootstrap_servers == bootstrap, "the cluster came back on other ports"
        result.detail["workers_alive_after_outage"] = len(floor.live())
        floor.produce(lines[half:])
        floor.verify(result, lines)
