"""Broker configuration for local KRaft nodes: one combined broker+controller per node."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"
SASL_MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")


@dataclass(frozen=True)
class BrokerSecurity:
    """Secure listeners beside the PLAINTEXT one (which stays, on loopback, for readiness checks and admin):
    SASL_SSL with SCRAM and PLAIN users, and SSL that requires a client certificate (mutual TLS).

    `keystore_pem`: the broker's unencrypted PKCS#8 private key followed by its certificate chain;
    `truststore_pem`: the CA certificates client certificates must chain to."""

    keystore_pem: Path
    truststore_pem: Path
    users: tuple[tuple[str, str], ...] = ()  # (name, password): SCRAM credentials and PLAIN users
    sasl_ssl: bool = True
    mutual_tls: bool = True

    def scram_format_options(self) -> list[str]:
        """StorageTool options that store SCRAM credentials at format time (KRaft has no ZooKeeper to hold them)."""
        return [
            option
            for name, password in self.users
            for mechanism in ("SCRAM-SHA-512", "SCRAM-SHA-256")
            for option in ("--add-scram", f"{mechanism}=[name={name},password={password}]")
        ]


@dataclass(frozen=True)
class KafkaNode:
    """One combined-mode node: it is a broker and one of the static controller voters."""

    node_id: int
    broker_port: int
    controller_port: int
    sasl_ssl_port: int | None = None
    ssl_port: int | None = None

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


def server_properties(
    node: KafkaNode, layout: ClusterLayout, log_dir: Path, security: BrokerSecurity | None = None
) -> str:
    """The server.properties of one node; every value here is a production default unless noted."""
    replication, min_isr = layout.replication_factor, layout.min_insync_replicas
    listeners = {"PLAINTEXT": node.broker_port}
    if security is not None and security.sasl_ssl and node.sasl_ssl_port is not None:
        listeners["SASL_SSL"] = node.sasl_ssl_port
    if security is not None and security.mutual_tls and node.ssl_port is not None:
        listeners["SSL"] = node.ssl_port
    advertised = ",".join(f"{name}://{LOOPBACK}:{port}" for name, port in listeners.items())
    settings: dict[str, object] = {
        "process.roles": "broker,controller",
        "node.id": node.node_id,
        "listeners": f"{advertised},CONTROLLER://{LOOPBACK}:{node.controller_port}",
        "advertised.listeners": advertised,
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": ",".join([*(f"{name}:{name}" for name in listeners), "CONTROLLER:PLAINTEXT"]),
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
    if security is not None and len(listeners) > 1:
        settings.update(_tls_properties(security, "SASL_SSL" in listeners, "SSL" in listeners))
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def _tls_properties(security: BrokerSecurity, sasl: bool, mutual: bool) -> dict[str, object]:
    found: dict[str, object] = {
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": security.keystore_pem,
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": security.truststore_pem,
    }
    if mutual:
        found["listener.name.ssl.ssl.client.auth"] = "required"
    if sasl:
        scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        plain_users = " ".join(f'user_{name}="{password}"' for name, password in security.users)
        found.update(
            {
                "sasl.enabled.mechanisms": ",".join(SASL_MECHANISMS),
                "listener.name.sasl_ssl.sasl.enabled.mechanisms": ",".join(SASL_MECHANISMS),
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": scram,
                "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config": scram,
                "listener.name.sasl_ssl.plain.sasl.jaas.config": "org.apache.kafka.common.security.plain."
                f"PlainLoginModule required {plain_users};",
            }
        )
    return found


def new_cluster_id() -> str:
    """A random cluster id in Kafka's own format (URL-safe base64 of a UUID, no padding)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        # Kafka avoids ids starting with '-' because they read as command-line options.
        if not cluster_id.startswith("-"):
            return cluster_id
