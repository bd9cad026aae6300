"""`floorwatch ingest SOURCE [FILE | --follow FILE]`: a platform's feed -> canonical events.

Events go to JSONL (stdout or --output) or to Kafka (--to kafka); the run
report (records read, events produced, records skipped with their positions,
unmapped states, agents missing from the roster) goes to stderr.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from floorwatch.services.ingest.mapping import MappingError
from floorwatch.services.ingest.pipeline import ingest
from floorwatch.services.ingest.readers import follow_lines, read_lines, records
from floorwatch.services.ingest.registry import (
    DEFAULT_CLOCK_SKEW_SECONDS,
    DEFAULT_REORDER_WINDOW_SECONDS,
    DEFAULT_SESSION_GAP_SECONDS,
    SOURCES,
    IngestOptions,
    build_adapter,
)
from floorwatch.services.ingest.rejects import RejectsFile
from floorwatch.services.ingest.roster import RosterError, load_roster
from floorwatch.services.ingest.sinks import JsonlSink, KafkaSink
from floorwatch.topics import Topics

HELP = "Translate a platform's event feed into floorwatch events"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", choices=list(SOURCES), help="the platform the feed comes from (docs/ingest.md)")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("file", nargs="?", type=Path, help="the feed file; '-' reads standard input")
    where.add_argument("--follow", type=Path, metavar="FILE", help="keep reading FILE as it grows (like tail -F)")
    parser.add_argument("--to", choices=["jsonl", "kafka"], default="jsonl", help="where events go (default: jsonl)")
    parser.add_argument("--output", type=Path, help="JSONL file to write (default: standard output)")
    parser.add_argument("--mapping", type=Path, help="YAML state-mapping table extending the source's defaults")
    parser.add_argument("--roster", type=Path, help="CSV or YAML: agent -> team, site, queues")
    parser.add_argument("--bootstrap", default="127.0.0.1:9092", help="Kafka bootstrap servers (with --to kafka)")
    parser.add_argument("--topic-prefix", default="floorwatch", help="prefix of the Kafka topic names")
    parser.add_argument(
        "--timezone", help="zone of times written without an offset (asterisk-db, csv), e.g. Europe/Berlin"
    )
    parser.add_argument(
        "--session-gap-minutes",
        type=float,
        default=DEFAULT_SESSION_GAP_SECONDS / 60,
        help="csv: a longer gap between an agent's calls ends their session; asterisk: a login only implied by "
        "activity ends after this long available and silent (default: 15)",
    )
    parser.add_argument(
        "--clock-skew-seconds",
        type=float,
        default=DEFAULT_CLOCK_SKEW_SECONDS,
        help="csv: arrival after answer (or end before it) by at most this much is clamped, not rejected (default: 5)",
    )
    parser.add_argument(
        "--reorder-window-minutes",
        type=float,
        default=DEFAULT_REORDER_WINDOW_SECONDS / 60,
        help="csv with --follow: rows are held this long to put them in order (default: 60); a file is sorted whole",
    )
    parser.add_argument(
        "--placeholder-agent",
        action="append",
        default=[],
        metavar="NAME",
        help="a value your platform writes in the agent field when no agent took the call (repeatable; "
        "each source has its own list, docs/ingest.md)",
    )
    parser.add_argument(
        "--rejects",
        type=Path,
        metavar="FILE",
        help="write every skipped record (position, reason, the record) as JSONL; default with --output: "
        "OUTPUT.rejects.jsonl next to it",
    )


def run(args: argparse.Namespace) -> int:
    try:
        options = _options(args)
        adapter = build_adapter(args.source, options)
    except (MappingError, RosterError, ValueError) as exc:
        print(f"floorwatch ingest: {exc}", file=sys.stderr)
        return 2
    try:
        lines, closer = _lines(args)
    except OSError as exc:
        print(f"floorwatch ingest: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        sink = _sink(args)
    except Exception as exc:  # kafka-python raises NoBrokersAvailable and friends; say it plainly
        closer()
        print(f"floorwatch ingest: cannot open the {args.to} output: {exc}", file=sys.stderr)
        return 2
    try:
        rejects = _rejects(args)
    except OSError as exc:
        sink.close()
        closer()
        print(f"floorwatch ingest: cannot write the rejects file {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        report = ingest(adapter, records(adapter.input_format, lines), sink, options.roster, rejects)
    finally:
        sink.close()
        closer()
        if rejects is not None:
            rejects.close()
    if rejects is not None:
        report.rejects_path = str(rejects.path)
    print(report.render(), file=sys.stderr)
    return 0


def _rejects(args: argparse.Namespace) -> RejectsFile | None:
    """--rejects FILE, or by default OUTPUT.rejects.jsonl next to an --output file."""
    path = args.rejects
    if path is None and args.output is not None:
        path = args.output.with_name(args.output.name + ".rejects.jsonl")
    return RejectsFile(path) if path is not None else None


def _options(args: argparse.Namespace) -> IngestOptions:
    zone = None
    if args.timezone:
        try:
            zone = ZoneInfo(args.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"--timezone {args.timezone!r} is not a known time zone (e.g. Europe/Berlin, UTC)"
            ) from None
    elif args.source == "asterisk-db":
        raise ValueError(
            "asterisk-db needs --timezone: the PBX writes queue_log rows in its local time "
            "unless configured for UTC (then pass --timezone UTC)"
        )
    return IngestOptions(
        roster=load_roster(args.roster),
        mapping_path=args.mapping,
        timezone=zone,
        session_gap_seconds=args.session_gap_minutes * 60,
        clock_skew_seconds=args.clock_skew_seconds,
        reorder_window_seconds=args.reorder_window_minutes * 60 if args.follow is not None else None,
        placeholder_agents=frozenset(args.placeholder_agent),
    )


def _lines(args: argparse.Namespace):
    if args.follow is not None:
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):  # stop reading, flush, and still print the report
            signal.signal(signum, lambda *_: stop.set())
        return follow_lines(args.follow, stop.is_set, stop.wait), lambda: None
    if str(args.file) == "-":
        return read_lines(sys.stdin), lambda: None
    handle = open(args.file, encoding="utf-8", errors="replace", newline="")  # noqa: SIM115 - the caller closes it
    return read_lines(handle), handle.close


def _sink(args: argparse.Namespace):
    if args.to == "kafka":
        from floorwatch.kafka_security import KafkaSecuritySettings

        return KafkaSink.connect(args.bootstrap, Topics.with_prefix(args.topic_prefix), KafkaSecuritySettings())
    if args.output is not None:
        return JsonlSink(open(args.output, "w", encoding="utf-8"), owns_stream=True)
    return JsonlSink(sys.stdout)
