"""Asterisk queue_log -> canonical events (the file form and the realtime-database form).

queue_log records what the queue saw, not what each agent's state was, so the
adapter keeps a small explicit track per member and emits a state event only
when the state it implies changes. Decisions (docs/ingest.md has the list):
- one pause is one pause: PAUSEALL plus a PAUSE per queue changes the state once;
- RINGNOANSWER's ring time is in milliseconds, CONNECT's in seconds; either, for
  a member not yet known to be logged in, dates the implied AVAILABLE back to
  when the ringing started (a member being rung is logged in and unpaused);
- CONNECT may lack the ring time (older versions); ENTERQUEUE has 3 or 4 fields;
- a caller leaving unanswered (ABANDON, EXITWITHTIMEOUT, EXITEMPTY, EXITWITHKEY)
  becomes contact.abandoned: the canonical model has no "exited unanswered" event;
- calls left open by a restart are closed at the last record before the
  QUEUESTART marker (the PBX's last sign of life), and at an AGENTLOGIN or
  AGENTLOGOFF for that member at that record; both are reported.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, tzinfo

from floorwatch.core.events import AgentState
from floorwatch.services.ingest.asterisk_log import EntryError, QueueLogEntry, parse_db_row, parse_file_line
from floorwatch.services.ingest.asterisk_members import (
    HANGUP,
    NO_REASON,
    PLACEHOLDER_MEMBERS,
    TRANSFERS,
    UNUSED,
    WAIT_FIELD,
    Call,
    Closed,
    MemberTrack,
    end_after_close,
)
from floorwatch.services.ingest.emit import Emitter
from floorwatch.services.ingest.mapping import StateMapping
from floorwatch.services.ingest.protocol import NOTHING, InputFormat, RawRecord, Translation, combine, ignore, skip

CLOSED_REMEMBERED = timedelta(days=1)  # how long a call ended without its end record waits for it


class AsteriskAdapter:
    def __init__(
        self,
        emitter: Emitter,
        mapping: StateMapping,
        db_zone: tzinfo | None = None,
        db_form: bool = False,
        session_gap_seconds: float = 900.0,
        placeholders: frozenset[str] = PLACEHOLDER_MEMBERS,
    ):
        self.source = emitter.source
        self.input_format: InputFormat = "csv" if db_form else "lines"
        self._emitter, self._mapping, self._zone, self._db_form = emitter, mapping, db_zone, db_form
        self._gap = timedelta(seconds=session_gap_seconds)
        self._placeholders = placeholders
        self._closed: dict[str, Closed] = {}  # by call id: calls ended early, whose end record may still come
        self._members: dict[str, MemberTrack] = {}
        self._waiting: dict[str, Call] = {}
        self._connected: dict[str, Call] = {}
        self._last_at: datetime | None = None
        self._second: tuple[datetime | None, dict[str, int]] = (None, {})

    def translate(self, record: RawRecord) -> Translation:
        try:
            entry = parse_db_row(record.payload, self._zone) if self._db_form else parse_file_line(record.payload)
        except EntryError as exc:
            return skip(str(exc))
        entry = self._numbered(entry)
        expired = self._expire_implied(entry)
        try:
            result = self._dispatch(entry)
        except EntryError as exc:
            result = skip(str(exc))
        self._last_at = max(self._last_at or entry.at, entry.at)
        if entry.agent in self._members:
            self._members[entry.agent] = replace(self._members[entry.agent], seen_at=entry.at)
        return combine(expired, result)

    def _expire_implied(self, entry: QueueLogEntry) -> Translation:
        """A member only implied to be logged in, available and silent for longer than the session gap,
        logged out at its last record: nothing else ever ends such a login (days of phantom availability)."""
        track = self._members.get(entry.agent)
        if track is None or not track.implied or not track.logged_in or track.calls or track.paused:
            return NOTHING  # on a call or paused: the record that ends it will come
        if track.seen_at is None:
            return NOTHING
        if entry.at - track.seen_at <= self._gap:
            return NOTHING
        out = replace(track, logged_in=False, implied=False, paused_all=False, paused_queues=frozenset())
        return self._settle(entry, entry.agent, out, track.seen_at, "implied-login-ended")

    def finish(self) -> Translation:
        notes = []
        if self._connected:
            notes.append(f"{len(self._connected)} connected call(s) still open at the end of the input")
        if self._waiting:
            notes.append(f"{len(self._waiting)} call(s) still waiting in a queue at the end of the input")
        return Translation(notes=tuple(notes))

    def _numbered(self, entry: QueueLogEntry) -> QueueLogEntry:
        """Identical lines in one second are distinct records: number them so their ids differ."""
        second, seen = self._second
        if second != entry.at:
            second, seen = entry.at, {}
            self._second = (second, seen)
        seen[entry.identity] = seen.get(entry.identity, -1) + 1
        return replace(entry, identity=f"{entry.identity}#{seen[entry.identity]}")

    def _dispatch(self, entry: QueueLogEntry) -> Translation:
        event = entry.event
        if event == "ENTERQUEUE":
            return self._enter_queue(entry)
        if event == "CONNECT":
            return self._connect(entry)
        if event in HANGUP or event in TRANSFERS:
            return self._call_over(entry)
        if event in WAIT_FIELD:
            return self._abandon(entry)
        if event == "RINGNOANSWER":
            return self._ring_no_answer(entry)
        if event in ("PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL"):
            return self._pause(entry)
        if event in (
            "ADDMEMBER",
            "REMOVEMEMBER",
            "AGENTLOGIN",
            "AGENTCALLBACKLOGIN",
            "AGENTLOGOFF",
            "AGENTCALLBACKLOGOFF",
        ):
            return self._membership(entry)
        if event == "QUEUESTART":
            return self._restart(entry)
        return ignore(event if event in UNUSED else f"{event} (unknown or custom event)")

    # --- calls -----------------------------------------------------------------

    def _enter_queue(self, entry: QueueLogEntry) -> Translation:
        if not _real(entry.callid) or not _real(entry.queue):
            return skip("ENTERQUEUE needs a call id and a queue name")
        self._waiting[entry.callid] = Call(entry.callid, entry.queue, entry.at)
        offered = self._emitter.contact(
            "contact.offered", (entry.identity, "offered"), entry.at, contact_id=entry.callid, queue_id=entry.queue
        )
        return Translation(events=(offered,))

    def _connect(self, entry: QueueLogEntry) -> Translation:
        if self._is_placeholder(entry.agent):
            return self._system_answer(entry)
        agent = self._agent(entry)
        hold_seconds = entry.number(0, "holdtime")
        ring_seconds = entry.number(2, "ringtime") if entry.field(2) else None  # absent before Asterisk 1.6
        self._waiting.pop(entry.callid, None)
        login = self._implied_login(entry, agent, entry.at - timedelta(seconds=ring_seconds or 0))
        call = Call(entry.callid, entry.queue, entry.at, agent)
        self._connected[entry.callid] = call
        answered = self._emitter.contact(
            "contact.answered",
            (entry.identity, "answered"),
            entry.at,
            contact_id=entry.callid,
            queue_id=entry.queue,
            agent_id=agent,
            wait_seconds=hold_seconds,
        )
        track = self._members[agent]
        state = self._settle(entry, agent, replace(track, calls=track.calls | {entry.callid}))
        return combine(login, Translation(events=(answered,)), state)

    def _system_answer(self, entry: QueueLogEntry) -> Translation:
        """CONNECT to a placeholder member: the PBX itself took the call; it counts in its queue only."""
        hold_seconds = entry.number(0, "holdtime")
        waiting = self._waiting.pop(entry.callid, None)
        answered = self._emitter.contact(
            "contact.answered",
            (entry.identity, "answered"),
            entry.at,
            contact_id=entry.callid,
            queue_id=waiting.queue if waiting else entry.queue,
            agent_id=None,
            answered_by="system",
            wait_seconds=hold_seconds,
        )
        return Translation(events=(answered,))

    def _call_over(self, entry: QueueLogEntry) -> Translation:
        if self._is_placeholder(entry.agent):
            self._connected.pop(entry.callid, None)
            return ignore(f"{entry.event} of a call no member took (answered by the system)")
        agent = self._agent(entry)
        first = 0 if entry.event in HANGUP else 2  # transfers put extension|context (or method|data) first
        hold_seconds = entry.number(first, "holdtime")
        talk_seconds = entry.number(first + 1, "calltime")
        closed = self._closed.pop(entry.callid, None)
        if closed is not None and entry.callid not in self._connected:
            return end_after_close(entry, closed)
        call = self._connected.pop(entry.callid, None)
        queue = call.queue if call else entry.queue
        before = NOTHING if call else self._reconstruct(entry, agent, queue, hold_seconds, talk_seconds)
        if entry.event in HANGUP:
            over = self._emitter.contact(
                "contact.ended",
                (entry.identity, "ended"),
                entry.at,
                contact_id=entry.callid,
                queue_id=queue,
                agent_id=agent,
                disposition=HANGUP[entry.event],
            )
        else:
            over = self._emitter.contact(
                "contact.transferred",
                (entry.identity, "transferred"),
                entry.at,
                contact_id=entry.callid,
                queue_id=queue,
                agent_id=agent,
            )
        login = self._implied_login(entry, agent, entry.at)
        track = self._members[agent]
        state = self._settle(entry, agent, replace(track, calls=track.calls - {entry.callid}))
        return combine(before, Translation(events=(over,)), login, state)

    def _reconstruct(
        self, entry: QueueLogEntry, agent: str, queue: str, hold_seconds: float, talk_seconds: float
    ) -> Translation:
        """A call that ends before its CONNECT was read (the log starts mid-call): date it from its call time."""
        track = self._members.get(agent, MemberTrack())
        if track.emitted is not None:
            return NOTHING  # the member has events already; an answer back in time would break their order
        answered_at = entry.at - timedelta(seconds=talk_seconds)
        answered = self._emitter.contact(
            "contact.answered",
            (entry.identity, "answered-before-log"),
            answered_at,
            contact_id=entry.callid,
            queue_id=queue,
            agent_id=agent,
            wait_seconds=hold_seconds,
        )
        on_call = replace(track, logged_in=True, calls=frozenset({entry.callid}))
        state = self._settle(entry, agent, on_call, answered_at, "answered-before-log")
        return combine(Translation(events=(answered,)), state)

    def _abandon(self, entry: QueueLogEntry) -> Translation:
        waiting = self._waiting.pop(entry.callid, None)
        index = WAIT_FIELD[entry.event]
        if entry.field(index):
            wait_seconds = entry.number(index, "waittime")
        else:
            wait_seconds = (entry.at - waiting.since).total_seconds() if waiting else 0.0
        abandoned = self._emitter.contact(
            "contact.abandoned",
            (entry.identity, "abandoned"),
            entry.at,
            contact_id=entry.callid,
            queue_id=waiting.queue if waiting else entry.queue,
            wait_seconds=max(wait_seconds, 0.0),
        )
        return Translation(events=(abandoned,))

    def _ring_no_answer(self, entry: QueueLogEntry) -> Translation:
        agent = self._agent(entry)
        ring_seconds = entry.number(0, "ringtime (milliseconds)") / 1000  # the one duration queue_log writes in ms
        if self._members.get(agent, MemberTrack()).logged_in:
            return ignore("RINGNOANSWER")
        login = self._implied_login(entry, agent, entry.at - timedelta(seconds=ring_seconds))
        return combine(login, self._settle(entry, agent, self._members[agent]))

    # --- agents ----------------------------------------------------------------

    def _pause(self, entry: QueueLogEntry) -> Translation:
        agent = self._agent(entry)
        login = self._implied_login(entry, agent, entry.at)
        track = self._members[agent]
        if entry.event == "PAUSEALL":
            track = replace(track, paused_all=True, paused_queues=track.queues, pause_reason=entry.field(0))
        elif entry.event == "UNPAUSEALL":
            track = replace(track, paused_all=False, paused_queues=frozenset())
        elif entry.event == "PAUSE":
            track = replace(track, paused_queues=track.paused_queues | {entry.queue}, pause_reason=entry.field(0))
        elif track.paused_all:  # UNPAUSE in one queue after a PAUSEALL: paused everywhere else
            track = replace(track, paused_all=False, paused_queues=track.queues - {entry.queue})
        else:
            track = replace(track, paused_queues=track.paused_queues - {entry.queue})
        return combine(login, self._settle(entry, agent, track))

    def _membership(self, entry: QueueLogEntry) -> Translation:
        agent = self._agent(entry)
        track = self._members.get(agent, MemberTrack())
        event = entry.event
        closed = NOTHING
        if event in ("AGENTLOGIN", "AGENTCALLBACKLOGIN", "AGENTLOGOFF", "AGENTCALLBACKLOGOFF") and track.calls:
            closed = self._close_calls(
                entry, agent, entry.at, "closed_at_login" if "LOGIN" in event else "closed_at_logoff"
            )
            track = replace(self._members[agent], calls=frozenset())
        track = replace(track, implied=False)
        if event == "ADDMEMBER":
            track = replace(track, logged_in=True, queues=track.queues | {entry.queue})
        elif event == "REMOVEMEMBER":
            queues = track.queues - {entry.queue}
            track = replace(track, queues=queues, logged_in=bool(queues), paused_queues=track.paused_queues & queues)
        elif "LOGIN" in event:
            track = replace(track, logged_in=True)
        else:
            track = replace(track, logged_in=False, paused_all=False, paused_queues=frozenset())
        return combine(closed, self._settle(entry, agent, track))

    def _restart(self, entry: QueueLogEntry) -> Translation:
        """QUEUESTART: the PBX restarted, so nothing from before is still going on."""
        last_alive = self._last_at or entry.at
        open_calls, waiting = len(self._connected), list(self._waiting.values())
        parts = [
            self._close_calls(entry, agent, last_alive, "closed_at_restart")
            for agent in sorted({call.agent for call in self._connected.values()})
        ]
        for call in waiting:
            abandoned = self._emitter.contact(
                "contact.abandoned",
                (entry.identity, "restart", call.callid),
                last_alive,
                contact_id=call.callid,
                queue_id=call.queue,
                wait_seconds=max((last_alive - call.since).total_seconds(), 0.0),
            )
            parts.append(Translation(events=(abandoned,)))
        self._waiting = {}
        staffed = sorted(agent for agent, track in self._members.items() if track.logged_in)
        for agent in staffed:
            track = self._members[agent]
            parts.append(
                self._settle(
                    entry, agent, MemberTrack(emitted=track.emitted, last_at=track.last_at), last_alive, "restart"
                )
            )
        note = (
            f"restart marker (QUEUESTART): {open_calls} open call(s) ended and {len(waiting)} waiting call(s) "
            f"abandoned at {last_alive.isoformat()}, the last record before it; "
            f"{len(staffed)} agent(s) logged out until seen again"
        )
        return combine(*parts, Translation(notes=(note,)))

    def _close_calls(self, entry: QueueLogEntry, agent: str, at: datetime, disposition: str) -> Translation:
        open_calls = [call for call in self._connected.values() if call.agent == agent]
        events = []
        why = {"closed_at_login": "the login", "closed_at_logoff": "the logoff", "closed_at_restart": "the restart"}
        if open_calls:  # an end record a day late is not coming: forget, so a followed log never grows this
            self._closed = {cid: c for cid, c in self._closed.items() if at - c.at <= CLOSED_REMEMBERED}
        for call in open_calls:
            del self._connected[call.callid]
            self._closed[call.callid] = Closed(agent, at, why.get(disposition, disposition))
            events.append(
                self._emitter.contact(
                    "contact.ended",
                    (entry.identity, disposition, call.callid),
                    at,
                    contact_id=call.callid,
                    queue_id=call.queue,
                    agent_id=agent,
                    disposition=disposition,
                )
            )
        track = self._members.get(agent, MemberTrack())
        self._members[agent] = replace(track, calls=frozenset())
        note = (
            f"{len(events)} call(s) of {agent} still connected at {why.get(disposition, disposition)}: ended there "
            f"({at.isoformat()}); an end record coming later changes nothing"
        )
        notes = (note,) if events and disposition != "closed_at_restart" else ()
        return Translation(events=tuple(events), notes=notes)

    def _implied_login(self, entry: QueueLogEntry, agent: str, since: datetime) -> Translation:
        """Activity proves membership: a member not known to be logged in was available from `since`.

        Emits only when `since` is before the record; the caller settles the state at the record itself.
        """
        track = self._members.get(agent, MemberTrack())
        if track.logged_in:
            self._members[agent] = track
            return NOTHING
        track = replace(track, logged_in=True, implied=True)
        since = max(since, track.last_at) if track.last_at else since
        if since >= entry.at:
            self._members[agent] = track
            return NOTHING
        return self._settle(entry, agent, track, since, "implied-login")

    def _settle(
        self, entry: QueueLogEntry, agent: str, track: MemberTrack, at: datetime | None = None, tag: str = "state"
    ) -> Translation:
        """Store the member's track and emit its state if what it implies differs from what was last sent."""
        target, unmapped = self._target(track)
        if unmapped is not None:
            self._members[agent] = replace(track, unmapped=unmapped)
            return Translation(unmapped=(unmapped,)) if track.unmapped != unmapped else NOTHING
        track = replace(track, unmapped=None)
        if target == track.emitted or target is None:
            self._members[agent] = track
            return NOTHING
        at = at or entry.at
        state, reason = target
        event = self._emitter.agent_state(
            (entry.identity, tag, agent), agent, state, at, reason, tuple(sorted(track.queues))
        )
        self._members[agent] = replace(track, emitted=target, last_at=at)
        return Translation(events=(event,))

    def _target(self, track: MemberTrack) -> tuple[tuple[AgentState, str | None] | None, str | None]:
        if not track.logged_in:
            return (AgentState.LOGGED_OUT, None), None
        if track.calls:
            return (AgentState.ON_CONTACT, None), None
        if not track.paused:
            return (AgentState.AVAILABLE, None), None
        key = track.pause_reason or NO_REASON
        state = self._mapping.lookup("pause_reasons", key)
        return ((state, track.pause_reason or None), None) if state else (None, key)

    def _is_placeholder(self, agent: str) -> bool:
        return agent.strip().lower() in self._placeholders

    def _agent(self, entry: QueueLogEntry) -> str:
        if self._is_placeholder(entry.agent):
            raise EntryError(f"{entry.event} needs the queue member (agent) field")
        return entry.agent


def _real(value: str) -> bool:
    return bool(value) and value.upper() != "NONE"
