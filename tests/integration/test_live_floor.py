"""The README's main job end to end: `floorwatch up` brings up a floor Prometheus can see,
`floorwatch top` shows it in a real terminal, and Ctrl-C leaves no process behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from floorwatch.deploy.processes import free_ports
from floorwatch.services.simulator import SimulatorSettings, build_floor
from tests.helpers import record_summary, wait_until

AGENTS, SEED = 60, 1


def _floor_processes(run_dir: Path) -> list[int]:
    """Processes whose command line or environment names this floor's run directory."""
    marker = str(run_dir).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes() or marker in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue  # gone, or not ours to read
    return found


def _teams_with_occupancy(prometheus: str) -> set[str]:
    reply = requests.get(f"{prometheus}/api/v1/query", params={"query": "floorwatch_team_occupancy_ratio"}, timeout=5)
    return {series["metric"]["team"] for series in reply.json()["data"]["result"]}


@pytest.fixture
def live_floor(tmp_path: Path, kafka_jars: Path):
    yield from _live_floor(tmp_path)


@pytest.fixture
def secure_live_floor(tmp_path: Path, kafka_jars: Path):
    yield from _live_floor(tmp_path, "--secure")


def _live_floor(tmp_path: Path, *options: str):
    kafka_port, prometheus_port = free_ports(2)
    run_dir = tmp_path / "floor"
    command = [
        sys.executable,
        "-m",
        "floorwatch.cli",
        "up",
        "--agents",
        str(AGENTS),
        "--seed",
        str(SEED),
        "--speed",
        "120",
        "--kafka-port",
        str(kafka_port),
        "--prometheus-port",
        str(prometheus_port),
        "--run-dir",
        str(run_dir),
        *options,
    ]
    log = (tmp_path / "up.log").open("wb")
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    yield process, f"http://127.0.0.1:{prometheus_port}", run_dir, tmp_path / "up.log", started
    # Even when the test failed: stop the floor as a user would, then make sure of it.
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
    for pid in _floor_processes(run_dir):
        os.kill(pid, signal.SIGKILL)


def test_the_main_job_shows_every_team_and_ctrl_c_leaves_nothing_running(live_floor, pytestconfig):
    process, prometheus, run_dir, log, started = live_floor
    teams = {team.team_id for team in build_floor(SimulatorSettings(total_agents=AGENTS, seed=SEED)).teams}

    wait_until(lambda: "Press Ctrl-C" in log.read_text(), 120, f"floorwatch up never came up:\n{log.read_text()}")
    ready = time.monotonic()
    wait_until(
        lambda: _teams_with_occupancy(prometheus) >= teams,
        60,
        f"Prometheus never returned occupancy for every team {sorted(teams)}",
    )
    record_summary(
        pytestconfig,
        "floorwatch up",
        f"up in {ready - started:.1f} s; every team's occupancy in Prometheus {time.monotonic() - ready:.1f} s later",
    )

    if shutil.which("tmux"):
        _top_shows_every_team(prometheus, teams, pytestconfig)

    assert _floor_processes(run_dir), "the floor's processes should be findable while it runs"
    process.send_signal(signal.SIGINT)  # what Ctrl-C sends
    assert process.wait(timeout=60) == 0, log.read_text()
    wait_until(lambda: not _floor_processes(run_dir), 30, "processes of the floor outlived Ctrl-C")
    assert "everything stopped" in log.read_text()


def test_a_secure_floor_is_scraped_over_tls_with_basic_auth_and_refuses_a_reader_without_credentials(
    secure_live_floor, pytestconfig
):
    """`floorwatch up --secure`: every Kafka client over SASL_SSL, the workers' pages behind TLS with client
    certificates and basic auth, and Prometheus given what it needs to scrape them."""
    process, prometheus, run_dir, log, _ = secure_live_floor
    teams = {team.team_id for team in build_floor(SimulatorSettings(total_agents=AGENTS, seed=SEED)).teams}

    wait_until(lambda: "Press Ctrl-C" in log.read_text(), 120, f"floorwatch up never came up:\n{log.read_text()}")
    ready = time.monotonic()
    # figures reach Prometheus only if the simulator and workers got through SASL_SSL and Prometheus through TLS
    wait_until(lambda: _teams_with_occupancy(prometheus) >= teams, 90, "Prometheus never saw every team")
    record_summary(pytestconfig, "floorwatch up --secure", f"every team in Prometheus {time.monotonic() - ready:.1f} s")
    up = requests.get(f"{prometheus}/api/v1/query", params={"query": "up"}, timeout=5).json()["data"]["result"]
    worker_url = next(line.split()[2] for line in log.read_text().splitlines() if "worker metrics" in line)
    pki = run_dir / "secrets" / "pki"
    anonymous = requests.get(
        worker_url.rstrip(","),
        cert=(str(pki / "client.pem"), str(pki / "client-key.pem")),
        verify=str(pki / "ca.pem"),
        timeout=5,
    )

    assert sorted(s["value"][1] for s in up) == ["1", "1"]
    assert worker_url.startswith("https://127.0.0.1:")
    assert anonymous.status_code == 401
    assert "SASL_SSL on 127.0.0.1:" in log.read_text()
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0, log.read_text()


def _top_shows_every_team(prometheus: str, teams: set[str], pytestconfig) -> None:
    session = f"fwtop{os.getpid()}"
    # The shell keeps the pane open if top fails, so its error stays on the captured screen.
    # env -u: a COLUMNS inherited from the test runner would override the pane's real width.
    command = (
        f"cd {Path.cwd()} && env -u COLUMNS -u LINES "
        f"{sys.executable} -m floorwatch.cli top --prometheus {prometheus} --refresh 1; sleep 60"
    )
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "220", "-y", "60", command], check=True)
    try:
        screens = [""]

        def shows_every_team() -> bool:
            screens.append(
                subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
            )
            return all(team in screens[-1] for team in teams)

        try:
            wait_until(shows_every_team, 30, f"floorwatch top never showed every team {sorted(teams)}")
        except AssertionError as failure:
            raise AssertionError(f"{failure}\nlast screen:\n{screens[-1]}") from None
        shown = screens[-1]
        assert "Queues" in shown and "Alerts" in shown
        record_summary(pytestconfig, "floorwatch top screen", "\n" + shown.rstrip())
        subprocess.run(["tmux", "send-keys", "-t", session, "C-c"], check=True)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
