"""`python -m bench.core`: the pure core, no broker (docs/performance.md, "The pure core").

Two measurements, written under "core" in bench/results/results.json (the rest is kept):
- the simulator's 1,000-agent 8-hour log: decode + fold + report as `floorwatch replay` runs
  them, side by side in one run with a plain `json.loads` pass over the same lines (best of
  --repeat, interleaved, CPU time: the ratio is what a busy machine leaves stable), and each
  phase alone (decode, fold, report, writing it) in microseconds per event;
- `floorwatch replay` of a month-long log (1,000 agents x 22 working days, one simulator run
  per day): wall time, CPU time, events per second and the process's peak memory.
With the compiled core built (`make setup`), the 8-hour measurement is also run for this
tree as compiled and as pure Python, side by side in child processes (`FLOORWATCH_CORE`).
The logs are generated once into ~/.cache/floorwatch/bench (about 2.8 GB for the month).
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path

from bench.processes import REPO_ROOT
from bench.run import code_version
from floorwatch.core import IMPLEMENTATION, codec, replay
from floorwatch.core.config import load_config
from floorwatch.report_json import write_report

RESULTS = Path(__file__).resolve().parent / "results" / "results.json"
CACHE = Path.home() / ".cache" / "floorwatch" / "bench"
AGENTS = 1000
MONTH_FIRST_DAY = date(2026, 11, 2)  # a Monday
WORKING_DAYS = 22


def simulate(output: Path, seed: int, start: str | None = None) -> None:
    command = [sys.executable, "-m", "floorwatch.cli", "simulate", "--quiet", "--output", str(output)]
    command += ["--agents", str(AGENTS), "--seed", str(seed)] + (["--start", start] if start else [])
    subprocess.run(command, check=True)


def shift_log() -> Path:
    path = CACHE / f"shift-{AGENTS}.jsonl"
    if not path.exists():
        simulate(path.with_suffix(".partial"), seed=1)
        path.with_suffix(".partial").rename(path)
    return path


def working_days() -> list[date]:
    days: list[date] = []
    day = MONTH_FIRST_DAY
    while len(days) < WORKING_DAYS:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def month_log() -> Path:
    """One 8-hour simulator day per working day, concatenated; each day its own seed
    (100 x (month - 10) + day: 102 for 2 November, 201 for 1 December)."""
    path = CACHE / f"month-{AGENTS}x{WORKING_DAYS}.jsonl"
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        for day in working_days():
            one = CACHE / "day.jsonl"
            simulate(one, seed=100 * (day.month - 10) + day.day, start=f"{day.isoformat()}T08:00:00Z")
            out.write(one.read_bytes())
            one.unlink()
    partial.rename(path)
    return path


def _cpu(run: Callable[[], object]) -> float:
    gc.collect()
    began = time.process_time()
    run()
    return time.process_time() - began


def side_by_side(lines: list[bytes], repeat: int) -> dict:
    config = load_config()

    def plain() -> None:
        for line in lines:
            json.loads(line)

    def core() -> None:
        replay.replay(lines, config)

    best = {"json_loads": float("inf"), "core": float("inf")}
    for _ in range(repeat):  # interleaved, so that a change in the machine's load hits both
        best["json_loads"] = min(best["json_loads"], _cpu(plain))
        best["core"] = min(best["core"], _cpu(core))
    n = len(lines)
    return {
        "events": n,
        "json_loads_events_per_cpu_second": n / best["json_loads"],
        "core_events_per_cpu_second": n / best["core"],
        "core_over_json_loads_ratio": best["json_loads"] / best["core"],
        "method": f"best of {repeat}, interleaved, CPU time in one process: a `json.loads` pass over the lines; "
        "`replay.replay(lines, config)` as `floorwatch replay` runs it",
    }


def phases(lines: list[bytes], repeat: int) -> dict:
    """Where an event's time goes: decode, fold, report and writing it, each alone (best of
    `repeat`, CPU time), in microseconds per event of the log, beside a `json.loads` pass."""
    config = load_config()
    entries = list(replay.decode_lines(lines))
    with replay.fewer_collections():
        result = replay.fold(entries, config)
        report = replay.build_report(result, config)
    runs: dict[str, Callable[[], object]] = {
        "json_loads": lambda: _drain(map(json.loads, lines)),
        "decode": lambda: _drain(replay.decode_lines(lines)),
        "pydantic_validate": lambda: _drain(map(codec.validate, lines)),  # the reference alone, as before
        "fold": lambda: _fewer(lambda: replay.fold(entries, config)),
        "report": lambda: _fewer(lambda: replay.build_report(result, config)),
        "write": lambda: write_report(report, io.BytesIO()),
    }
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, run in runs.items():
            best[name] = min(best[name], _cpu(run))
    per_event = {f"{name}_us_per_event": seconds / len(lines) * 1e6 for name, seconds in best.items()}
    return {
        **per_event,
        "decode_over_json_loads_ratio": best["decode"] / best["json_loads"],
        "pydantic_validate_over_decode_ratio": best["pydantic_validate"] / best["decode"],
        "method": f"each phase alone, best of {repeat}, CPU time in one process: `replay.decode_lines` "
        "(events not kept); `codec.validate`, the pydantic reference alone (all decoding was before the "
        "fast path); `replay.fold` of the decoded entries and `replay.build_report` (with the replay's "
        "collector thresholds); `write_report` to memory (what `floorwatch replay --output` writes)",
    }


def _drain(entries: Iterable[object]) -> None:
    for _ in entries:
        pass


def _fewer(run: Callable[[], object]) -> None:
    with replay.fewer_collections():
        run()


# The core of another commit cannot share this process: a child runs the same measurement on its tree.
_CORE_IN_CHILD = """
import gc, sys, time
from floorwatch.core import IMPLEMENTATION, replay
from floorwatch.core.config import load_config
lines = open(sys.argv[1], "rb").read().splitlines()[: int(sys.argv[2])]
config = load_config()
gc.collect()
began = time.process_time()
replay.replay(lines, config)
print(time.process_time() - began)
print(IMPLEMENTATION.describe())
"""


def against(commit: str, log: Path, lines: int, repeat: int) -> dict:
    """This tree's core and `commit`'s, each in a child process, alternating (best of `repeat`)."""
    with tempfile.TemporaryDirectory() as other:
        archive = subprocess.run(["git", "archive", commit], capture_output=True, check=True, cwd=REPO_ROOT)
        subprocess.run(["tar", "-x", "-C", other], input=archive.stdout, check=True)
        trees = {"this": str(REPO_ROOT), commit: other}
        best = dict.fromkeys(trees, float("inf"))
        core: dict[str, str] = {}
        for _ in range(repeat):
            for name, tree in trees.items():
                child = [sys.executable, "-c", _CORE_IN_CHILD, str(log), str(lines)]
                done = subprocess.run(child, capture_output=True, text=True, check=True, cwd=tree, env=_path(tree))
                seconds, core[name] = done.stdout.splitlines()
                best[name] = min(best[name], float(seconds))
    return {
        "commit": commit,
        "events": lines,
        "this_events_per_cpu_second": lines / best["this"],
        "commit_events_per_cpu_second": lines / best[commit],
        "speedup": best[commit] / best["this"],
        "this_implementation": core["this"],
        "commit_implementation": core[commit],
        "method": f"decode + fold + report in a child process per tree, alternating, best of {repeat}, CPU time",
    }


def _path(tree: str, **more: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": tree, **more}


def compiled_against_pure(log: Path, lines: int, repeat: int) -> dict:
    """This tree's core compiled (mypyc) and as pure Python, each in a child process, alternating."""
    kinds = ("compiled", "pure")
    best = dict.fromkeys(kinds, float("inf"))
    for _ in range(repeat):
        for kind in kinds:
            child = [sys.executable, "-c", _CORE_IN_CHILD, str(log), str(lines)]
            env = _path(str(REPO_ROOT), FLOORWATCH_CORE=kind)
            done = subprocess.run(child, capture_output=True, text=True, check=True, cwd=REPO_ROOT, env=env)
            best[kind] = min(best[kind], float(done.stdout.splitlines()[0]))
    return {
        "events": lines,
        "compiled_events_per_cpu_second": lines / best["compiled"],
        "pure_events_per_cpu_second": lines / best["pure"],
        "speedup": best["pure"] / best["compiled"],
        "method": f"decode + fold + report, a child process per FLOORWATCH_CORE, alternating, best of {repeat}",
    }


# The month's child reports its own peak: the kernel's `ru_maxrss` for a child (wait4) starts at
# the RSS of the process that spawned it (the high-water mark of the forked memory is carried over
# exec), so it measured this benchmark, which holds the 8-hour log and its reports, not the replay.
# VmHWM is the high-water mark of the memory the replay itself mapped since exec.
_MONTH_CHILD = """
import sys
from floorwatch.cli import main
peak_file = sys.argv.pop(1)
try:
    code = main()
finally:
    with open("/proc/self/status") as status, open(peak_file, "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM:")))
sys.exit(code)
"""


def month_replay(log: Path) -> dict:
    """`floorwatch replay` in a child process: its wall time, CPU time (wait4) and peak RSS (VmHWM)."""
    with tempfile.TemporaryDirectory() as scratch:
        report, peak = Path(scratch) / "report.json", Path(scratch) / "peak"
        arguments = ["replay", "--no-progress", "--event-clock", "--output", str(report), str(log)]
        began = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", _MONTH_CHILD, str(peak), *arguments], stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - began
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise RuntimeError(f"floorwatch replay exited with {child.returncode}")
        events = json.loads(report.read_text())["events"]
        peak_kib = int(peak.read_text().split()[1])  # "VmHWM:   294396 kB"
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "events": events["lines"],
        "agents": AGENTS,
        "working_days": WORKING_DAYS,
        "log_bytes": log.stat().st_size,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "events_per_second": events["lines"] / wall,
        "peak_rss_bytes": peak_kib * 1024,
        "peak_rss_method": "VmHWM of the replay process at its end (wait4's ru_maxrss counts the spawning process)",
        "command": "floorwatch " + " ".join([*arguments[:-3], "--output", "REPORT", str(log)]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.core", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-month", action="store_true", help="only the 8-hour log (seconds, not minutes)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--against", metavar="COMMIT", help="also run another commit's core beside this one's")
    parser.add_argument("--lines", type=int, help="only the first N lines of the 8-hour log (a quick look)")
    args = parser.parse_args(argv)
    CACHE.mkdir(parents=True, exist_ok=True)
    result: dict = {"code": code_version(), "load_average_at_start": os.getloadavg()}
    result["implementation"] = IMPLEMENTATION.describe()
    lines = shift_log().read_bytes().splitlines()[: args.lines]
    result["shift_1000_agents_8h"] = side_by_side(lines, args.repeat)
    result["shift_1000_agents_8h_phases"] = phases(lines, args.repeat)
    if IMPLEMENTATION.compiled:
        result["shift_1000_agents_8h_compiled_vs_pure"] = compiled_against_pure(shift_log(), len(lines), args.repeat)
    if args.against:
        result["shift_1000_agents_8h_against"] = against(args.against, shift_log(), len(lines), args.repeat)
    del lines
    if not args.skip_month:
        result["month_1000_agents_22_days"] = month_replay(month_log())
    result["load_average_at_end"] = os.getloadavg()
    results = json.loads(args.output.read_text()) if args.output.exists() else {}
    results["core"] = result
    results.setdefault("goals", {}).update(core_goals(result))
    args.output.write_text(json.dumps(results, indent=2, sort_keys=True, default=str) + "\n")
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0


# The goals this benchmark owns; `python -m bench` (the live one) keeps them as they are.
CORE_GOALS = frozenset({"pure_core_over_100k_events_per_second", "month_replay_under_2_min_and_500_mb"})


def core_goals(result: dict) -> dict:
    shift = result["shift_1000_agents_8h"]["core_events_per_cpu_second"]
    goals = {"pure_core_over_100k_events_per_second": {"goal": "> 100000", "measured": shift, "met": shift > 100_000}}
    month = result.get("month_1000_agents_22_days")
    if month is not None:
        goals["month_replay_under_2_min_and_500_mb"] = {
            "goal": "< 120 s wall and < 500 MB peak RSS",
            "measured_seconds": month["wall_seconds"],
            "measured_peak_rss_bytes": month["peak_rss_bytes"],
            "met": month["wall_seconds"] < 120 and month["peak_rss_bytes"] < 500 * 2**20,
        }
    return goals


if __name__ == "__main__":
    sys.exit(main())
