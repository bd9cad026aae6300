"""`floorwatch kafka start|stop|status`: a local Kafka broker (or three-broker cluster) for people.

The brokers run in the background after this command exits; their state (ports, pids, logs)
is kept in `<run dir>/state.json` so `stop` and `status` find them again. Data stays in the
run dir across restarts unless `start --fresh`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
from pathlib import Path

from floorwatch.deploy.kafka_config import LOOPBACK
from floorwatch.deploy.kafka_jars import JarFetchError, ensure_kafka_jars
from floorwatch.deploy.local_secrets import KAFKA_USER, LocalSecrets
from floorwatch.deploy.localkafka import KAFKA_NODE_MAIN, KafkaStartError, LocalKafka, broker_ready
from floorwatch.deploy.processes import command_line, pid_alive, stop_detached
from floorwatch.deploy.settings import DeploySettings
from floorwatch.deploy.toolchain import ToolchainError, find_java

HELP = "Start, stop or check the local Kafka broker or three-broker cluster"
DEFAULT_PORT = 19092
STATE_FILE = "state.json"
SECURE_ENV = "secure.env"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument(
        "--cluster", action="store_true", help="three brokers (replication 3, min.insync.replicas 2) instead of one"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"first broker port (default {DEFAULT_PORT}); a cluster uses PORT..PORT+2, controllers the ports after",
    )
    parser.add_argument(
        "--run-dir", type=Path, default=Path(".run/kafka"), help="config, data and logs (default .run/kafka)"
    )
    parser.add_argument("--fresh", action="store_true", help="start: wipe the previous data first")
    parser.add_argument(
        "--secure",
        action="store_true",
        help="start: add a SASL_SSL listener (SCRAM-SHA-512 user) and a mutual-TLS listener on the ports after "
        "the controllers, with certificates and a password made in <run dir>/secrets; writes <run dir>/secure.env",
    )
    parser.add_argument("--heap-mb", type=int, default=512, help="JVM heap per broker (default 512)")
    parser.add_argument(
        "--timeout", type=float, default=120, help="start: seconds to wait for the brokers (default 120)"
    )


def run(args: argparse.Namespace) -> int:
    args.run_dir = args.run_dir.resolve()  # stop/status from another folder find the same brokers
    return {"start": _start, "stop": _stop, "status": _status}[args.action](args)


def _start(args: argparse.Namespace) -> int:
    state = _running_state(args.run_dir)
    if state is not None:
        print(f"Kafka is already running at {state['bootstrap_servers']} (`floorwatch kafka stop` to stop it)")
        return 0
    nodes = 3 if args.cluster else 1
    ports = list(range(args.port, args.port + (4 if args.secure else 2) * nodes))
    taken = [port for port in ports if not _port_free(port)]
    if taken:
        print(f"cannot start: port(s) {taken} on {LOOPBACK} are in use; pass another --port")
        return 1
    try:
        find_java()
        jars = ensure_kafka_jars(DeploySettings().cache_root, report=lambda line: print(line, flush=True))
    except (ToolchainError, JarFetchError) as error:
        print(error)
        return 1
    # Secure brokers store their SCRAM users when formatted: their data is kept apart.
    data_dir = args.run_dir / (("cluster" if args.cluster else "single") + ("-secure" if args.secure else ""))
    if args.fresh:
        shutil.rmtree(data_dir, ignore_errors=True)
    secured = LocalSecrets.in_folder(args.run_dir / "secrets") if args.secure else None
    kafka = LocalKafka(
        data_dir,
        jars=jars,
        nodes=nodes,
        broker_ports=ports[:nodes],
        controller_ports=ports[nodes : 2 * nodes],
        heap_mb=args.heap_mb,
        cluster_id=_previous_cluster_id(data_dir),
        detached=True,
        security=secured.broker_security() if secured is not None else None,
        secure_ports=ports[2 * nodes :] if secured is not None else None,
    )
    print(f"starting {'a three-broker cluster' if args.cluster else 'one broker'} (KRaft) ...", flush=True)
    try:
        seconds = kafka.start(timeout_seconds=args.timeout)
    except KafkaStartError as error:
        print(f"Kafka did not start: {error}")
        return 1
    (data_dir / "cluster_id").write_text(kafka.cluster_id)
    (args.run_dir / STATE_FILE).write_text(json.dumps(kafka.describe(), indent=2))
    print(f"Kafka is up at {kafka.bootstrap_servers} after {seconds:.1f} s; logs: {data_dir}/node-*/broker.log")
    if secured is not None:
        _say_secure(kafka, secured, args.run_dir / SECURE_ENV)
    print("stop it with `floorwatch kafka stop` (make kafka-down)")
    return 0


def _say_secure(kafka: LocalKafka, secured: LocalSecrets, env_file: Path) -> None:
    env = secured.kafka_env(kafka.sasl_ssl_bootstrap_servers)
    env_file.write_text("".join(f"export {name}={value}\n" for name, value in env.items()))
    print(f"SASL_SSL (SCRAM-SHA-512, user {KAFKA_USER}): {kafka.sasl_ssl_bootstrap_servers}")
    print(f"mutual TLS (client certificate {secured.pki.client_cert}): {kafka.ssl_bootstrap_servers}")
    print(f"PLAINTEXT stays on {kafka.bootstrap_servers} (loopback only) for admin and readiness checks")
    print(f"secrets in {secured.folder}; for floorwatch's clients: source {env_file}")


def _stop(args: argparse.Namespace) -> int:
    state = _read_state(args.run_dir)
    if state is None:
        print("no local Kafka was started from here")
        return 0
    pids = _our_pids(state)
    stop_detached(pids, grace_seconds=30)
    (args.run_dir / STATE_FILE).unlink()
    print(
        f"stopped Kafka at {state['bootstrap_servers']} ({len(pids)} broker process(es)); "
        f"data kept in {state['run_dir']}"
    )
    return 0


def _status(args: argparse.Namespace) -> int:
    state = _running_state(args.run_dir)
    if state is None:
        print("Kafka is not running (`floorwatch kafka start`, or make kafka-up)")
        return 1
    nodes = state["nodes"]
    healthy = True
    for node in nodes:
        ready = broker_ready(f"{LOOPBACK}:{node['broker_port']}", len(nodes), state["cluster_id"])
        healthy = healthy and ready
        print(
            f"node {node['node_id']}: pid {node['pid']}, {LOOPBACK}:{node['broker_port']}, "
            f"{'serving' if ready else 'NOT serving'}, log {node['log']}"
        )
    print(f"bootstrap servers: {state['bootstrap_servers']}")
    if state.get("sasl_ssl_bootstrap_servers"):
        print(f"SASL_SSL: {state['sasl_ssl_bootstrap_servers']}; mutual TLS: {state['ssl_bootstrap_servers']}")
    return 0 if healthy else 1


def _read_state(run_dir: Path) -> dict | None:
    path = run_dir / STATE_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def _running_state(run_dir: Path) -> dict | None:
    state = _read_state(run_dir)
    return state if state is not None and _our_pids(state) else None


def _our_pids(state: dict) -> list[int]:
    """The recorded broker pids still running this run dir's broker (a reused pid is someone else's)."""
    return [
        node["pid"]
        for node in state["nodes"]
        if node["pid"]
        and pid_alive(node["pid"])
        and KAFKA_NODE_MAIN in command_line(node["pid"])
        and state["run_dir"] in command_line(node["pid"])
    ]


def _previous_cluster_id(data_dir: Path) -> str | None:
    path = data_dir / "cluster_id"
    return path.read_text().strip() if path.is_file() else None


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True
