"""Asterisk queue_log adapter, one test per trap.

Record shapes: the file form is docs.asterisk.org "Queue Logs" (`epoch|callid|queue|
agent|EVENT|params`, with each event's parameters as listed there, e.g.
CONNECT(holdtime|bridgedchanneluniqueid|ringtime), RINGNOANSWER(ringtime) in ms);
the PAUSEALL-then-PAUSE-per-queue sequence and the database columns
(time, callid, queuename, agent, event, data1..data5) follow Wazo's "Queue logs"
documentation of the realtime queue_log table.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from floorwatch.core.events import AgentState
from floorwatch.services.ingest.registry import IngestOptions
from tests.unit.ingest.ingest_helpers import T0, at, run

A = AgentState


def ql(seconds: float, callid: str, queue: str, agent: str, event: str, *data: str) -> str:
    return "|".join([str(int(T0.timestamp() + seconds)), callid, queue, agent, event, *data])


def log(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_one_pause_written_as_pauseall_plus_a_pause_per_queue_counts_once():
    result = run(
        "asterisk",
        log(
            ql(0, "NONE", "q1", "Agent/3001", "ADDMEMBER", ""),
            ql(0, "NONE", "q2", "Agent/3001", "ADDMEMBER", ""),
            ql(100, "NONE", "NONE", "Agent/3001", "PAUSEALL", "Lunch"),
            ql(100, "NONE", "q1", "Agent/3001", "PAUSE", "Lunch"),
            ql(100, "NONE", "q2", "Agent/3001", "PAUSE", "Lunch"),
            ql(400, "NONE", "NONE", "Agent/3001", "UNPAUSEALL", ""),
            ql(400, "NONE", "q1", "Agent/3001", "UNPAUSE", ""),
            ql(400, "NONE", "q2", "Agent/3001", "UNPAUSE", ""),
        ),
    )
    assert result.states("Agent/3001") == [
        (at(0), A.AVAILABLE, None),
        (at(100), A.LUNCH, "Lunch"),
        (at(400), A.AVAILABLE, None),
    ]


def test_a_pause_in_only_one_of_two_queues_leaves_the_agent_available():
    result = run(
        "asterisk",
        log(
            ql(0, "NONE", "q1", "SIP/8007", "ADDMEMBER", ""),
            ql(0, "NONE", "q2", "SIP/8007", "ADDMEMBER", ""),
            ql(50, "NONE", "q1", "SIP/8007", "PAUSE", "Break"),
            ql(90, "NONE", "q2", "SIP/8007", "PAUSE", "Break"),
        ),
    )
    assert result.states("SIP/8007") == [(at(0), A.AVAILABLE, None), (at(90), A.BREAK, "Break")]


def test_ringnoanswer_ring_time_is_milliseconds():
    result = run(
        "asterisk",
        log(
            ql(100, "1.1", "sales", "SIP/8007", "RINGNOANSWER", "15000"),
            ql(200, "1.2", "sales", "SIP/8007", "RINGNOANSWER", "20000"),
        ),
    )
    # Rung for 15 s (not 15000 s): a member being rung is logged in and available since the ringing began.
    assert result.states("SIP/8007") == [(at(85), A.AVAILABLE, None)]
    assert result.report.ignored["RINGNOANSWER"] == 1


def test_connect_ring_time_is_seconds_and_dates_the_implied_login():
    result = run("asterisk", log(ql(100, "1.1", "sales", "SIP/8007", "CONNECT", "7", "1.9", "3")))
    assert result.states("SIP/8007") == [(at(97), A.AVAILABLE, None), (at(100), A.ON_CONTACT, None)]
    assert result.of_type("contact.answered")[0].data.wait_seconds == 7


def test_connect_without_ring_time_from_older_versions_is_read():
    result = run(
        "asterisk",
        log(
            ql(0, "NONE", "sales", "SIP/8007", "ADDMEMBER", ""),
            ql(100, "1.1", "sales", "SIP/8007", "CONNECT", "12", "1.9"),
        ),
    )
    assert result.report.skipped_total == 0
    assert result.of_type("contact.answered")[0].data.wait_seconds == 12
    assert result.states("SIP/8007")[-1] == (at(100), A.ON_CONTACT, None)


def test_enterqueue_with_three_or_four_parameters_offers_the_call_either_way():
    result = run(
        "asterisk",
        log(
            ql(10, "1.1", "sales", "NONE", "ENTERQUEUE", "", "5551234", "1"),
            ql(20, "1.2", "sales", "NONE", "ENTERQUEUE", "", "5559876", "2", "Jane Doe"),
        ),
    )
    assert [e.data.contact_id for e in result.of_type("contact.offered")] == ["1.1", "1.2"]
    assert result.report.skipped_total == 0


def test_database_rows_in_local_time_are_read_in_the_pbx_time_zone():
    rows = (
        "time,callid,queuename,agent,event,data1,data2,data3,data4,data5\n"
        "2026-03-02 09:00:00.000000,NONE,sales,SIP/8007,ADDMEMBER,,,,,\n"
        "2026-03-02 09:05:00.250000+01:00,1.1,sales,SIP/8007,CONNECT,4,1.9,2,,\n"
    )
    result = run("asterisk-db", rows, IngestOptions(timezone=ZoneInfo("Europe/Berlin")))
    # 09:00 in Berlin in March (before summer time) is 08:00 UTC; an explicit offset is taken as written.
    assert [t for t, _, _ in result.states("SIP/8007")] == [at(0), at(300.25)]


def test_database_rows_without_an_offset_or_a_time_zone_are_skipped_with_the_fix():
    rows = (
        "time,callid,queuename,agent,event,data1,data2,data3,data4,data5\n"
        "2026-03-02 09:00:00,NONE,sales,SIP/8007,ADDMEMBER,,,,,\n"
    )
    result = run("asterisk-db", rows)
    assert result.events == []
    assert "--timezone" in result.report.skipped[0].reason
    assert result.report.skipped[0].position == "line 2"


def test_database_rows_with_one_data_column_of_older_schemas_are_split():
    rows = "time,callid,queuename,agent,event,data\n2026-03-02 08:00:00+00:00,1.1,sales,SIP/8007,CONNECT,4|1.9|2\n"
    result = run("asterisk-db", rows)
    assert result.of_type("contact.answered")[0].data.wait_seconds == 4
    assert result.states("SIP/8007")[0] == (at(-2), A.AVAILABLE, None)


def test_a_restart_closes_calls_left_open_at_the_last_record_before_it():
    result = run(
        "asterisk",
        log(
            ql(0, "NONE", "sales", "SIP/8007", "ADDMEMBER", ""),
            ql(90, "1.1", "sales", "NONE", "ENTERQUEUE", "", "5551234", "1"),
            ql(100, "1.1", "sales", "SIP/8007", "CONNECT", "10", "1.9", "2"),
            ql(120, "1.2", "sales", "NONE", "ENTERQUEUE", "", "5559876", "1"),
            ql(150, "NONE", "sales", "SIP/9000", "ADDMEMBER", ""),
            ql(900, "NONE", "NONE", "NONE", "QUEUESTART", ""),
        ),
    )
    ended = result.of_type("contact.ended")
    assert [(e.data.contact_id, e.occurred_at, e.data.disposition) for e in ended] == [
        ("1.1", at(150), "closed_at_restart")
    ]
    abandoned = result.of_type("contact.abandoned")
    assert [(e.data.contact_id, e.occurred_at, e.data.wait_seconds) for e in abandoned] == [("1.2", at(150), 30)]
    assert result.states("SIP/8007")[-1] == (at(150), A.LOGGED_OUT, None)
    assert result.states("SIP/9000")[-1] == (at(150), A.LOGGED_OUT, None)
    assert any("QUEUESTART" in note and "1 open call(s)" in note for note in result.report.notes)


def test_an_agent_login_closes_a_call_the_log_never_ended_and_says_so():
    result = run(
        "asterisk",
        log(
            ql(100, "1.1", "sales", "Agent/3001", "CONNECT", "10", "1.9", "2"),
            ql(700, "NONE", "NONE", "Agent/3001", "AGENTLOGIN", "SIP/100"),
        ),
    )
    ended = result.of_type("contact.ended")
    assert [(e.data.contact_id, e.occurred_at, e.data.disposition) for e in ended] == [
        ("1.1", at(700), "closed_at_login")
    ]
    assert result.states("Agent/3001")[-1] == (at(700), A.AVAILABLE, None)
    assert any("still connected at the login: ended there" in note for note in result.report.notes)


def test_a_call_that_ends_before_its_connect_was_logged_is_dated_from_its_call_time():
    result = run("asterisk", log(ql(200, "1.1", "sales", "SIP/8007", "COMPLETEAGENT", "5", "120", "1")))
    assert result.states("SIP/8007") == [(at(80), A.ON_CONTACT, None), (at(200), A.AVAILABLE, None)]
    assert [e.occurred_at for e in result.of_type("contact.answered")] == [at(80)]
    assert result.of_type("contact.ended")[0].data.disposition == "agent_hangup"


@pytest.mark.parametrize(
    "event, params, wait",
    [
        ("ABANDON", ("3", "1", "30"), 30),
        ("EXITWITHTIMEOUT", ("1", "1", "60"), 60),
        ("EXITEMPTY", ("1", "1", "4"), 4),
        ("EXITWITHKEY", ("5", "1", "1", "12"), 12),
    ],
)
def test_a_caller_leaving_unanswered_becomes_abandoned_with_the_logged_wait(event, params, wait):
    result = run(
        "asterisk",
        log(
            ql(0, "1.1", "sales", "NONE", "ENTERQUEUE", "", "5551234", "1"),
            ql(wait, "1.1", "sales", "NONE", event, *params),
        ),
    )
    [abandoned] = result.of_type("contact.abandoned")
    assert (abandoned.data.contact_id, abandoned.data.wait_seconds, abandoned.data.agent_id) == ("1.1", wait, None)


@pytest.mark.parametrize(
    "event, params",
    [
        ("BLINDTRANSFER", ("200", "from-internal", "10", "60", "1")),
        ("ATTENDEDTRANSFER", ("BRIDGE", "1.7", "10", "60", "1")),
    ],
)
def test_a_transfer_ends_the_agents_part_of_the_call(event, params):
    result = run(
        "asterisk",
        log(
            ql(0, "NONE", "sales", "SIP/8007", "ADDMEMBER", ""),
            ql(10, "1.1", "sales", "SIP/8007", "CONNECT", "10", "1.9", "2"),
            ql(70, "1.1", "sales", "SIP/8007", event, *params),
        ),
    )
    assert [e.data.contact_id for e in result.of_type("contact.transferred")] == ["1.1"]
    assert result.states("SIP/8007")[-1] == (at(70), A.AVAILABLE, None)


def test_unknown_and_custom_events_are_counted_and_kept_out_of_the_maths():
    result = run(
        "asterisk",
        log(
            ql(0, "1.1", "sales", "SIP/8007", "RINGCANCELED", "1500"),
            ql(1, "1.1", "sales", "SIP/8007", "MYSURVEYDONE", "5"),
            ql(2, "1.1", "sales", "SIP/8007", "MYSURVEYDONE", "3"),
        ),
    )
    assert result.events == []
    assert result.report.ignored == {"RINGCANCELED": 1, "MYSURVEYDONE (unknown or custom event)": 2}


def test_malformed_lines_are_reported_with_their_line_number_and_the_rest_goes_through():
    result = run(
        "asterisk",
        log(
            ql(0, "NONE", "sales", "SIP/8007", "ADDMEMBER", ""),
            "not a queue_log line",
            ql(10, "1.1", "sales", "SIP/8007", "CONNECT", "soon", "1.9", "2"),
            "yesterday|1.1|sales|SIP/8007|CONNECT|1|2|3",
            ql(20, "NONE", "sales", "SIP/8007", "REMOVEMEMBER", ""),
        ),
    )
    assert [(s.position, s.reason) for s in result.report.skipped] == [
        ("line 2", "expected epoch|callid|queue|agent|event|data..., got 1 field(s)"),
        ("line 3", "CONNECT holdtime (parameter 1) is 'soon', not a number"),
        ("line 4", "timestamp 'yesterday' is not a UNIX time"),
    ]
    assert [state for _, state, _ in result.states("SIP/8007")] == [A.AVAILABLE, A.LOGGED_OUT]


def test_an_unmapped_pause_reason_is_reported_once_per_pause_and_never_guessed(tmp_path):
    lines = log(
        ql(0, "NONE", "q1", "SIP/8007", "ADDMEMBER", ""),
        ql(100, "NONE", "NONE", "SIP/8007", "PAUSEALL", "Coffee"),
        ql(100, "NONE", "q1", "SIP/8007", "PAUSE", "Coffee"),
        ql(400, "NONE", "NONE", "SIP/8007", "UNPAUSEALL", ""),
    )
    result = run("asterisk", lines)
    assert result.states("SIP/8007") == [(at(0), A.AVAILABLE, None)]
    assert result.report.unmapped == {"Coffee": 1}
    assert result.report.unmapped_first_at["Coffee"] == "line 2"
    mapping = tmp_path / "mine.yaml"
    mapping.write_text("pause_reasons:\n  coffee: BREAK\n")
    mapped = run("asterisk", lines, IngestOptions(mapping_path=mapping))
    assert [state for _, state, _ in mapped.states("SIP/8007")] == [A.AVAILABLE, A.BREAK, A.AVAILABLE]
    assert not mapped.report.unmapped


def test_reingesting_the_same_log_reproduces_every_event_id():
    lines = log(
        ql(0, "NONE", "sales", "SIP/8007", "ADDMEMBER", ""),
        ql(5, "NONE", "sales", "SIP/8007", "PAUSE", ""),
        ql(5, "NONE", "sales", "SIP/8007", "PAUSE", ""),
        ql(9, "NONE", "sales", "SIP/8007", "UNPAUSE", ""),
    )
    first, second = run("asterisk", lines), run("asterisk", lines)
    assert [e.event_id for e in first.events] == [e.event_id for e in second.events]
    assert len({e.event_id for e in first.events}) == len(first.events)


# --- a real month's traps ------------------------------------------------------------------------------


def test_a_call_that_ends_after_the_agents_logoff_never_makes_the_agent_available_again():
    result = run(
        "asterisk",
        log(
            ql(0, "NONE", "NONE", "Agent/3001", "AGENTLOGIN", ""),
            ql(10, "1.1", "q1", "NONE", "ENTERQUEUE", "", "555"),
            ql(20, "1.1", "q1", "Agent/3001", "CONNECT", "10", "1.2", "3"),
            ql(30, "2.1", "q1", "NONE", "ENTERQUEUE", "", "556"),
            ql(40, "2.1", "q1", "Agent/3001", "CONNECT", "10", "2.2", "3"),  # a second line
            ql(100, "1.1", "q1", "Agent/3001", "COMPLETEAGENT", "10", "80"),
            ql(200, "NONE", "NONE", "Agent/3001", "AGENTLOGOFF", ""),
            ql(260, "2.1", "q1", "Agent/3001", "COMPLETECALLER", "10", "220", "1"),  # the end, after the logoff
            ql(86400, "NONE", "NONE", "Agent/3001", "AGENTLOGIN", ""),  # the next morning
        ),
    )
    assert result.states("Agent/3001") == [
        (at(0), A.AVAILABLE, None),
        (at(20), A.ON_CONTACT, None),
        (at(200), A.LOGGED_OUT, None),
        (at(86400), A.AVAILABLE, None),
    ]
    ended = [(e.data.contact_id, e.occurred_at, e.data.disposition) for e in result.of_type("contact.ended")]
    assert ended == [("1.1", at(100), "agent_hangup"), ("2.1", at(200), "closed_at_logoff")]
    notes = result.report.notes
    assert any("1 call(s) of Agent/3001 still connected at the logoff: ended there" in note for note in notes)
    late_end = "COMPLETECALLER of call 2.1 (Agent/3001) came 60 s after the call was ended at the logoff"
    assert any(late_end in note for note in notes)
    assert not any("no end record" in note for note in notes)


def test_a_login_only_implied_by_activity_ends_at_the_members_last_record_after_a_silent_session_gap():
    result = run(
        "asterisk",
        log(
            ql(0, "1.1", "q1", "NONE", "ENTERQUEUE", "", "555"),
            ql(20, "1.1", "q1", "SIP/8007", "CONNECT", "20", "1.2", "5"),  # no login line: logged in since 15
            ql(300, "1.1", "q1", "SIP/8007", "COMPLETECALLER", "20", "280", "1"),
            ql(600, "2.1", "q1", "SIP/8007", "RINGNOANSWER", "15000"),  # 5 minutes later: the same session
            ql(72000, "3.1", "q1", "SIP/8007", "RINGNOANSWER", "15000"),  # 20 hours later
        ),
        IngestOptions(session_gap_seconds=900),
    )
    assert result.states("SIP/8007") == [
        (at(15), A.AVAILABLE, None),
        (at(20), A.ON_CONTACT, None),
        (at(300), A.AVAILABLE, None),
        (at(600), A.LOGGED_OUT, None),  # the member's last record before the silence
        (at(72000 - 15), A.AVAILABLE, None),
    ]


def test_an_explicit_login_is_not_ended_by_silence():
    result = run(
        "asterisk",
        log(
            ql(0, "NONE", "q1", "SIP/8007", "ADDMEMBER", ""),
            ql(7200, "2.1", "q1", "SIP/8007", "RINGNOANSWER", "15000"),
        ),
    )
    assert result.states("SIP/8007") == [(at(0), A.AVAILABLE, None)]


def test_a_call_connected_to_no_member_counts_in_its_queue_as_answered_by_the_system():
    result = run(
        "asterisk",
        log(
            ql(0, "1.1", "q1", "NONE", "ENTERQUEUE", "", "555"),
            ql(4, "1.1", "q1", "NONE", "CONNECT", "4", "1.2", "0"),
            ql(60, "1.1", "q1", "NONE", "COMPLETECALLER", "4", "56", "1"),
            ql(70, "2.1", "q1", "NONE", "ENTERQUEUE", "", "556"),
            ql(72, "2.1", "q1", "NO_SERVER", "CONNECT", "2", "2.2", "0"),
        ),
    )
    assert result.of_type("agent.state_changed") == []
    assert [(e.data.contact_id, e.data.agent_id) for e in result.of_type("contact.answered")] == [
        ("1.1", None),
        ("2.1", None),
    ]
    assert result.report.skipped_total == 0
