"""The batch path: fold a canonical event log through the same reducers the streams run,
then build one JSON-ready report (shape and meaning: docs/metrics.md, "The replay report").

Two instants matter. Each agent's figures are accounted *through its last applied event*
(nothing is assumed about time the log does not cover); the report also projects every
agent to the *watermark*, the newest accepted event time in the log, which is what a live
floor would show at that moment. Same log, same configuration: same report, byte for byte.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from floorwatch.core import advice, agent, queue, rollup
from floorwatch.core.agent import AgentFigures, AgentOutput, AgentTrack, AgentWork
from floorwatch.core.breaks import BreakRuleBreached
from floorwatch.core.codec import InvalidEvent, decode
from floorwatch.core.config import MetricConfig, as_dict
from floorwatch.core.events import AgentState, AnyEvent
from floorwatch.core.occupancy import OccupancyConfig
from floorwatch.core.queue import QueueTrack, QueueWork
from floorwatch.core.rollup import GroupFigures
from floorwatch.core.routing import queue_after, split_outputs, targets

LISTED_LIMIT = 1000  # problems listed one by one in the report; all are counted


@dataclass(frozen=True)
class Rejection:
    """A line that is not a valid event: skipped, with where and why."""

    file: str
    line: int
    reason: str


@dataclass(frozen=True)
class Noted:
    """A valid event that changed nothing: a duplicate, or later than the allowed lateness."""

    file: str
    line: int
    event_id: str
    agent_id: str | None
    lateness_seconds: float


@dataclass
class _Tally:
    lines: int = 0
    blank: int = 0
    accepted: int = 0
    duplicate: int = 0
    late: int = 0
    rejected: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    late_events: list[Noted] = field(default_factory=list)
    duplicates: list[Noted] = field(default_factory=list)


@dataclass(frozen=True)
class FoldResult:
    agents: dict[str, AgentTrack]
    queues: dict[str, QueueTrack]
    outputs: dict[str, tuple[AgentOutput, ...]]  # per agent, in order; handled contacts go to queues
    tally: _Tally
    watermark_seconds: float | None


Entry = tuple[str, int, AnyEvent | Rejection | None]  # (file, line number, event, Rejection or None if blank)
Json = dict[str, Any]  # a JSON object: the report and its parts


def decode_lines(
    lines: Iterable[bytes | str], file: str = "events", received_at_seconds: float | None = None
) -> Iterator[Entry]:
    """Number and decode JSONL lines; a bad line becomes a Rejection. Blank lines are skipped.

    `received_at_seconds` stands for the Kafka record time the live workers judge "too far
    ahead" by (docs/events.md, "Input bounds"); the replay command passes the time it runs."""
    for number, raw in enumerate(lines, start=1):
        if not raw or raw.isspace():  # blank: as `not raw.strip()`, without copying every line
            yield file, number, None
            continue
        try:
            yield (
                file,
                number,
                decode(raw.rstrip(b"\r\n") if isinstance(raw, bytes) else raw.rstrip("\r\n"), received_at_seconds),
            )
        except InvalidEvent as problem:
            yield file, number, Rejection(file, number, problem.reason)


# Called before each timed event is applied, with its time and two functions that freeze the
# agents' and the queues' tracks so far (call them only to look): how `timeline` samples the
# floor through the day without a second fold.
BeforeEvent = Callable[[float, Callable[[], Mapping[str, AgentTrack]], Callable[[], Mapping[str, QueueTrack]]], None]


def fold(entries: Iterable[Entry], config: MetricConfig, before_event: BeforeEvent | None = None) -> FoldResult:
    """Apply every entry in order: agents by agent_id, queues by queue_id (as the streams key them).
    Each agent and each queue is a working state (`agent.AgentWork`, `queue.QueueWork`) updated in
    place, frozen to its track at the end (and whenever `before_event` looks)."""
    works: dict[str, AgentWork] = {}
    queues: dict[str, QueueWork] = {}
    outputs: dict[str, list[AgentOutput]] = {}
    tally = _Tally()
    accepted = duplicate = late = 0  # counted in locals: two dict operations per event saved
    by_type = tally.by_type
    watermark: float | None = None
    step_agent, queue_config = agent.step, config.queue
    apply_queue, on_handled = queue.apply_work, queue.on_handled_work
    frozen_agents = partial(_frozen, works)
    frozen_queues = partial(_frozen_queues, queues)
    for file, line, event in entries:
        tally.lines += 1
        if event is None:
            tally.blank += 1
            continue
        if isinstance(event, Rejection):
            tally.rejected += 1
            _listed(tally.rejections, event)
            continue
        kind = event.type
        by_type[kind] = by_type.get(kind, 0) + 1
        timed = kind != "schedule.published"  # a schedule is a plan: it neither samples nor moves the watermark
        seconds = event.occurred_at.timestamp()  # once per event: the agent and the queue take it from here
        if before_event is not None and timed:
            before_event(seconds, frozen_agents, frozen_queues)
        agent_id, queue_id = targets(event)  # `route`, without building a Route
        verdict = "accepted"
        if agent_id is not None:
            work = works.get(agent_id)
            if work is None:
                work = works[agent_id] = agent.start(agent_id, config)
            done_outputs, verdict, lateness = step_agent(work, event, config, seconds)
            if done_outputs:  # most events report nothing
                handled, own = split_outputs(done_outputs)
                for done in handled:
                    held = queues.get(done.queue_id)
                    if held is None:
                        held = queues[done.queue_id] = queue.start(done.queue_id)
                    on_handled(held, done, queue_config)
                if own:
                    outputs.setdefault(agent_id, []).extend(own)
            if verdict != "accepted":
                noted = Noted(file, line, event.event_id, agent_id, lateness)
                _listed(tally.late_events if verdict == "late" else tally.duplicates, noted)
        queue_id = queue_after(agent_id, queue_id, verdict)  # the streams forward by the same rule
        if queue_id is not None:
            held = queues.get(queue_id)
            if held is None:  # kept even if the event is ignored, as the streams store the track they start
                held = queues[queue_id] = queue.start(queue_id)
            queued = apply_queue(held, event, queue_config, seconds)
            if agent_id is None and (queued == "duplicate" or queued == "late"):
                verdict = queued
                noted = Noted(file, line, event.event_id, None, 0.0)
                _listed(tally.duplicates if verdict == "duplicate" else tally.late_events, noted)
        if verdict == "accepted":
            accepted += 1
            if timed and (watermark is None or seconds > watermark):
                watermark = seconds
        elif verdict == "duplicate":
            duplicate += 1
        else:
            late += 1
    tally.accepted, tally.duplicate, tally.late = accepted, duplicate, late
    frozen_outputs = {key: tuple(value) for key, value in outputs.items()}
    return FoldResult(_frozen(works), _frozen_queues(queues), frozen_outputs, tally, watermark)


def _frozen(works: Mapping[str, AgentWork]) -> dict[str, AgentTrack]:
    return {agent_id: work.freeze() for agent_id, work in works.items()}


def _frozen_queues(works: Mapping[str, QueueWork]) -> dict[str, QueueTrack]:
    return {queue_id: work.freeze() for queue_id, work in works.items()}


_T = TypeVar("_T")


def _listed(items: list[_T], item: _T) -> None:
    if len(items) < LISTED_LIMIT:
        items.append(item)


# --- the report ---------------------------------------------------------------------------------

REPORT_VERSION = 1


def replay(
    lines: Iterable[bytes | str],
    config: MetricConfig,
    schedule_lines: Iterable[bytes | str] = (),
    received_at_seconds: float | None = None,
) -> Json:
    """Decode, fold and report: schedules first (they are plans, not timed events), then the log."""
    entries = _chain(
        decode_lines(schedule_lines, "schedules", received_at_seconds),
        decode_lines(lines, "events", received_at_seconds),
    )
    with fewer_collections():
        return build_report(fold(entries, config), config)


YOUNG_COLLECTION_THRESHOLD = 100_000  # allocations between collections of new objects; Python's default is 700


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The fold makes and drops millions of small acyclic records (tracks, tuples, floats) that
    reference counting frees; at Python's default thresholds the cycle collector walks the young
    ones every 700 allocations, about an eighth of the fold's time. Collections stay on, only rarer."""
    before = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def build_report(result: FoldResult, config: MetricConfig) -> Json:
    watermark = result.watermark_seconds
    last_views: list[AgentFigures] = []
    mark_views: list[AgentFigures] = []
    agents: Json = {}
    for agent_id in sorted(result.agents):
        track = result.agents[agent_id]
        clock = track.last_event_seconds
        through_last, _ = agent.view(track, clock if clock is not None else (watermark or 0.0), config)
        through_mark, due = agent.view(
            track, watermark if watermark is not None else through_last.as_of_seconds, config
        )
        last_views.append(through_last)
        mark_views.append(through_mark)
        agents[agent_id] = _rounded(
            {
                "team_id": track.team_id,
                "site_id": track.site_id,
                "queues": list(track.queues),
                "outputs": [_output(o) for o in result.outputs.get(agent_id, ())],
                "outputs_due_by_watermark": [_output(o) for o in due],
                "through_last_event": _plain(through_last),
                "through_watermark": _plain(through_mark),
                "day_at_end_of_log": _day_at_end_of_log(track, config),
            }
        )  # rounded as it is built: a month of agents is never held unrounded and rounded at once
    occupancy_config = config.occupancy
    report: Json = {
        "report": "floorwatch.replay",
        "report_version": REPORT_VERSION,
        "watermark_seconds": watermark,
        "watermark": _iso(watermark),
        "events": _events(result),
        "config": as_dict(config),
        "agents": agents,
        "floor": _both(rollup.rollup(last_views, occupancy_config), rollup.rollup(mark_views, occupancy_config)),
        "teams": _grouped(rollup.by_team, last_views, mark_views, occupancy_config),
        "sites": _grouped(rollup.by_site, last_views, mark_views, occupancy_config),
        "queues": _queues(result, last_views, mark_views, config),
        "days_at_end_of_log": _days_summary(agents),
    }
    # As _rounded(report), one part at a time (the agents already are): each unrounded part is
    # let go as soon as its rounded copy exists, so a long log never holds two reports at once.
    rounded: Json = {}
    for key in list(report):
        value = report.pop(key)
        rounded[key] = value if key == "agents" else _rounded(value, key)
    return rounded


def _day_at_end_of_log(track: AgentTrack, config: MetricConfig) -> Json:
    """A log is complete: an agent logged out at its end has ended the working day, so the
    rules a day settles are judged now, not 4 hours of unlogged time later. A day whose agent
    is still logged in at the end is `open`: not judged, with the breaks it still needs."""
    clock, brk = track.last_event_seconds, track.breaks
    if clock is None or not brk.on_day:
        return {"status": "none", "violations": [], "required": []}
    if track.state is not AgentState.LOGGED_OUT:
        figures, _ = agent.view(track, clock, config)
        return {"status": "open", "violations": [], "required": [_plain(r) for r in figures.breaks.required]}
    since = brk.clock_seconds if brk.clock_seconds is not None else clock
    ends_at = since - brk.logged_out_seconds + config.breaks.new_day_after_logged_out_seconds
    _, judged = agent.view(track, max(ends_at, clock), config)
    found = [_output(o) for o in judged if isinstance(o.output, BreakRuleBreached)]
    return {"status": "ended", "violations": found, "required": []}


def _days_summary(agents: Json) -> Json:
    """Which agents' days the end of the log closed (and judged), and which were still open."""
    by_status: dict[str, list[str]] = {"ended": [], "open": []}
    for agent_id, entry in agents.items():
        status = entry["day_at_end_of_log"]["status"]
        if status in by_status:
            by_status[status].append(agent_id)
    violations = sum(len(entry["day_at_end_of_log"]["violations"]) for entry in agents.values())
    return {"ended_agents": by_status["ended"], "open_agents": by_status["open"], "violations_judged": violations}


def _events(result: FoldResult) -> Json:
    tally = result.tally
    return {
        "lines": tally.lines,
        "blank_lines": tally.blank,
        "accepted": tally.accepted,
        "duplicate": tally.duplicate,
        "late": tally.late,
        "rejected": tally.rejected,
        "by_type": dict(sorted(tally.by_type.items())),
        "listed_limit": LISTED_LIMIT,
        "rejections": [dataclasses.asdict(r) for r in tally.rejections],
        "late_events": [dataclasses.asdict(n) for n in tally.late_events],
        "duplicates": [dataclasses.asdict(n) for n in tally.duplicates],
    }


def _queues(
    result: FoldResult, last_views: list[AgentFigures], mark_views: list[AgentFigures], config: MetricConfig
) -> Json:
    staffed_last = rollup.by_queue(last_views, config.occupancy)
    staffed_mark = rollup.by_queue(mark_views, config.occupancy)
    offers = team_offers(mark_views, config)
    watermark = result.watermark_seconds
    out: Json = {}
    for queue_id in sorted(set(result.queues) | set(staffed_last)):
        track = result.queues.get(queue_id)
        contacts = queue.view(track, watermark, config.queue) if track is not None and watermark is not None else None
        agents = _both(staffed_last[queue_id], staffed_mark[queue_id]) if queue_id in staffed_last else None
        spare = config.queue.staffing.spare_below_ratio
        advised = advice.advise(queue_id, contacts.staffing, offers, spare) if contacts else None
        out[queue_id] = {
            "contacts": _plain(contacts) if contacts is not None else None,
            "agents": agents,
            "advice_at_watermark": _plain(advised) if advised is not None else None,
        }
    return out


def team_offers(members: list[AgentFigures], config: MetricConfig) -> list[advice.TeamOffer]:
    """Every team's supply at one instant, as the workers publish it from the team partitions."""
    offers = []
    for team_id, group in rollup.by_team(members, config.occupancy).items():
        team = [m for m in members if m.team_id == team_id]
        occupancy = next(w.figures.occupancy_ratio for w in group.windows if w.window_seconds == 900.0)
        site = next((m.site_id for m in team if m.site_id), "unassigned")
        offers.append(advice.TeamOffer(team_id, site, occupancy, advice.team_supply(team, config.queue.staffing)))
    return offers


def _grouped(
    by: Callable[[list[AgentFigures], OccupancyConfig], dict[str, GroupFigures]],
    last_views: list[AgentFigures],
    mark_views: list[AgentFigures],
    config: OccupancyConfig,
) -> Json:
    last, mark = by(last_views, config), by(mark_views, config)
    return {key: _both(last[key], mark[key]) for key in last}


def _both(through_last: object, through_mark: object) -> Json:
    return {"through_last_event": _plain(through_last), "through_watermark": _plain(through_mark)}


def _output(output: AgentOutput) -> Json:
    return {"kind": type(output.output).__name__, **_plain(output.output)}


def _plain(value: object) -> Json:
    plain: Json = as_dict(value)  # a dataclass of figures: a JSON object
    return plain


def _iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _rounded(value: object, key: str = "") -> object:
    """Seconds to the millisecond, ratios to 1e-6: enough for people, stable across platforms."""
    if isinstance(value, float):
        return round(value, 6 if key.endswith("_ratio") else 3)
    if isinstance(value, dict):
        return {k: _rounded(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v, key) for v in value]
    return value


def _chain(*iterables: Iterable[Entry]) -> Iterator[Entry]:
    for iterable in iterables:
        yield from iterable
