"""A real Apache Kafka (KRaft) on loopback ports, started from the jars Maven fetched.

    kafka = LocalKafka(run_dir, jars=ensure_kafka_jars(DeploySettings().cache_root))
    kafka.start()                      # format, start, wait until it answers Metadata requests
    kafka.bootstrap_servers            # "127.0.0.1:PORT"
    kafka.stop()

`security=BrokerSecurity(...)` adds a SASL_SSL listener (SCRAM-SHA-512/256 and PLAIN users) and an
SSL listener that requires client certificates: `kafka.sasl_ssl_bootstrap_servers`,
`kafka.ssl_bootstrap_servers`.

`nodes=3` starts a three-node cluster (every node broker and controller, static voters,
internal topics replicated 3 with min.insync.replicas 2) whose nodes can be stopped,
killed and restarted one by one for fault tests.
"""

from __future__ import annotations

import dataclasses
import subprocess
import time
import weakref
from collections.abc import Sequence
from pathlib import Path

from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

from floorwatch.deploy.jvm_archive import adopt_recording, archive_path, recording_path, use_options
from floorwatch.deploy.kafka_config import (
    BrokerSecurity,
    ClusterLayout,
    KafkaNode,
    new_cluster_id,
    server_properties,
)
from floorwatch.deploy.kafka_jars import KAFKA_FILES
from floorwatch.deploy.processes import free_ports, kill_children, spawn, stop_children

LOG4J2_CONFIG = KAFKA_FILES / "log4j2.properties"
KAFKA_NODE_MAIN = "kafka.Kafka"
_LOG_TAIL_LINES = 40
_PROBE_INTERVAL_SECONDS = 0.25


class KafkaStartError(RuntimeError):
    """A node did not come up; the message carries the tail of its broker log."""


class LocalKafka:
    def __init__(
        self,
        run_dir: Path,
        *,
        jars: Path,
        nodes: int = 1,
        broker_ports: Sequence[int] | None = None,
        controller_ports: Sequence[int] | None = None,
        heap_mb: int = 512,
        java: str = "java",
        cluster_id: str | None = None,
        detached: bool = False,
        class_archive: bool = True,
        security: BrokerSecurity | None = None,
        secure_ports: Sequence[int] | None = None,
    ) -> None:
        """`run_dir` holds one folder per node (config, data, broker.log); ports default to free ones.

        `detached=True` lets the brokers outlive this Python process (`floorwatch kafka start`);
        otherwise they are killed at the latest when this object is collected or Python exits.
        `class_archive` uses (or records, see jvm_archive.py) a class-data archive next to the jars.
        `secure_ports`: with `security`, each node's SASL_SSL and SSL ports in turn (free ones by default).
        """
        self.run_dir = Path(run_dir).resolve()
        self.jars = Path(jars)
        self.heap_mb = heap_mb
        self.java = java
        self.cluster_id = cluster_id or new_cluster_id()
        self.detached = detached
        self._ports_given = any(ports is not None for ports in (broker_ports, controller_ports, secure_ports))
        self.security = security
        self.layout = _secured(_layout(nodes, broker_ports, controller_ports), security, secure_ports)
        self.startup_seconds: float | None = None
        self.class_archive = archive_path(self.jars, java) if class_archive else None
        self._recording: tuple[int, Path] | None = None  # (node id, file) of an archive being recorded
        self._processes: dict[int, subprocess.Popen[bytes]] = {}
        if not detached:
            weakref.finalize(self, _kill_all, self._processes)

    # -- addresses -------------------------------------------------------------------
    @property
    def bootstrap_servers(self) -> str:
        return self.layout.bootstrap_servers

    @property
    def sasl_ssl_bootstrap_servers(self) -> str:
        return ",".join(f"127.0.0.1:{node.sasl_ssl_port}" for node in self.layout.nodes if node.sasl_ssl_port)

    @property
    def ssl_bootstrap_servers(self) -> str:
        return ",".join(f"127.0.0.1:{node.ssl_port}" for node in self.layout.nodes if node.ssl_port)

    @property
    def node_ids(self) -> list[int]:
        return [node.node_id for node in self.layout.nodes]

    def node_dir(self, node_id: int) -> Path:
        return self.run_dir / f"node-{node_id}"

    def log_path(self, node_id: int) -> Path:
        return self.node_dir(node_id) / "broker.log"

    def pid(self, node_id: int) -> int | None:
        process = self._processes.get(node_id)
        return process.pid if process is not None and process.poll() is None else None

    def running_node_ids(self) -> list[int]:
        return [node_id for node_id in self.node_ids if self.pid(node_id) is not None]

    # -- whole cluster ---------------------------------------------------------------
    def start(self, timeout_seconds: float = 120) -> float:
        """Format storage, start every node and wait until all of them serve requests; returns seconds taken."""
        began = time.monotonic()
        try:
            self._start_all(timeout_seconds)
        except KafkaStartError as error:
            if self._ports_given or "Address already in use" not in str(error):
                raise
            # A picked port was taken between picking and binding: pick again, once.
            self.stop(grace_seconds=5)
            self.layout = _secured(_layout(len(self.layout.nodes), None, None), self.security)
            self._start_all(timeout_seconds)
        self.startup_seconds = time.monotonic() - began
        return self.startup_seconds

    def stop(self, grace_seconds: float = 20) -> None:
        """Shut every node down cleanly (SIGTERM), SIGKILL whatever is still up after `grace_seconds`."""
        stop_children(list(self._processes.values()), grace_seconds)
        self._processes.clear()
        self._adopt_recording()

    def kill(self) -> None:
        kill_children(list(self._processes.values()))
        self._processes.clear()
        self._adopt_recording()

    def __enter__(self) -> LocalKafka:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- one node (fault tests) ------------------------------------------------------
    def stop_node(self, node_id: int, *, kill: bool = False, grace_seconds: float = 20) -> None:
        """Take one node down: a clean shutdown, or `kill=True` for a crash (SIGKILL)."""
        process = self._processes.pop(node_id, None)
        if process is None:
            return
        if kill:
            kill_children([process])
        else:
            stop_children([process], grace_seconds)
        self._adopt_recording()

    def start_node(self, node_id: int, timeout_seconds: float = 90) -> float:
        """Restart a stopped node on its old ports and data; returns seconds until the cluster sees it again."""
        began = time.monotonic()
        self._spawn(self.layout.node(node_id))
        self.wait_ready(timeout_seconds, node_ids=[node_id])
        return time.monotonic() - began

    def wait_ready(self, timeout_seconds: float, node_ids: Sequence[int] | None = None) -> None:
        """Wait until each node answers for this cluster with every broker registered and unfenced."""
        pending = list(node_ids or self.node_ids)
        deadline = time.monotonic() + timeout_seconds
        while pending:
            for node_id in list(pending):
                self._raise_if_exited(node_id)
                if broker_ready(self.layout.node(node_id).bootstrap_server, len(self.layout.nodes), self.cluster_id):
                    pending.remove(node_id)
            if pending and time.monotonic() >= deadline:
                raise KafkaStartError(
                    f"node {pending[0]} did not serve requests within {timeout_seconds:.0f} s\n"
                    f"{self.log_tail(pending[0])}"
                )
            if pending:
                time.sleep(_PROBE_INTERVAL_SECONDS)

    def log_tail(self, node_id: int, lines: int = _LOG_TAIL_LINES) -> str:
        path = self.log_path(node_id)
        text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else ["(no log written)"]
        return f"--- last lines of {path} ---\n" + "\n".join(text)

    def describe(self) -> dict[str, object]:
        """What `floorwatch kafka status|stop` need to find these brokers again from another process."""
        return {
            "bootstrap_servers": self.bootstrap_servers,
            "sasl_ssl_bootstrap_servers": self.sasl_ssl_bootstrap_servers,
            "ssl_bootstrap_servers": self.ssl_bootstrap_servers,
            "cluster_id": self.cluster_id,
            "run_dir": str(self.run_dir),
            "nodes": [
                {
                    "node_id": node.node_id,
                    "broker_port": node.broker_port,
                    "controller_port": node.controller_port,
                    "pid": self.pid(node.node_id),
                    "log": str(self.log_path(node.node_id)),
                }
                for node in self.layout.nodes
            ],
        }

    # -- internals -------------------------------------------------------------------
    def _start_all(self, timeout_seconds: float) -> None:
        self._format_all()
        for node in self.layout.nodes:
            self._spawn(node)
        try:
            self.wait_ready(timeout_seconds)
        except KafkaStartError:
            self.kill()
            raise

    def _java(self, main_class: str, node: KafkaNode, jvm_options: Sequence[str] = ()) -> list[str]:
        return [
            self.java,
            f"-Xmx{self.heap_mb}m",
            *jvm_options,
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={LOG4J2_CONFIG}",
            f"-Dkafka.logs.dir={self.node_dir(node.node_id)}",
            "-cp",
            f"{self.jars}/*",
            main_class,
        ]

    def _write_config(self, node: KafkaNode) -> Path:
        config = self.node_dir(node.node_id) / "server.properties"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(server_properties(node, self.layout, self.node_dir(node.node_id) / "data", self.security))
        return config

    def _format_all(self) -> None:
        # Formats run side by side: each is a JVM start, the slowest part of a cold start.
        formats = {}
        for node in self.layout.nodes:
            config = self._write_config(node)
            archive = use_options(self.class_archive) if self.class_archive else []
            command = [
                *self._java("kafka.tools.StorageTool", node, archive),
                "format",
                "-t",
                self.cluster_id,
                "-c",
                str(config),
                "--ignore-formatted",
                *(self.security.scram_format_options() if self.security is not None else []),
            ]
            formats[node.node_id] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for node_id, process in formats.items():
            output, _ = process.communicate(timeout=120)
            if process.returncode != 0:
                raise KafkaStartError(
                    f"formatting the storage of node {node_id} failed (exit {process.returncode}):\n"
                    f"{output.decode(errors='replace')}"
                )
        # Storage formatted earlier keeps its own id (--ignore-formatted): believe the disk.
        self.cluster_id = _formatted_cluster_id(self.node_dir(self.layout.nodes[0].node_id) / "data")

    def _spawn(self, node: KafkaNode) -> None:
        if self.pid(node.node_id) is not None:
            raise KafkaStartError(f"node {node.node_id} is already running (pid {self.pid(node.node_id)})")
        config = self._write_config(node)
        command = [*self._java(KAFKA_NODE_MAIN, node, self._archive_options(node)), str(config)]
        self._processes[node.node_id] = spawn(command, self.log_path(node.node_id), detached=self.detached)

    def _archive_options(self, node: KafkaNode) -> list[str]:
        if self.class_archive is None:
            return []
        if self.class_archive.is_file() or self.detached or self._recording is not None:
            # A detached broker outlives us, so nobody would publish its recording.
            return use_options(self.class_archive)
        self._recording = (node.node_id, recording_path(self.class_archive))
        return [f"-XX:ArchiveClassesAtExit={self._recording[1]}"]

    def _adopt_recording(self) -> None:
        if self._recording is not None and self.pid(self._recording[0]) is None and self.class_archive is not None:
            adopt_recording(self._recording[1], self.class_archive)
            self._recording = None

    def _raise_if_exited(self, node_id: int) -> None:
        process = self._processes.get(node_id)
        if process is None:
            raise KafkaStartError(f"node {node_id} is not running")
        if process.poll() is not None:
            raise KafkaStartError(
                f"node {node_id} exited with code {process.returncode} while starting\n{self.log_tail(node_id)}"
            )


def _kill_all(processes: dict[int, subprocess.Popen[bytes]]) -> None:
    """Safety net run when a LocalKafka is collected or Python exits: no JVM outlives its owner."""
    kill_children(list(processes.values()))


def broker_ready(bootstrap_server: str, expected_brokers: int, cluster_id: str | None = None) -> bool:
    """True when the broker answers with `expected_brokers` unfenced brokers (of `cluster_id`, if given).

    The cluster id matters: another broker already listening on the port would answer too.
    """
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap_server,
            client_id="floorwatch-readiness",
            bootstrap_timeout_ms=2000,
            request_timeout_ms=5000,
        )
    except (KafkaError, OSError):
        return False
    try:
        cluster = admin.describe_cluster()
        if cluster_id is not None and cluster["cluster_id"] != cluster_id:
            return False
        return sum(1 for broker in cluster["brokers"] if not broker.get("is_fenced")) >= expected_brokers
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()


def _formatted_cluster_id(log_dir: Path) -> str:
    for line in (log_dir / "meta.properties").read_text().splitlines():
        if line.startswith("cluster.id="):
            return line.split("=", 1)[1].strip()
    raise KafkaStartError(f"{log_dir / 'meta.properties'} names no cluster.id")


def _layout(nodes: int, broker_ports: Sequence[int] | None, controller_ports: Sequence[int] | None) -> ClusterLayout:
    picked = free_ports(2 * nodes)
    brokers = list(broker_ports) if broker_ports is not None else picked[:nodes]
    controllers = list(controller_ports) if controller_ports is not None else picked[nodes:]
    if len(brokers) != nodes or len(controllers) != nodes:
        raise ValueError(f"{nodes} node(s) need {nodes} broker port(s) and {nodes} controller port(s)")
    return ClusterLayout.on_ports(brokers, controllers)


def _secured(
    layout: ClusterLayout, security: BrokerSecurity | None, secure_ports: Sequence[int] | None = None
) -> ClusterLayout:
    """The layout with ports for each node's secure listeners (free ones unless given), when there are any."""
    if security is None:
        return layout
    wanted = 2 * len(layout.nodes)
    if secure_ports is not None and len(secure_ports) != wanted:
        raise ValueError(f"{len(layout.nodes)} node(s) need {wanted} secure ports (SASL_SSL and SSL per node)")
    ports = iter(secure_ports if secure_ports is not None else free_ports(wanted))
    return ClusterLayout(
        tuple(dataclasses.replace(node, sasl_ssl_port=next(ports), ssl_port=next(ports)) for node in layout.nodes)
    )
