"""A month per source, every trap included: `floorwatch ingest` then `floorwatch replay --by day`
must give, per agent and day, exactly the figures computed from the month itself (month_feeds)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC

import pytest

from floorwatch.core.config import MetricConfig
from floorwatch.core.period_report import replay_periods
from floorwatch.core.periods import PeriodKind
from floorwatch.core.replay import replay
from tests.unit.ingest.ingest_helpers import run
from tests.unit.ingest.month_feeds import (
    DayFigures,
    Month,
    amazon_connect_records,
    calls_csv,
    genesys_notifications,
    month,
    queue_log,
    truth_call_list,
    truth_event_feed,
    truth_queue_log,
    twilio_events,
)

SEED = 2026
SESSION_GAP_SECONDS = 900


@pytest.fixture(scope="module")
def the_month() -> Month:
    return month(SEED)


def _per_agent_day(events_jsonl: str) -> dict[tuple[str, str], DayFigures]:
    report = replay_periods(events_jsonl.splitlines(), MetricConfig(), PeriodKind.DAY, UTC)
    assert report["events"]["late"] == 0 and report["events"]["rejected"] == 0
    return {
        (row["id"], row["period"]): DayFigures(
            row["handle_seconds"], row["available_seconds"], row["aux_seconds"], row["contacts_handled"]
        )
        for row in report["agents"]
    }


def _queue_totals(events_jsonl: str) -> dict[str, tuple[int, int, int]]:
    report = replay(events_jsonl.splitlines(), MetricConfig())
    out = {}
    for queue_id, entry in report["queues"].items():
        total = entry["contacts"]["total"]
        out[queue_id] = (total["answered"], total["abandoned"], total["short_abandoned"])
    return out


def _true_queue_totals(m: Month, system_answers: bool = True) -> dict[str, tuple[int, int, int]]:
    answered, abandoned, short = Counter[str](), Counter[str](), Counter[str]()
    for day in m.days:
        for call in day.calls + ([day.tail_call] if day.tail_call else []):
            answered[call.queue] += 1
    for q in m.queue_only:
        if q.system_answer is not None:
            answered[q.queue] += system_answers
        elif q.end - q.arrival < 5:
            short[q.queue] += 1
        else:
            abandoned[q.queue] += 1
    return {queue: (answered[queue], abandoned[queue], short[queue]) for queue in sorted(answered)}


def _differences(got: dict, want: dict) -> list:
    keys = sorted(set(got) | set(want))
    return [(key, got.get(key), want.get(key)) for key in keys if got.get(key) != want.get(key)][:5]


def test_a_month_of_asterisk_queue_log_gives_each_agent_days_true_figures(the_month):
    result = run("asterisk", queue_log(the_month))
    assert result.report.skipped_total == 0
    events = result.jsonl()
    want = truth_queue_log(the_month)
    got = _per_agent_day(events)
    assert not _differences(got, want)
    assert len(got) == 24 * 20  # no weekend day: no agent brought back by an end record after its logoff
    assert not any(agent == "NONE" for agent, _ in got)
    assert _queue_totals(events) == _true_queue_totals(the_month)
    notes = result.report.notes
    assert sum("still connected at the logoff" in note for note in notes) == sum(
        1 for day in the_month.days if day.tail_call
    )


def test_a_month_of_call_csv_sorted_by_arrival_gives_each_agent_days_true_figures(the_month):
    text, beyond_skew = calls_csv(the_month, SEED)
    result = run("csv", text)
    assert result.report.skipped_total == beyond_skew
    events = result.jsonl()
    got = _per_agent_day(events)
    assert not _differences(got, truth_call_list(the_month, SESSION_GAP_SECONDS))
    assert not any(agent.lower() in ("no_server", "none", "") for agent, _ in got)
    assert _queue_totals(events) == _true_queue_totals(the_month)
    report = result.report.render()
    assert "answered while the same agent was still on another call" in report
    assert "had the arrival after the answer by at most 5 s" in report
    assert "named a placeholder instead of an agent" in report


def test_a_month_of_twilio_taskrouter_callbacks_gives_each_agent_days_true_figures(the_month):
    result = run("twilio", twilio_events(the_month))
    assert result.report.skipped_total == 0
    events = result.jsonl()
    got = _per_agent_day(events)
    assert not _differences(got, truth_event_feed(the_month))
    assert len(got) == 24 * 20  # a task completed after the worker went offline brings no one back
    assert _queue_totals(events) == _true_queue_totals(the_month, system_answers=False)


def test_a_month_of_genesys_notifications_gives_each_agent_days_true_figures(the_month):
    result = run("genesys", genesys_notifications(the_month))
    assert result.report.skipped_total == 0
    events = result.jsonl()
    got = _per_agent_day(events)
    assert not _differences(got, truth_event_feed(the_month))
    assert len(got) == 24 * 20
    assert _queue_totals(events) == _true_queue_totals(the_month, system_answers=False)


def test_a_month_of_amazon_connect_agent_events_gives_each_agent_days_true_figures(the_month):
    result = run("amazon-connect", amazon_connect_records(the_month))
    assert result.report.skipped_total == 0
    events = result.jsonl()
    got = {(agent.replace("-", "/", 1), day): figures for (agent, day), figures in _per_agent_day(events).items()}
    assert not _differences(got, truth_queue_log(the_month))  # a contact connected at LOGOUT ends there
    want = _true_queue_totals(the_month, system_answers=False)
    assert {queue: counts[0] for queue, counts in _queue_totals(events).items()} == {
        queue: answered
        for queue, (answered, _, _) in want.items()  # the stream never sees abandons
    }
