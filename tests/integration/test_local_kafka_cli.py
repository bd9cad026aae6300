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
from floorwatch.kafka_security import KafkaSecuritySettings


def _floorwatch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "floorwatch.cli", "kafka", *args], capture_output=True, text=True, timeout=180
    )


def _two_free_ports_in_a_row(count: int = 2) -> int:
    """The command puts the controller on the port after the broker's (and secure listeners after it),
    so all of them must be free."""
    for port in free_ports(20):
        if all(_free(port + offset) for offset in range(1, count)):
            return port
    raise AssertionError(f"no {count} consecutive free loopback ports")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


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


@pytest.mark.usefixtures("kafka_jars")
def test_a_secure_broker_started_by_the_command_takes_its_scram_user_over_tls_from_the_env_file_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _two_free_ports_in_a_row(4)
    where = ["--port", str(port), "--run-dir", str(tmp_path / "kafka")]
    started = _floorwatch("start", "--secure", *where)
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        env = dict(
            line.removeprefix("export ").split("=", 1)
            for line in (tmp_path / "kafka" / "secure.env").read_text().splitlines()
        )
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        status = _floorwatch("status", *where)
        options = KafkaSecuritySettings().kafka_python_options()
        producer = KafkaProducer(bootstrap_servers=env["FLOORWATCH_BOOTSTRAP_SERVERS"], acks="all", **options)
        producer.send(f"cli-secure-{port}", b"over SASL_SSL").get(timeout=30)
        producer.close()
    finally:
        stopped = _floorwatch("stop", *where)

    assert stopped.returncode == 0, stopped.stdout
    assert env["FLOORWATCH_BOOTSTRAP_SERVERS"] == f"127.0.0.1:{port + 2}"
    assert env["FLOORWATCH_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert f"SASL_SSL: 127.0.0.1:{port + 2}; mutual TLS: 127.0.0.1:{port + 3}" in status.stdout
    secrets = tmp_path / "kafka" / "secrets"
    assert oct(secrets.stat().st_mode & 0o777) == "0o700"
    assert oct((secrets / "kafka-password").stat().st_mode & 0o777) == "0o600"
    assert (secrets / "kafka-password").read_text().strip() not in started.stdout  # the password is never printed
