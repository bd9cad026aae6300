"""The generic call CSV adapter, and the plumbing every source shares: roster, mapping
tables, readers (including following a growing, rotated file), sinks and the command."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from floorwatch.cli import main
from floorwatch.core.codec import decode
from floorwatch.core.events import AgentState
from floorwatch.services.ingest.emit import Emitter
from floorwatch.services.ingest.mapping import MappingError, load_mapping
from floorwatch.services.ingest.readers import follow_lines, json_records
from floorwatch.services.ingest.registry import IngestOptions
from floorwatch.services.ingest.roster import RosterError, load_roster
from floorwatch.services.ingest.sinks import topic_for
from floorwatch.topics import Topics
from tests.unit.ingest.ingest_helpers import at, iso, run

A = AgentState
HEADER = "call_id,agent,queue,arrival,answer,end,outcome\n"


def calls(*rows: tuple) -> str:
    return HEADER + "".join(",".join(str(v) for v in row) + "\n" for row in rows)


# --- csv ------------------------------------------------------------------------------------------


def test_csv_agents_are_available_between_calls_of_a_session_and_logged_out_after_it():
    text = calls(
        ("c1", "alice", "sales", iso(0), iso(10), iso(310), "completed"),
        ("c2", "", "sales", iso(20), "", iso(80), "abandoned"),
        ("c3", "alice", "sales", iso(400), iso(405), iso(645), "transferred"),
        ("c4", "alice", "sales", iso(3000), iso(3005), iso(3065), "completed"),  # 39 minutes later: a new session
    )
    result = run("csv", text)
    assert result.states("alice") == [
        (at(10), A.ON_CONTACT, None),
        (at(310), A.AVAILABLE, None),
        (at(405), A.ON_CONTACT, None),
        (at(645), A.LOGGED_OUT, None),
        (at(3005), A.ON_CONTACT, None),
        (at(3065), A.LOGGED_OUT, None),
    ]
    assert [e.data.wait_seconds for e in result.of_type("contact.answered")] == [10, 5, 5]
    assert [(e.data.contact_id, e.data.wait_seconds) for e in result.of_type("contact.abandoned")] == [("c2", 60)]
    assert [e.data.contact_id for e in result.of_type("contact.transferred")] == ["c3"]


def test_csv_session_gap_is_configurable():
    text = calls(
        ("c1", "bob", "q", iso(0), iso(0), iso(60), "ok"), ("c2", "bob", "q", iso(300), iso(300), iso(360), "ok")
    )
    result = run("csv", text, IngestOptions(session_gap_seconds=120))
    assert [s for _, s, _ in result.states("bob")] == [A.ON_CONTACT, A.LOGGED_OUT, A.ON_CONTACT, A.LOGGED_OUT]


def test_csv_rows_two_clocks_cannot_explain_or_unreadable_are_skipped_with_the_reason():
    text = calls(
        ("c1", "alice", "sales", iso(0), iso(10), iso(310), "completed"),
        ("c3", "alice", "sales", iso(400), iso(300), iso(500), "completed"),  # arrival 100 s after the answer
        ("c5", "alice", "sales", "2026-03-02 09:00", iso(410), iso(500), "completed"),
    )
    result = run("csv", text)
    assert [(s.position, s.reason.split(":")[0]) for s in result.report.skipped] == [
        ("line 3", "times out of order"),
        ("line 4", "arrival '2026-03-02 09"),
    ]
    assert "more than the 5 s clock skew tolerated (--clock-skew-seconds)" in result.report.skipped[0].reason


# --- roster, mapping ----------------------------------------------------------------------------------


def test_a_roster_from_csv_or_yaml_fills_team_site_and_queues_and_unknown_agents_are_unassigned(tmp_path):
    csv_file = tmp_path / "roster.csv"
    csv_file.write_text("agent_id,team_id,site_id,queues\nalice,blue,leeds,sales;billing\n")
    yaml_file = tmp_path / "roster.yaml"
    yaml_file.write_text("agents:\n  alice: {team: blue, site: leeds, queues: [sales, billing]}\n")
    for path in (csv_file, yaml_file):
        roster = load_roster(path)
        text = calls(
            ("c1", "alice", "sales", iso(0), iso(1), iso(60), "ok"),
            ("c2", "zed", "sales", iso(0), iso(1), iso(60), "ok"),
        )
        result = run("csv", text, IngestOptions(roster=roster))
        first = result.of_type("agent.state_changed")[0].data
        assert (first.team_id, first.site_id, first.queues) == ("blue", "leeds", ("sales", "billing"))
        zed = next(e.data for e in result.of_type("agent.state_changed") if e.data.agent_id == "zed")
        assert (zed.team_id, zed.site_id, zed.queues) == ("unassigned", "unassigned", ("sales",))
        assert result.report.unassigned_agents == {"zed"}
        assert "not in the roster" in result.report.render()


def test_a_broken_roster_or_mapping_file_is_an_error_naming_the_place(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("name,team\nalice,blue\n")
    with pytest.raises(RosterError, match="header with agent_id"):
        load_roster(roster)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("statuses:\n  Coffee: SNACKING\n")
    with pytest.raises(MappingError, match=r"statuses\.Coffee: 'SNACKING' is not a floorwatch state"):
        load_mapping("amazon-connect", mapping)
    mapping.write_text("activities:\n  Coffee: BREAK\n")
    with pytest.raises(MappingError, match="unknown table 'activities'; this source has: status_types, statuses"):
        load_mapping("amazon-connect", mapping)


def test_an_operator_mapping_extends_and_overrides_the_defaults_case_insensitively(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("statuses:\n  coffee: break\n  BREAK: other_aux\n")
    table = load_mapping("amazon-connect", mapping)
    assert table.lookup("statuses", "Coffee") is A.BREAK
    assert table.lookup("statuses", "Break") is A.OTHER_AUX
    assert table.lookup("statuses", "Lunch") is A.LUNCH


# --- readers ----------------------------------------------------------------------------------------------


def test_json_objects_written_back_to_back_on_one_line_are_separate_records():
    found = list(json_records([("line 1", '{"a": 1}{"a": 2} {"a": 3'), ("line 2", "[1]")]))
    assert [(r.position, r.payload, r.error is not None) for r in found] == [
        ("line 1, object 1", {"a": 1}, False),
        ("line 1, object 2", {"a": 2}, False),
        ("line 1, object 3", None, True),
        ("line 2", None, True),
    ]


def test_following_a_file_reads_complete_lines_as_they_come_and_across_a_rotation(tmp_path):
    path = tmp_path / "queue_log"
    path.write_text("one\ntw")
    appends = [lambda: _append(path, "o\nthree\n"), lambda: _rotate(path, "four\n"), lambda: _append(path, "five")]
    waits = []

    def wait(seconds: float) -> None:  # each idle poll, the "platform" writes the next chunk
        waits.append(seconds)
        if appends:
            appends.pop(0)()

    lines = list(follow_lines(path, should_stop=lambda: not appends, wait=wait, poll_seconds=0.25))
    assert lines == [
        ("line 1", "one"),
        ("line 2", "two"),
        ("line 3", "three"),
        ("line 1 (after rotation 1)", "four"),
        ("line 2 (after rotation 1)", "five"),
    ]
    assert set(waits) == {0.25}


def _append(path: Path, text: str) -> None:
    with open(path, "a") as handle:
        handle.write(text)


def _rotate(path: Path, text: str) -> None:
    os.rename(path, path.with_suffix(".1"))
    path.write_text(text)


# --- pipeline, sinks, command ------------------------------------------------------------------------------


def test_a_record_that_breaks_an_adapter_unexpectedly_is_reported_and_the_run_goes_on():
    contact = {"State": "CONNECTED"}  # no ContactId: an unforeseen shape
    record = {
        "EventType": "STATE_CHANGE",
        "EventId": "e1",
        "EventTimestamp": iso(0),
        "AgentARN": "arn:aws:connect:r:1:instance/i/agent/a1",
        "CurrentAgentSnapshot": {"AgentStatus": {"Name": "Available", "Type": "ROUTABLE"}, "Contacts": [contact]},
    }
    good = {**record, "EventId": "e2", "CurrentAgentSnapshot": {"AgentStatus": {"Name": "Available"}, "Contacts": []}}
    result = run("amazon-connect", json.dumps(record) + "\n" + json.dumps(good) + "\n")
    assert result.report.skipped[0].position == "line 1"
    assert "unexpected record shape" in result.report.skipped[0].reason
    assert len(result.of_type("agent.state_changed")) == 1


def test_agent_events_and_contact_events_go_to_their_topics():
    emitter = Emitter("test")
    topics = Topics.with_prefix("t1")
    state = emitter.agent_state(("x",), "alice", A.AVAILABLE, at(0))
    offered = emitter.contact("contact.offered", ("y",), at(0), contact_id="c", queue_id="q")
    assert (topic_for(state, topics), topic_for(offered, topics)) == ("t1.agent-events", "t1.contact-events")


def test_the_command_writes_events_as_jsonl_and_the_report_to_stderr(tmp_path, capsys):
    feed = tmp_path / "calls.csv"
    feed.write_text(calls(("c1", "alice", "sales", iso(0), iso(10), iso(70), "ok"), ("oops",)))
    out = tmp_path / "events.jsonl"
    assert main(["ingest", "csv", str(feed), "--output", str(out)]) == 0
    events = [decode(line) for line in out.read_text().splitlines()]
    assert [e.type for e in events] == [
        "contact.offered",
        "agent.state_changed",
        "contact.answered",
        "contact.ended",
        "agent.state_changed",
    ]
    report = capsys.readouterr().err
    assert "floorwatch ingest csv: 2 records read, 5 events produced, 1 skipped" in report
    assert "line 3: expected 7 columns like the header, got 1" in report


def test_the_command_refuses_database_rows_without_a_time_zone(tmp_path, capsys):
    feed = tmp_path / "queue_log.csv"
    feed.write_text("time,callid,queuename,agent,event,data1\n")
    assert main(["ingest", "asterisk-db", str(feed)]) == 2
    assert "asterisk-db needs --timezone" in capsys.readouterr().err


def test_reading_standard_input_is_the_same_as_reading_the_file(monkeypatch, tmp_path, capsys):
    text = calls(("c1", "alice", "sales", iso(0), iso(10), iso(70), "ok"))
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert main(["ingest", "csv", "-"]) == 0
    from_stdin = capsys.readouterr().out
    assert from_stdin == run("csv", text).jsonl()
