"""Genesys Cloud notifications adapter.

Record shapes: the Notifications API envelope (topicName, version, eventBody,
metadata.CorrelationId); bodies as the platform-client SDK models document them:
UserRoutingStatusUserRoutingStatus {id, routingStatus {status, startTime}},
PresenceEventUserPresence {source, presenceDefinition {id, systemPresence},
primary, message, modifiedDate}, the `activity` topic carrying both, and
conversations with ConversationEventTopicParticipant (purpose, userId, queueId,
connectedTime, endTime, wrapupRequired, wrapup, startAcwTime, endAcwTime) and
ConversationEventTopicCall (state, held, connectedTime, disconnectedTime,
startHoldTime, afterCallWork).
"""

from __future__ import annotations

from floorwatch.core.events import AgentState
from tests.unit.ingest.ingest_helpers import at, iso, jsonl, run

A = AgentState
USER = "e40f28ea-fa86-493f-a5b8-d559c8533c96"
QUEUE = "4750048b-1994-41d4-8410-a5760c49a6cd"


def note(topic: str, body: dict) -> dict:
    return {"topicName": topic, "version": "2", "eventBody": body, "metadata": {"CorrelationId": "c0ffee"}}


def routing(seconds: float, status: str, user: str = USER) -> dict:
    return note(
        f"v2.users.{user}.routingStatus", {"id": user, "routingStatus": {"status": status, "startTime": iso(seconds)}}
    )


def presence(seconds: float, system: str, definition: str = "", user: str = USER) -> dict:
    return note(
        f"v2.users.{user}.presence",
        {
            "source": "PURECLOUD",
            "primary": True,
            "message": "",
            "presenceDefinition": {"id": definition or f"def-{system}", "systemPresence": system},
            "modifiedDate": iso(seconds),
        },
    )


def call(
    state: str,
    connected: float | None = None,
    disconnected: float | None = None,
    held: bool = False,
    hold_start: float | None = None,
    acw: dict | None = None,
) -> dict:
    body = {"id": "comm-1", "state": state, "held": held, "direction": "inbound"}
    if connected is not None:
        body["connectedTime"] = iso(connected)
    if disconnected is not None:
        body["disconnectedTime"] = iso(disconnected)
    if hold_start is not None:
        body["startHoldTime"] = iso(hold_start)
    if acw is not None:
        body["afterCallWork"] = acw
    return body


def conversation(customer: dict, acd: dict, agent: dict | None = None, conversation_id: str = "conv-1") -> dict:
    participants = [
        {
            "id": "p-customer",
            "purpose": "customer",
            "calls": [customer],
            **({"endTime": customer["disconnectedTime"]} if "disconnectedTime" in customer else {}),
        },
        {"id": "p-acd", "purpose": "acd", "queueId": QUEUE, **acd},
    ]
    if agent is not None:
        participants.append({"id": "p-agent", "purpose": "agent", "userId": USER, "queueId": QUEUE, **agent})
    return note(f"v2.users.{USER}.conversations", {"id": conversation_id, "participants": participants})


def test_on_queue_users_follow_their_routing_status_and_other_presences_map_directly():
    result = run(
        "genesys",
        jsonl(
            [
                presence(0, "On Queue"),
                routing(0, "IDLE"),
                routing(30, "INTERACTING"),
                routing(90, "IDLE"),
                presence(200, "Break"),
                routing(200, "OFF_QUEUE"),
                presence(800, "Available"),
                presence(900, "Offline"),
            ]
        ),
    )
    assert result.states(USER) == [
        (at(0), A.AVAILABLE, None),
        (at(30), A.ON_CONTACT, None),
        (at(90), A.AVAILABLE, None),
        (at(200), A.BREAK, "Break"),
        (at(800), A.OTHER_AUX, "Available"),
        (at(900), A.LOGGED_OUT, None),
    ]


def test_the_activity_topic_carries_routing_status_and_presence_at_once():
    body = {
        "id": USER,
        "routingStatus": {"status": "IDLE", "startTime": iso(10)},
        "presence": {"presenceDefinition": {"id": "x", "systemPresence": "ON_QUEUE"}, "modifiedDate": iso(5)},
        "outOfOffice": {"active": False},
        "activeQueueIds": [QUEUE],
    }
    result = run("genesys", jsonl([note(f"v2.users.{USER}.activity", body)]))
    assert result.states(USER) == [(at(10), A.AVAILABLE, None)]


def test_a_conversation_gives_answer_hold_resume_end_and_after_contact_work_until_wrap_up():
    queue_leg = {"connectedTime": iso(0), "endTime": iso(12)}
    result = run(
        "genesys",
        jsonl(
            [
                presence(0, "On Queue"),
                routing(0, "IDLE"),
                conversation(call("connected", connected=0), queue_leg, {"calls": [call("alerting")]}),
                conversation(
                    call("connected", connected=0),
                    queue_leg,
                    {"connectedTime": iso(12), "calls": [call("connected", connected=12)]},
                ),
                conversation(
                    call("connected", connected=0),
                    queue_leg,
                    {"calls": [call("connected", connected=12, held=True, hold_start=40)]},
                ),
                conversation(
                    call("connected", connected=0), queue_leg, {"calls": [call("connected", connected=12, held=False)]}
                ),
                conversation(
                    call("disconnected", connected=0, disconnected=100),
                    queue_leg,
                    {
                        "wrapupRequired": True,
                        "startAcwTime": iso(100),
                        "calls": [
                            call(
                                "disconnected",
                                connected=12,
                                disconnected=100,
                                acw={"state": "pending", "startTime": iso(100)},
                            )
                        ],
                    },
                ),
                conversation(
                    call("disconnected", connected=0, disconnected=100),
                    queue_leg,
                    {
                        "wrapupRequired": True,
                        "wrapup": {"code": "sale"},
                        "startAcwTime": iso(100),
                        "endAcwTime": iso(130),
                        "calls": [
                            call(
                                "disconnected",
                                connected=12,
                                disconnected=100,
                                acw={"state": "complete", "startTime": iso(100), "endTime": iso(130)},
                            )
                        ],
                    },
                ),
            ]
        ),
    )
    assert [(t, s) for t, s, _ in result.states(USER)] == [
        (at(0), A.AVAILABLE),
        (at(12), A.ON_CONTACT),
        (at(40), A.HOLD),
        (at(40), A.ON_CONTACT),
        (at(100), A.AFTER_CONTACT_WORK),
        (at(130), A.AVAILABLE),
    ]
    [answered] = result.of_type("contact.answered")
    assert (answered.occurred_at, answered.data.wait_seconds, answered.data.queue_id) == (at(12), 12, QUEUE)
    assert [e.occurred_at for e in result.of_type("contact.offered")] == [at(0)]
    assert [e.occurred_at for e in result.of_type("contact.ended")] == [at(100)]
    assert len(result.of_type("contact.held")) == len(result.of_type("contact.resumed")) == 1


def test_a_caller_who_hangs_up_in_the_queue_is_abandoned_with_the_time_spent_there():
    result = run(
        "genesys",
        jsonl(
            [
                conversation(call("connected", connected=0), {"connectedTime": iso(0)}),
                conversation(
                    call("disconnected", connected=0, disconnected=47), {"connectedTime": iso(0), "endTime": iso(47)}
                ),
            ]
        ),
    )
    [abandoned] = result.of_type("contact.abandoned")
    assert (abandoned.data.queue_id, abandoned.data.wait_seconds, abandoned.occurred_at) == (QUEUE, 47, at(47))


def test_the_same_change_seen_on_two_topics_gets_one_event_id():
    activity_body = {
        "id": USER,
        "routingStatus": {"status": "IDLE", "startTime": iso(10)},
        "presence": {"presenceDefinition": {"id": "x", "systemPresence": "On Queue"}, "modifiedDate": iso(0)},
    }
    separately = run("genesys", jsonl([presence(0, "On Queue"), routing(10, "IDLE")]))
    combined = run("genesys", jsonl([note(f"v2.users.{USER}.activity", activity_body)]))
    assert [e.event_id for e in separately.events] == [e.event_id for e in combined.events]


def test_secondary_presences_map_by_definition_id_and_an_unknown_one_is_reported(tmp_path):
    mapping = tmp_path / "genesys.yaml"
    mapping.write_text("presences:\n  5c9d5b1e-coffee: BREAK\n")
    lines = jsonl(
        [
            presence(0, "Away", definition="5c9d5b1e-coffee"),
            presence(60, "Away", definition="other-away"),
            presence(70, "Focus", definition="d-focus"),
        ]
    )
    from floorwatch.services.ingest.registry import IngestOptions

    result = run("genesys", lines, IngestOptions(mapping_path=mapping))
    assert result.states(USER) == [(at(0), A.BREAK, "Away"), (at(60), A.OTHER_AUX, "Away")]
    assert result.report.unmapped == {"Focus": 1}


def test_heartbeats_and_unknown_topics_are_counted_and_bad_notifications_reported():
    result = run(
        "genesys",
        jsonl(
            [
                {"topicName": "channel.metadata", "eventBody": {"message": "WebSocket Heartbeat"}},
                note(f"v2.users.{USER}.geolocation", {"city": "Leeds"}),
                {"topicName": f"v2.users.{USER}.presence"},
                routing(5, "IDLE") | {"eventBody": {"routingStatus": {"status": "IDLE"}}},
            ]
        ),
    )
    assert result.report.ignored == {"channel.metadata (heartbeat)": 1, "topic v2.users.{id}.geolocation": 1}
    assert [s.position for s in result.report.skipped] == ["line 3", "line 4"]
