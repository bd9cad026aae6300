"""Every floorwatch client over an authenticated, encrypted Kafka: a real broker with a SASL_SSL
listener (SCRAM and PLAIN users) and an SSL listener that requires client certificates, with
certificates made here. The worker's figures equal the replay's over both; a wrong password or an
untrusted certificate fails within 30 s, naming the setting to fix (docs/security.md)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import replay
from floorwatch.deploy.kafka_config import BrokerSecurity
from floorwatch.deploy.localkafka import LocalKafka
from floorwatch.deploy.pki import LocalPki, make_pki
from floorwatch.topics import Topics
from tests.helpers import record_summary, wait_until
from tests.integration.stream_workers import WorkerProcess, produce, team_figures

USER, PASSWORD = "floorwatch", "correct horse battery staple"
FAIL_WITHIN_SECONDS = 30


@dataclass(frozen=True)
class SecureKafka:
    kafka: LocalKafka
    pki: LocalPki
    password_file: Path
    wrong_password_file: Path

    def sasl_env(self, mechanism: str = "SCRAM-SHA-512", password_file: Path | None = None) -> dict[str, str]:
        return {
            "FLOORWATCH_BOOTSTRAP_SERVERS": self.kafka.sasl_ssl_bootstrap_servers,
            "FLOORWATCH_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "FLOORWATCH_KAFKA_SASL_MECHANISM": mechanism,
            "FLOORWATCH_KAFKA_SASL_USERNAME": USER,
            "FLOORWATCH_KAFKA_SASL_PASSWORD_FILE": str(password_file or self.password_file),
            "FLOORWATCH_KAFKA_SSL_CAFILE": str(self.pki.ca),
        }

    def mtls_env(self, cert: Path | None = None, key: Path | None = None) -> dict[str, str]:
        return {
            "FLOORWATCH_BOOTSTRAP_SERVERS": self.kafka.ssl_bootstrap_servers,
            "FLOORWATCH_KAFKA_SECURITY_PROTOCOL": "SSL",
            "FLOORWATCH_KAFKA_SSL_CAFILE": str(self.pki.ca),
            "FLOORWATCH_KAFKA_SSL_CERTFILE": str(cert or self.pki.client_cert),
            "FLOORWATCH_KAFKA_SSL_KEYFILE": str(key or self.pki.client_key),
        }


@pytest.fixture(scope="module")
def secure_kafka(kafka_jars: Path, tmp_path_factory: pytest.TempPathFactory, pytestconfig) -> Iterator[SecureKafka]:
    folder = tmp_path_factory.mktemp("secure-kafka")
    pki = make_pki(folder / "pki")
    (folder / "password").write_text(PASSWORD + "\n")
    (folder / "wrong-password").write_text("not the password\n")
    security = BrokerSecurity(pki.broker_keystore, pki.ca, users=((USER, PASSWORD),))
    kafka = LocalKafka(folder / "kafka", jars=kafka_jars, security=security)
    seconds = kafka.start()
    record_summary(
        pytestconfig,
        "secure broker start-up",
        f"{seconds:.1f} s (SASL_SSL {kafka.sasl_ssl_bootstrap_servers}, mTLS {kafka.ssl_bootstrap_servers})",
    )
    yield SecureKafka(kafka, pki, folder / "password", folder / "wrong-password")
    kafka.stop()


@pytest.fixture(scope="module")
def event_log(tmp_path_factory) -> list[bytes]:
    path = tmp_path_factory.mktemp("log") / "events.jsonl"
    subprocess.run([sys.executable, "-m", "floorwatch.cli", "simulate", *SIMULATION, "--output", str(path)], check=True)
    return path.read_bytes().splitlines()


SIMULATION = ["--agents", "24", "--duration", "3h", "--seed", "11", "--quiet"]


def _wanted(log: list[bytes]) -> dict[str, dict[str, float]]:
    teams = replay(log, MetricConfig())["teams"]
    return {
        team: {
            "handle_seconds": f["through_last_event"]["shift"]["handle_seconds"],
            "available_seconds": f["through_last_event"]["shift"]["available_seconds"],
            "aux_seconds": f["through_last_event"]["shift"]["aux_seconds"],
            "agents_staffed": float(f["through_last_event"]["agents_staffed"]),
        }
        for team, f in teams.items()
    }


def _wait_for_replay(worker: WorkerProcess, log: list[bytes]) -> None:
    wanted, seen = _wanted(log), {}

    def settled() -> bool:
        seen["actual"] = actual = team_figures([worker])
        return set(actual) == set(wanted) and all(
            abs(actual[t][k] - v) <= 0.01 for t in wanted for k, v in wanted[t].items()
        )

    try:
        wait_until(settled, 240, "team figures on /metrics never equalled the replay's")
    except AssertionError as failure:
        raise AssertionError(f"{failure}\nwanted {wanted}\nactual {seen}\n{worker.log_tail()}") from None


def _secure_worker(secure: SecureKafka, prefix: str, run_dir: Path, env: dict[str, str]) -> WorkerProcess:
    worker = WorkerProcess(env["FLOORWATCH_BOOTSTRAP_SERVERS"], prefix, run_dir, extra_env=env).start()
    try:
        wait_until(lambda: worker.health()["status"] == "ok", 90, "the worker never became healthy")
    except AssertionError as failure:
        worker.stop()
        raise AssertionError(f"{failure}\n{worker.log_tail()}") from None
    return worker


def test_a_worker_over_sasl_ssl_with_scram_computes_what_the_replay_computes(
    secure_kafka: SecureKafka, unique_name, tmp_path, event_log, pytestconfig
):
    """The simulator (kafka-python) writes over SASL_SSL with PLAIN; the worker (Faust and its own
    aiokafka clients) reads and writes over SASL_SSL with SCRAM-SHA-512."""
    prefix = unique_name("fw-scram")
    worker = _secure_worker(secure_kafka, prefix, tmp_path, secure_kafka.sasl_env("SCRAM-SHA-512"))
    try:
        began = time.monotonic()
        env = {**os.environ, **secure_kafka.sasl_env("PLAIN"), "FLOORWATCH_TOPIC_PREFIX": prefix}
        simulate = [sys.executable, "-m", "floorwatch.cli", "simulate", "--to", "kafka", "--speed", "max"]
        sent = subprocess.run([*simulate, *SIMULATION], env=env, capture_output=True, text=True, timeout=180)
        assert sent.returncode == 0, sent.stderr
        _wait_for_replay(worker, event_log)
        record_summary(
            pytestconfig,
            "SASL_SSL pipeline",
            f"{len(event_log)} events to replay figures in {time.monotonic() - began:.1f} s",
        )
    finally:
        worker.stop()


def test_a_worker_over_mutual_tls_computes_what_the_replay_computes(
    secure_kafka: SecureKafka, unique_name, tmp_path, event_log, pytestconfig
):
    prefix = unique_name("fw-mtls")
    worker = _secure_worker(secure_kafka, prefix, tmp_path, secure_kafka.mtls_env())
    try:
        began = time.monotonic()
        produce(secure_kafka.kafka.bootstrap_servers, Topics.with_prefix(prefix), event_log)
        _wait_for_replay(worker, event_log)
        record_summary(
            pytestconfig,
            "mTLS pipeline",
            f"{len(event_log)} events to replay figures in {time.monotonic() - began:.1f} s",
        )
    finally:
        worker.stop()


def _refused(command: str, env: dict[str, str], prefix: str) -> tuple[int, str, float]:
    began = time.monotonic()
    args = ["worker"] if command == "worker" else ["simulate", "--to", "kafka", "--speed", "max", *SIMULATION]
    result = subprocess.run(
        [sys.executable, "-m", "floorwatch.cli", *args],
        env={**os.environ, **env, "FLOORWATCH_TOPIC_PREFIX": prefix, "FLOORWATCH_PRIVACY": "off"},
        capture_output=True,
        text=True,
        timeout=FAIL_WITHIN_SECONDS + 30,
    )
    return result.returncode, result.stderr, time.monotonic() - began


@pytest.mark.parametrize(
    ("case", "setting"),
    [
        ("wrong password", "FLOORWATCH_KAFKA_SASL_PASSWORD_FILE"),
        ("broker certificate from an untrusted CA", "FLOORWATCH_KAFKA_SSL_CAFILE"),
        ("client certificate the broker does not trust", "FLOORWATCH_KAFKA_SSL_CERTFILE"),
    ],
)
@pytest.mark.parametrize("command", ["worker", "simulate"])
def test_refused_credentials_fail_fast_and_name_the_setting_to_fix(
    secure_kafka: SecureKafka, unique_name, case: str, setting: str, command: str, pytestconfig
):
    pki = secure_kafka.pki
    env = {
        "wrong password": secure_kafka.sasl_env(password_file=secure_kafka.wrong_password_file),
        "broker certificate from an untrusted CA": {
            **secure_kafka.sasl_env(),
            "FLOORWATCH_KAFKA_SSL_CAFILE": str(pki.rogue_ca),
        },
        "client certificate the broker does not trust": secure_kafka.mtls_env(
            pki.rogue_client_cert, pki.rogue_client_key
        ),
    }[case]

    code, stderr, seconds = _refused(command, env, unique_name("fw-refused"))
    record_summary(pytestconfig, f"refused: {command}, {case}", f"exit {code} after {seconds:.1f} s")

    assert code != 0 and seconds < FAIL_WITHIN_SECONDS, (code, seconds, stderr)
    assert setting in stderr, stderr
    assert "correct horse" not in stderr  # the password itself is never echoed
