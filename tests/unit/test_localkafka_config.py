"""Broker configuration for local KRaft nodes (no broker started here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from floorwatch.deploy.kafka_config import ClusterLayout, new_cluster_id, server_properties
from floorwatch.deploy.settings import DeploySettings


def _parse(properties: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in properties.splitlines())


def test_every_node_of_a_three_node_cluster_names_the_same_three_voters() -> None:
    layout = ClusterLayout.on_ports([9001, 9002, 9003], [9101, 9102, 9103])
    configs = [_parse(server_properties(node, layout, Path(f"/data/{node.node_id}"))) for node in layout.nodes]

    assert {config["controller.quorum.voters"] for config in configs} == {
        "1@127.0.0.1:9101,2@127.0.0.1:9102,3@127.0.0.1:9103"
    }
    assert [config["node.id"] for config in configs] == ["1", "2", "3"]
    assert [config["listeners"] for config in configs][1] == "PLAINTEXT://127.0.0.1:9002,CONTROLLER://127.0.0.1:9102"
    assert [config["log.dirs"] for config in configs] == ["/data/1", "/data/2", "/data/3"]
    assert layout.bootstrap_servers == "127.0.0.1:9001,127.0.0.1:9002,127.0.0.1:9003"


@pytest.mark.parametrize(
    ("nodes", "replication", "min_isr"),
    [(1, "1", "1"), (3, "3", "2")],
)
def test_internal_topics_are_replicated_as_far_as_the_cluster_allows_with_a_realistic_min_isr(
    nodes: int, replication: str, min_isr: str
) -> None:
    layout = ClusterLayout.on_ports(list(range(9001, 9001 + nodes)), list(range(9101, 9101 + nodes)))
    config = _parse(server_properties(layout.nodes[0], layout, Path("/data")))

    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "share.coordinator.state.topic.replication.factor",
        "default.replication.factor",
    ):
        assert config[key] == replication, key
    for key in ("transaction.state.log.min.isr", "share.coordinator.state.topic.min.isr", "min.insync.replicas"):
        assert config[key] == min_isr, key


def test_a_layout_refuses_a_port_used_twice() -> None:
    with pytest.raises(ValueError, match="must differ"):
        ClusterLayout.on_ports([9001, 9002], [9101, 9001])


def test_cluster_ids_have_kafkas_format_and_never_start_with_a_dash() -> None:
    ids = [new_cluster_id() for _ in range(200)]

    assert all(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]{21}", cluster_id) for cluster_id in ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("floorwatch_cache", "xdg_cache_home", "home", "expected"),
    [
        ("/cache/fw", "/xdg", "/home/u", "/cache/fw"),
        ("", "/xdg", "/home/u", "/xdg/floorwatch"),
        ("", "", "/home/u", "/home/u/.cache/floorwatch"),
    ],
)
def test_the_jar_cache_lives_outside_the_repo_where_the_environment_says(
    floorwatch_cache: str, xdg_cache_home: str, home: str, expected: str
) -> None:
    settings = DeploySettings(FLOORWATCH_CACHE=floorwatch_cache, XDG_CACHE_HOME=xdg_cache_home, HOME=home)

    assert settings.cache_root == Path(expected)


def test_a_secured_node_adds_a_sasl_ssl_listener_with_scram_users_and_an_ssl_listener_requiring_certificates() -> None:
    from floorwatch.deploy.kafka_config import BrokerSecurity, KafkaNode

    node = KafkaNode(1, 9001, 9101, sasl_ssl_port=9201, ssl_port=9301)
    layout = ClusterLayout((node,))
    security = BrokerSecurity(Path("/pki/broker.pem"), Path("/pki/ca.pem"), users=(("alice", "pw"),))

    config = _parse(server_properties(node, layout, Path("/data"), security))

    assert config["listeners"] == (
        "PLAINTEXT://127.0.0.1:9001,SASL_SSL://127.0.0.1:9201,SSL://127.0.0.1:9301,CONTROLLER://127.0.0.1:9101"
    )
    assert (
        config["listener.security.protocol.map"] == "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,CONTROLLER:PLAINTEXT"
    )
    assert config["listener.name.ssl.ssl.client.auth"] == "required"
    assert config["ssl.keystore.location"] == "/pki/broker.pem" and config["ssl.truststore.type"] == "PEM"
    assert "SCRAM-SHA-512" in config["sasl.enabled.mechanisms"]
    assert security.scram_format_options()[:2] == ["--add-scram", "SCRAM-SHA-512=[name=alice,password=pw]"]
