"""`python -m bench [--quick]`: every benchmark on a real local broker; JSON results plus a printed table."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from bench.core import CORE_GOALS
from bench.report import table
from bench.run import Plan, run

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller inputs and shorter phases (about 7 minutes)")
    parser.add_argument("--output", type=Path, help="results JSON (default bench/results/results[-quick].json)")
    parser.add_argument("--bootstrap", help="use this running broker instead of starting one from the cached jars")
    parser.add_argument("--phase-seconds", type=float, help="length of each latency phase")
    parser.add_argument(
        "--latency-only",
        action="store_true",
        help="only the live worker's section (latency, records per event, scrape, memory); prints the JSON",
    )
    parser.add_argument(
        "--scale-only",
        action="store_true",
        help="only section 8 (50,000 agents, a second worker joining); prints the JSON",
    )
    parser.add_argument(
        "--throughput-only",
        action="store_true",
        help="only rows 2, 2b, 2c and 3 (bare Faust agent event by event, in batches, in batches on uvloop; "
        "the full pipeline); prints the JSON (about 3 minutes)",
    )
    parser.add_argument(
        "--late-shift-hours",
        type=float,
        help="simulated hours folded before the late-shift latency phases (0 skips them; default 6, quick 2)",
    )
    parser.add_argument(
        "--late-shift-only",
        action="store_true",
        help="only the late-shift latency phases; prints the JSON",
    )
    args = parser.parse_args(argv)
    plan = Plan.quick() if args.quick else Plan()
    if args.phase_seconds:
        plan = replace(plan, phase_seconds=args.phase_seconds)
    if args.late_shift_hours is not None:
        plan = replace(plan, late_shift_hours=args.late_shift_hours)
    if args.late_shift_only:
        from bench.run import late_shift_only

        print(json.dumps(late_shift_only(plan, args.bootstrap, log=_progress), indent=2, sort_keys=True, default=str))
        return 0
    if args.throughput_only:
        from bench.run import throughput_only

        done = throughput_only(plan, args.bootstrap, log=_progress)
        text = json.dumps(done, indent=2, sort_keys=True, default=str)
        if args.output:
            args.output.write_text(text + "\n")
        print(text)
        return 0
    output = args.output or RESULTS / ("results-quick.json" if args.quick else "results.json")
    if args.scale_only:
        from bench.run import scale_only

        print(json.dumps(scale_only(plan, args.bootstrap, log=_progress), indent=2, sort_keys=True, default=str))
        return 0
    results = run(plan, args.bootstrap, log=_progress, latency_only=args.latency_only)
    if args.latency_only and not args.output:
        print(json.dumps(results["latency"], indent=2, sort_keys=True, default=str))
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.exists() and "core" not in results:  # `python -m bench.core` writes that section; keep it
        before = json.loads(output.read_text())
        kept = before.get("core")
        if kept is not None:
            results["core"] = kept
            results.setdefault("goals", {}).update(
                (name, goal) for name, goal in before.get("goals", {}).items() if name in CORE_GOALS
            )
    output.write_text(json.dumps(results, indent=2, sort_keys=True, default=str) + "\n")
    print(table(results) if "throughput" in results else json.dumps(results["latency"], indent=2, default=str))
    print(f"\nresults: {output}")
    return 0


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
