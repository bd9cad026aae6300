"""Alert records are edges: one when a team crosses into overload, none while it stays there."""

from __future__ import annotations

import json
from types import SimpleNamespace

from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import decode_lines, fold
from floorwatch.streams.group_step import member_key, team_views
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.settings import ClockMode, PrivacyMode
from floorwatch.streams.state import DecodedCache, load_queue
from floorwatch.streams.ticker import Ticker
from floorwatch.topics import Topics
from tests.unit.core.builders import AVAILABLE, contact_cycle, state

CONFIG = MetricConfig()


def _busy_team():
    """Two agents handling back to back for 20 minutes: 15-minute occupancy well above 90%."""
    events = [state(a, AVAILABLE, 0) for a in ("ana", "ben")]
    for agent in ("ana", "ben"):
        for k in range(4):
            events += contact_cycle(agent, f"{agent}-{k}", 5 + k * 300, talk=280, wrap=14)
    tracks = fold(decode_lines([encode(e) for e in sorted(events, key=lambda e: e.occurred_at)]), CONFIG).agents
    return team_views(
        [(member_key(t.team_id, t.agent_id), t) for t in tracks.values()], lambda t: t.last_event_seconds, CONFIG
    )


def _ticker() -> Ticker:
    settings = SimpleNamespace(clock=ClockMode.EVENT, drift_refresh_seconds=30.0, tick_seconds=0.5, publish_seconds=5.0)
    worker = SimpleNamespace(config=CONFIG, topics=Topics(), settings=settings, queues_decoded=DecodedCache(load_queue))
    return Ticker(worker, AgentLabeller(PrivacyMode.NAMED, b"key"), None, None, None, None)  # type: ignore[arg-type]


def test_a_team_crossing_into_overload_raises_one_alert_until_it_recovers():
    ticker, teams = _ticker(), _busy_team()
    first = ticker._alerts(teams, [], now=1000.0)
    again = ticker._alerts(teams, [], now=1005.0)
    cleared = ticker._alerts([], [], now=1010.0)
    raised_anew = ticker._alerts(teams, [], now=1015.0)
    assert [json.loads(s.value)["kind"] for s in first] == ["team_overload"]
    assert again == [] and cleared == []
    assert len(raised_anew) == 1


def _queue_figures(queue_id: str):
    from floorwatch.core import queue

    return queue.view(queue.initial(queue_id), 1000.0, CONFIG.queue)


def test_a_queue_load_record_goes_out_when_the_queue_changed_not_every_period():
    ticker = _ticker()
    q1, q2 = _queue_figures("q1"), _queue_figures("q2")
    stored = {"q1": b"one", "q2": b"two"}
    ticker._queue_raw = dict(stored)
    first = ticker._queue_loads([q1, q2], mono=10.0)
    unchanged = ticker._queue_loads([q1, q2], mono=15.0)
    ticker._queue_raw["q2"] = b"two, changed"  # a new stored value: a new bytes object
    changed = ticker._queue_loads([q1, q2], mono=20.0)
    assert sorted(s.key for s in first) == [b"q1", b"q2"]
    assert unchanged == []
    assert [s.key for s in changed] == [b"q2"]


def test_with_the_wall_clock_an_unchanged_queue_is_sent_again_after_the_refresh_period():
    ticker = _ticker()
    ticker.agent_views.drifts = True  # the wall clock: a queue's windows slide without input
    q1 = _queue_figures("q1")
    ticker._queue_raw = {"q1": b"one"}
    assert len(ticker._queue_loads([q1], mono=0.0)) == 1
    assert ticker._queue_loads([q1], mono=29.0) == []
    assert len(ticker._queue_loads([q1], mono=30.0)) == 1
