"""Reading Genesys Cloud conversation notifications: who is on which communication, and since when.

A conversation notification (topics `v2.users.{id}.conversations`,
`v2.routing.queues.{id}.conversations`, and their `.calls`/`.chats`/...
variants) carries the whole conversation: participants with `purpose`
(customer, acd, agent, ...), `userId`, `queueId`, `connectedTime`, `endTime`,
wrap-up fields, and communications (`calls`, `chats`, `emails`, `messages`,
`callbacks`) with `state`, `held`, `connectedTime`, `disconnectedTime`,
`startHoldTime` and `afterCallWork` (platform-client SDK models
ConversationEventTopicParticipant and ConversationEventTopicCall).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from floorwatch.services.ingest.emit import parse_iso_or_none

MEDIA = ("calls", "chats", "emails", "messages", "callbacks", "socialExpressions", "videos")
ENDED = frozenset({"disconnected", "terminated"})
TIME_FIELDS = (
    "connectedTime",
    "endTime",
    "startAcwTime",
    "endAcwTime",
    "disconnectedTime",
    "startHoldTime",
    "startTime",
)


@dataclass(frozen=True)
class AgentLeg:
    """One agent participant of a conversation, reduced to what floorwatch needs."""

    participant_id: str
    user_id: str
    queue_id: str | None
    status: str  # "alerting", "connected", "held", "acw" (disconnected, wrap-up pending) or "done"
    connected_at: datetime | None
    held_at: datetime | None
    ended_at: datetime | None
    acw_ended_at: datetime | None


@dataclass(frozen=True)
class QueueLeg:
    participant_id: str
    queue_id: str
    entered_at: datetime | None
    left_at: datetime | None


def agent_legs(conversation: dict[str, Any]) -> list[AgentLeg]:
    legs = []
    for participant in _participants(conversation):
        if participant.get("purpose") in ("agent", "user") and participant.get("userId"):
            legs.append(_agent_leg(participant))
    return legs


def queue_legs(conversation: dict[str, Any]) -> list[QueueLeg]:
    return [
        QueueLeg(
            str(p.get("id") or p["queueId"]),
            str(p["queueId"]),
            parse_iso_or_none(p.get("connectedTime")),
            parse_iso_or_none(p.get("endTime")),
        )
        for p in _participants(conversation)
        if p.get("purpose") == "acd" and p.get("queueId")
    ]


def customer_gone(conversation: dict[str, Any]) -> bool:
    customers = [p for p in _participants(conversation) if p.get("purpose") in ("customer", "external")]
    return bool(customers) and all(_communication(p).get("state") in ENDED or p.get("endTime") for p in customers)


def latest_time(conversation: dict[str, Any]) -> datetime | None:
    """The newest time in the body: when the change this notification reports happened, at the latest."""
    found = []
    for participant in _participants(conversation):
        found += [parse_iso_or_none(participant.get(name)) for name in TIME_FIELDS]
        for media in MEDIA:
            for communication in participant.get(media) or ():
                found += [parse_iso_or_none(communication.get(name)) for name in TIME_FIELDS]
                acw = communication.get("afterCallWork") or {}
                found += [parse_iso_or_none(acw.get("startTime")), parse_iso_or_none(acw.get("endTime"))]
    stamped = [value for value in found if value is not None]
    return max(stamped) if stamped else None


def _agent_leg(participant: dict[str, Any]) -> AgentLeg:
    communication = _communication(participant)
    state = str(communication.get("state") or participant.get("state") or "").lower()
    acw = communication.get("afterCallWork") or {}
    acw_ended = parse_iso_or_none(acw.get("endTime")) or parse_iso_or_none(participant.get("endAcwTime"))
    if state == "connected":
        status = "held" if communication.get("held") else "connected"
    elif state in ENDED:
        pending = (
            str(acw.get("state") or "").lower() == "pending"
            or (participant.get("wrapupRequired") and not participant.get("wrapup"))
            or (participant.get("startAcwTime") and not participant.get("endAcwTime"))
        )
        status = "acw" if pending and acw_ended is None else "done"
    else:
        status = "alerting"
    return AgentLeg(
        participant_id=str(participant.get("id") or participant["userId"]),
        user_id=str(participant["userId"]),
        queue_id=participant.get("queueId"),
        status=status,
        connected_at=parse_iso_or_none(communication.get("connectedTime"))
        or parse_iso_or_none(participant.get("connectedTime")),
        held_at=parse_iso_or_none(communication.get("startHoldTime")),
        ended_at=parse_iso_or_none(communication.get("disconnectedTime"))
        or parse_iso_or_none(participant.get("endTime")),
        acw_ended_at=acw_ended,
    )


def _communication(participant: dict[str, Any]) -> dict[str, Any]:
    """The participant's current communication: the last one of the media it uses."""
    for media in MEDIA:
        items = participant.get(media) or []
        if items:
            return items[-1]
    return {}


def _participants(conversation: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in conversation.get("participants") or () if isinstance(p, dict)]
