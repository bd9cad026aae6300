"""Broker configuration for local KRaft nodes: one combined broker+controller per node."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class KafkaNode:
    """One combined-mode node: it is a broker and one of the static controller voters."""

    node_id: int
    broker_port: int
    controller_port: int

    @property
    def bootstrap_server(self) -> str:
        return f"{LOOPBACK}:{self.broker_port}"


@dataclass(frozen=True)
class ClusterLayout:
    nodes: tuple[KafkaNode, ...]

    def __post_init__(self) -> None:
        if not self.nodes:
            raise ValueError("a cluster needs at least one node")
        ports = [port for node in self.nodes for port in (node.broker_port, node.controller_port)]
        if len(set(ports)) != len(ports):
            raise ValueError(f"every broker and controller port must differ, got {ports}")

    @classmethod
    def on_ports(cls, broker_ports: list[int], controller_ports: list[int]) -> ClusterLayout:
        if len(broker_ports) != len(controller_ports):
            raise ValueError("one controller port per broker port")
        pairs = zip(broker_ports, controller_ports, strict=True)
        return cls(tuple(KafkaNode(index + 1, broker, controller) for index, (broker, controller) in enumerate(pairs)))

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(node.bootstrap_server for node in self.nodes)

    @property
    def voters(self) -> str:
        return ",".join(f"{node.node_id}@{LOOPBACK}:{node.controller_port}" for node in self.nodes)

    @property
    def replication_factor(self) -> int:
        """Internal topics are replicated as in production (3) when there are nodes for it."""
        return min(3, len(self.nodes))

    @property
    def min_insync_replicas(self) -> int:
        # With three replicas, acks=all survives one broker down, as in a real deployment.
        return 2 if self.replication_factor >= 3 else 1

    def node(self, node_id: int) -> KafkaNode:
        for node in self.nodes:
            if node.node_id == node_id:
                return node
        raise KeyError(f"no node {node_id}; nodes are {[n.node_id for n in self.nodes]}")


def server_properties(node: KafkaNode, layout: ClusterLayout, log_dir: Path) -> str:
    """The server.properties of one node; every value here is a production default unless noted."""
    replication, min_isr = layout.replication_factor, layout.min_insync_replicas
    settings = {
        "process.roles": "broker,controller",
        "node.id": node.node_id,
        "listeners": f"PLAINTEXT://{LOOPBACK}:{node.broker_port},CONTROLLER://{LOOPBACK}:{node.controller_port}",
        "advertised.listeners": f"PLAINTEXT://{node.bootstrap_server}",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.quorum.voters": layout.voters,
        "log.dirs": str(log_dir),
        "offsets.topic.replication.factor": replication,
        "transaction.state.log.replication.factor": replication,
        "transaction.state.log.min.isr": min_isr,
        "share.coordinator.state.topic.replication.factor": replication,
        "share.coordinator.state.topic.min.isr": min_isr,
        "default.replication.factor": replication,
        "min.insync.replicas": min_isr,
        # Tests: a consumer group's first rebalance starts at once instead of after 3 s.
        "group.initial.rebalance.delay.ms": 0,
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def new_cluster_id() -> str:
    """A random cluster id in Kafka's own format (URL-safe base64 of a UUID, no padding)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        # Kafka avoids ids starting with '-' because they read as command-line options.
        if not cluster_id.startswith("-"):
            return cluster_id
