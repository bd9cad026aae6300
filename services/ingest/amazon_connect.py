"""Amazon Connect agent event streams -> canonical events.

Input: the JSON records Connect puts on the Kinesis stream (one AgentEvent per
line, or back to back as Firehose writes them), shaped as the Amazon Connect
admin guide's "Agent event streams data model": EventType LOGIN | LOGOUT |
STATE_CHANGE | HEART_BEAT, EventId, EventTimestamp, AgentARN, and the
CurrentAgentSnapshot / PreviousAgentSnapshot with AgentStatus {Name, Type
ROUTABLE | CUSTOM | OFFLINE} and Contacts [{ContactId, State, QueueTimestamp,
ConnectedToAgentTimestamp, StateStartTimestamp, Queue}].

The agent's state is derived from each snapshot, contacts first: a CONNECTED
contact means ON_CONTACT, CONNECTED_ONHOLD means HOLD, and an ENDED contact
means after-contact work, which has no event of its own: it lasts from the
contact's ENDED until a snapshot without contacts. Otherwise the agent status
maps through the `statuses` table (by name), then `status_types` (by type).
Ordering holds per agent only (Kinesis shards by agent), so all state is per agent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from floorwatch.core.events import AgentState, Event
from floorwatch.services.ingest.emit import Emitter, aux_reason, parse_iso, parse_iso_or_none
from floorwatch.services.ingest.mapping import StateMapping
from floorwatch.services.ingest.protocol import InputFormat, RawRecord, Translation, ignore, skip

EVENT_TYPES = frozenset({"LOGIN", "LOGOUT", "STATE_CHANGE", "HEART_BEAT"})
TALKING = frozenset({"CONNECTED", "CONNECTED_ONHOLD"})
RECENT_IDS = 64  # redelivered records (Kinesis is at-least-once) arrive close to the original


@dataclass(frozen=True)
class ConnectAgent:
    emitted: tuple[AgentState, str | None] | None = None
    last_at: datetime | None = None
    contacts: tuple[tuple[str, str, str], ...] = ()  # (contact id, last state seen, queue)
    recent_ids: tuple[str, ...] = ()
    unmapped: str | None = None


class AmazonConnectAdapter:
    input_format: InputFormat = "json"

    def __init__(self, emitter: Emitter, mapping: StateMapping):
        self.source = emitter.source
        self._emitter, self._mapping = emitter, mapping
        self._agents: dict[str, ConnectAgent] = {}

    def translate(self, record: RawRecord) -> Translation:
        event = record.payload
        kind = event.get("EventType")
        if kind not in EVENT_TYPES:
            return skip(f"EventType {kind!r} is not an agent event stream type ({', '.join(sorted(EVENT_TYPES))})")
        arn, event_id = event.get("AgentARN"), event.get("EventId")
        if not isinstance(arn, str) or "/agent/" not in arn or not event_id:
            return skip("needs AgentARN (…/agent/ID) and EventId")
        try:
            at = parse_iso(str(event.get("EventTimestamp", "")))
        except ValueError as exc:
            return skip(f"EventTimestamp: {exc}")
        agent_id = arn.rsplit("/", 1)[-1]
        track = self._agents.get(agent_id, ConnectAgent())
        if event_id in track.recent_ids:
            return ignore("duplicate record (EventId already read)")
        track = replace(track, recent_ids=(track.recent_ids + (event_id,))[-RECENT_IDS:])
        if track.last_at is None and not track.contacts:
            track = replace(track, contacts=_contacts(event.get("PreviousAgentSnapshot")))
        if kind == "LOGOUT":
            return self._logout(agent_id, track, at, event_id)
        snapshot = event.get("CurrentAgentSnapshot")
        if not isinstance(snapshot, dict):
            self._agents[agent_id] = track
            return (
                skip("STATE_CHANGE without CurrentAgentSnapshot")
                if kind == "STATE_CHANGE"
                else ignore(f"{kind} without a snapshot")
            )
        contacts = snapshot.get("Contacts") or []
        contact_events = self._contact_events(agent_id, track, contacts, at, event_id)
        now = _contacts(snapshot)
        target, unmapped = self._target(snapshot, _after_logout(track, contacts))
        settled = self._settle(agent_id, replace(track, contacts=now), target, unmapped, at, event_id)
        if kind == "HEART_BEAT" and not settled.events and not contact_events:
            return ignore("HEART_BEAT")
        return Translation(contact_events + settled.events, unmapped=settled.unmapped)

    def finish(self) -> Translation:
        return Translation()

    def _logout(self, agent_id: str, track: ConnectAgent, at: datetime, event_id: str) -> Translation:
        """A contact still connected at LOGOUT ends there: left open, the core would count it (and its
        handle time) only at the agent's next answer, days later. A record after the logout that
        shows it ENDED finds no contact in talk and changes nothing."""
        at = max(at, track.last_at or at)
        ended = tuple(self._ended(agent_id, cid, queue, at) for cid, state, queue in track.contacts if state in TALKING)
        settled = self._settle(agent_id, replace(track, contacts=()), (AgentState.LOGGED_OUT, None), None, at, event_id)
        notes = (f"{len(ended)} contact(s) of {agent_id} still connected at LOGOUT: ended there",) if ended else ()
        return Translation(ended + settled.events, notes=notes)

    def _target(self, snapshot: dict[str, Any], contacts: list[dict[str, Any]]):
        states = {c.get("State") for c in contacts}
        if "CONNECTED" in states:
            return (AgentState.ON_CONTACT, None), None
        if "CONNECTED_ONHOLD" in states:
            return (AgentState.HOLD, None), None
        if "ENDED" in states:
            return (AgentState.AFTER_CONTACT_WORK, None), None
        status = snapshot.get("AgentStatus") or {}
        name, kind = str(status.get("Name") or ""), str(status.get("Type") or "")
        state = self._mapping.lookup("statuses", name) or (self._mapping.lookup("status_types", kind) if kind else None)
        if state is None:
            return None, name or f"(status type {kind or 'missing'})"
        return (state, aux_reason(state, name)), None

    def _settle(
        self, agent_id: str, track: ConnectAgent, target, unmapped: str | None, at: datetime, event_id: str
    ) -> Translation:
        if unmapped is not None:
            self._agents[agent_id] = replace(track, unmapped=unmapped, last_at=max(at, track.last_at or at))
            return Translation(unmapped=(unmapped,)) if track.unmapped != unmapped else Translation()
        at = max(at, track.last_at or at)
        track = replace(track, unmapped=None, last_at=at)
        if target == track.emitted:
            self._agents[agent_id] = track
            return Translation()
        self._agents[agent_id] = replace(track, emitted=target)
        state, reason = target
        return Translation(events=(self._emitter.agent_state((event_id, "state"), agent_id, state, at, reason),))

    def _contact_events(
        self, agent_id: str, track: ConnectAgent, contacts: list[dict[str, Any]], at: datetime, event_id: str
    ) -> tuple[Event, ...]:
        """Answered, held, resumed, ended: from how each contact's state moved since the last record."""
        before = {contact_id: (state, queue) for contact_id, state, queue in track.contacts}
        floor = track.last_at or at
        events: list[Event] = []
        for contact in contacts:
            contact_id, state = contact["ContactId"], contact["State"]
            previous = before.pop(contact_id, (None, ""))[0]
            ids = dict(contact_id=contact_id, queue_id=_queue(contact))
            queued = parse_iso_or_none(contact.get("QueueTimestamp"))
            if previous is None and queued is not None:
                events.append(self._emitter.contact("contact.offered", (contact_id, "offered"), queued, **ids))
            if state in TALKING and previous not in TALKING:
                answered = max(parse_iso_or_none(contact.get("ConnectedToAgentTimestamp")) or at, floor)
                wait = max((answered - queued).total_seconds(), 0.0) if queued else 0.0
                events.append(
                    self._emitter.contact(
                        "contact.answered",
                        (contact_id, agent_id, "answered"),
                        answered,
                        agent_id=agent_id,
                        wait_seconds=wait,
                        **ids,
                    )
                )
            if state == "CONNECTED_ONHOLD" and previous != "CONNECTED_ONHOLD":
                # StateStartTimestamp is not updated on hold (API reference, AgentContactReference): use the event time
                events.append(
                    self._emitter.contact(
                        "contact.held", (contact_id, agent_id, "held", event_id), at, agent_id=agent_id, **ids
                    )
                )
            if state == "CONNECTED" and previous == "CONNECTED_ONHOLD":
                events.append(
                    self._emitter.contact(
                        "contact.resumed", (contact_id, agent_id, "resumed", event_id), at, agent_id=agent_id, **ids
                    )
                )
            if state == "ENDED" and previous in TALKING:
                ended = max(parse_iso_or_none(contact.get("StateStartTimestamp")) or at, floor)
                events.append(self._ended(agent_id, contact_id, ids["queue_id"], ended))
        for contact_id, (previous, queue) in before.items():  # gone without ENDED (e.g. no after-contact work)
            if previous in TALKING:
                events.append(self._ended(agent_id, contact_id, queue, at))
        return tuple(events)

    def _ended(self, agent_id: str, contact_id: str, queue_id: str, at: datetime) -> Event:
        return self._emitter.contact(
            "contact.ended",
            (contact_id, agent_id, "ended"),
            at,
            contact_id=contact_id,
            queue_id=queue_id,
            agent_id=agent_id,
            disposition="completed",
        )


def _after_logout(track: ConnectAgent, contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For a logged-out agent, an ENDED contact it was not seen talking on (one ended at its LOGOUT)
    is no after-contact work: it must not bring the agent back until a record without contacts."""
    if track.emitted != (AgentState.LOGGED_OUT, None):
        return contacts
    known = {contact_id for contact_id, _, _ in track.contacts}
    return [c for c in contacts if c.get("State") != "ENDED" or c.get("ContactId") in known]


def _contacts(snapshot: Any) -> tuple[tuple[str, str, str], ...]:
    if not isinstance(snapshot, dict):
        return ()
    return tuple((c["ContactId"], c["State"], _queue(c)) for c in snapshot.get("Contacts") or ())


def _queue(contact: dict[str, Any]) -> str:
    queue = contact.get("Queue") or {}
    return str(queue.get("Name") or str(queue.get("ARN") or "").rsplit("/", 1)[-1] or "unknown")
