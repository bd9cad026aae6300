"""Benchmark subjects as subprocesses: floorwatch workers and the bare Faust agent.

Each gets its own web port and data dir; the caller reads /metrics (or /count) over HTTP
and CPU and memory from /proc, so the subject process does only its own work.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from bench.procstat import ProcSample, sample

REPO_ROOT = Path(__file__).resolve().parents[1]  # `python -m bench.<module>` resolves from here


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Subject:
    """One subprocess with an HTTP port; stopped with SIGTERM (SIGKILL after a grace period)."""

    command: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self) -> Subject:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            self.command,
            env={**os.environ, **self.env},
            cwd=REPO_ROOT,
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def proc(self) -> ProcSample:
        return sample(self.pid)

    def stop(self, grace_seconds: float = 30) -> None:
        if not self.alive():
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def get(self, path: str, timeout_seconds: float = 10) -> requests.Response:
        return requests.get(f"http://127.0.0.1:{self.port}{path}", timeout=timeout_seconds)

    def wait_for(self, path: str, timeout_seconds: float = 90) -> None:
        """Until the subject answers `path` with 200; fails with its log tail if it dies or never does."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if not self.alive():
                returncode = self.process.returncode if self.process is not None else None
                raise RuntimeError(f"{self.command} exited with {returncode}:\n{self.log_tail()}")
            try:
                if self.get(path, timeout_seconds=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.command} did not answer {path} within {timeout_seconds:.0f} s:\n{self.log_tail()}")


def floorwatch_worker(
    bootstrap: str,
    prefix: str,
    run_dir: Path,
    *,
    partitions: int,
    tick_seconds: float | None = None,
    extra_env: dict[str, str] | None = None,
) -> Subject:
    """A `floorwatch worker` as an operator runs it; all workers with one prefix share a consumer group."""
    port = free_port()
    data = run_dir / f"worker-{port}"
    env = {
        "FLOORWATCH_BOOTSTRAP_SERVERS": bootstrap,
        "FLOORWATCH_TOPIC_PREFIX": prefix,
        "FLOORWATCH_APP_ID": f"{prefix}-app",
        "FLOORWATCH_PARTITIONS": str(partitions),
        "FLOORWATCH_PRIVACY": "named",
        "FLOORWATCH_PSEUDONYM_KEY": "bench-only-key",  # keys violation and alert ids in named mode too
        "FLOORWATCH_CLOCK": "event",
        "FLOORWATCH_WEB_PORT": str(port),
        "FLOORWATCH_DATA_DIR": str(data),
        "FLOORWATCH_LOG_LEVEL": "warning",
        **({"FLOORWATCH_TICK_SECONDS": str(tick_seconds)} if tick_seconds is not None else {}),
        **(extra_env or {}),
    }
    return Subject([sys.executable, "-m", "floorwatch.cli", "worker"], data / "worker.log", env, port)


def bare_faust(bootstrap: str, app_id: str, run_dir: Path, mode: str, topics: list[str]) -> Subject:
    port = free_port()
    data = run_dir / f"bare-{port}"
    command = [sys.executable, "-m", "bench.bare_faust", bootstrap, app_id, str(port), str(data), mode, *topics]
    return Subject(command, data / "bare.log", {}, port)


def metric_samples(subject: Subject) -> list[tuple[str, dict[str, str], float]]:
    text = subject.get("/metrics").text
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(text) for s in family.samples]


def events_in(subject: Subject) -> float:
    """floorwatch_events_in_total summed over event types, read without parsing the per-agent series."""
    total = 0.0
    for line in subject.get("/metrics").text.splitlines():
        if line.startswith("floorwatch_events_in_total{"):
            total += float(line.rsplit(" ", 1)[1])
    return total
