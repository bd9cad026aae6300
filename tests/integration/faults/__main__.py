"""Run the fault suite N times and write what it found.

    python -m tests.integration.faults --repeat 5 --out bench/results/faults.json

Each repeat is one pytest run of tests/integration/faults (its own broker and cluster); every
scenario appends its result record (harness.ScenarioResult) to a JSONL file, also when it
fails. The summary per scenario (runs, failures, events lost, events counted twice, longest
stall, restarts, durations) and the code version go to --out, and the table between the
markers in docs/reliability.md is rewritten from it. Failures are counted, never retried.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SUITE = "tests/integration/faults"
TABLE_BEGIN = "<!-- faults table: begin (written by `make test-faults`) -->"
TABLE_END = "<!-- faults table: end -->"


def code_version() -> dict:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return {
        "describe": git("describe", "--always", "--dirty", "--tags"),
        "commit": git("rev-parse", "HEAD"),
        "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
    }


def summarise(records: list[dict]) -> dict:
    scenarios: dict[str, dict] = {}
    for record in records:
        s = scenarios.setdefault(
            record["scenario"],
            {
                "runs": 0,
                "failures": 0,
                "events_lost": 0,
                "events_counted_twice": 0,
                "longest_stall_seconds": 0.0,
                "restarts": 0,
                "unmeasured_runs": 0,
                "duration_seconds": [],
                "failure_messages": [],
            },
        )
        s["runs"] += 1
        s["failures"] += 0 if record["passed"] else 1
        if record["events_lost"] is None or record["events_counted_twice"] is None:
            s["unmeasured_runs"] += 1  # failed before the audit could count: not a zero
        s["events_lost"] += record["events_lost"] or 0
        s["events_counted_twice"] += record["events_counted_twice"] or 0
        s["longest_stall_seconds"] = max(s["longest_stall_seconds"], record["longest_stall_seconds"] or 0.0)
        s["restarts"] += record["restarts"]
        s["duration_seconds"].append(record["duration_seconds"])
        if record.get("failure"):
            s["failure_messages"].append(record["failure"].splitlines()[0][:300])
    for s in scenarios.values():
        durations = s.pop("duration_seconds")
        s["duration_seconds"] = {"mean": round(sum(durations) / len(durations), 1), "max": max(durations)}
    return scenarios


def table(summary: dict) -> str:
    version = summary["code_version"]["describe"]
    rows = [
        f"Latest `make test-faults REPEAT={summary['repeat']}` on `{version}` ({summary['finished_at']}, "
        f"{summary['cpus']} CPUs, {summary['wall_seconds'] / 60:.0f} min):",
        "",
        "| scenario | runs | failures | events lost | counted twice | longest stall (s) | restarts "
        "| mean duration (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s in summary["scenarios"].items():
        lost = f"{s['events_lost']}" + (f" ({s['unmeasured_runs']} unmeasured)" if s["unmeasured_runs"] else "")
        rows.append(
            f"| {name} | {s['runs']} | {s['failures']} | {lost} | {s['events_counted_twice']} | "
            f"{s['longest_stall_seconds']:.0f} | {s['restarts']} | {s['duration_seconds']['mean']:.0f} |"
        )
    return "\n".join(rows)


def write_table(doc: Path, summary: dict) -> None:
    text = doc.read_text()
    if TABLE_BEGIN not in text or TABLE_END not in text:
        print(f"{doc} has no results markers; table not written", file=sys.stderr)
        return
    head, rest = text.split(TABLE_BEGIN, 1)
    _, tail = rest.split(TABLE_END, 1)
    doc.write_text(f"{head}{TABLE_BEGIN}\n{table(summary)}\n{TABLE_END}{tail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.integration.faults", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="pytest runs of the whole suite (default 5)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/faults.json")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs/reliability.md", help="table to rewrite")
    parser.add_argument("-k", dest="select", help="pytest -k expression (a subset of scenarios)")
    args = parser.parse_args(argv)

    began = time.monotonic()
    exit_codes = []
    with tempfile.TemporaryDirectory(prefix="floorwatch-faults-") as scratch:
        results = Path(scratch) / "results.jsonl"
        for run in range(1, args.repeat + 1):
            print(f"==> fault suite run {run}/{args.repeat}", flush=True)
            command = [sys.executable, "-m", "pytest", SUITE, "-p", "no:cacheprovider", "-q"]
            if args.select:
                command += ["-k", args.select]
            env = {**os.environ, "FLOORWATCH_FAULTS_RESULTS": str(results)}
            exit_codes.append(subprocess.run(command, cwd=ROOT, env=env).returncode)
        records = [json.loads(line) for line in results.read_text().splitlines()] if results.exists() else []

    summary = {
        "code_version": code_version(),
        "repeat": args.repeat,
        "pytest_exit_codes": exit_codes,
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "wall_seconds": round(time.monotonic() - began),
        "cpus": os.cpu_count(),
        "scenarios": summarise(records),
        "runs": records,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    if args.doc.exists():
        write_table(args.doc, summary)
    print(table(summary))
    failed = any(s["failures"] for s in summary["scenarios"].values()) or any(exit_codes) or not records
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
