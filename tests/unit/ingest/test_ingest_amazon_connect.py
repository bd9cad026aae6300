"""Amazon Connect agent event stream adapter.

Record shapes: the Amazon Connect admin guide, "Agent event streams data model"
(AgentEvent: AgentARN, EventId, EventTimestamp, EventType LOGIN | LOGOUT |
STATE_CHANGE | HEART_BEAT, CurrentAgentSnapshot / PreviousAgentSnapshot with
AgentStatus {ARN, Name, StartTimestamp, Type} and Contacts [{ContactId, Channel,
InitiationMethod, State, StateStartTimestamp, ConnectedToAgentTimestamp,
QueueTimestamp, Queue {ARN, Name}}]), and the API reference's note that
StateStartTimestamp does not change when a contact goes CONNECTED_ONHOLD.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from floorwatch.core.events import AgentState
from tests.unit.ingest.ingest_helpers import at, iso, jsonl, run

A = AgentState
INSTANCE = "arn:aws:connect:eu-central-1:123456789012:instance/0c0f4fcb-6d1a-4cde-9f5e-31c3b8f9a001"
STATUS = {
    "Available": ("ROUTABLE", "a1"),
    "Offline": ("OFFLINE", "o1"),
    "Break": ("CUSTOM", "b1"),
    "Coffee": ("CUSTOM", "c1"),
}


def contact(
    contact_id: str,
    state: str,
    queued: float | None = 0,
    connected: float | None = None,
    state_start: float | None = None,
    queue: str = "Support",
) -> dict:
    record = {
        "ContactId": contact_id,
        "InitialContactId": None,
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "State": state,
        "Queue": {"ARN": f"{INSTANCE}/queue/{queue.lower()}", "Name": queue},
    }
    if queued is not None:
        record["QueueTimestamp"] = iso(queued)
    if connected is not None:
        record["ConnectedToAgentTimestamp"] = iso(connected)
    if state_start is not None:
        record["StateStartTimestamp"] = iso(state_start)
    return record


def snapshot(status: str, contacts: Sequence[dict] = ()) -> dict:
    kind, status_id = STATUS[status]
    return {
        "AgentStatus": {
            "ARN": f"{INSTANCE}/agent-state/{status_id}",
            "Name": status,
            "StartTimestamp": iso(0),
            "Type": kind,
        },
        "Configuration": {
            "Username": "jdoe",
            "FirstName": "Jane",
            "LastName": "Doe",
            "RoutingProfile": {"Name": "Basic", "InboundQueues": [{"Name": "Support"}]},
        },
        "Contacts": list(contacts),
    }


def event(
    n: int,
    kind: str,
    seconds: float,
    status: str | None = "Available",
    contacts: Sequence[dict] = (),
    agent: str = "7d1b2c3a",
    previous: dict | None = None,
) -> dict:
    record: dict[str, Any] = {
        "AWSAccountId": "123456789012",
        "AgentARN": f"{INSTANCE}/agent/{agent}",
        "InstanceARN": INSTANCE,
        "EventId": f"{agent}-{n:04d}",
        "EventTimestamp": iso(seconds),
        "EventType": kind,
        "Version": "2019-05-25",
    }
    if status is not None:
        record["CurrentAgentSnapshot"] = snapshot(status, contacts)
    if previous is not None:
        record["PreviousAgentSnapshot"] = previous
    return record


def test_after_contact_work_runs_from_the_contacts_end_to_the_next_change_without_contacts():
    result = run(
        "amazon-connect",
        jsonl(
            [
                event(1, "LOGIN", 0),
                event(2, "STATE_CHANGE", 10, contacts=[contact("c-1", "CONNECTING", queued=5, state_start=10)]),
                event(
                    3,
                    "STATE_CHANGE",
                    15,
                    contacts=[contact("c-1", "CONNECTED", queued=5, connected=15, state_start=15)],
                ),
                event(
                    4, "STATE_CHANGE", 75, contacts=[contact("c-1", "ENDED", queued=5, connected=15, state_start=75)]
                ),
                event(5, "STATE_CHANGE", 105),
            ]
        ),
    )
    assert result.states("7d1b2c3a") == [
        (at(0), A.AVAILABLE, None),
        (at(15), A.ON_CONTACT, None),
        (at(75), A.AFTER_CONTACT_WORK, None),
        (at(105), A.AVAILABLE, None),
    ]
    [offered], [answered], [ended] = (
        result.of_type("contact.offered"),
        result.of_type("contact.answered"),
        result.of_type("contact.ended"),
    )
    assert (offered.occurred_at, offered.data.queue_id) == (at(5), "Support")
    assert (answered.occurred_at, answered.data.wait_seconds) == (at(15), 10)
    assert ended.occurred_at == at(75)


def test_hold_and_resume_take_the_event_time_because_the_state_start_time_stays_at_connect():
    result = run(
        "amazon-connect",
        jsonl(
            [
                event(1, "STATE_CHANGE", 15, contacts=[contact("c-1", "CONNECTED", connected=15, state_start=15)]),
                event(
                    2, "STATE_CHANGE", 40, contacts=[contact("c-1", "CONNECTED_ONHOLD", connected=15, state_start=15)]
                ),
                event(3, "STATE_CHANGE", 55, contacts=[contact("c-1", "CONNECTED", connected=15, state_start=15)]),
            ]
        ),
    )
    assert [(e.type, e.occurred_at) for e in result.events if e.type in ("contact.held", "contact.resumed")] == [
        ("contact.held", at(40)),
        ("contact.resumed", at(55)),
    ]
    assert [s for _, s, _ in result.states("7d1b2c3a")] == [A.ON_CONTACT, A.HOLD, A.ON_CONTACT]


def test_custom_statuses_map_by_name_and_an_unknown_one_is_reported_not_guessed():
    result = run(
        "amazon-connect",
        jsonl(
            [
                event(1, "STATE_CHANGE", 0, "Available"),
                event(2, "STATE_CHANGE", 60, "Break"),
                event(3, "STATE_CHANGE", 960, "Coffee"),
                event(4, "HEART_BEAT", 1080, "Coffee"),
                event(5, "STATE_CHANGE", 1200, "Available"),
            ]
        ),
    )
    assert result.states("7d1b2c3a") == [
        (at(0), A.AVAILABLE, None),
        (at(60), A.BREAK, "Break"),
        (at(1200), A.AVAILABLE, None),
    ]
    assert result.report.unmapped == {"Coffee": 1}


def test_an_offline_status_and_a_logout_both_log_the_agent_out():
    result = run(
        "amazon-connect",
        jsonl(
            [
                event(1, "LOGIN", 0, "Available"),
                event(2, "STATE_CHANGE", 100, "Offline"),
                event(3, "STATE_CHANGE", 200, "Available", agent="other"),
                event(4, "LOGOUT", 300, None, agent="other"),
            ]
        ),
    )
    assert result.states("7d1b2c3a")[-1] == (at(100), A.LOGGED_OUT, None)
    assert result.states("other") == [(at(200), A.AVAILABLE, None), (at(300), A.LOGGED_OUT, None)]


def test_heart_beats_without_a_change_are_counted_and_one_showing_a_change_corrects_the_state():
    result = run(
        "amazon-connect",
        jsonl(
            [
                event(1, "STATE_CHANGE", 0, "Available"),
                event(2, "HEART_BEAT", 120, "Available"),
                event(3, "HEART_BEAT", 240, "Break"),  # the STATE_CHANGE in between was lost
            ]
        ),
    )
    assert result.report.ignored["HEART_BEAT"] == 1
    assert result.states("7d1b2c3a")[-1] == (at(240), A.BREAK, "Break")


def test_records_of_different_agents_interleave_and_each_agent_keeps_its_own_order():
    result = run(
        "amazon-connect",
        jsonl(
            [
                event(1, "STATE_CHANGE", 0, contacts=[contact("a-1", "CONNECTED", connected=0)], agent="alice"),
                event(1, "STATE_CHANGE", 30, agent="bob"),
                event(
                    2,
                    "STATE_CHANGE",
                    20,
                    contacts=[contact("a-1", "ENDED", connected=0, state_start=20)],
                    agent="alice",
                ),
                event(2, "STATE_CHANGE", 50, contacts=[contact("b-1", "CONNECTED", connected=50)], agent="bob"),
                event(3, "STATE_CHANGE", 25, agent="alice"),
            ]
        ),
    )
    assert [s for _, s, _ in result.states("alice")] == [A.ON_CONTACT, A.AFTER_CONTACT_WORK, A.AVAILABLE]
    assert [s for _, s, _ in result.states("bob")] == [A.AVAILABLE, A.ON_CONTACT]


def test_a_redelivered_record_is_recognised_by_its_event_id():
    first = event(1, "STATE_CHANGE", 0, contacts=[contact("c-1", "CONNECTED", connected=0)])
    result = run("amazon-connect", jsonl([first, event(2, "STATE_CHANGE", 30), first]))
    assert [s for _, s, _ in result.states("7d1b2c3a")] == [A.ON_CONTACT, A.AVAILABLE]
    assert result.report.ignored["duplicate record (EventId already read)"] == 1


def test_a_missed_contact_is_not_answered_and_the_agent_stays_available():
    result = run(
        "amazon-connect",
        jsonl(
            [
                event(1, "STATE_CHANGE", 0),
                event(2, "STATE_CHANGE", 10, contacts=[contact("c-1", "CONNECTING", queued=2)]),
                event(3, "STATE_CHANGE", 30, contacts=[contact("c-1", "MISSED", queued=2)]),
                event(4, "STATE_CHANGE", 40),
            ]
        ),
    )
    assert result.of_type("contact.answered") == []
    assert result.states("7d1b2c3a") == [(at(0), A.AVAILABLE, None)]


def test_a_contact_gone_while_connected_ends_at_that_record():
    result = run(
        "amazon-connect",
        jsonl(
            [
                event(1, "STATE_CHANGE", 0, contacts=[contact("c-1", "CONNECTED", connected=0, queue="Sales")]),
                event(2, "STATE_CHANGE", 90),
            ]
        ),
    )
    [ended] = result.of_type("contact.ended")
    assert (ended.occurred_at, ended.data.queue_id) == (at(90), "Sales")


def test_the_previous_snapshot_of_an_agents_first_record_tells_what_was_going_on():
    previous = snapshot("Available", [contact("c-1", "CONNECTED", connected=0)])
    result = run(
        "amazon-connect",
        jsonl(
            [
                event(
                    1,
                    "STATE_CHANGE",
                    60,
                    contacts=[contact("c-1", "ENDED", connected=0, state_start=60)],
                    previous=previous,
                ),
            ]
        ),
    )
    assert [e.occurred_at for e in result.of_type("contact.ended")] == [at(60)]
    assert result.of_type("contact.answered") == []  # answered before the stream began: not invented


def test_bad_records_are_reported_with_their_position_and_the_rest_goes_through():
    good = event(1, "STATE_CHANGE", 0)
    text = (
        "\n".join(
            [
                "{not json",
                json.dumps({**good, "EventType": "CONTACT_EVENT"}),
                json.dumps({**good, "AgentARN": None}),
                json.dumps({**good, "EventTimestamp": "2026-03-02 08:00:00"}),
                json.dumps(good) + json.dumps(event(2, "STATE_CHANGE", 30, "Break")),
            ]
        )
        + "\n"
    )
    result = run("amazon-connect", text)
    assert [s.position for s in result.report.skipped] == ["line 1", "line 2", "line 3", "line 4"]
    assert "EventType 'CONTACT_EVENT'" in result.report.skipped[1].reason
    assert [s for _, s, _ in result.states("7d1b2c3a")] == [A.AVAILABLE, A.BREAK]


def test_a_contact_still_connected_at_logout_ends_there_and_a_later_record_of_it_changes_nothing():
    result = run(
        "amazon-connect",
        jsonl(
            [
                event(1, "LOGIN", 0, "Available"),
                event(2, "STATE_CHANGE", 10, "Available", [contact("k1", "CONNECTED", 5, 10, 10)]),
                event(3, "LOGOUT", 100, None),
                event(4, "STATE_CHANGE", 160, "Offline", [contact("k1", "ENDED", 5, 10, 160)]),
            ]
        ),
    )
    assert [(e.data.contact_id, e.occurred_at) for e in result.of_type("contact.ended")] == [("k1", at(100))]
    assert [s for _, s, _ in result.states("7d1b2c3a")] == [A.AVAILABLE, A.ON_CONTACT, A.LOGGED_OUT]
    assert any("1 contact(s) of 7d1b2c3a still connected at LOGOUT: ended there" in n for n in result.report.notes)
