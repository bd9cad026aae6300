"""What a scrape of the worker's registry returns for a given floor snapshot."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from floorwatch.core import agent, queue
from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import decode_lines, fold
from floorwatch.streams.group_step import member_key, team_views
from floorwatch.streams.metrics import FloorCollector, FloorSnapshot
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.settings import PrivacyMode
from tests.unit.core.builders import abandoned, at, epoch, offered, team_shift

CONFIG = MetricConfig()


def _scrape(mode: PrivacyMode, min_group_size: int = 5) -> CollectorRegistry:
    """Team "blue" (three agents) four hours into its shift, everyone still logged in."""
    morning = [e for e in team_shift() if e.occurred_at < at(4 * 3600)]
    tracks = fold(decode_lines([encode(e) for e in morning]), CONFIG).agents
    members = [(member_key(t.team_id or "", t.agent_id), t) for t in tracks.values()]
    teams = team_views(members, lambda t: t.last_event_seconds or 0.0, CONFIG)
    figures = tuple(agent.view(t, t.last_event_seconds or 0.0, CONFIG)[0] for t in tracks.values())
    collector = FloorCollector(AgentLabeller(mode, b"key", min_group_size))
    collector.snapshot = FloorSnapshot(1.0, figures, tuple(teams), ())
    registry = CollectorRegistry()
    registry.register(collector)
    return registry


def test_team_occupancy_on_a_scrape_is_the_time_weighted_roll_up():
    registry = _scrape(PrivacyMode.NAMED)
    handle = registry.get_sample_value("floorwatch_team_handle_seconds", {"team": "blue", "site": "site-1"})
    available = registry.get_sample_value("floorwatch_team_available_seconds", {"team": "blue", "site": "site-1"})
    ratio = registry.get_sample_value(
        "floorwatch_team_occupancy_ratio", {"team": "blue", "site": "site-1", "window": "shift"}
    )
    assert handle > 0 and available > 0
    assert ratio == handle / (handle + available)


def test_with_per_agent_detail_off_no_agent_series_and_no_small_team_is_published():
    registry = _scrape(PrivacyMode.OFF, min_group_size=5)  # team "blue" has three agents
    names = {metric.name for metric in registry.collect() for _ in metric.samples}
    assert not any(name.startswith("floorwatch_agent_") for name in names)
    assert not any(name.startswith("floorwatch_team_") for name in names)


def test_with_per_agent_detail_off_a_large_enough_team_is_published():
    registry = _scrape(PrivacyMode.OFF, min_group_size=3)
    assert registry.get_sample_value("floorwatch_team_agents_staffed", {"team": "blue", "site": "site-1"}) == 3


def test_no_series_outlives_the_snapshot_that_held_it():
    registry = _scrape(PrivacyMode.NAMED)
    collector = next(iter(registry._collector_to_names))  # the one collector registered
    collector.snapshot = FloorSnapshot(2.0)
    samples = [s for metric in registry.collect() for s in metric.samples]
    assert [s.name for s in samples] == ["floorwatch_snapshot_timestamp_seconds"]


def test_short_abandons_are_scraped_next_to_the_abandon_ratio_that_leaves_them_out():
    track = None
    for event in (offered("c1", 0), abandoned("c1", 3, wait=3), offered("c2", 0), abandoned("c2", 60, wait=60)):
        track = queue.apply(track, event, CONFIG.queue).track
    assert track is not None
    collector = FloorCollector(AgentLabeller(PrivacyMode.NAMED, b"key", 5))
    collector.snapshot = FloorSnapshot(1.0, (), (), (queue.view(track, epoch(60), CONFIG.queue),))
    registry = CollectorRegistry()
    registry.register(collector)
    assert registry.get_sample_value("floorwatch_queue_short_abandoned_contacts", {"queue": "q1"}) == 1
    assert registry.get_sample_value("floorwatch_queue_abandon_ratio", {"queue": "q1"}) == 1.0


def test_a_queue_advice_and_a_team_lendable_agents_are_on_the_scrape():
    from floorwatch.core import queue

    morning = [e for e in team_shift() if e.occurred_at < at(4 * 3600)]
    result = fold(decode_lines([encode(e) for e in morning]), CONFIG)
    now = max(t.last_event_seconds or 0.0 for t in result.agents.values())
    figures = queue.view(result.queues["q1"], now, CONFIG.queue)
    members = [(member_key(t.team_id or "", t.agent_id), t) for t in result.agents.values()]
    teams = team_views(members, lambda t: now, CONFIG)
    collector = FloorCollector(AgentLabeller(PrivacyMode.NAMED, b"key", 5))
    collector.snapshot = FloorSnapshot(1.0, (), tuple(teams), (figures,))
    registry = CollectorRegistry()
    registry.register(collector)

    staffing = figures.staffing
    assert staffing.agents_needed is not None
    labels = {"queue": "q1", "skill": "q1", "model": staffing.model, "target": "80% in 20 s"}
    assert registry.get_sample_value("floorwatch_queue_agents_needed", labels) == staffing.agents_needed
    assert registry.get_sample_value("floorwatch_queue_offered_load_erlangs", {"queue": "q1"}) == pytest.approx(
        staffing.offered_load_erlangs
    )
    target = registry.get_sample_value(
        "floorwatch_queue_service_level_target_ratio", {"queue": "q1", "threshold_seconds": "20"}
    )
    assert target == 0.8
    movable = teams[0].supply.agents_movable_by_skill.get("q1", 0)
    team = {"team": "blue", "site": "site-1", "skill": "q1"}
    sample = registry.get_sample_value("floorwatch_team_skill_agents_movable", team)
    assert sample == (movable if movable else None)
