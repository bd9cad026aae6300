"""Sections 1-4 and 7: the same pre-filled input read by each subject in turn, on one broker.

Every subject gets its own consumer group, so each reads the whole input from the start.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bench import spy
from bench.drain import wait_drained
from bench.processes import REPO_ROOT, Subject, bare_faust, events_in, floorwatch_worker
from bench.traffic import Routed
from floorwatch.core import replay
from floorwatch.core.config import load_config
from floorwatch.topics import Topics

DRAIN_TIMEOUT_SECONDS = 420


def inputs_of(topics: Topics) -> list[str]:
    return [topics.agent_events, topics.contact_events, topics.schedules]


def raw_aiokafka(bootstrap: str, topics: Topics, expected: int, partitions: int) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.raw_consumer",
        bootstrap,
        str(expected),
        str(partitions),
        *inputs_of(topics),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300, cwd=REPO_ROOT)
    result = json.loads(done.stdout)
    wall, cpu = result["wall_seconds"], result["cpu_seconds"]
    return {
        "events": result["events"],
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "events_per_second": result["events"] / wall,
        "events_per_cpu_second": result["events"] / cpu,
        "method": "in-process clock from the first fetched batch to the last event decoded",
    }


def bare(bootstrap: str, prefix: str, topics: Topics, expected: int, run_dir: Path, mode: str) -> dict:
    group = f"{prefix}-bare-{mode}"
    subject = bare_faust(bootstrap, group, run_dir, mode, inputs_of(topics))
    return _drain([subject], bootstrap, group, topics, expected)


def pipeline(
    bootstrap: str, prefix: str, topics: Topics, expected: int, run_dir: Path, partitions: int, workers: int
) -> dict:
    group = f"{prefix}-floorwatch-x{workers}"
    subjects = [
        floorwatch_worker(bootstrap, prefix, run_dir, partitions=partitions, extra_env={"FLOORWATCH_APP_ID": group})
        for _ in range(workers)
    ]
    recording = run_dir / f"{group}.pyspy.txt"
    recorders = []
    result = _drain(
        subjects,
        bootstrap,
        group,
        topics,
        expected,
        keep_running=True,
        on_started=lambda: recorders.append(spy.start(subjects[0].pid, recording)) if workers == 1 else None,
    )
    try:
        if recorders:
            result["live_profile"] = spy.stop(recorders[0], recording) or "py-spy not installed: skipped"
        if result["stalled"]:
            result["stalled_stacks"] = [spy.dump(s.pid) for s in subjects]
            return result
        counted = sum(events_in(s) for s in subjects)
        result["events_in_total"] = counted  # every input decoded once: no dead letters, no double counting
        result["rss_bytes"] = [s.proc().rss_bytes for s in subjects]
        result["metrics_text"] = [s.get("/metrics").text for s in subjects] if workers == 1 else None
    finally:
        for s in subjects:
            s.stop()
    return result


def _drain(
    subjects: list[Subject],
    bootstrap: str,
    group: str,
    topics: Topics,
    expected: int,
    keep_running: bool = False,
    on_started=None,
) -> dict:
    started = time.monotonic()
    for s in subjects:
        s.start()
    if on_started is not None:
        on_started()
    try:
        drained = wait_drained(bootstrap, group, inputs_of(topics), expected, subjects, started, DRAIN_TIMEOUT_SECONDS)
    except BaseException:
        for s in subjects:
            s.stop()
        raise
    if not keep_running:
        for s in subjects:
            s.stop()
    return {
        **drained.as_dict(),
        "method": "consumer-group committed offsets polled every 0.2 s; CPU from /proc; "
        "rate from 5 % of the input committed to all of it",
    }


def pure_core(routed: list[Routed]) -> dict:
    """Section 4: `floorwatch replay`'s decode and fold, in this process, best of three (CPU time)."""
    lines = [item.value for item in routed]
    config = load_config()
    best = float("inf")
    for _ in range(3):
        began = time.process_time()
        replay.fold(replay.decode_lines(lines), config)
        best = min(best, time.process_time() - began)
    return {
        "events": len(lines),
        "cpu_seconds": best,
        "events_per_cpu_second": len(lines) / best,
        "events_per_second": len(lines) / best,
        "method": (
            "floorwatch.core.replay.fold(decode_lines(lines)) in-process, best of 3, "
            "CPU time (single thread, so wall = CPU)"
        ),
    }
