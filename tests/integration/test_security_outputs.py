"""What a pseudonymous worker publishes cannot be linked back to an agent without the key, and its
web server listens only where FLOORWATCH_WEB_HOST says, serving only floorwatch's own pages
(docs/security.md)."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from floorwatch.core.config import load_config
from floorwatch.core.replay import replay
from floorwatch.topics import Topics
from tests.helpers import record_summary, wait_until
from tests.integration.stream_workers import WorkerProcess, produce, read_all, team_figures
from tests.unlinkability import candidates, links, search_records

POLICY = "screen-work-hse"  # strict enough that a 3-hour floor breaks rules: violations and alerts to search


@pytest.fixture(scope="module")
def floor_log(tmp_path_factory) -> list[bytes]:
    path = tmp_path_factory.mktemp("log") / "events.jsonl"
    subprocess.run(
        [sys.executable, "-m", "floorwatch.cli", "simulate", "--output", str(path), "--agents", "24"]
        + ["--duration", "3h", "--seed", "11", "--quiet"],
        check=True,
        timeout=120,
    )
    return path.read_bytes().splitlines()


def _agent_ids(lines: list[bytes]) -> list[str]:
    found = {json.loads(line)["data"].get("agent_id") for line in lines}
    return sorted(a for a in found if a)


def _expected_teams(lines: list[bytes]) -> dict[str, dict[str, float]]:
    report = replay(lines, load_config(POLICY))
    return {
        team: {
            "handle_seconds": f["through_last_event"]["shift"]["handle_seconds"],
            "available_seconds": f["through_last_event"]["shift"]["available_seconds"],
            "agents_staffed": float(f["through_last_event"]["agents_staffed"]),
        }
        for team, f in report["teams"].items()
    }


def _equal(actual: dict, wanted: dict) -> bool:
    return set(actual) == set(wanted) and all(
        abs(actual[t].get(k, -1) - v) <= 0.01 for t in wanted for k, v in wanted[t].items()
    )


def test_no_output_of_a_pseudonymous_floor_links_back_to_an_agent_without_the_key(
    unique_name, kafka_bootstrap, tmp_path, floor_log, pytestconfig
):
    prefix = unique_name("fw-unlink")
    topics = Topics.with_prefix(prefix)
    worker = WorkerProcess(
        kafka_bootstrap,
        prefix,
        tmp_path,
        extra_env={
            "FLOORWATCH_PRIVACY": "pseudonymous",
            "FLOORWATCH_PSEUDONYM_KEY": secrets.token_hex(32),
            "FLOORWATCH_POLICY_FILE": POLICY,
        },
    ).start()
    try:
        wait_until(lambda: worker.health()["status"] == "ok", 90, "worker never became healthy")
        produce(kafka_bootstrap, topics, floor_log)
        wanted = _expected_teams(floor_log)
        seen: dict = {}

        def settled() -> bool:
            seen["actual"] = team_figures([worker])
            return _equal(seen["actual"], wanted)

        try:
            wait_until(settled, 240, "team figures on /metrics never equalled the replay's")
        except AssertionError as failure:
            raise AssertionError(f"{failure}\nwanted {wanted}\nactual {seen}\n{worker.log_tail()}") from None
        metrics = requests.get(f"http://127.0.0.1:{worker.port}/metrics", timeout=5).text
        health = requests.get(f"http://127.0.0.1:{worker.port}/health", timeout=5).text
    finally:
        worker.stop()

    outputs = {
        name: read_all(kafka_bootstrap, getattr(topics, name))
        for name in ("agent_wellbeing", "team_load", "queue_load", "break_violations", "alerts", "dead_letter")
    }
    agents = _agent_ids(floor_log)
    violations = [value for _, value in outputs["break_violations"]]
    alerts = [value for _, value in outputs["alerts"]]
    assert len(agents) == 24 and outputs["agent_wellbeing"] and violations and alerts, "nothing to search"

    began = time.monotonic()
    texts = {"/metrics": metrics, "/health": health}
    for name, found in outputs.items():
        texts[name] = "\n".join(f"{key!r} {json.dumps(value)}" for key, value in found)
    everywhere = "\n".join(texts.values())
    unkeyed = links("all outputs", everywhere, candidates(agents))
    unkeyed += search_records("break_violations", violations, agents)
    unkeyed += search_records("alerts", alerts, agents)
    named = {
        where: agent
        for where, text in texts.items()
        for agent in agents
        if re.search(rf"(?<![0-9a-z]){re.escape(agent)}(?![0-9a-z])", text)
    }
    record_summary(
        pytestconfig,
        "unlinkability search",
        f"{len(agents)} agent ids x SHA-256/SHA-1/MD5 x {len(texts)} outputs "
        f"({len(violations)} violations, {len(alerts)} alerts) in {time.monotonic() - began:.1f} s",
    )

    assert unkeyed == []
    assert named == {}, "a real agent id was published"


def _listening_sockets(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN that process `pid` holds, read from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table, width in (("tcp", 8), ("tcp6", 32)):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:
                address, port = local.split(":")
                found.append((_address(address, width), int(port, 16)))
    return found


def _address(hex_address: str, width: int) -> str:
    if width == 8:
        return ".".join(str(b) for b in reversed(bytes.fromhex(hex_address)))
    words = [bytes.fromhex(hex_address[i : i + 8])[::-1].hex() for i in range(0, 32, 8)]
    return ":".join("".join(words)[i : i + 4] for i in range(0, 32, 4))


def test_the_worker_listens_only_on_the_configured_address_and_serves_only_its_own_pages(
    unique_name, kafka_bootstrap, tmp_path
):
    host = "127.0.0.2"  # loopback, but not the default: a bind to all interfaces would show here
    worker = WorkerProcess(
        kafka_bootstrap, unique_name("fw-bind"), tmp_path, extra_env={"FLOORWATCH_WEB_HOST": host}
    ).start()
    base = f"http://{host}:{worker.port}"
    try:
        wait_until(lambda: requests.get(f"{base}/health", timeout=2).ok, 90, "worker never became healthy")
        assert worker.process is not None
        listening = _listening_sockets(worker.process.pid)
        pages = {path: requests.get(f"{base}{path}", timeout=5).status_code for path in ("/table/", "/router/")}
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{worker.port}/metrics", timeout=2)
    finally:
        worker.stop()

    assert listening == [(host, worker.port)]
    assert pages == {"/table/": 404, "/router/": 404}
