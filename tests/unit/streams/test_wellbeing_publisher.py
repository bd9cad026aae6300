"""agent-wellbeing records come from the tick: one per agent whose stored value changed, and
every owned agent once after a start, so a change stored just before a crash still goes out."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

from floorwatch.core import agent
from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import decode_lines, fold
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.settings import PrivacyMode
from floorwatch.streams.views import View
from floorwatch.streams.wellbeing import WellbeingPublisher
from floorwatch.topics import Topics
from tests.unit.core.builders import at, team_shift

CONFIG = MetricConfig()
TOPIC = Topics.with_prefix("t").agent_wellbeing
TRACKS = fold(decode_lines([encode(e) for e in team_shift() if e.occurred_at < at(3 * 3600)]), CONFIG).agents


def _views(raws: dict[str, bytes], later_seconds: float = 0.0) -> dict[str, View]:
    """This tick's views: each agent as of its last event, plus `later_seconds` (wall clock)."""
    views = {}
    for key, raw in raws.items():
        track = TRACKS[key]
        views[key] = View(raw, 0.0, agent.view(track, (track.last_event_seconds or 0.0) + later_seconds, CONFIG)[0], ())
    return views


def _publish(publisher: WellbeingPublisher, views: dict[str, View], at_last_event: bool = True) -> list[dict]:
    sends = asyncio.run(publisher.changed(views, lambda key, raw: TRACKS[key], at_last_event))
    assert all(send.topic == TOPIC for send in sends)
    return [json.loads(send.value or b"") for send in sends]


def _publisher(mode: PrivacyMode = PrivacyMode.NAMED) -> WellbeingPublisher:
    return WellbeingPublisher(TOPIC, AgentLabeller(mode, b"k"), CONFIG)


def test_each_agent_is_published_once_per_stored_value():
    publisher, raws = _publisher(), {key: key.encode() for key in TRACKS}
    first = _publish(publisher, _views(raws))
    again = _publish(publisher, _views(raws))
    one_changed = _publish(publisher, _views({**raws, "ana": b"ana-2"}))
    assert sorted(r["agent_key"] for r in first) == sorted(TRACKS)
    assert again == []
    assert [r["agent_key"] for r in one_changed] == ["ana"]


def test_a_new_process_publishes_every_owned_agent_once():
    raws = {key: key.encode() for key in TRACKS}
    _publish(_publisher(), _views(raws))
    after_restart = _publish(_publisher(), _views(raws))
    assert sorted(r["agent_key"] for r in after_restart) == sorted(TRACKS)


def test_an_agent_that_moved_away_is_published_again_when_it_comes_back():
    publisher, raws = _publisher(), {key: key.encode() for key in TRACKS}
    _publish(publisher, _views(raws))
    _publish(publisher, _views({k: v for k, v in raws.items() if k != "ana"}))
    assert [r["agent_key"] for r in _publish(publisher, _views(raws))] == ["ana"]


def test_with_the_wall_clock_the_record_is_as_of_the_agents_last_event():
    publisher = _publisher()
    later = _views({"ana": b"x"}, later_seconds=600)
    record = _publish(publisher, later, at_last_event=False)[0]
    expected = agent.view(TRACKS["ana"], TRACKS["ana"].last_event_seconds, CONFIG)[0]
    assert record["available_seconds"] == expected.occupancy.shift.available_seconds
    assert later["ana"].figures.occupancy.shift.available_seconds != expected.occupancy.shift.available_seconds
    assert datetime.fromisoformat(record["as_of"]).timestamp() == expected.as_of_seconds


def test_pseudonymous_records_carry_a_keyed_hash_never_the_agent_id():
    records = _publish(_publisher(PrivacyMode.PSEUDONYMOUS), _views({"ana": b"x"}))
    assert len(records) == 1 and records[0]["agent_key"].startswith("p-")
    assert "ana" not in json.dumps(records)


def test_with_per_agent_detail_off_no_record_is_published():
    assert _publish(_publisher(PrivacyMode.OFF), _views(dict.fromkeys(TRACKS, b"x"))) == []
