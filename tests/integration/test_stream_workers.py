"""Stream workers on the real broker compute what `floorwatch replay` computes for the same log,
also with bad input, when a second worker joins mid-stream, and after a SIGKILL."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import replay
from floorwatch.topics import Topics
from tests.helpers import wait_until
from tests.integration.stream_workers import WorkerProcess, produce, read_all, team_figures

# Long enough for one watchdog restart: a dead member holds the group for the session timeout (60 s).
SETTLE_SECONDS = 240


@pytest.fixture(scope="module")
def event_log(tmp_path_factory) -> list[bytes]:
    """A simulated floor (24 agents, 3 hours) plus the awkward input the spec names."""
    path = tmp_path_factory.mktemp("log") / "events.jsonl"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "floorwatch.cli",
            "simulate",
            "--output",
            str(path),
            "--agents",
            "24",
            "--duration",
            "3h",
            "--seed",
            "11",
            "--quiet",
        ],
        check=True,
        timeout=120,
    )
    lines = path.read_bytes().splitlines()
    state_lines = [line for line in lines if b'"agent.state_changed"' in line]
    states = [json.loads(line) for line in state_lines]
    latest = states[-1]
    late = {
        **latest,
        "event_id": "late-1",
        "data": {**latest["data"], "state": "BREAK"},
        "occurred_at": _minus_minutes(latest["occurred_at"], 30),
    }
    first = states[0]
    awkward = [
        b"{not json",
        json.dumps({**first, "event_id": "bad-state", "data": {**first["data"], "state": "NAPPING"}}).encode(),
        json.dumps({**first, "event_id": "bad-type", "type": "agent.teleported"}).encode(),
        json.dumps(late).encode(),
        # Valid JSON, still poison: a separator character in an id, a clock fault, a huge record.
        json.dumps({**first, "event_id": "ctl-team", "data": {**first["data"], "team_id": "\u001fteam"}}).encode(),
        json.dumps({**first, "event_id": "y1999", "occurred_at": "1999-12-31T23:59:00Z"}).encode(),
        json.dumps({**first, "event_id": "huge", "data": {**first["data"], "reason_code": "x" * 900_000}}).encode(),
    ]
    # Three state changes delivered twice in a row, as a producer retry would.
    twice = {id(line) for line in state_lines[100:103]}
    doubled = [copy for line in lines for copy in ((line, line) if id(line) in twice else (line,))]
    return doubled + awkward


def _minus_minutes(stamp: str, minutes: int) -> str:
    from datetime import datetime, timedelta

    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")) - timedelta(minutes=minutes)
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture(scope="module")
def expected(event_log) -> dict:
    return replay(event_log, MetricConfig())


@pytest.fixture
def floor(unique_name, kafka_bootstrap, tmp_path):
    prefix = unique_name("fw")
    workers: list[WorkerProcess] = []

    def start_worker(**extra_env: str) -> WorkerProcess:
        worker = WorkerProcess(kafka_bootstrap, prefix, tmp_path, extra_env=extra_env).start()
        workers.append(worker)
        # The worker creates the topics; producing first would let the broker auto-create them.
        wait_until(lambda: worker.health()["status"] == "ok", 90, "worker never became healthy")
        return worker

    yield prefix, Topics.with_prefix(prefix), start_worker, workers
    for worker in workers:
        worker.stop()


def _expected_teams(expected: dict) -> dict[str, dict[str, float]]:
    teams = {}
    for team_id, figures in expected["teams"].items():
        through_last = figures["through_last_event"]
        teams[team_id] = {
            "handle_seconds": through_last["shift"]["handle_seconds"],
            "available_seconds": through_last["shift"]["available_seconds"],
            "aux_seconds": through_last["shift"]["aux_seconds"],
            "agents_staffed": float(through_last["agents_staffed"]),
        }
    return teams


def _matches(actual: dict[str, dict[str, float]], wanted: dict[str, dict[str, float]]) -> bool:
    if set(actual) != set(wanted):
        return False
    return all(abs(actual[t][k] - wanted[t][k]) <= 0.01 for t in wanted for k in wanted[t])


def _wait_for_replay_figures(workers, expected, what: str) -> None:
    wanted = _expected_teams(expected)
    seen = {}

    def settled() -> bool:
        seen["actual"] = team_figures(workers)
        return _matches(seen["actual"], wanted)

    try:
        wait_until(settled, SETTLE_SECONDS, f"{what}: team figures on /metrics never equalled the replay's")
    except AssertionError as failure:
        logs = "\n---\n".join(w.log_tail() for w in workers)
        raise AssertionError(f"{failure}\nwanted {wanted}\nactual {seen.get('actual')}\nlogs:\n{logs}") from None


def test_worker_figures_equal_the_replay_of_the_same_log(floor, kafka_bootstrap, event_log, expected):
    _prefix, topics, start_worker, workers = floor
    start_worker()
    produce(kafka_bootstrap, topics, event_log)
    _wait_for_replay_figures(workers, expected, "one worker")

    latest = dict(read_all(kafka_bootstrap, topics.agent_wellbeing))
    assert len(latest) == len(expected["agents"])
    for agent_id, figures in expected["agents"].items():
        record, shift = latest[agent_id.encode()], figures["through_last_event"]["occupancy"]["shift"]
        assert record["handle_seconds"] == pytest.approx(shift["handle_seconds"], abs=1e-3), agent_id
        assert record["available_seconds"] == pytest.approx(shift["available_seconds"], abs=1e-3), agent_id
        assert record["aux_seconds"] == pytest.approx(shift["aux_seconds"], abs=1e-3), agent_id
        assert record["violations_total"] == figures["through_last_event"]["breaks"]["violations_total"], agent_id


def test_bad_input_is_dead_lettered_with_its_reason_and_the_worker_keeps_going(
    floor, kafka_bootstrap, event_log, expected
):
    _prefix, topics, start_worker, workers = floor
    worker = start_worker()
    produce(kafka_bootstrap, topics, event_log)
    _wait_for_replay_figures(workers, expected, "with bad input")
    assert worker.alive()

    letters = [value for _, value in read_all(kafka_bootstrap, topics.dead_letter)]
    kinds = sorted(letter["reason_kind"] for letter in letters)
    assert kinds == ["invalid", "invalid", "late", "malformed", "out_of_bounds", "out_of_bounds", "oversized"]
    assert expected["events"]["rejected"] == 6 and expected["events"]["late"] == 1
    huge = next(letter for letter in letters if letter["reason_kind"] == "oversized")
    assert huge["value_truncated"] is True and huge["value_bytes"] > 900_000
    assert len(base64.b64decode(huge["value_base64"])) == 4096 and len(huge["value_sha256"]) == 64
    by_kind = {letter["reason_kind"]: letter for letter in letters}
    assert "allowed lateness" in by_kind["late"]["reason"]
    assert all(letter["topic"] == topics.agent_events and letter["offset"] >= 0 for letter in letters)
    verdicts = {
        labels["verdict"]: value
        for name, labels, value in worker.samples()
        if name == "floorwatch_events_verdict_total"
    }
    assert verdicts["duplicate"] == expected["events"]["duplicate"] == 3


def test_a_second_worker_joining_mid_stream_leaves_no_stale_or_doubled_series(
    floor, kafka_bootstrap, event_log, expected
):
    _prefix, topics, start_worker, workers = floor
    first = start_worker()
    half = len(event_log) // 2
    produce(kafka_bootstrap, topics, event_log[:half])
    wait_until(
        lambda: sum(v for n, _, v in first.samples() if n == "floorwatch_events_in_total") > 0,
        60,
        "the first worker processed nothing",
    )
    second = start_worker()
    wait_until(lambda: second.health()["partitions"].get("agents"), 60, "the second worker never got partitions")
    produce(kafka_bootstrap, topics, event_log[half:])
    _wait_for_replay_figures(workers, expected, "two workers")
    owned = [set(w.health()["partitions"]["agents"]) for w in workers]
    assert owned[0] and owned[1] and not owned[0] & owned[1]


def test_a_worker_killed_mid_stream_recovers_to_the_replay_figures(floor, kafka_bootstrap, event_log, expected):
    _prefix, topics, start_worker, workers = floor
    victim = start_worker()
    produce(kafka_bootstrap, topics, event_log)
    wait_until(
        lambda: sum(v for n, _, v in victim.samples() if n == "floorwatch_events_in_total") > 500,
        60,
        "the worker processed too little before the kill",
    )
    victim.kill()
    start_worker()
    _wait_for_replay_figures(workers[1:], expected, "after SIGKILL and restart")


def test_a_consumer_that_jumps_over_input_is_sent_back_for_it(floor, kafka_bootstrap, event_log, expected):
    """What Faust's consumer does in its skip defects (docs/architecture.md, "Delivery and recovery"),
    done on purpose: from its third batch on, the worker is handed a batch with 25 offsets of one
    partition missing, records that exist in the log (the jump always lands inside it)."""
    _prefix, topics, start_worker, workers = floor
    worker = start_worker(FLOORWATCH_FAILPOINT="skip_after_batch:3")
    produce(kafka_bootstrap, topics, event_log)
    _wait_for_replay_figures(workers, expected, "after a skip")
    skipped = sum(
        value
        for name, labels, value in worker.samples()
        if name == "floorwatch_input_offset_gaps_total" and labels["kind"] == "skipped"
    )
    assert skipped >= 1, "the jump was never seen as a gap"
    assert worker.restarts == 0, "going back needs no restart"
