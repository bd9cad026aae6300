"""`floorwatch replay --by day|shift`: decode a log, fold it into periods, render JSON or CSV.

The rows' meaning: `period_rows`; how periods are cut: `periods`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

from floorwatch.core.config import MetricConfig
from floorwatch.core.period_rows import COLUMNS, agent_rows, team_rows
from floorwatch.core.periods import AgentPeriod, PeriodFold, PeriodKind
from floorwatch.core.replay import LISTED_LIMIT, Rejection, decode_lines

Json = dict[str, Any]


def replay_periods(
    lines: Iterable[bytes | str],
    config: MetricConfig,
    kind: PeriodKind,
    zone: tzinfo,
    schedule_lines: Iterable[bytes | str] = (),
    received_at_seconds: float | None = None,
) -> Json:
    fold, events = fold_log(lines, config, kind, zone, schedule_lines, received_at_seconds)
    return periods_report(fold.finish(), events, config, kind, zone)


def fold_log(
    lines: Iterable[bytes | str],
    config: MetricConfig,
    kind: PeriodKind,
    zone: tzinfo,
    schedule_lines: Iterable[bytes | str] = (),
    received_at_seconds: float | None = None,
) -> tuple[PeriodFold, Json]:
    """The log folded into periods (not yet finished) and its events tally, as the report shows it."""
    fold = PeriodFold(config, kind, zone)
    tally: Json = {"lines": 0, "accepted": 0, "duplicate": 0, "late": 0, "queue_only": 0, "rejected": 0}
    rejections: list[Json] = []
    for source, file in ((schedule_lines, "schedules"), (lines, "events")):
        for _, _, entry in decode_lines(source, file, received_at_seconds):
            tally["lines"] += 1
            if entry is None:
                continue
            if isinstance(entry, Rejection):
                tally["rejected"] += 1
                if len(rejections) < LISTED_LIMIT:
                    rejections.append({"file": entry.file, "line": entry.line, "reason": entry.reason})
                continue
            verdict = fold.apply(entry)
            if verdict == "queue":  # no agent's figure depends on it: counted, not judged here
                tally["queue_only"] += 1
            tally["accepted" if verdict == "queue" else verdict] += 1
    return fold, {**tally, "rejections": rejections}


def periods_report(
    periods: list[AgentPeriod], events: Json, config: MetricConfig, kind: PeriodKind, zone: tzinfo
) -> Json:
    return {
        "report": "floorwatch.replay.periods",
        "by": kind.value,
        "timezone": str(zone),
        "events": events,
        "agents": agent_rows(periods, config.occupancy, zone),
        "teams": team_rows(periods, kind, config.occupancy, zone),
    }


def render_periods(report: Json, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, sort_keys=True, indent=2, allow_nan=False) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in [*report["agents"], *report["teams"]]:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return out.getvalue()
