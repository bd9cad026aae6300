"""`floorwatch report EVENTS.jsonl --by shift|day --output report.html`: the shift report a manager opens.

One self-contained HTML page (docs/manager-guide.md, "Reading the shift report"): the whole
floor, one site (`--site`) or one team (`--team`), or with `--per site|team` one page each into
the `--output` folder. Its figures are `floorwatch replay --by`'s and the floor sampled through
the day by the same reducers; the privacy mode is the workers' (docs/privacy.md).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kafka.errors import KafkaError

from floorwatch.core.config import ConfigError, load_config
from floorwatch.core.periods import PeriodKind
from floorwatch.kafka_security import KafkaSecurityError
from floorwatch.kafka_window import KafkaWindowSettings, WindowError, parse_instant, read_window
from floorwatch.report.data import Privacy, Scope, fold_for_report, report_data, sites_and_teams
from floorwatch.report.page import render
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.settings import PrivacyMode

HELP = "Write the shift report: one self-contained HTML page per floor, site or team, from an event log"
KEY_VARIABLE = "FLOORWATCH_PSEUDONYM_KEY"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("events", type=Path, nargs="?", help="canonical event log, one JSON event per line (or --from-kafka)")
    live = parser.add_argument_group("from the live topics instead of a file")
    live.add_argument("--from-kafka", action="store_true", help="read the input topics' events in --since..--until")
    live.add_argument("--since", help="window start, RFC 3339 with zone (2026-11-24T00:00:00Z); include shift starts")
    live.add_argument("--until", help="window end (exclusive), RFC 3339 with zone")
    live.add_argument("--bootstrap-servers", help="default: FLOORWATCH_BOOTSTRAP_SERVERS or 127.0.0.1:19092")
    live.add_argument("--topic-prefix", help="default: FLOORWATCH_TOPIC_PREFIX or floorwatch")
    add("--by", choices=[k.value for k in PeriodKind], default="shift", help="table rows per shift (default) or day")
    add("--output", type=Path, required=True, help="the HTML file; with --per, a folder for one file each")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--per", choices=["site", "team"], help="one page per site or team, into the --output folder")
    where.add_argument("--site", help="only this site's teams and the queues they serve")
    where.add_argument("--team", help="only this team and the queues it serves")
    add(
        "--privacy",
        choices=[m.value for m in PrivacyMode],
        default=PrivacyMode.PSEUDONYMOUS.value,
        help=f"per-agent rows named, under keyed pseudonyms (default; needs {KEY_VARIABLE}) or off (aggregates only)",
    )
    add("--min-group-size", type=int, default=5, help="with --privacy off, smaller teams are left out (default 5)")
    add("--timezone", default="UTC", help="the zone of the times shown and of the days cut (default UTC)")
    add("--step-minutes", type=float, default=15.0, help="the plots sample the floor this often (default 15)")
    add("--policy", type=Path, help="break policy profile (YAML), as for replay")
    add("--staffing", type=Path, help="service-level targets and skills per queue (YAML), as for replay")
    add("--schedules", type=Path, help="schedule.published events (JSONL), applied before the log")
    add("--event-clock", action="store_true", help="the log runs ahead of the wall clock on purpose (as for replay)")


def run(args: argparse.Namespace) -> int:
    if args.step_minutes <= 0 or args.min_group_size < 1:
        return _fail("--step-minutes must be above 0 and --min-group-size at least 1")
    try:
        zone = ZoneInfo(args.timezone)
        config = load_config(policy=args.policy, staffing=args.staffing)
        privacy = _privacy(PrivacyMode(args.privacy), args.min_group_size)
        lines, schedules = _read_input(args)
    except ZoneInfoNotFoundError:
        return _fail(f"--timezone {args.timezone!r} is not a known time zone (e.g. Europe/Berlin, UTC)")
    except ValueError as problem:
        return _fail(str(problem))
    except ConfigError as problem:
        return _fail(problem.reason)
    except (WindowError, KafkaSecurityError, KafkaError) as problem:
        return _fail(f"cannot read the topics: {problem}")
    except OSError as problem:
        return _fail(f"cannot read {problem.filename}: {problem.strerror}")
    received = None if args.event_clock else time.time()
    folded = fold_for_report(lines, config, PeriodKind(args.by), zone, schedules, received, args.step_minutes * 60)
    events = folded.periods["events"]
    print(
        f"{events['lines']} lines: {events['accepted']} accepted, {events['duplicate']} duplicate, "
        f"{events['late']} late, {events['rejected']} rejected (the report's header says the same)",
        file=sys.stderr,
    )
    pages = _pages(args, sites_and_teams(folded))
    if not pages:
        source = args.events or "the window read from Kafka"
        return _fail(f"no {'site' if args.site else 'team'} {args.site or args.team!r} in {source}")
    if args.per:
        args.output.mkdir(parents=True, exist_ok=True)
    for scope, path in pages:
        path.write_text(render(report_data(folded, scope, privacy), zone), encoding="utf-8")
        print(f"wrote {path} ({scope.title}, {path.stat().st_size / 1e3:.0f} kB)")
    return 0


def _read_input(args: argparse.Namespace) -> tuple[list[bytes], list[bytes]]:
    """The log's lines and the schedules' lines, from the files or from a window of the topics."""
    schedules = args.schedules.read_bytes().splitlines(keepends=True) if args.schedules else []
    if not args.from_kafka:
        if args.events is None or args.since or args.until:
            raise ValueError("give an event log, or --from-kafka with --since and --until")
        return args.events.read_bytes().splitlines(keepends=True), schedules
    if args.events is not None or not (args.since and args.until):
        raise ValueError("--from-kafka reads the topics: give --since and --until, and no event log")
    since, until = parse_instant(args.since), parse_instant(args.until)
    if until <= since:
        raise ValueError("--until must be after --since")
    overrides = {"bootstrap_servers": args.bootstrap_servers, "topic_prefix": args.topic_prefix}
    settings = KafkaWindowSettings(**{k: v for k, v in overrides.items() if v is not None})
    from_topics, lines = read_window(settings, since, until)
    print(f"read {len(lines)} events from {settings.bootstrap_servers} ({args.since} to {args.until})", file=sys.stderr)
    return lines, schedules + from_topics


def _pages(args: argparse.Namespace, sites: dict[str, list[str]]) -> list[tuple[Scope, Path]]:
    if args.site is not None:
        return [(Scope("site", args.site), args.output)] if args.site in sites else []
    if args.team is not None:
        return [(Scope("team", args.team), args.output)] if any(args.team in t for t in sites.values()) else []
    if args.per == "site":
        return [(Scope("site", s), args.output / f"site-{_safe(s)}.html") for s in sites]
    if args.per == "team":
        return [(Scope("team", t), args.output / f"team-{_safe(t)}.html") for ts in sites.values() for t in ts]
    return [(Scope("floor"), args.output)]


def _privacy(mode: PrivacyMode, min_group_size: int) -> Privacy:
    if mode is PrivacyMode.OFF:
        return Privacy(per_agent=False, label=_no_label, min_group_size=min_group_size, mode=mode.value)
    key = os.environ.get(KEY_VARIABLE, "")
    if not key:
        raise ValueError(
            f"--privacy {mode.value} needs {KEY_VARIABLE} (the workers' key, so the report's pseudonyms match "
            "theirs), or use --privacy off for aggregates only"
        )
    labeller = AgentLabeller(mode, key.encode(), min_group_size)
    return Privacy(per_agent=True, label=labeller.agent_key, min_group_size=min_group_size, mode=mode.value)


def _no_label(agent_id: str) -> str:
    raise PermissionError("per-agent detail is off")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def _fail(message: str) -> int:
    print(f"floorwatch report: {message}", file=sys.stderr)
    return 2
