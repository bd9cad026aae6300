"""A worker's health follows its broker, and SIGTERM ends it quickly whatever state it is in."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import requests

from floorwatch.deploy.localkafka import LocalKafka
from tests.helpers import wait_until
from tests.integration.stream_workers import WorkerProcess

SIGTERM_BOUND_SECONDS = 10.0


def _status(worker: WorkerProcess) -> int:
    return requests.get(f"http://127.0.0.1:{worker.port}/health", timeout=3).status_code


def _stopped_within(worker: WorkerProcess) -> float:
    assert worker.process is not None
    worker._stopping = True  # the harness's supervisor must not start it again
    began = time.monotonic()
    worker.process.send_signal(signal.SIGTERM)
    try:
        worker.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
    return time.monotonic() - began


def test_health_turns_unhealthy_within_30_s_of_losing_kafka_and_sigterm_still_ends_the_worker(
    kafka_jars: Path, tmp_path: Path
) -> None:
    kafka = LocalKafka(tmp_path / "kafka", jars=kafka_jars)
    kafka.start()
    worker = WorkerProcess(kafka.bootstrap_servers, "lifecycle", tmp_path / "workers", partitions=2).start()
    try:
        wait_until(lambda: _status(worker) == 200, 120, "worker never became healthy")

        kafka.stop()
        lost = time.monotonic()
        wait_until(lambda: _status(worker) == 503, 30, "/health still 200 30 s after Kafka stopped")
        assert time.monotonic() - lost <= 30
        body = requests.get(f"http://127.0.0.1:{worker.port}/health", timeout=3).json()
        assert any("Kafka has not answered" in problem for problem in body["problems"]), body

        took = _stopped_within(worker)
        assert took <= SIGTERM_BOUND_SECONDS, f"SIGTERM during an outage took {took:.1f} s\n{worker.log_tail()}"
    finally:
        worker.kill()
        kafka.stop()


def test_a_healthy_worker_ends_promptly_on_sigterm(kafka_bootstrap: str, tmp_path: Path) -> None:
    worker = WorkerProcess(kafka_bootstrap, "lifecycle-ok", tmp_path / "workers", partitions=2).start()
    try:
        wait_until(lambda: _status(worker) == 200, 120, "worker never became healthy")
        took = _stopped_within(worker)
        assert took <= SIGTERM_BOUND_SECONDS, f"SIGTERM took {took:.1f} s\n{worker.log_tail()}"
        assert worker.process is not None and worker.process.returncode == 0
    finally:
        worker.kill()
