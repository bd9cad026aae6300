"""`floorwatch replay EVENTS.jsonl`: every figure in batch, as one JSON report on stdout.

The report's shape and the meaning of each figure: docs/metrics.md. Bad lines are skipped
and reported with their line numbers (in the report, and the first few on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

import floorwatch.core as core
from floorwatch.core import native
from floorwatch.core.config import ConfigError, load_config
from floorwatch.core.period_report import render_periods, replay_periods
from floorwatch.core.periods import PeriodKind
from floorwatch.core.replay import replay
from floorwatch.report_json import write_report

HELP = "Compute every figure in batch from a canonical event log (JSONL)"
PROGRESS_FROM_BYTES = 5_000_000  # smaller logs finish before a bar would be worth drawing
SHOWN_ON_STDERR = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        f"The metric core here runs {core.IMPLEMENTATION.describe()}. {native.MODE_VARIABLE}=pure runs the "
        "pure-Python reference, =compiled insists on the build; both give the same figures."
    )
    parser.add_argument("events", help="canonical event log, one JSON event per line ('-' reads stdin)")
    parser.add_argument("--policy", type=Path, help="break policy profile (YAML); default: the built-in default policy")
    parser.add_argument(
        "--staffing", type=Path, help="service-level targets and skills per queue (YAML, docs/staffing.md)"
    )
    parser.add_argument("--schedules", type=Path, help="schedule.published events (JSONL), applied before the log")
    parser.add_argument("--output", type=Path, help="write the report to this file instead of stdout")
    parser.add_argument("--no-progress", action="store_true", help="never draw the progress bar")
    parser.add_argument(
        "--event-clock",
        action="store_true",
        help="the log runs ahead of the wall clock on purpose (a sped-up simulation): do not refuse events dated "
        "more than 5 minutes after now, as workers with FLOORWATCH_CLOCK=event do not",
    )
    parser.add_argument(
        "--by",
        choices=[kind.value for kind in PeriodKind],
        help="instead of the full report, figures per agent and team for each calendar day or each shift",
    )
    parser.add_argument(
        "--format", choices=["json", "csv"], default="json", help="with --by: JSON (default) or CSV rows"
    )
    parser.add_argument("--timezone", default="UTC", help="with --by: the zone whose midnights cut days (default UTC)")


def run(args: argparse.Namespace) -> int:
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        config = load_config(policy=args.policy, staffing=args.staffing)
    except ConfigError as problem:
        err.print(f"floorwatch replay: {problem.reason}")
        return 2
    if not args.by and (args.format != "json" or args.timezone != "UTC"):
        err.print("floorwatch replay: --format and --timezone shape the rows of --by day|shift; add --by")
        return 2
    zone = _zone(args.timezone) if args.by else None
    if args.by and zone is None:
        err.print(f"floorwatch replay: --timezone {args.timezone!r} is not a known time zone (e.g. Europe/Berlin, UTC)")
        return 2
    with ExitStack() as stack:
        try:
            events = sys.stdin.buffer if args.events == "-" else stack.enter_context(open(args.events, "rb"))
            schedules = stack.enter_context(open(args.schedules, "rb")) if args.schedules else None
        except OSError as problem:
            err.print(f"floorwatch replay: cannot read {problem.filename}: {problem.strerror}")
            return 2
        lines = _with_progress(events, stack, err, enabled=not args.no_progress)
        if args.by and zone is not None:
            received = None if args.event_clock else time.time()
            periods = replay_periods(lines, config, PeriodKind(args.by), zone, schedules or (), received)
            return _write_text(render_periods(periods, args.format), args.output, periods["events"], err)
        report = replay(
            lines,
            config,
            schedules if schedules is not None else (),
            received_at_seconds=None if args.event_clock else time.time(),
        )
    if args.output:
        with args.output.open("wb") as out:
            write_report(report, out)
    else:
        sys.stdout.flush()
        write_report(report, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    _summarise(report["events"], err)
    return 0


def _write_text(text: str, output: Path | None, events: dict, err: Console) -> int:
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    _summarise(events, err)
    return 0


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _with_progress(events: BinaryIO, stack: ExitStack, err: Console, *, enabled: bool) -> Iterable[bytes]:
    size = _size(events)
    if not enabled or size is None or size < PROGRESS_FROM_BYTES:
        return events
    progress = stack.enter_context(
        Progress(
            TextColumn("replaying"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=err,
        )
    )
    return _counting(events, progress, progress.add_task("replay", total=size))


def _counting(lines: Iterable[bytes], progress: Progress, task: TaskID) -> Iterator[bytes]:
    done = 0
    for number, line in enumerate(lines, start=1):
        done += len(line)
        if number % 20_000 == 0:
            progress.update(task, completed=done)
        yield line
    progress.update(task, completed=done)


def _size(stream: BinaryIO) -> int | None:
    try:
        return os.fstat(stream.fileno()).st_size or None
    except (OSError, ValueError):
        return None


def _summarise(events: dict, err: Console) -> None:
    err.print(
        f"{events['lines']} lines: {events['accepted']} accepted, {events['duplicate']} duplicate, "
        f"{events['late']} late, {events['rejected']} rejected"
    )
    for rejection in events["rejections"][:SHOWN_ON_STDERR]:
        err.print(f"  {rejection['file']} line {rejection['line']}: {rejection['reason']}", markup=False)
    hidden = events["rejected"] - min(events["rejected"], SHOWN_ON_STDERR)
    if hidden:
        err.print(f"  ... and {hidden} more rejected line(s): see events.rejections in the report")
