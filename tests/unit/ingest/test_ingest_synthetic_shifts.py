"""A two-hour synthetic shift of three agents per source: the adapters' output, counted
simply and replayed through floorwatch's metric core, must give the figures worked out
from the scenario itself; ingesting the same feed twice must change no figure."""

from __future__ import annotations

import pytest

from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import replay
from tests.unit.ingest.ingest_helpers import run, simple_figures
from tests.unit.ingest.ingest_renderers import amazon_connect, genesys, twilio
from tests.unit.ingest.ingest_scenario import (
    Expected,
    abandoned_per_queue,
    asterisk,
    build,
    calls_csv,
    expected,
    expected_from_call_list,
)

SEEDS = (7, 2026)
SESSION_GAP_SECONDS = 900

# source -> (render, has wrap-up, sees callers abandoning in the queue)
SOURCES = {
    "asterisk": (asterisk, False, True),
    "amazon-connect": (amazon_connect, True, False),  # agent event streams never see a contact no agent was offered
    "twilio": (twilio, True, True),
    "genesys": (genesys, True, True),
    "csv": (calls_csv, False, True),
}


def _case(source: str, seed: int):
    render, wrap, sees_abandons = SOURCES[source]
    scenario = build(seed, wrap=wrap)
    want = expected_from_call_list(scenario, SESSION_GAP_SECONDS) if source == "csv" else expected(scenario)
    abandons = abandoned_per_queue(scenario) if sees_abandons else {}
    return render(scenario), want, abandons


def _replayed(events_jsonl: str) -> dict:
    return replay(events_jsonl.splitlines(), MetricConfig())


def _agent_figures(report: dict) -> dict[str, Expected]:
    figures = {}
    for agent_id, agent in report["agents"].items():
        occupancy = agent["through_last_event"]["occupancy"]
        figures[agent_id] = Expected(
            occupancy["handle_seconds"],
            occupancy["available_seconds"],
            occupancy["aux_seconds"],
            occupancy["contacts_handled"],
        )
    return figures


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("source", SOURCES)
def test_the_adapters_events_counted_simply_match_the_figures_worked_out_from_the_shift(source, seed):
    feed, want, abandons = _case(source, seed)
    result = run(source, feed)
    assert result.report.skipped_total == 0 and not result.report.unmapped
    floor = simple_figures(result.events)
    got = {
        agent: Expected(f.handle_seconds, f.available_seconds, f.aux_seconds, f.answered)
        for agent, f in floor.agents.items()
    }
    assert got == want
    assert dict(floor.abandoned) == dict(abandons)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("source", SOURCES)
def test_replaying_the_adapters_events_gives_the_figures_worked_out_from_the_shift(source, seed):
    feed, want, abandons = _case(source, seed)
    report = _replayed(run(source, feed).jsonl())
    assert report["events"]["rejected"] == report["events"]["late"] == report["events"]["duplicate"] == 0
    assert _agent_figures(report) == want
    answered = sum(q["contacts"]["total"]["answered"] for q in report["queues"].values())
    assert answered == sum(w.answered for w in want.values())
    assert {
        q: v["contacts"]["total"]["abandoned"]
        for q, v in report["queues"].items()
        if v["contacts"]["total"]["abandoned"]
    } == {q: n for q, n in abandons.items() if n}


@pytest.mark.parametrize("source", SOURCES)
def test_a_feed_delivered_twice_gives_the_same_event_ids_and_changes_no_figure(source):
    feed, _, _ = _case(source, SEEDS[0])
    once, twice = run(source, feed), run(source, feed)
    assert [e.event_id for e in once.events] == [e.event_id for e in twice.events]
    alone = _replayed(once.jsonl())
    redelivered = _replayed(
        "".join(a + "\n" + b + "\n" for a, b in zip(once.jsonl().splitlines(), twice.jsonl().splitlines()))
    )
    assert redelivered["events"]["duplicate"] == alone["events"]["accepted"]
    assert redelivered["agents"] == alone["agents"]
    assert redelivered["queues"] == alone["queues"]


@pytest.mark.parametrize("source", SOURCES)
def test_ingesting_the_same_file_again_after_it_was_read_changes_no_figure(source):
    feed, _, _ = _case(source, SEEDS[0])
    first, again = run(source, feed).jsonl(), run(source, feed).jsonl()
    # Agents drop the second copy by their clocks (too late) or ids; queues by contact ids within their memory
    # and by their clocks beyond it, and never see what an agent already dropped. Default configuration.
    alone = replay(first.splitlines(), MetricConfig())
    both = replay((first + again).splitlines(), MetricConfig())
    assert both["agents"] == alone["agents"]
    assert both["queues"] == alone["queues"]
