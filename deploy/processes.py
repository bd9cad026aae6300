"""Start and stop server processes (JVMs, Prometheus) so that none outlives its owner.

Each server runs in its own session, so it is the leader of its own process group: a
stop signals the whole group, and a Ctrl-C in the terminal does not reach it halfway
through a clean shutdown. Attached servers also get a parent-death signal (`setpriv
--pdeathsig KILL`), so a test run killed with SIGKILL leaves no orphan JVM behind. The
signal follows the *thread* that started the process, so start servers from a
long-lived thread (normally the main thread).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from floorwatch.deploy.kafka_config import LOOPBACK

_POLL_SECONDS = 0.1


def free_ports(count: int) -> list[int]:
    """`count` distinct loopback ports that were free a moment ago (held open together so none repeats)."""
    held: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((LOOPBACK, 0))
            held.append(sock)
        return [sock.getsockname()[1] for sock in held]
    finally:
        for sock in held:
            sock.close()


def spawn(
    command: Sequence[str], log_path: Path, *, detached: bool = False, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start `command` in a new session with stdout and stderr appended to `log_path`."""
    setpriv = shutil.which("setpriv")
    guard = [setpriv, "--pdeathsig", "KILL", "--"] if setpriv and not detached else []
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [*guard, *command],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=cwd,
        )


def stop_children(processes: Sequence[subprocess.Popen[bytes]], grace_seconds: float) -> None:
    """SIGTERM each child's process group, wait up to `grace_seconds` in all, then SIGKILL the rest."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        _signal_group(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    for process in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def kill_children(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    """SIGKILL at once, as a crash would; also the last-resort safety net at interpreter exit."""
    for process in processes:
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGKILL)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass


def stop_detached(pids: Sequence[int], grace_seconds: float) -> None:
    """Stop servers that another (finished) process started; they are not our children."""
    running = [pid for pid in pids if pid_alive(pid)]
    for pid in running:
        _signal_group(pid, signal.SIGTERM)
    if not _wait_gone(running, time.monotonic() + grace_seconds):
        for pid in running:
            _signal_group(pid, signal.SIGKILL)
        _wait_gone(running, time.monotonic() + 30)


def pid_alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (exited, not yet reaped by a non-reaping init) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return ""


def _wait_gone(pids: Sequence[int], deadline: float) -> bool:
    while any(pid_alive(pid) for pid in pids):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_SECONDS)
    return True


def _signal_group(pid: int, signum: signal.Signals) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
