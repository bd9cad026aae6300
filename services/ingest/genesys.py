"""Genesys Cloud notifications -> canonical events.

Input: one notification per line as the Notifications API delivers it
(`{"topicName": ..., "version": "2", "eventBody": {...}, "metadata": {...}}`):
- `v2.users.{id}.routingStatus`: eventBody.routingStatus {status IDLE | INTERACTING |
  COMMUNICATING | NOT_RESPONDING | OFF_QUEUE, startTime};
- `v2.users.{id}.presence`: eventBody {presenceDefinition {id, systemPresence}, modifiedDate};
- `v2.users.{id}.activity`: both of the above in one body;
- conversation topics (see genesys_conversations).

A user's state: an agent communication connected is ON_CONTACT (held: HOLD),
disconnected with wrap-up pending is AFTER_CONTACT_WORK; otherwise "On Queue"
presence defers to the routing status (`routing_statuses` table) and any other
presence maps through `presences` (by presence definition id, then system
presence), so an agent Available but off queue is not counted as available,
as Genesys itself counts idle only while on queue.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from floorwatch.core.events import AgentState, Event
from floorwatch.services.ingest import genesys_conversations as conv
from floorwatch.services.ingest.emit import Emitter, aux_reason, parse_iso
from floorwatch.services.ingest.mapping import StateMapping
from floorwatch.services.ingest.protocol import InputFormat, RawRecord, Translation, combine, ignore, skip

ON_QUEUE = frozenset({"on queue", "on_queue"})
HANDLING = {"connected": AgentState.ON_CONTACT, "held": AgentState.HOLD, "acw": AgentState.AFTER_CONTACT_WORK}


@dataclass(frozen=True)
class GenesysUser:
    emitted: tuple[AgentState, str | None] | None = None
    last_at: datetime | None = None
    unmapped: str | None = None
    presence: tuple[str, str] | None = None  # (presence definition id, system presence)
    routing: str | None = None
    legs: tuple[tuple[str, str], ...] = ()  # (conversation id, leg status) of legs not yet done


class GenesysAdapter:
    input_format: InputFormat = "json"

    def __init__(self, emitter: Emitter, mapping: StateMapping):
        self.source = emitter.source
        self._emitter, self._mapping = emitter, mapping
        self._users: dict[str, GenesysUser] = {}
        self._legs: dict[tuple[str, str], str] = {}  # (conversation id, participant id) -> last status
        self._offered: set[str] = set()  # conversation ids whose queue entry was emitted
        self._resolved: set[str] = set()  # conversation ids answered or abandoned

    def translate(self, record: RawRecord) -> Translation:
        topic, body = str(record.payload.get("topicName") or ""), record.payload.get("eventBody")
        parts = topic.split(".")
        if topic == "channel.metadata":
            return ignore("channel.metadata (heartbeat)")
        if not isinstance(body, dict):
            return skip(f"notification without an eventBody object (topic {topic!r})")
        if parts[:2] == ["v2", "users"] and len(parts) >= 4:
            user_id, kind = parts[2], parts[3]
            if kind in ("routingStatus", "presence", "activity"):
                return self._user_status(user_id, kind, body)
            if kind == "conversations":
                return self._conversation(body)
        if parts[:3] == ["v2", "routing", "queues"] and len(parts) >= 5 and parts[4] == "conversations":
            return self._conversation(body)
        return ignore(f"topic {'.'.join(p if i != 2 else '{id}' for i, p in enumerate(parts))}")

    def finish(self) -> Translation:
        return Translation()

    # --- presence and routing status -------------------------------------------------------

    def _user_status(self, user_id: str, kind: str, body: dict[str, Any]) -> Translation:
        track = self._users.get(user_id, GenesysUser())
        times = []
        routing = body.get("routingStatus") if isinstance(body.get("routingStatus"), dict) else None
        if kind == "routingStatus" and routing is None:
            routing = body  # some deliveries put status and startTime at the top of the body
        if routing and routing.get("status"):
            track = replace(track, routing=str(routing["status"]).upper())
            times.append(routing.get("startTime"))
        presence = body.get("presence") if kind == "activity" else body
        if not isinstance(presence, dict):
            presence = {}
        definition = presence.get("presenceDefinition")
        if isinstance(definition, dict) and definition.get("systemPresence"):
            track = replace(track, presence=(str(definition.get("id") or ""), str(definition["systemPresence"])))
            times.append(presence.get("modifiedDate"))
        stamped = [parse_iso(str(t)) for t in times if t]
        if not stamped:
            return skip(f"{kind} notification without a status and its time (startTime / modifiedDate)")
        return self._settle(user_id, track, max(stamped))

    # --- conversations ----------------------------------------------------------------------

    def _conversation(self, body: dict[str, Any]) -> Translation:
        conversation_id = str(body.get("id") or "")
        if not conversation_id:
            return skip("conversation notification without an id")
        fallback = conv.latest_time(body)
        if fallback is None:
            return skip(f"conversation {conversation_id}: no timestamps in the body")
        queues = conv.queue_legs(body)
        parts = [self._queue_events(conversation_id, queues, body)]
        for leg in conv.agent_legs(body):
            parts.append(self._leg(conversation_id, leg, queues, fallback))
        if conv.customer_gone(body) and all(
            self._legs.get((conversation_id, leg.participant_id)) in (None, "done", "alerting")
            for leg in conv.agent_legs(body)
        ):
            self._forget(conversation_id)  # over: its memory is no longer needed
        if not any(part.events or part.unmapped for part in parts):
            return ignore("conversation update without a change floorwatch follows")
        return combine(*parts)

    def _forget(self, conversation_id: str) -> None:
        self._offered.discard(conversation_id)
        self._resolved.discard(conversation_id)
        for key in [key for key in self._legs if key[0] == conversation_id]:
            del self._legs[key]

    def _queue_events(self, conversation_id: str, queues: list[conv.QueueLeg], body: dict[str, Any]) -> Translation:
        events: list[Event] = []
        for queue in queues:
            if conversation_id not in self._offered and queue.entered_at is not None:
                self._offered.add(conversation_id)
                events.append(
                    self._emitter.contact(
                        "contact.offered",
                        (conversation_id, queue.participant_id, "offered"),
                        queue.entered_at,
                        contact_id=conversation_id,
                        queue_id=queue.queue_id,
                    )
                )
        answered = any(status != "alerting" for (cid, _), status in self._legs.items() if cid == conversation_id)
        last = queues[-1] if queues else None
        if (
            last
            and last.left_at
            and last.entered_at
            and not answered
            and conversation_id not in self._resolved
            and conv.customer_gone(body)
        ):
            self._resolved.add(conversation_id)
            events.append(
                self._emitter.contact(
                    "contact.abandoned",
                    (conversation_id, "abandoned"),
                    last.left_at,
                    contact_id=conversation_id,
                    queue_id=last.queue_id,
                    wait_seconds=max((last.left_at - last.entered_at).total_seconds(), 0.0),
                )
            )
        return Translation(events=tuple(events))

    def _leg(
        self, conversation_id: str, leg: conv.AgentLeg, queues: list[conv.QueueLeg], fallback: datetime
    ) -> Translation:
        key = (conversation_id, leg.participant_id)
        before = self._legs.get(key, "alerting")
        if before == leg.status or (before == "done"):
            return Translation()
        self._legs[key] = leg.status
        queue = leg.queue_id or (queues[-1].queue_id if queues else "unknown")
        ids = dict(contact_id=conversation_id, queue_id=queue, agent_id=leg.user_id)
        track = self._users.get(leg.user_id, GenesysUser())
        floor = track.last_at or fallback
        events: list[Event] = []
        at = fallback
        reached = leg.status in ("connected", "held") or (
            leg.status in ("acw", "done") and leg.connected_at is not None
        )
        if before == "alerting" and reached:
            at = max(leg.connected_at or fallback, floor)
            entered = next((q.entered_at for q in reversed(queues) if q.entered_at), None)
            wait = max((at - entered).total_seconds(), 0.0) if entered else 0.0
            self._resolved.add(conversation_id)
            events.append(self._emitter.contact("contact.answered", (*key, "answered"), at, wait_seconds=wait, **ids))
        if leg.status == "held" and before != "held":
            at = max(leg.held_at or fallback, floor)
            events.append(self._emitter.contact("contact.held", (*key, "held", at.isoformat()), at, **ids))
        if leg.status == "connected" and before == "held":
            at = max(fallback, floor)  # Genesys gives no resume time: the notification's newest time stands in
            events.append(self._emitter.contact("contact.resumed", (*key, "resumed", at.isoformat()), at, **ids))
        if leg.status in ("acw", "done") and (before in ("connected", "held") or (before == "alerting" and reached)):
            at = max(leg.ended_at or fallback, floor)
            events.append(self._emitter.contact("contact.ended", (*key, "ended"), at, disposition="completed", **ids))
        if leg.status == "done" and before == "acw":
            at = max(leg.acw_ended_at or fallback, floor)
        legs = tuple((cid, status) for cid, status in track.legs if cid != conversation_id)
        if leg.status != "done":
            legs += ((conversation_id, leg.status),)
        return combine(Translation(events=tuple(events)), self._settle(leg.user_id, replace(track, legs=legs), at))

    # --- state --------------------------------------------------------------------------------

    def _settle(self, user_id: str, track: GenesysUser, at: datetime) -> Translation:
        at = max(at, track.last_at or at)
        target, unmapped = self._target(track)
        if unmapped is not None:
            self._users[user_id] = replace(track, unmapped=unmapped, last_at=at)
            return Translation(unmapped=(unmapped,)) if track.unmapped != unmapped else Translation()
        track = replace(track, unmapped=None)
        if target is None or target == track.emitted:
            self._users[user_id] = replace(track, last_at=at)
            return Translation()
        self._users[user_id] = replace(track, emitted=target, last_at=at)
        state, reason = target
        identity = (user_id, "state", state.value, reason, at.isoformat())  # same change from two topics: same id
        return Translation(events=(self._emitter.agent_state(identity, user_id, state, at, reason),))

    def _target(self, track: GenesysUser) -> tuple[tuple[AgentState, str | None] | None, str | None]:
        statuses = {status for _, status in track.legs}
        for status in ("connected", "held", "acw"):
            if status in statuses:
                return (HANDLING[status], None), None
        if track.presence is None:
            return None, None
        definition_id, system = track.presence
        if system.casefold() in ON_QUEUE:
            if track.routing is None:
                return None, None  # on queue, routing status not yet known: wait for it rather than guess
            state = self._mapping.lookup("routing_statuses", track.routing)
            return ((state, aux_reason(state, track.routing)), None) if state else (None, track.routing)
        state = self._mapping.lookup("presences", definition_id) or self._mapping.lookup("presences", system)
        if state is None:
            return None, system
        return (state, aux_reason(state, system)), None
