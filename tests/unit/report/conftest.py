"""A small simulated floor, written once per test session: the log every report test reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

KEY = "report-tests-key-not-a-secret"
FLOOR = ["--seed", "11", "--sites", "2", "--teams-per-site", "2", "--agents-per-team", "6", "--duration", "5h"]


def floorwatch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "floorwatch.cli", *args], capture_output=True, text=True, timeout=120, env=env
    )


@pytest.fixture(scope="session")
def simulated_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("floor") / "events.jsonl"
    done = floorwatch("simulate", "--output", str(path), "--start", "2026-11-24T08:00:00Z", "--quiet", *FLOOR)
    assert done.returncode == 0, done.stderr
    return path
