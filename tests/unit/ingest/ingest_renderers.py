"""The synthetic scenario written as Amazon Connect, Twilio TaskRouter and Genesys Cloud feeds.

Shapes as in each adapter's tests (the platforms' documented payloads); only the
fields the adapters read, plus a few realistic neighbours.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from tests.unit.ingest.ingest_helpers import T0, iso
from tests.unit.ingest.ingest_scenario import Call, Pause, Scenario, Shift, _sorted, activities

INSTANCE = "arn:aws:connect:eu-central-1:123456789012:instance/0c0f4fcb"
GENESYS_PRESENCE = {"Break": "Break", "Lunch": "Meal", "Training": "Training"}

Record = dict[str, Any]
Items = list[tuple[int, int, Record]]  # (time, sequence number, record): see _sorted


def _lines(items: Items) -> str:
    return "".join(json.dumps(item) + "\n" for item in _sorted(items))


def amazon_connect(scenario: Scenario) -> str:
    items: Items = []
    for s in scenario.shifts:
        _amazon_connect_shift(s, items)
    return _lines(items)


def _amazon_connect_shift(s: Shift, items: Items) -> None:
    counter = iter(range(1, 100000))

    def add(t: int, kind: str, status: str | None, contacts: Sequence[Record] = ()) -> None:
        record: Record = {
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
    for activity in activities(s):
        if isinstance(activity, Pause):
            add(activity.start, "STATE_CHANGE", activity.reason)
            add(activity.end, "STATE_CHANGE", "Available")
            continue
        c = activity
        add(c.answer, "STATE_CHANGE", "Available", [_connect_contact(c, "CONNECTED", c.answer)])
        if c.hold:
            add(c.hold[0], "STATE_CHANGE", "Available", [_connect_contact(c, "CONNECTED_ONHOLD", c.answer)])
            add(c.hold[1], "STATE_CHANGE", "Available", [_connect_contact(c, "CONNECTED", c.answer)])
        add(c.end, "STATE_CHANGE", "Available", [_connect_contact(c, "ENDED", c.end)])
        add(c.end + c.wrap_seconds, "STATE_CHANGE", "Available")
    add(s.logout, "LOGOUT", None)


def _connect_contact(c: Call, state: str, state_start: int) -> Record:
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


def twilio(scenario: Scenario) -> str:
    items: Items = []

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
        for activity in activities(s):
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
    items: Items = []

    def add(t: int, topic: str, body: Record) -> None:
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
        for activity in activities(s):
            if isinstance(activity, Pause):
                presence(activity.start, s.agent, GENESYS_PRESENCE[activity.reason])
                routing(activity.start, s.agent, "OFF_QUEUE")
                presence(activity.end, s.agent, "On Queue")
                routing(activity.end, s.agent, "IDLE")
                continue
            routing(activity.answer, s.agent, "INTERACTING")
            _genesys_call(s.agent, activity, add)
            routing(activity.end + activity.wrap_seconds, s.agent, "IDLE")
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


def _genesys_call(agent_id: str, c: Call, add: Callable[[int, str, Record], None]) -> None:
    """The agent's conversation notifications for one answered call, from connect to the end of wrap-up."""
    acd = {
        "id": "acd",
        "purpose": "acd",
        "queueId": c.queue,
        "connectedTime": iso(c.arrival),
        "endTime": iso(c.answer),
    }

    def conversation(t: int, call: Record, **agent: object) -> None:
        participants = [
            {"id": "cust", "purpose": "customer", "calls": [{"state": "connected"}]},
            acd,
            {
                "id": "agent",
                "purpose": "agent",
                "userId": agent_id,
                "queueId": c.queue,
                "calls": [call],
                **agent,
            },
        ]
        add(t, f"v2.users.{agent_id}.conversations", {"id": c.call_id, "participants": participants})

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
