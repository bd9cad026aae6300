"""`floorwatch kafka start|status|stop` (make kafka-up / kafka-down): a broker that outlives the command."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from kafka import KafkaProducer

from floorwatch.deploy.processes import free_ports, pid_alive


def _floorwatch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "floorwatch.cli", "kafka", *args], capture_output=True, text=True, timeout=180
    )


def _two_free_ports_in_a_row() -> int:
    """The command puts the controller on the port after the broker's, so both must be free."""
    for port in free_ports(20):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise AssertionError("no two consecutive free loopback ports")


@pytest.mark.usefixtures("kafka_jars")
def test_a_started_broker_outlives_the_command_answers_status_and_stops_without_orphans(tmp_path: Path) -> None:
    port = _two_free_ports_in_a_row()
    where = ["--port", str(port), "--run-dir", str(tmp_path / "kafka")]
    started = _floorwatch("start", *where)
    assert started.returncode == 0, started.stdout + started.stderr
    pid = json.loads((tmp_path / "kafka" / "state.json").read_text())["nodes"][0]["pid"]
    try:
        assert pid_alive(pid), "the broker died with the command that started it"
        assert _floorwatch("status", *where).returncode == 0
        producer = KafkaProducer(bootstrap_servers=f"127.0.0.1:{port}", acks="all")
        producer.send(f"cli-{port}", b"through the background broker").get(timeout=30)
        producer.close()
    finally:
        stopped = _floorwatch("stop", *where)
    assert stopped.returncode == 0, stopped.stdout
    assert not pid_alive(pid), "the broker outlived `floorwatch kafka stop`"
    assert _floorwatch("status", *where).returncode == 1
