"""The sample feeds in tests/fixtures/ingest (provenance in SOURCES.md there), with figures worked out by hand."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from floorwatch.core.events import AgentState
from floorwatch.services.ingest.registry import IngestOptions
from tests.unit.ingest.ingest_helpers import FIXTURES, at, run, simple_figures

A = AgentState


def _figures(result, agent):
    f = simple_figures(result.events).agents[agent]
    return f.handle_seconds, f.available_seconds, f.aux_seconds, f.answered


def test_the_sample_queue_log_gives_the_figures_worked_out_by_hand():
    result = run("asterisk", (FIXTURES / "queue_log").read_text())
    # SIP/8007: available 08:00:00-08:01:52, call to 08:05:00, available to 08:06:00, lunch to 08:36:00,
    # available until the last record before the restart (08:36:40): 112 + 60 + 40 s available.
    assert result.states("SIP/8007") == [
        (at(0), A.AVAILABLE, None),
        (at(112), A.ON_CONTACT, None),
        (at(300), A.AVAILABLE, None),
        (at(360), A.LUNCH, "Lunch"),
        (at(2160), A.AVAILABLE, None),
        (at(2200), A.LOGGED_OUT, None),
    ]
    assert _figures(result, "SIP/8007") == (188, 212, 1800, 1)
    # SIP/9001 is first seen connecting with a 2 s ring: available from 08:00:23.
    assert _figures(result, "SIP/9001") == (120, 2 + 2055, 0, 1)
    assert [(e.data.queue_id, e.data.wait_seconds) for e in result.of_type("contact.abandoned")] == [("sales", 30)]
    assert [(s.position, s.reason.split(",")[0]) for s in result.report.skipped] == [
        ("line 15", "expected epoch|callid|queue|agent|event|data...")
    ]
    assert result.report.ignored == {"RINGNOANSWER": 1, "SURVEYSCORE (unknown or custom event)": 1}
    assert len(result.of_type("contact.offered")) == 3


def test_the_sample_database_rows_in_berlin_time_give_the_figures_worked_out_by_hand():
    result = run(
        "asterisk-db", (FIXTURES / "queue_log_db.csv").read_text(), IngestOptions(timezone=ZoneInfo("Europe/Berlin"))
    )
    assert [t for t, _, _ in result.states("SIP/8007")] == [at(0), at(25.3), at(145.3), at(300)]
    assert _figures(result, "SIP/8007") == (120, 180, 0, 1)


def test_the_sample_amazon_connect_stream_gives_the_figures_worked_out_by_hand():
    result = run("amazon-connect", (FIXTURES / "amazon_connect_agent_events.jsonl").read_text())
    agent = "7d1b2c3a"
    assert [s for _, s, _ in result.states(agent)] == [
        A.AVAILABLE,
        A.ON_CONTACT,
        A.HOLD,
        A.ON_CONTACT,
        A.AFTER_CONTACT_WORK,
        A.AVAILABLE,
        A.BREAK,
        A.LOGGED_OUT,
    ]
    # Talk and hold 08:01:10-08:06:10, wrap-up to 08:07:00; break 08:30 to the logout at 09:00 (the unmapped
    # "Smoke break" at 08:45 produced no event, so the break goes on in floorwatch's view).
    assert _figures(result, agent) == (350, 70 + 1380, 1800, 1)
    assert result.report.unmapped == {"Smoke break": 1}
    assert result.report.ignored == {"HEART_BEAT": 1, "duplicate record (EventId already read)": 1}
    assert result.report.records_read == 12 and result.report.skipped_total == 0
