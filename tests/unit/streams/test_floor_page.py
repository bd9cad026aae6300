"""The cached /metrics page says exactly what prometheus-client's render of the snapshot says."""

from __future__ import annotations

import asyncio
import dataclasses

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from floorwatch.core import agent
from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import decode_lines, fold
from floorwatch.streams import exposition
from floorwatch.streams.exposition import FloorPage
from floorwatch.streams.group_step import member_key, team_views
from floorwatch.streams.metrics import FloorCollector, FloorSnapshot
from floorwatch.streams.privacy import AgentLabeller
from floorwatch.streams.settings import PrivacyMode
from tests.unit.core.builders import at, team_shift

CONFIG = MetricConfig()


def _snapshot(hours: float) -> FloorSnapshot:
    events = [e for e in team_shift() if e.occurred_at < at(hours * 3600)]
    tracks = fold(decode_lines([encode(e) for e in events]), CONFIG).agents
    members = [(member_key(t.team_id or "", t.agent_id), t) for t in tracks.values()]
    teams = team_views(members, lambda t: t.last_event_seconds or 0.0, CONFIG)
    figures = tuple(agent.view(t, t.last_event_seconds or 0.0, CONFIG)[0] for t in tracks.values())
    return FloorSnapshot(hours, figures, tuple(teams), (), {"site-1": 1234.5})


def _reference(labeller: AgentLabeller, snapshot: FloorSnapshot) -> bytes:
    collector = FloorCollector(labeller)
    collector.snapshot = snapshot
    registry = CollectorRegistry()
    registry.register(collector)
    return generate_latest(registry)


def _samples(text: bytes) -> dict[tuple, float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text.decode())
        for sample in family.samples
    }


def _families(text: bytes) -> list[str]:
    return [family.name for family in text_string_to_metric_families(text.decode())]


def _show(page: FloorPage, snapshot: FloorSnapshot) -> bytes:
    asyncio.run(page.show(snapshot))
    return page.body


def test_the_page_holds_the_same_families_and_samples_as_a_full_render():
    labeller = AgentLabeller(PrivacyMode.NAMED, b"key", 1)
    snapshot = _snapshot(4)
    body = _show(FloorPage(FloorCollector(labeller)), snapshot)
    reference = _reference(labeller, snapshot)
    assert _families(body) == _families(reference)
    assert _samples(body) == _samples(reference)
    assert len([s for s in _samples(body) if s[0].startswith("floorwatch_agent_")]) > 10


def test_a_changed_agent_is_rendered_again_and_the_others_are_kept():
    labeller = AgentLabeller(PrivacyMode.NAMED, b"key", 1)
    page = FloorPage(FloorCollector(labeller))
    early, late = _snapshot(2), _snapshot(6)
    _show(page, early)
    # One agent moves on to its later figures; every other figures object is the very same.
    moved = dataclasses.replace(early, agents=(late.agents[0], *early.agents[1:]), taken_at_seconds=7.0)
    assert _samples(_show(page, moved)) == _samples(_reference(labeller, moved))
    assert _samples(_show(page, moved)) != _samples(_reference(labeller, early))


def test_an_agent_that_left_the_snapshot_leaves_the_page():
    labeller = AgentLabeller(PrivacyMode.NAMED, b"key", 1)
    page = FloorPage(FloorCollector(labeller))
    snapshot = _snapshot(4)
    gone = snapshot.agents[0].agent_id
    _show(page, snapshot)
    body = _show(page, dataclasses.replace(snapshot, agents=snapshot.agents[1:]))
    agents = {dict(labels).get("agent") for (name, labels) in _samples(body) if name.startswith("floorwatch_agent_")}
    assert gone not in agents and agents


def test_with_per_agent_detail_off_the_page_has_no_agent_series():
    labeller = AgentLabeller(PrivacyMode.OFF, b"key", 1)
    body = _show(FloorPage(FloorCollector(labeller)), _snapshot(4))
    names = {name for name, _ in _samples(body)}
    assert not any(name.startswith("floorwatch_agent_") for name in names)
    assert "floorwatch_team_handle_seconds" in names


def test_with_lines_joined_in_runs_a_change_in_one_run_gives_the_page_a_fresh_render_gives(monkeypatch):
    monkeypatch.setattr(exposition, "BLOCK", 1)  # a run per agent: several runs even on a small floor
    labeller = AgentLabeller(PrivacyMode.NAMED, b"key", 1)
    page = FloorPage(FloorCollector(labeller))
    early, late = _snapshot(2), _snapshot(6)
    assert len(early.agents) >= 3
    _show(page, early)
    middle = len(early.agents) // 2
    moved = dataclasses.replace(
        early, agents=(*early.agents[:middle], late.agents[middle], *early.agents[middle + 1 :]), taken_at_seconds=7.0
    )
    assert _show(page, moved) == _show(FloorPage(FloorCollector(labeller)), moved)
    assert _samples(_show(page, moved)) == _samples(_reference(labeller, moved))
    fewer = dataclasses.replace(moved, agents=moved.agents[1:])
    assert _show(page, fewer) == _show(FloorPage(FloorCollector(labeller)), fewer)


def test_queue_lines_are_rendered_again_when_a_queue_figures_object_is_new_and_kept_otherwise():
    from floorwatch.core import queue

    labeller = AgentLabeller(PrivacyMode.NAMED, b"key", 1)
    page = FloorPage(FloorCollector(labeller))
    calm = queue.view(queue.initial("q1"), 1000.0, MetricConfig().queue)
    snapshot = dataclasses.replace(_snapshot(2), queues=(calm,))
    first = _show(page, snapshot)
    assert ("floorwatch_queue_contacts_waiting", {"queue": "q1"}) in _raw_samples(first)
    busy = dataclasses.replace(calm, contacts_waiting=7)
    after = _show(page, dataclasses.replace(snapshot, queues=(busy,)))
    assert _value(after, "floorwatch_queue_contacts_waiting") == 7.0
    again = _show(page, dataclasses.replace(snapshot, queues=(busy,)))
    assert _value(again, "floorwatch_queue_contacts_waiting") == 7.0
    assert _show(page, dataclasses.replace(snapshot, queues=(busy,))) == _show(
        FloorPage(FloorCollector(labeller)), dataclasses.replace(snapshot, queues=(busy,))
    )


def _raw_samples(body: bytes):
    return [(s.name, s.labels) for f in text_string_to_metric_families(body.decode()) for s in f.samples]


def _value(body: bytes, name: str) -> float:
    return next(s.value for f in text_string_to_metric_families(body.decode()) for s in f.samples if s.name == name)


def test_a_family_s_sample_lines_are_what_prometheus_client_writes_for_it():
    from prometheus_client.core import GaugeMetricFamily

    family = GaugeMetricFamily("floorwatch_test_ratio", "A test.", labels=["team", "agent"])
    family.add_metric(['a "quoted" \\ back\\slash', "line\nbreak é"], 0.1 + 0.2)
    family.add_metric(["big", "b"], 1234567890.5)
    family.add_metric(["inf", "c"], float("inf"))
    family.add_metric(["nan", "d"], float("nan"))
    family.add_metric(["negative", "e"], -3.0)
    assert exposition.sample_lines(family) == exposition.split_families(exposition.render([family]))[1][0]


def test_an_agent_s_lines_written_directly_are_the_bytes_prometheus_client_writes_for_its_families():
    from floorwatch.streams.agent_lines import agent_lines

    quoted = dataclasses.replace(_snapshot(6).agents[0], team_id='a "team"\\ with\nbreak', site_id=None)
    agents = [*_snapshot(2).agents, *_snapshot(6).agents, *_snapshot(9).agents, quoted]
    assert any(a.breaks.required for a in agents) and any(a.state in (None, "LOGGED_OUT") for a in agents)
    for mode in (PrivacyMode.NAMED, PrivacyMode.PSEUDONYMOUS):
        collector = FloorCollector(AgentLabeller(mode, b"key", 1))
        for figures in agents:
            expected = [exposition.sample_lines(family) for family in collector.agent_families((figures,))]
            assert agent_lines(figures, collector.labeller.agent_key) == expected


def test_team_and_queue_lines_written_directly_are_the_bytes_prometheus_client_writes_for_their_families():
    from floorwatch.core import queue

    collector = FloorCollector(AgentLabeller(PrivacyMode.NAMED, b"key", 1))
    teams = [*_snapshot(2).teams, *_snapshot(6).teams, *_snapshot(9).teams]
    teams.append(dataclasses.replace(teams[-1], team_id='a "team"\\ with\nbreak', site_id="s\\1"))
    assert any(t.group.agents_by_state for t in teams) and any(t.supply.agents_movable_by_skill for t in teams)
    for team in teams:
        expected = [exposition.sample_lines(family) for family in collector.team_families([team])]
        assert list(collector.team_families([team], exposition.gauge_lines)) == expected
    events = [e for e in team_shift() if e.occurred_at < at(6 * 3600)]
    tracks = fold(decode_lines([encode(e) for e in events]), CONFIG).queues.values()
    queues = [queue.view(track, track.clock_seconds, CONFIG.queue) for track in tracks]
    queues.append(queue.view(queue.initial('q "2"'), 1000.0, CONFIG.queue))
    assert any(q.staffing.agents_needed is not None for q in queues)
    for figures in queues:
        expected = [exposition.sample_lines(family) for family in collector.queue_families((figures,))]
        assert list(collector.queue_families((figures,), exposition.gauge_lines)) == expected


def test_every_scrape_of_a_snapshot_gets_the_page_joined_once_and_gzipped_once_with_its_own_tail():
    import gzip

    page = FloorPage(FloorCollector(AgentLabeller(PrivacyMode.NAMED, b"key", 1)))
    first = _show(page, _snapshot(4))
    assert page.body is first  # joined at the first scrape, the same bytes after
    one, two = asyncio.run(_gzipped_twice(page, b"tail_total 1.0\n", b"tail_total 2.0\n"))
    assert gzip.decompress(one) == first + b"tail_total 1.0\n" and gzip.decompress(two) == first + b"tail_total 2.0\n"
    assert len(one) < len(first) / 4
    later = _show(page, _snapshot(6))
    assert later != first and gzip.decompress(asyncio.run(page.gzipped_with(b""))) == later


async def _gzipped_twice(page: FloorPage, one: bytes, two: bytes) -> list[bytes]:
    """Two scrapes at once: both wait for the one compression of the snapshot."""
    return list(await asyncio.gather(page.gzipped_with(one), page.gzipped_with(two)))


def test_gzip_is_served_only_to_a_scraper_that_accepts_it():
    taken = ["gzip", "gzip, deflate", "deflate, gzip;q=0.5", "*", "identity, GZIP"]
    refused = [None, "", "identity", "deflate", "gzip;q=0", "gzip;q=0.0, deflate", "x-gzip"]
    assert all(exposition.accepts_gzip(header) for header in taken)
    assert not any(exposition.accepts_gzip(header) for header in refused)
