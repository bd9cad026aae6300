"""Running an adapter on text, and a deliberately simple figure count over canonical events.

`simple_figures` is independent of floorwatch's metric core on purpose: it sums
the time between an agent's consecutive state events by category and counts
contacts, nothing more, so a test can hold the adapters' output against
figures worked out by hand from the platform log.
"""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from floorwatch.core.codec import decode, encode
from floorwatch.core.events import STATE_CATEGORY, AgentState, AgentStateChanged, Event, StateCategory
from floorwatch.services.ingest.pipeline import ingest
from floorwatch.services.ingest.readers import read_lines, records
from floorwatch.services.ingest.registry import IngestOptions, build_adapter
from floorwatch.services.ingest.report import IngestReport
from floorwatch.services.ingest.roster import Roster

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ingest"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday morning


class ListSink:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def send(self, event: Event) -> None:
        self.events.append(event)


@dataclass(frozen=True)
class Run:
    events: list[Event]
    report: IngestReport

    def of_type(self, kind: str) -> list[Event]:
        return [event for event in self.events if event.type == kind]

    def states(self, agent_id: str) -> list[tuple[datetime, AgentState, str | None]]:
        return [
            (e.occurred_at, e.data.state, e.data.reason_code)
            for e in self.events
            if isinstance(e, AgentStateChanged) and e.data.agent_id == agent_id
        ]

    def jsonl(self) -> str:
        return "".join(encode(event).decode() + "\n" for event in self.events)


def run(source: str, text: str, options: IngestOptions | None = None) -> Run:
    options = options or IngestOptions()
    adapter = build_adapter(source, options)
    sink = ListSink()
    report = ingest(adapter, records(adapter.input_format, read_lines(io.StringIO(text))), sink, options.roster)
    for event in sink.events:  # the contract: everything emitted decodes
        assert decode(encode(event)) == event
    return Run(sink.events, report)


def jsonl(objects: Iterable[dict]) -> str:
    return "".join(json.dumps(obj) + "\n" for obj in objects)


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(T0.timestamp() + seconds, tz=UTC)


def iso(seconds: float) -> str:
    return at(seconds).isoformat().replace("+00:00", "Z")


@dataclass
class Figures:
    handle_seconds: float = 0.0
    available_seconds: float = 0.0
    aux_seconds: float = 0.0
    answered: int = 0


@dataclass
class FloorFigures:
    agents: dict[str, Figures] = field(default_factory=lambda: defaultdict(Figures))
    abandoned: Counter[str] = field(default_factory=Counter)  # per queue


def simple_figures(events: Iterable[Event]) -> FloorFigures:
    """Per agent: seconds by category between consecutive state events; contacts answered; abandons per queue."""
    floor = FloorFigures()
    seen: set[str] = set()
    previous: dict[str, tuple[datetime, AgentState]] = {}
    for event in events:
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        if isinstance(event, AgentStateChanged):
            agent = event.data.agent_id
            if agent in previous:
                since, state = previous[agent]
                _add(floor.agents[agent], state, (event.occurred_at - since).total_seconds())
            previous[agent] = (event.occurred_at, event.data.state)
        elif event.type == "contact.answered" and event.data.agent_id is not None:
            floor.agents[event.data.agent_id].answered += 1
        elif event.type == "contact.abandoned":
            floor.abandoned[event.data.queue_id] += 1
    return floor


def _add(figures: Figures, state: AgentState, seconds: float) -> None:
    category = STATE_CATEGORY[state]
    if category is StateCategory.HANDLE:
        figures.handle_seconds += seconds
    elif category is StateCategory.AVAILABLE:
        figures.available_seconds += seconds
    elif category in (StateCategory.AUX_REST, StateCategory.AUX_OTHER):
        figures.aux_seconds += seconds


def roster(**agents: tuple[str, str]) -> Roster:
    from floorwatch.services.ingest.roster import Assignment

    return Roster({agent: Assignment(team, site) for agent, (team, site) in agents.items()})
