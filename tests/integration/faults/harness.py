"""The fault suite's shared harness: a floor of real workers on a real broker, a sampler that
watches their /metrics while a fault is injected, the offset audit, the comparison with
`floorwatch replay`, and the result record every scenario leaves (docs/reliability.md).

Every wait has a deadline (`helpers.wait_until`); nothing here retries a scenario.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from floorwatch.core.codec import InvalidEvent, decode
from floorwatch.core.config import MetricConfig
from floorwatch.core.events import partition_key
from floorwatch.core.replay import replay
from floorwatch.topics import Topics
from tests.helpers import record_summary, wait_until
from tests.integration.stream_workers import WorkerProcess, produce, read_all, team_figures

RESULTS_ENV = "FLOORWATCH_FAULTS_RESULTS"  # a JSONL file each scenario appends its result to
# Where a failed scenario's worker logs are kept (pytest's tmp dirs are rotated away).
LOGS_DIR = Path(os.environ.get("FLOORWATCH_FAULTS_LOGS", Path(__file__).resolve().parents[3] / ".run/faults/logs"))
_FLOORS: list[FaultFloor] = []
PARTITIONS = 4
FIGURE_TOLERANCE = 0.01  # seconds; the replay and the workers run the same float arithmetic
SAMPLE_SECONDS = 0.5
# A SIGKILLed member holds the group until its session times out (60 s), and a restart may
# need one recovery watchdog restart on top: generous, but a deadline.
SETTLE_SECONDS = 240


# -- scenario data --------------------------------------------------------------------------


_SIMULATED: dict[tuple[int, str, int], list[bytes]] = {}


def simulate(agents: int, duration: str, seed: int, run_dir: Path) -> list[bytes]:
    """A realistic floor from `floorwatch simulate` (deterministic per seed), as JSONL lines."""
    key = (agents, duration, seed)
    if key not in _SIMULATED:
        path = run_dir / f"simulated-{agents}-{duration}-{seed}.jsonl"
        subprocess.run(
            [sys.executable, "-m", "floorwatch.cli", "simulate", "--output", str(path)]
            + ["--agents", str(agents), "--duration", duration, "--seed", str(seed), "--quiet"],
            check=True,
            timeout=120,
        )
        _SIMULATED[key] = path.read_bytes().splitlines()
    return list(_SIMULATED[key])


def expected_figures(lines: list[bytes]) -> dict:
    """What the workers must end up showing: the replay of exactly the lines produced."""
    return replay(lines, MetricConfig())


# -- result record --------------------------------------------------------------------------


@dataclass
class ScenarioResult:
    scenario: str
    passed: bool = False
    events_lost: int | None = None  # unapplied input offsets + agents/teams whose figures fall short
    events_counted_twice: int | None = None  # agents/teams whose live figures exceed the replay
    longest_stall_seconds: float | None = None
    restarts: int = 0  # supervisor restarts (exit 75) + restarts the scenario itself made
    duration_seconds: float = 0.0
    detail: dict = field(default_factory=dict)
    failure: str | None = None


@contextmanager
def scenario(name: str, pytestconfig: pytest.Config) -> Iterator[ScenarioResult]:
    """Times the scenario and records its result (also when it fails) for the runner."""
    result = ScenarioResult(name)
    began, floors_before = time.monotonic(), len(_FLOORS)
    try:
        yield result
        result.passed = True
    except BaseException as error:
        result.failure = f"{type(error).__name__}: {str(error)[:2000]}"
        result.detail["logs"] = _keep_logs(name, _FLOORS[floors_before:])
        raise
    finally:
        result.duration_seconds = round(time.monotonic() - began, 1)
        target = os.environ.get(RESULTS_ENV)
        if target:
            with open(target, "a", encoding="utf-8") as out:
                out.write(json.dumps(asdict(result)) + "\n")
        record_summary(
            pytestconfig,
            f"fault scenario {name}",
            f"{'passed' if result.passed else 'FAILED'} in {result.duration_seconds:.0f} s; "
            f"lost {result.events_lost}, counted twice {result.events_counted_twice}, "
            f"longest stall {result.longest_stall_seconds} s, restarts {result.restarts}",
        )


def _keep_logs(name: str, floors: list[FaultFloor]) -> str:
    target = LOGS_DIR / f"{name}-{time.strftime('%Y%m%dT%H%M%S')}"
    target.mkdir(parents=True, exist_ok=True)
    for floor in floors:
        for worker in floor.workers:
            if worker.log_path.exists():
                shutil.copy(worker.log_path, target / f"worker-{worker.port}.log")
    return str(target)


# -- the floor ------------------------------------------------------------------------------


def end_offsets(bootstrap: str, topics: list[str]) -> dict[tuple[str, int], int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=8000)
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in (consumer.partitions_for_topic(t) or ())]
        ends = consumer.end_offsets(partitions) if partitions else {}
        return {(tp.topic, tp.partition): end for tp, end in ends.items()}
    finally:
        consumer.close()


def applied_offsets(workers: list[WorkerProcess]) -> dict[tuple[str, int], list[int]]:
    """Per input partition, the applied offset each live worker reports for it."""
    reports: dict[tuple[str, int], list[int]] = {}
    for worker in workers:
        if not worker.alive():
            continue
        for name, labels, value in worker.samples():
            if name == "floorwatch_input_applied_offset":
                reports.setdefault((labels["topic"], int(labels["partition"])), []).append(int(value))
    return reports


class Sampler(threading.Thread):
    """Reads every live worker's /metrics twice a second and the topics' end offsets, and keeps
    the longest time input waited while no partition's applied offset moved past its best."""

    def __init__(self, floor: FaultFloor):
        super().__init__(name="fault-sampler", daemon=True)
        self.floor = floor
        self.best: dict[tuple[str, int], int] = {}
        self.ends: dict[tuple[str, int], int] = {}
        self.gaps: dict[str, float] = {}  # kind -> most seen on one worker
        self.last_progress = time.monotonic()
        self.longest_stall = 0.0
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        while not self._halt.wait(SAMPLE_SECONDS):
            self.sample()

    def sample(self) -> None:
        with self._lock:
            self._sample()

    def _sample(self) -> None:
        now = time.monotonic()
        progressed = False
        for worker in list(self.floor.workers):
            if not worker.alive():
                continue
            try:
                samples = worker.samples()
            except Exception:  # an unanswered /metrics is no progress; the stall goes on
                continue
            for name, labels, value in samples:
                if name == "floorwatch_input_applied_offset":
                    where = (labels["topic"], int(labels["partition"]))
                    if value > self.best.get(where, -1):
                        self.best[where] = int(value)
                        progressed = True
                elif name == "floorwatch_input_offset_gaps_total":
                    self.gaps[labels["kind"]] = max(self.gaps.get(labels["kind"], 0.0), value)
        try:
            self.ends = end_offsets(self.floor.bootstrap, self.floor.consumed_topics)
        except Exception:  # broker away: the last known ends still say whether input waits
            pass
        waiting = any(self.best.get(where, -1) < end - 1 for where, end in self.ends.items())
        if progressed or not waiting:
            self.last_progress = now
        else:
            self.longest_stall = max(self.longest_stall, now - self.last_progress)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=30)


class FaultFloor:
    """Workers of one app id on one broker or cluster, the lines given to them, and the checks."""

    def __init__(self, bootstrap: str, prefix: str, run_dir: Path, extra_env: dict[str, str] | None = None):
        self.bootstrap, self.prefix, self.run_dir = bootstrap, prefix, run_dir
        self.extra_env = extra_env or {}
        self.topics = Topics.with_prefix(prefix)
        app_id = f"{prefix}-app"
        self.consumed_topics = [
            self.topics.agent_events,
            self.topics.contact_events,
            self.topics.schedules,
            f"{app_id}-queue-events",
            f"{app_id}-team-members",
        ]
        self.input_topics = set(self.consumed_topics[:3])
        self.workers: list[WorkerProcess] = []
        self.scenario_restarts = 0
        self.sampler = Sampler(self)
        _FLOORS.append(self)

    # -- running workers
    def start_worker(self, env: dict[str, str] | None = None, wait_healthy: bool = True) -> WorkerProcess:
        worker = WorkerProcess(
            self.bootstrap, self.prefix, self.run_dir, PARTITIONS, extra_env={**self.extra_env, **(env or {})}
        ).start()
        self.workers.append(worker)
        if wait_healthy:
            # The worker creates the topics; producing first would let the broker auto-create them.
            wait_until(lambda: worker.health()["status"] == "ok", 120, f"worker {worker.port} never became healthy")
        if not self.sampler.is_alive():
            self.sampler.start()
        return worker

    def live(self) -> list[WorkerProcess]:
        return [w for w in self.workers if w.alive()]

    def restarts(self) -> int:
        return self.scenario_restarts + sum(w.restarts for w in self.workers)

    def close(self) -> None:
        self.sampler.stop()
        for worker in self.workers:
            worker.stop()

    # -- input
    def produce(self, lines: list[bytes]) -> int:
        return produce(self.bootstrap, self.topics, lines)

    def produce_with(self, lines: list[bytes], keys: dict[int, bytes], **producer_options) -> None:
        """Lines to their topics (index -> key overrides for lines that are not events)."""
        producer = KafkaProducer(bootstrap_servers=self.bootstrap, linger_ms=5, acks="all", **producer_options)
        for index, line in enumerate(lines):
            if index in keys:
                topic, key = self.topics.agent_events, keys[index]
            else:
                try:
                    event = decode(line)
                    topic, key = self.topics.for_event(event), partition_key(event).encode()
                except InvalidEvent:
                    topic, key = self.topics.agent_events, b"garbage"
            sent = producer.send(topic, key=key, value=line)
            if index in keys:
                sent.get(timeout=60)  # a record the producer or broker refuses fails here, not silently
        producer.flush()
        producer.close()

    def applied_total(self) -> int:
        """Input messages applied so far (by the best applied offsets the sampler saw)."""
        self.sampler.sample()
        return sum(v + 1 for (t, _), v in self.sampler.best.items() if t in self.input_topics)

    def wait_applied(self, at_least: int, timeout: float = 120) -> None:
        wait_until(lambda: self.applied_total() >= at_least, timeout, f"fewer than {at_least} inputs applied")

    def logs(self) -> str:
        return "\n".join(
            f"--- worker {w.port} (restarts {w.restarts}) ---\n{w.log_tail(30)}" for w in self.workers if w.log_path
        )

    # -- the checks
    def verify(self, result: ScenarioResult, lines: list[bytes], settle_seconds: float = SETTLE_SECONDS) -> None:
        """The offset audit, then figures against the replay; fills `result` whatever happens."""
        expected = expected_figures(lines)
        try:
            self._audit(result, settle_seconds)
            self._figures(result, expected, 90)
        finally:
            self.sampler.sample()
            result.longest_stall_seconds = round(self.sampler.longest_stall, 1)
            result.restarts = self.restarts()
            result.detail["gaps"] = dict(self.sampler.gaps)
            result.detail["events"] = len(lines)
        assert result.events_lost == 0 and result.events_counted_twice == 0, result.detail

    def _audit(self, result: ScenarioResult, timeout: float) -> None:
        seen: dict = {}

        def audited() -> bool:
            ends = end_offsets(self.bootstrap, self.consumed_topics)
            reports = applied_offsets(self.workers)
            seen.update(ends=ends, reports=reports)
            if len(ends) != len(self.consumed_topics) * PARTITIONS:
                return False
            return all(reports.get(where) == [end - 1] for where, end in ends.items())

        try:
            wait_until(audited, timeout, "offset audit: some input partition's applied offset never reached its end")
        except AssertionError as failure:
            where = f"ends {seen.get('ends')}\napplied {seen.get('reports')}"
            raise AssertionError(f"{failure}\n{where}\n{self.logs()}") from None
        finally:
            ends, reports = seen.get("ends", {}), seen.get("reports", {})
            unapplied = {
                f"{t}[{p}]": end - 1 - max(reports.get((t, p), [-1]))
                for (t, p), end in ends.items()
                if t in self.input_topics and max(reports.get((t, p), [-1])) < end - 1
            }
            result.events_lost = sum(unapplied.values()) if ends else None
            result.detail["unapplied_offsets"] = unapplied
            result.detail["input_messages"] = sum(e for (t, _), e in ends.items() if t in self.input_topics)
            expired = len(re.findall("deleted by retention", self._all_logs()))
            result.detail["expired_gap_log_lines"] = expired
        assert self.sampler.gaps.get("expired", 0) == 0 and expired == 0, "input expired before it was applied"

    def _figures(self, result: ScenarioResult, expected: dict, timeout: float) -> None:
        wanted_teams, wanted_agents = _expected_teams(expected), _expected_agents(expected)
        seen: dict = {}

        def equal() -> bool:
            seen["teams"] = team_figures(self.live())
            seen["agents"] = {
                key.decode(): value for key, value in read_all(self.bootstrap, self.topics.agent_wellbeing) if key
            }
            over, under = _compare(seen["teams"], wanted_teams), _compare(seen["agents"], wanted_agents)
            seen["mismatch"] = (over, under)
            return not any(over) and not any(under)

        try:
            wait_until(equal, timeout, "live figures never equalled the replay's", poll_seconds=2)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n{seen.get('mismatch')}\n{self.logs()}") from None
        finally:
            if "mismatch" in seen:
                (teams_over, teams_under), (agents_over, agents_under) = seen["mismatch"]
                result.events_counted_twice = len(teams_over) + len(agents_over)
                result.events_lost = (result.events_lost or 0) + len(teams_under) + len(agents_under)
                result.detail.update(
                    teams_over=teams_over, teams_under=teams_under, agents_over=agents_over, agents_under=agents_under
                )

    def _all_logs(self) -> str:
        return "\n".join(w.log_path.read_text(errors="replace") for w in self.workers if w.log_path.exists())


_TEAM_FIGURES = ("handle_seconds", "available_seconds", "aux_seconds", "agents_staffed")
_AGENT_FIGURES = ("handle_seconds", "available_seconds", "aux_seconds", "violations_total")


def _expected_teams(expected: dict) -> dict[str, dict[str, float]]:
    teams = {}
    for team_id, figures in expected["teams"].items():
        last = figures["through_last_event"]
        teams[team_id] = {**{k: last["shift"][k] for k in _TEAM_FIGURES[:3]}, "agents_staffed": last["agents_staffed"]}
    return teams


def _expected_agents(expected: dict) -> dict[str, dict[str, float]]:
    agents = {}
    for agent_id, figures in expected["agents"].items():
        last = figures["through_last_event"]
        agents[agent_id] = {
            **{k: last["occupancy"]["shift"][k] for k in _AGENT_FIGURES[:3]},
            "violations_total": last["breaks"]["violations_total"],
        }
    return agents


def _compare(actual: dict[str, dict], wanted: dict[str, dict]) -> tuple[list[str], list[str]]:
    """(ids whose live figures exceed the replay's, ids that fall short or are missing).

    Exceeding means counted twice (or a series nobody should publish); an id in both lists
    (one figure over, another under) counts as both."""
    over, under = [], []
    for key in sorted(set(actual) | set(wanted)):
        if key not in wanted:
            over.append(key)
            continue
        if key not in actual:
            under.append(key)
            continue
        diffs = [float(actual[key].get(name, 0)) - float(value) for name, value in wanted[key].items()]
        if any(d > FIGURE_TOLERANCE for d in diffs):
            over.append(key)
        if any(d < -FIGURE_TOLERANCE for d in diffs):
            under.append(key)
    return over, under
