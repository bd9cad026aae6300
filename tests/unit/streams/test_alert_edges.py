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
    worker = SimpleNamespace(config=CONFIG, topics=Topics(), settings=settings)
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
