"""The tick follows the keys written since the last one (the dirty set) and shows exactly what a
tick walking every key would show; an idle tick views nothing."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

from aiokafka import TopicPartition
from prometheus_client import CollectorRegistry

from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import decode_lines, fold
from floorwatch.streams.agent_step import Internal
from floorwatch.streams.clock import FloorClock
from floorwatch.streams.exposition import FloorPage
from floorwatch.streams.group_step import left_value, member_key
from floorwatch.streams.health import HealthLimits, Progress
from floorwatch.streams.metrics import FloorCollector, PipelineMetrics
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.settings import ClockMode, PrivacyMode
from floorwatch.streams.state import StoredAgent, dump_agent
from floorwatch.streams.tick_pacing import TeamCadence, TickPacer
from floorwatch.streams.ticker import Ticker
from floorwatch.streams.worker import Worker
from floorwatch.topics import Topics
from tests.unit.core.builders import AVAILABLE, BREAK, at, cycles, state, team_shift

CONFIG = MetricConfig()
LABELLER = AgentLabeller(PrivacyMode.NAMED, b"key")
TABLES = ("agents", "team-members", "queues")


def _events() -> list:
    green = [state(a, AVAILABLE, 0, team="green") for a in ("dee", "eli")]
    green += cycles("dee", 0, 12, 12, 9, team="green") + cycles("eli", 5, 9, 14, 10, team="green")
    green += [state("eli", BREAK, 200 * 60, team="green")]
    return sorted(team_shift() + green, key=lambda e: e.occurred_at)


EVENTS = _events()


def _values(hours: float) -> dict[str, bytes]:
    tracks = fold(decode_lines([encode(e) for e in EVENTS if e.occurred_at < at(hours * 3600)]), CONFIG).agents
    return {a: dump_agent(StoredAgent(t, (("agent-events", 0),), revision=int(hours * 10))) for a, t in tracks.items()}


class _Floor:
    """A worker's tables and its real Ticker, with Faust replaced by what the tick asks of it."""

    def __init__(self) -> None:
        topics = Topics()
        owned = {TopicPartition(t, 0) for t in (topics.agent_events, "team-members", "queue-events")}
        app: Any = SimpleNamespace(
            rebalancing=False,
            in_recovery=False,
            assignor=SimpleNamespace(assigned_actives=lambda: owned),
            consumer=SimpleNamespace(highwater=lambda tp: None),
        )
        settings: Any = SimpleNamespace(
            clock=ClockMode.EVENT, drift_refresh_seconds=30.0, tick_seconds=0.25, publish_seconds=5.0
        )
        self.worker = Worker(
            app=app,
            settings=settings,
            config=CONFIG,
            topics=topics,
            internal=Internal("queue-events", "team-members"),
            registry=CollectorRegistry(),
            pipeline=PipelineMetrics.register(CollectorRegistry()),
            page=FloorPage(FloorCollector(LABELLER)),
            clock=FloorClock(ClockMode.EVENT),
            gap_check=None,  # type: ignore[arg-type]
            progress=Progress(started_at=0.0, recovered=True),
            failpoint=None,  # type: ignore[arg-type]
            health_limits=HealthLimits(tick_seconds=0.25),
        )
        self.data: dict[str, dict[bytes, bytes]] = {name: {} for name in TABLES}
        for name in TABLES:
            self.worker.key_partitions[name] = {}
        self.ticker = _ticker(self.worker, self.data)

    def write(self, table: str, key: str, value: bytes | None, marked: bool = True) -> None:
        """As the batch path writes (and marks) a value; None deletes it."""
        if value is None:
            self.data[table].pop(key.encode(), None)
        else:
            self.data[table][key.encode()] = value
            self.worker.key_partitions[table][key] = 0
        if marked:
            self.worker.changed_keys.mark(table, key)

    def write_agents(self, values: dict[str, bytes], teams: dict[str, str]) -> None:
        for agent_id, value in values.items():
            self.write("agents", agent_id, value)
            self.write("team-members", member_key(teams[agent_id], agent_id), value)

    def tick(self) -> bytes:
        """The page the tick shows, without the tick's own timestamp."""
        asyncio.run(self.ticker.tick())
        lines = self.worker.page.body.splitlines(keepends=True)
        return b"".join(line for line in lines if not line.startswith(b"floorwatch_snapshot_timestamp_seconds "))

    def walked(self) -> bytes:
        """The page a fresh worker's first tick (a walk over every key) shows for the same tables."""
        other = _Floor()
        other.data = self.data
        other.worker.key_partitions = self.worker.key_partitions
        other.ticker = _ticker(other.worker, self.data)
        return other.tick()


def _ticker(worker: Worker, data: dict[str, dict[bytes, bytes]]) -> Ticker:
    agents, members, queues = (SimpleNamespace(items=data[n].items, get=data[n].get) for n in TABLES)
    sender: Any = SimpleNamespace(offer=lambda sends: None)
    ticker = Ticker(worker, LABELLER, agents, members, queues, sender)
    ticker.pacer = TickPacer(factor=0.0)  # these ticks follow each other at once
    ticker.team_cadence = TeamCadence(every_seconds=0.0)  # and every one rolls teams up
    return ticker


TEAMS = {"ana": "blue", "ben": "blue", "cy": "blue", "dee": "green", "eli": "green"}


def _floor_at(hours: float) -> _Floor:
    floor = _Floor()
    floor.write_agents(_values(hours), TEAMS)
    floor.tick()
    return floor


def test_a_tick_after_new_values_shows_what_a_tick_walking_every_key_shows():
    floor = _floor_at(2.0)
    later = _values(3.0)
    floor.write_agents({a: later[a] for a in ("ben", "eli")}, TEAMS)
    page = floor.tick()
    assert b'agent="ben"' in page
    assert page == floor.walked()


def test_an_idle_tick_views_no_agent_and_rolls_up_no_team():
    floor = _floor_at(2.0)
    before = floor.tick()
    assert floor.tick() == before
    assert floor.ticker.agent_views.fresh == {} and floor.ticker.member_views.fresh == {}


def test_an_agent_whose_value_is_deleted_and_a_member_that_left_leave_the_page():
    floor = _floor_at(2.0)
    floor.write("agents", "cy", None)
    floor.write("team-members", member_key("green", "eli"), left_value(99))
    page = floor.tick()
    assert b'agent="cy"' not in page
    assert page == floor.walked()


def test_a_value_written_without_a_mark_is_seen_after_the_worker_starts_over():
    floor = _floor_at(2.0)
    later = _values(4.0)
    floor.write("agents", "ana", later["ana"], marked=False)  # as a recovery could, before it starts over
    assert floor.tick() != floor.walked()
    floor.worker.changed_keys.start_over()
    assert floor.tick() == floor.walked()


def _lines_of(page: bytes, prefix: bytes) -> list[bytes]:
    return [line for line in page.splitlines() if line.startswith(prefix)]


def test_teams_wait_for_their_cadence_while_agents_show_at_every_tick_and_no_member_is_missed():
    floor = _floor_at(2.0)
    before = floor.tick()
    floor.ticker.team_cadence = TeamCadence(every_seconds=1.0, last_at=time.monotonic())  # just rolled up
    later = _values(3.0)
    floor.write_agents({a: later[a] for a in ("ben", "eli")}, TEAMS)
    page, walked = floor.tick(), floor.walked()
    assert _lines_of(page, b"floorwatch_agent_") == _lines_of(walked, b"floorwatch_agent_")
    assert (
        _lines_of(page, b"floorwatch_team_")
        == _lines_of(before, b"floorwatch_team_")
        != _lines_of(walked, b"floorwatch_team_")
    )
    floor.ticker.team_cadence.last_at -= 1.0  # a second later: the members marked meanwhile are rolled up
    assert floor.tick() == walked


def test_a_long_tick_holds_the_next_back_for_twice_its_length_and_never_more_than_the_cap():
    pacer = TickPacer(factor=2.0, long_seconds=1.0, max_pause_seconds=2.0)
    pacer.ran(began=10.0, ended=10.8)
    assert pacer.due(10.8)  # under a second (a live-rate tick on a busy machine): never held back
    pacer.ran(began=20.0, ended=21.5)
    assert not pacer.due(23.4) and pacer.due(23.5)
    pacer.ran(began=30.0, ended=35.0)
    assert not pacer.due(36.9) and pacer.due(37.0)


def test_while_far_behind_its_input_ticks_start_at_most_once_a_second_and_at_live_rates_every_period():
    pacer = TickPacer(backlog_messages=2_000, backlog_every_seconds=1.0)
    pacer.ran(began=10.0, ended=10.1)
    assert pacer.due(10.25, behind_messages=35)  # a live rate: a batch or less behind
    assert not pacer.due(10.25, behind_messages=50_000) and not pacer.due(10.99, behind_messages=50_000)
    assert pacer.due(11.0, behind_messages=50_000)
    pacer.ran(began=11.0, ended=11.4)
    assert pacer.due(11.5, behind_messages=0)  # caught up: the next period's tick runs at once
