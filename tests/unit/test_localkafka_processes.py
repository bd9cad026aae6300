"""Server processes never outlive their owner: group stops, SIGKILL after the grace period, parent death.

These start tiny Python and shell processes (no broker) and finish in about a second.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from floorwatch.deploy.processes import free_ports, pid_alive, spawn, stop_children, stop_detached
from tests.helpers import wait_until

_IGNORES_SIGTERM = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"
)


def _log_lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_a_process_ignoring_sigterm_is_killed_when_the_grace_period_ends(tmp_path: Path) -> None:
    log = tmp_path / "stubborn.log"
    process = spawn([sys.executable, "-c", _IGNORES_SIGTERM], log)
    wait_until(lambda: "ready" in _log_lines(log), 10, "the stubborn process never started")

    began = time.monotonic()
    stop_children([process], grace_seconds=0.5)

    assert process.returncode == -signal.SIGKILL
    assert 0.5 <= time.monotonic() - began < 5


def test_stopping_a_server_also_stops_the_processes_it_started(tmp_path: Path) -> None:
    log = tmp_path / "parent.log"
    # A shell that starts a grandchild and waits, like a launcher script around a JVM.
    process = spawn(["sh", "-c", "sleep 60 & echo $!; wait"], log)
    grandchild = int(wait_until(lambda: _log_lines(log), 10, "the grandchild pid was never printed")[0])
    assert pid_alive(grandchild)

    stop_children([process], grace_seconds=5)

    wait_until(lambda: not pid_alive(grandchild), 5, "the grandchild survived its group's stop")


def _start_owner(tmp_path: Path, *, detached: bool) -> tuple[subprocess.Popen[bytes], int]:
    """A Python process that starts a server (`sleep 60`) with `spawn` and prints its pid."""
    log = tmp_path / "owner.log"
    owner_script = (
        "import time; from pathlib import Path; from floorwatch.deploy.processes import spawn; "
        f"p = spawn(['sleep', '60'], Path({str(tmp_path / 'server.log')!r}), detached={detached}); "
        "print(p.pid, flush=True); time.sleep(60)"
    )
    with open(log, "wb") as out:
        owner = subprocess.Popen([sys.executable, "-c", owner_script], stdout=out)
    server = int(wait_until(lambda: _log_lines(log), 20, "the owner never started its server")[0])
    return owner, server


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs util-linux setpriv for the parent-death signal")
def test_an_attached_server_dies_when_its_owner_is_killed(tmp_path: Path) -> None:
    owner, server = _start_owner(tmp_path, detached=False)
    assert pid_alive(server)

    owner.kill()  # SIGKILL: no atexit handler, no finalizer runs
    owner.wait()

    wait_until(lambda: not pid_alive(server), 5, "the server outlived its SIGKILLed owner (orphan)")


def test_a_detached_server_outlives_its_owner_and_is_stopped_by_pid_from_elsewhere(tmp_path: Path) -> None:
    owner, server = _start_owner(tmp_path, detached=True)
    owner.kill()
    owner.wait()
    try:
        assert pid_alive(server), "a detached server (floorwatch kafka start) must survive its starter"
    finally:
        stop_detached([server], grace_seconds=5)

    assert not pid_alive(server)


def test_an_exited_but_unreaped_process_counts_as_gone() -> None:
    process = subprocess.Popen(["true"])

    wait_until(lambda: not pid_alive(process.pid), 5, "a zombie still counts as alive")
    process.wait()


def test_free_ports_are_distinct_and_can_be_bound() -> None:
    ports = free_ports(6)

    assert len(set(ports)) == 6
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
