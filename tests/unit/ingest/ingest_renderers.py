"""The synthetic scenario written as Amazon Connect, Twilio TaskRouter and Genesys Cloud feeds.

Shapes as in each adapter's tests (the platforms' documented payloads); only the
fields the adapters read, plus a few realistic neighbours.
"""

from __future__ import annotations

import json

from tests.unit.ingest.ingest_helpers import T0, iso
from tests.unit.ingest.ingest_scenario import Pause, Scenario, _sorted

INSTANCE = "arn:aws:connect:eu-central-1:123456789012:instance/0c0f4fcb"
GENESYS_PRESENCE = {"Break": "Break", "Lunch": "Meal", "Training": "Training"}


def _lines(items: list[tuple[int, int, object]]) -> str:
    return "".join(json.dumps(item) + "\n" for item in _sorted(items))


def amazon_connect(scenario: Scenario) -> str:
    items: list[tuple[int, int, object]] = []
    for s in scenario.shifts:
        counter = iter(range(1, 100000))

        def add(t: int, kind: str, status: str | None, contacts: list[dict] = ()) -> None:
            record = {
                "AgentARN": f"{INSTANCE}/agent/{s.agent}",
                "EventId": f"{s.agent}-{next(counter)}",
                "EventTimestamp": iso(t),
                "EventType": kind,
                "Version": "2019-05-25",
            }
            if status is not None:
                record["CurrentAgentSnapshot"] = {
                    "AgentStatus": {
                        "Name": status,
                        "Type": "ROUTABLE" if status == "Available" else "CUSTOM",
                        "StartTimestamp": iso(t),
                    },
                    "Contacts": list(contacts),
                }
            items.append((t, len(items), record))

        add(s.login, "LOGIN", "Available")
        for activity in sorted([*s.calls, *s.pauses], key=lambda a: a.start if isinstance(a, Pause) else a.answer):
            if isinstance(activity, Pause):
                add(activity.start, "STATE_CHANGE", activity.reason)
                add(activity.end, "STATE_CHANGE", "Available")
                continue
            c = activity

            def contact(state: str, state_start: int) -> dict:
                return {
                    "ContactId": c.call_id,
                    "Channel": "VOICE",
                    "InitiationMethod": "INBOUND",
                    "State": state,
                    "QueueTimestamp": iso(c.arrival),
                    "ConnectedToAgentTimestamp": iso(c.answer),
                    "StateStartTimestamp": iso(state_start),
                    "Queue": {"Name": c.queue},
                }

            add(c.answer, "STATE_CHANGE", "Available", [contact("CONNECTED", c.answer)])
            if c.hold:
                add(c.hold[0], "STATE_CHANGE", "Available", [contact("CONNECTED_ONHOLD", c.answer)])
                add(c.hold[1], "STATE_CHANGE", "Available", [contact("CONNECTED", c.answer)])
            add(c.end, "STATE_CHANGE", "Available", [contact("ENDED", c.end)])
            add(c.end + c.wrap_seconds, "STATE_CHANGE", "Available")
        add(s.logout, "LOGOUT", None)
    return _lines(items)


def twilio(scenario: Scenario) -> str:
    items: list[tuple[int, int, object]] = []

    def add(t: int, kind: str, **fields: object) -> None:
        record = {
            "EventType": kind,
            "Sid": f"EV{len(items):032d}",
            "Timestamp": str(int(T0.timestamp()) + t),
            "WorkspaceSid": "WS1",
            **{k: str(v) for k, v in fields.items()},
        }
        items.append((t, len(items), record))

    for s in scenario.shifts:
        add(s.login, "worker.activity.update", WorkerSid=s.agent, WorkerActivityName="Available")
        for activity in sorted([*s.calls, *s.pauses], key=lambda a: a.start if isinstance(a, Pause) else a.answer):
            if isinstance(activity, Pause):
                add(activity.start, "worker.activity.update", WorkerSid=s.agent, WorkerActivityName=activity.reason)
                add(activity.end, "worker.activity.update", WorkerSid=s.agent, WorkerActivityName="Available")
                continue
            c = activity
            task = dict(TaskSid=f"WT{c.call_id}", TaskQueueSid=c.queue, TaskChannelUniqueName="voice")
            res = dict(task, WorkerSid=s.agent, ReservationSid=f"WR{c.call_id}")
            add(c.arrival, "task-queue.entered", TaskAge=0, **task)
            add(c.answer, "reservation.accepted", TaskAge=c.answer - c.arrival, **res)
            add(c.end, "reservation.wrapup", TaskAge=c.end - c.arrival, **res)
            add(c.end + c.wrap_seconds, "reservation.completed", TaskAge=c.end + c.wrap_seconds - c.arrival, **res)
        add(s.logout, "worker.activity.update", WorkerSid=s.agent, WorkerActivityName="Offline")
    for a in scenario.abandons:
        task = dict(TaskSid=f"WT{a.call_id}", TaskQueueSid=a.queue)
        add(a.arrival, "task-queue.entered", TaskAge=0, **task)
        add(a.gone, "task.canceled", TaskAge=a.gone - a.arrival, TaskCanceledReason="hangup", **task)
    return _lines(items)


def genesys(scenario: Scenario) -> str:
    items: list[tuple[int, int, object]] = []

    def add(t: int, topic: str, body: dict) -> None:
        items.append((t, len(items), {"topicName": topic, "version": "2", "eventBody": body}))

    def presence(t: int, user: str, system: str) -> None:
        add(
            t,
            f"v2.users.{user}.presence",
            {"presenceDefinition": {"id": f"d-{system}", "systemPresence": system}, "modifiedDate": iso(t)},
        )

    def routing(t: int, user: str, status: str) -> None:
        add(t, f"v2.users.{user}.routingStatus", {"id": user, "routingStatus": {"status": status, "startTime": iso(t)}})

    for s in scenario.shifts:
        presence(s.login, s.agent, "On Queue")
        routing(s.login, s.agent, "IDLE")
        for activity in sorted([*s.calls, *s.pauses], key=lambda a: a.start if isinstance(a, Pause) else a.answer):
            if isinstance(activity, Pause):
                presence(activity.start, s.agent, GENESYS_PRESENCE[activity.reason])
                routing(activity.start, s.agent, "OFF_QUEUE")
                presence(activity.end, s.agent, "On Queue")
                routing(activity.end, s.agent, "IDLE")
                continue
            c = activity
            acd = {
                "id": "acd",
                "purpose": "acd",
                "queueId": c.queue,
                "connectedTime": iso(c.arrival),
                "endTime": iso(c.answer),
            }

            def conversation(t: int, call: dict, **agent: object) -> None:
                participants = [
                    {"id": "cust", "purpose": "customer", "calls": [{"state": "connected"}]},
                    acd,
                    {
                        "id": "agent",
                        "purpose": "agent",
                        "userId": s.agent,
                        "queueId": c.queue,
                        "calls": [call],
                        **agent,
                    },
                ]
                add(t, f"v2.users.{s.agent}.conversations", {"id": c.call_id, "participants": participants})

            routing(c.answer, s.agent, "INTERACTING")
            conversation(c.answer, {"state": "connected", "connectedTime": iso(c.answer)})
            if c.hold:
                conversation(
                    c.hold[0],
                    {
                        "state": "connected",
                        "held": True,
                        "connectedTime": iso(c.answer),
                        "startHoldTime": iso(c.hold[0]),
                    },
                )
                conversation(c.hold[1], {"state": "connected", "held": False, "connectedTime": iso(c.answer)})
            ended = {"state": "disconnected", "connectedTime": iso(c.answer), "disconnectedTime": iso(c.end)}
            conversation(
                c.end,
                {**ended, "afterCallWork": {"state": "pending", "startTime": iso(c.end)}},
                wrapupRequired=True,
                startAcwTime=iso(c.end),
            )
            conversation(
                c.end + c.wrap_seconds,
                {
                    **ended,
                    "afterCallWork": {
                        "state": "complete",
                        "startTime": iso(c.end),
                        "endTime": iso(c.end + c.wrap_seconds),
                    },
                },
                wrapupRequired=True,
                wrapup={"code": "done"},
                startAcwTime=iso(c.end),
                endAcwTime=iso(c.end + c.wrap_seconds),
            )
            routing(c.end + c.wrap_seconds, s.agent, "IDLE")
        presence(s.logout, s.agent, "Offline")
    for a in scenario.abandons:
        acd = {"id": "acd", "purpose": "acd", "queueId": a.queue, "connectedTime": iso(a.arrival)}
        waiting = [
            {"id": "cust", "purpose": "customer", "calls": [{"state": "connected", "connectedTime": iso(a.arrival)}]},
            acd,
        ]
        add(a.arrival, f"v2.routing.queues.{a.queue}.conversations", {"id": a.call_id, "participants": waiting})
        gone = [
            {
                "id": "cust",
                "purpose": "customer",
                "calls": [{"state": "disconnected", "disconnectedTime": iso(a.gone)}],
            },
            {**acd, "endTime": iso(a.gone)},
        ]
        add(a.gone, f"v2.routing.queues.{a.queue}.conversations", {"id": a.call_id, "participants": gone})
    return _lines(items)
