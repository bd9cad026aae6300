"""floorwatch_team_queue_agents, the family added for break coverage: what a scrape returns."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig
from floorwatch.core.events import AgentState
from floorwatch.core.replay import decode_lines, fold
from floorwatch.streams.group_step import member_key, team_views
from floorwatch.streams.metrics import FloorCollector, FloorSnapshot
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.settings import PrivacyMode
from tests.unit.core.builders import MINUTE, state

CONFIG = MetricConfig()


def _registry(mode: PrivacyMode = PrivacyMode.NAMED, min_group_size: int = 5) -> CollectorRegistry:
    """Team blue: ana (q1, q2) on a break, ben (q1) on a contact, cy (q1) logged out again."""
    blue = {"team": "blue", "site": "site-1"}
    events = [
        state("ana", AgentState.AVAILABLE, 0, queues=("q1", "q2"), **blue),
        state("ben", AgentState.AVAILABLE, 0, queues=("q1",), **blue),
        state("cy", AgentState.AVAILABLE, 0, queues=("q1",), **blue),
        state("ana", AgentState.BREAK, 30 * MINUTE, queues=("q1", "q2"), **blue),
        state("ben", AgentState.ON_CONTACT, 31 * MINUTE, queues=("q1",), **blue),
        state("cy", AgentState.LOGGED_OUT, 32 * MINUTE, queues=("q1",), **blue),
    ]
    tracks = fold(decode_lines([encode(e) for e in events]), CONFIG).agents
    members = [(member_key(t.team_id, t.agent_id), t) for t in tracks.values() if t.team_id is not None]
    teams = team_views(members, lambda t: t.last_event_seconds or 0.0, CONFIG)
    collector = FloorCollector(AgentLabeller(mode, b"key", min_group_size))
    collector.snapshot = FloorSnapshot(1.0, (), tuple(teams), ())
    registry = CollectorRegistry()
    registry.register(collector)
    return registry


def _samples(registry: CollectorRegistry) -> dict[tuple[str, str], float]:
    return {
        (s.labels["queue"], s.labels["state"]): s.value
        for m in registry.collect()
        for s in m.samples
        if s.name == "floorwatch_team_queue_agents" and s.labels["team"] == "blue" and s.labels["site"] == "site-1"
    }


def test_staffed_members_count_once_in_every_queue_they_serve_by_state():
    assert _samples(_registry()) == {("q1", "BREAK"): 1, ("q1", "ON_CONTACT"): 1, ("q2", "BREAK"): 1}


def test_a_team_too_small_to_publish_with_privacy_off_shows_no_queue_breakdown_either():
    assert _samples(_registry(PrivacyMode.OFF, min_group_size=5)) == {}
