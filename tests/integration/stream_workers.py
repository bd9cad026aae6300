"""Running real stream workers (`floorwatch worker` subprocesses) and reading what they publish."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import requests
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from floorwatch.core.codec import InvalidEvent, decode
from floorwatch.core.events import partition_key
from floorwatch.streams.watchdog import RESTART_EXIT_CODE
from floorwatch.topics import Topics


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class WorkerProcess:
    """One `floorwatch worker` with its own port and data dir, sharing the app id (consumer group)."""

    bootstrap: str
    prefix: str
    run_dir: Path
    partitions: int = 4
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    restarts: int = 0
    _stopping: bool = False

    def start(self) -> WorkerProcess:
        self._spawn()
        threading.Thread(target=self._supervise, daemon=True).start()
        return self

    def _supervise(self) -> None:
        """Do what a supervisor (compose's restart policy, systemd) does: a worker that exits with
        code 75 (its recovery watchdog fired) is started again."""
        while not self._stopping and self.process is not None:
            code = self.process.wait()
            if self._stopping or code != RESTART_EXIT_CODE:
                return
            self.restarts += 1
            self._spawn()

    def _spawn(self) -> None:
        data = self.run_dir / f"worker-{self.port}"
        data.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "FLOORWATCH_BOOTSTRAP_SERVERS": self.bootstrap,
            "FLOORWATCH_TOPIC_PREFIX": self.prefix,
            "FLOORWATCH_APP_ID": f"{self.prefix}-app",
            "FLOORWATCH_PARTITIONS": str(self.partitions),
            "FLOORWATCH_PRIVACY": "named",
            "FLOORWATCH_PSEUDONYM_KEY": "test-only-key",  # keys violation and alert ids in named mode too
            "FLOORWATCH_CLOCK": "event",
            "FLOORWATCH_TICK_SECONDS": "0.5",
            "FLOORWATCH_WEB_PORT": str(self.port),
            "FLOORWATCH_DATA_DIR": str(data),
            "FLOORWATCH_RECOVERY_TIMEOUT_SECONDS": "75",
            **self.extra_env,
        }
        self.log_path = data / "worker.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "floorwatch.cli", "worker"],
            env=env,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        """SIGKILL: no shutdown, no final commit; what a crash looks like."""
        self._stopping = True
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        self._stopping = True
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def samples(self) -> list[tuple[str, dict[str, str], float]]:
        text = requests.get(f"http://127.0.0.1:{self.port}/metrics", timeout=5).text
        return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(text) for s in family.samples]

    def health(self) -> dict:
        return requests.get(f"http://127.0.0.1:{self.port}/health", timeout=5).json()


def produce(bootstrap: str, topics: Topics, lines: list[bytes]) -> int:
    """Each line to the topic and key floorwatch expects; undecodable lines to the agent topic."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, acks="all")
    for line in lines:
        try:
            event = decode(line)
            topic, key = topics.for_event(event), partition_key(event).encode()
        except InvalidEvent:
            topic, key = topics.agent_events, b"garbage"
        producer.send(topic, key=key, value=line)
    producer.flush()
    producer.close()
    return len(lines)


def read_all(bootstrap: str, topic: str, timeout_seconds: float = 10) -> list[tuple[bytes | None, dict]]:
    """Every record on a topic from the beginning, as (key, JSON value)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=1000)
    partitions = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or ())]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    ends = consumer.end_offsets(partitions)
    records = []
    while any(consumer.position(tp) < ends[tp] for tp in partitions):
        for batch in consumer.poll(timeout_ms=int(timeout_seconds * 1000)).values():
            records += [(r.key, json.loads(r.value)) for r in batch]
    consumer.close()
    return records


def team_figures(workers: list[WorkerProcess]) -> dict[str, dict[str, float]]:
    """Per team: the team gauges summed over workers; a team on two workers is a bug and fails here."""
    wanted = {
        "floorwatch_team_handle_seconds": "handle_seconds",
        "floorwatch_team_available_seconds": "available_seconds",
        "floorwatch_team_aux_seconds": "aux_seconds",
        "floorwatch_team_agents_staffed": "agents_staffed",
    }
    teams: dict[str, dict[str, float]] = {}
    for worker in workers:
        for name, labels, value in worker.samples():
            if name in wanted:
                figures = teams.setdefault(labels["team"], {})
                assert wanted[name] not in figures, f"team {labels['team']} is reported by two workers"
                figures[wanted[name]] = value
    return teams
