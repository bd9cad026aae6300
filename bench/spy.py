"""Where a running worker's CPU goes: py-spy samples of the live process, summarised.

py-spy is optional (`pip install py-spy`); without it the live profile is skipped and the
in-process step profile (bench/pipeline.py) still runs.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

# Inclusive attribution: a sample counts for the first of these found on its stack (innermost first).
REGIONS = (
    ("AgentStep.run", "agent step: decode, apply the core, encode state, build outputs"),
    ("send_all", "sending outputs and waiting for acks (Kafka producer)"),
    ("_persist", "table writes (Faust table set + changelog send)"),
    ("_write", "table writes (Faust table set + changelog send)"),
    ("QueueStep.run", "queue step (re-consumed queue events)"),
    ("team_members", "team-member agent (re-consumed team-members records)"),
    ("queue_events", "queue agent (re-consumed queue events)"),
    ("Ticker.tick", "clock tick: view every agent, roll teams up"),
    ("generate_latest", "/metrics render"),
    ("count_into", "pipeline counters"),
    ("agent_events", "agent-events agent, outside the step"),
)


def py_spy() -> str | None:
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


def start(pid: int, output: Path) -> subprocess.Popen | None:
    binary = py_spy()
    if binary is None:
        return None
    return subprocess.Popen(
        [
            binary,
            "record",
            "--pid",
            str(pid),
            "--rate",
            "100",
            "--format",
            "raw",
            "--nonblocking",
            "--output",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


def dump(pid: int, lines: int = 40) -> str | None:
    """The current stacks of a (stuck) process, as py-spy prints them."""
    binary = py_spy()
    if binary is None:
        return None
    done = subprocess.run([binary, "dump", "--pid", str(pid)], capture_output=True, text=True, timeout=60)
    return "\n".join(done.stdout.splitlines()[:lines])


def stop(recorder: subprocess.Popen | None, output: Path) -> dict | None:
    if recorder is None:
        return None
    recorder.send_signal(signal.SIGINT)
    try:
        recorder.wait(timeout=60)
    except subprocess.TimeoutExpired:
        recorder.kill()
        return None
    return summarise(output.read_text(errors="replace")) if output.exists() else None


def summarise(folded: str) -> dict:
    regions: Counter = Counter()
    leaves: Counter = Counter()
    own: Counter = Counter()  # innermost frame, by function and file
    inclusive: Counter = Counter()  # any frame on the stack, by function and file, once per sample
    total = 0
    for line in folded.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        regions[_region(frames)] += n
        leaves[_library(frames[-1])] += n
        own[_short(frames[-1])] += n
        for name in {_short(f) for f in frames}:
            inclusive[name] += n
    if not total:
        return {"samples": 0}
    return {
        "samples": total,
        "inclusive_share": {k: v / total for k, v in regions.most_common()},
        "innermost_frame_library_share": {k: v / total for k, v in leaves.most_common()},
        "top_own_functions": {k: round(v / total, 4) for k, v in own.most_common(25)},
        "top_inclusive_functions": {k: round(v / total, 4) for k, v in inclusive.most_common(40)},
    }


def _short(frame: str) -> str:
    """`function (path/to/file.py:line)` -> `function (file.py)`."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit('/', 1)[-1].split(':', 1)[0]})" if where else name


def _region(frames: list[str]) -> str:
    names = [f.split(" (", 1)[0] for f in frames]
    for key, label in REGIONS:
        if any(name == key or name.endswith(("." + key, "<locals>." + key)) for name in names):
            return label
    text = ";".join(frames)
    if "faust/" in text or "mode/" in text or "aiokafka/" in text:
        return "Faust / aiokafka machinery (fetch, stream iteration, commit, changelog)"
    if "select" in text or "asyncio/" in text:
        return "event loop idle or I/O"
    return "other"


def _library(frame: str) -> str:
    where = frame.split(" (", 1)[-1]
    for key in (
        "floorwatch/core",
        "core/",
        "streams/",
        "pydantic",
        "json/",
        "faust/",
        "mode/",
        "aiokafka/",
        "kafka/",
        "prometheus_client",
        "asyncio/",
        "selectors",
    ):
        if key in where:
            return key.strip("/")
    return "other"
