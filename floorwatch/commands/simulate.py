"""`floorwatch simulate`: realistic contact-center traffic, live on Kafka or as fast as possible to JSONL.

floorwatch simulate --to jsonl --output shift.jsonl --agents 1000      # a whole shift, reproducible
floorwatch simulate --speed 60 --agents 300                            # live on Kafka, an hour a minute
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime

HELP = "Generate realistic contact-center traffic (to Kafka or a JSONL file)"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([hms]?)\s*$")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "": 3600.0}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    output = parser.add_argument_group("where the events go")
    output.add_argument(
        "--to",
        choices=("kafka", "jsonl"),
        default=None,
        help="kafka (live, the default) or jsonl (as fast as possible; implied by --output)",
    )
    output.add_argument("--output", metavar="FILE", help="JSONL file to write ('-' for standard output)")
    output.add_argument(
        "--speed",
        default=None,
        metavar="FACTOR|max",
        help="simulated seconds per wall second: 1 is real time, 60 an hour a minute, max no pacing "
        "(default: 1 on Kafka, max to a file)",
    )
    output.add_argument(
        "--bootstrap-servers", help="Kafka bootstrap servers (default: FLOORWATCH_BOOTSTRAP_SERVERS or 127.0.0.1:19092)"
    )
    output.add_argument("--topic-prefix", help="topic prefix (default: FLOORWATCH_TOPIC_PREFIX or floorwatch)")
    output.add_argument(
        "--wait-for-topics",
        type=float,
        metavar="SECONDS",
        help="how long to wait for the input topics to exist (default: FLOORWATCH_TOPICS_WAIT_SECONDS or 60)",
    )
    output.add_argument("--max-events", type=int, metavar="N", help="stop after N events")
    output.add_argument("--quiet", action="store_true", help="print no summary")
    floor = parser.add_argument_group("the simulated floor")
    floor.add_argument(
        "--seed", type=int, default=1, help="random seed: the same seed and flags give the same events (default 1)"
    )
    floor.add_argument(
        "--agents",
        type=int,
        metavar="N",
        help="total agents, in teams of --agents-per-team (overrides --teams-per-site)",
    )
    floor.add_argument("--sites", type=int, default=2, help="sites (default 2)")
    floor.add_argument("--teams-per-site", type=int, default=3, help="teams per site (default 3)")
    floor.add_argument("--agents-per-team", type=int, default=18, help="agents per team (default 18)")
    floor.add_argument(
        "--duration",
        default="8h",
        metavar="8h|90m|600s",
        help="simulated window; contacts arrive inside it (default 8h; a bare number is hours)",
    )
    floor.add_argument("--shift-hours", type=float, help="shift length; default: one shift spanning the window")
    floor.add_argument(
        "--start",
        metavar="ISO|now",
        help="simulated start, e.g. 2026-11-24T08:00:00Z (default: that date for files, now when live)",
    )
    floor.add_argument(
        "--arrivals-per-hour",
        type=float,
        metavar="N",
        help="a fixed contact rate for every queue instead of one sized to the staff: with --agents-per-team, "
        "a queue staffed at a chosen level",
    )
    floor.add_argument(
        "--understaffed-teams", type=int, default=1, help="teams (the last ones) staffed below plan (default 1)"
    )
    floor.add_argument(
        "--understaff-factor",
        type=float,
        default=0.7,
        help="share of the planned head count that works in those teams (default 0.7)",
    )


def run(args: argparse.Namespace) -> int:
    from floorwatch.kafka_preflight import KafkaAccessDenied
    from floorwatch.kafka_security import KafkaSecurityError
    from floorwatch.services.simulator.roster import build_floor
    from floorwatch.services.simulator.sinks import TopicsMissing

    try:
        to, speed = _mode(args)
        starts_now = speed is not None and args.start in (None, "now")
        settings = _settings(args, live=speed is not None)
        sink = _open_sink(args, to)
    except (ValueError, OSError) as error:
        print(f"floorwatch simulate: {error}", file=sys.stderr)
        return 2
    except (TopicsMissing, KafkaAccessDenied, KafkaSecurityError) as error:
        print(f"floorwatch simulate: {error}", file=sys.stderr)
        return 1
    except Exception as error:
        print(f"floorwatch simulate: cannot reach Kafka: {error!r}", file=sys.stderr)
        return 1
    if starts_now:  # taken after connecting, so the first events are not already late
        settings = replace(settings, start=_now())
    floor = build_floor(settings)
    if not args.quiet:
        print(
            _plan_line(floor, speed, args.output if to == "jsonl" else f"Kafka at {sink.bootstrap_servers}"),
            file=sys.stderr,
        )
    wall_start = settings.start.timestamp() if starts_now else None
    return _stream(floor, settings, sink, speed, wall_start, args)


def _mode(args: argparse.Namespace) -> tuple[str, float | None]:
    to = args.to or ("jsonl" if args.output else "kafka")
    if to == "jsonl" and not args.output:
        raise ValueError("--to jsonl needs --output FILE (or '-' for standard output)")
    if to == "kafka" and args.output:
        raise ValueError("--output writes a file; it cannot be combined with --to kafka")
    if args.max_events is not None and args.max_events < 1:
        raise ValueError(f"--max-events: must be at least 1, got {args.max_events}")
    raw = args.speed if args.speed is not None else ("1" if to == "kafka" else "max")
    if raw == "max":
        return to, None
    try:
        speed = float(raw)
    except ValueError:
        raise ValueError(f"--speed: expected a positive number or 'max', got {raw!r}") from None
    if not speed > 0:
        raise ValueError(f"--speed: expected a positive number or 'max', got {raw!r}")
    return to, speed


def _settings(args: argparse.Namespace, live: bool):
    from floorwatch.services.simulator.settings import DEFAULT_START, SimulatorSettings

    return SimulatorSettings(
        seed=args.seed,
        start=_parse_start(args.start, DEFAULT_START, live),
        duration_seconds=parse_duration_seconds(args.duration),
        shift_seconds=None if args.shift_hours is None else args.shift_hours * 3600,
        sites=args.sites,
        teams_per_site=args.teams_per_site,
        agents_per_team=args.agents_per_team,
        total_agents=args.agents,
        understaffed_teams=args.understaffed_teams,
        understaff_ratio=args.understaff_factor,
        arrivals_per_hour=args.arrivals_per_hour,
    )


def parse_duration_seconds(text: str) -> float:
    match = _DURATION.match(text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"--duration: expected a positive length such as 8h, 90m or 600s, got {text!r}")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _parse_start(text: str | None, default: datetime, live: bool) -> datetime:
    if text is None:
        text = "now" if live else None
    if text is None:
        return default
    if text == "now":
        return _now()
    try:
        start = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"--start: expected an RFC 3339 time such as 2026-11-24T08:00:00Z or 'now', got {text!r}"
        ) from None
    if start.tzinfo is None:
        raise ValueError(f"--start: {text!r} has no UTC offset; add Z or +00:00")
    return start.astimezone(UTC)


def _now() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)  # events carry milliseconds


def _open_sink(args: argparse.Namespace, to: str):
    from floorwatch.services.simulator.sinks import JsonlSink, KafkaSink, KafkaSinkSettings

    if to == "jsonl":
        return JsonlSink(args.output)
    overrides = {
        "bootstrap_servers": args.bootstrap_servers,
        "topic_prefix": args.topic_prefix,
        "topics_wait_seconds": args.wait_for_topics,
    }
    return KafkaSink(KafkaSinkSettings(**{key: value for key, value in overrides.items() if value is not None}))


def _plan_line(floor, speed: float | None, where: str) -> str:
    pace = "as fast as possible" if speed is None else f"at {speed:g}x real time"
    understaffed = sum(team.understaffed for team in floor.teams)
    return (
        f"floorwatch simulate: {len(floor.agents)} agents in {len(floor.teams)} teams at {len(floor.sites)} sites "
        f"({understaffed} under-staffed), {floor.start:%Y-%m-%d %H:%M} UTC for {floor.duration_seconds / 3600:g} h, "
        f"{pace}, to {where}"
    )


def _stream(floor, settings, sink, speed: float | None, wall_start: float | None, args: argparse.Namespace) -> int:
    from floorwatch.services.simulator.engine import simulate
    from floorwatch.services.simulator.pacing import WallClock, paced
    from floorwatch.services.simulator.report import format_summary
    from floorwatch.services.simulator.stats import ShiftTally

    events = simulate(floor, settings)
    if speed is not None:
        events = paced(events, floor.start, speed, WallClock(), wall_start)
    if args.max_events is not None:
        events = itertools.islice(events, args.max_events)
    tally = ShiftTally(settings.service_level_threshold_seconds, settings.interval_seconds)
    began = time.perf_counter()
    interrupted = False
    try:
        for event in events:
            sink.send(event)
            tally.add(event)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        sink.close()
    elapsed = time.perf_counter() - began
    failures = getattr(sink, "failures", [])
    if not args.quiet:
        print(format_summary(tally.result(), elapsed, interrupted), file=sys.stderr)
    if failures:
        print(f"floorwatch simulate: {len(failures)} event(s) were not delivered, e.g. {failures[0]}", file=sys.stderr)
        return 1
    return 130 if interrupted else 0
