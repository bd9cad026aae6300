"""A generic call detail export (one call per row) -> canonical events.

Columns (header names, any order): call_id, agent, queue, arrival, answer, end,
outcome. Times are RFC 3339 / ISO 8601 (naive ones take --timezone) or UNIX
seconds; `answer` is empty for a call nobody answered. Rows must come in time
order per agent (an export sorted by arrival or answer time does).

Each call gives contact.offered at arrival, then contact.answered at answer and
contact.ended (contact.transferred when the outcome says so) at end, or
contact.abandoned at end. Agent states are derived, and only as far as a call
list can tell: ON_CONTACT from answer to end; between two calls of one
*session* AVAILABLE; a session is a run of an agent's calls in which each gap
(end of one call to answer of the next) is at most the session gap (default
15 minutes). After a session's last call the agent is LOGGED_OUT. Breaks and
wrap-up are invisible in such an export, so a gap within a session counts as
available.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from floorwatch.core.events import AgentState
from floorwatch.services.ingest.emit import Emitter, from_epoch
from floorwatch.services.ingest.protocol import InputFormat, RawRecord, Translation, ignore, skip

COLUMNS = ("call_id", "agent", "queue", "arrival", "answer", "end", "outcome")
TRANSFERRED = frozenset({"transferred", "transfer"})


class RowError(ValueError):
    pass


@dataclass(frozen=True)
class Call:
    call_id: str
    agent: str
    queue: str
    arrival: datetime
    answer: datetime | None
    end: datetime
    outcome: str


@dataclass(frozen=True)
class AgentSession:
    last_call: str
    last_end: datetime  # the agent's state after it is decided by the next call, or the end of input


class CsvCallsAdapter:
    input_format: InputFormat = "csv"

    def __init__(self, emitter: Emitter, session_gap_seconds: float, zone: tzinfo | None = None):
        self.source = emitter.source
        self._emitter, self._gap_seconds, self._zone = emitter, session_gap_seconds, zone
        self._agents: dict[str, AgentSession] = {}

    def translate(self, record: RawRecord) -> Translation:
        try:
            call = self._call(record.payload)
        except RowError as exc:
            return skip(str(exc))
        session = self._agents.get(call.agent) if call.answer else None
        if session is not None and session.last_call == call.call_id:
            return ignore("duplicate row (same call id as the agent's previous call)")
        if session is not None and call.answer is not None and call.answer < session.last_end:
            return skip(
                f"answered at {call.answer.isoformat()}, before {call.agent}'s previous call ended "
                f"({session.last_end.isoformat()}): rows must be in time order per agent"
            )
        ids = dict(contact_id=call.call_id, queue_id=call.queue)
        events = [self._emitter.contact("contact.offered", (call.call_id, "offered"), call.arrival, **ids)]
        if call.answer is None:
            wait = (call.end - call.arrival).total_seconds()
            events.append(
                self._emitter.contact(
                    "contact.abandoned", (call.call_id, "abandoned"), call.end, wait_seconds=wait, **ids
                )
            )
            return Translation(events=tuple(events))
        if session is not None and call.answer > session.last_end:
            between = (call.answer - session.last_end).total_seconds()
            state = AgentState.AVAILABLE if between <= self._gap_seconds else AgentState.LOGGED_OUT
            events.append(
                self._emitter.agent_state(
                    (session.last_call, "after", state.value), call.agent, state, session.last_end
                )
            )
        if session is None or call.answer > session.last_end:
            events.append(
                self._emitter.agent_state(
                    (call.call_id, "on-contact"),
                    call.agent,
                    AgentState.ON_CONTACT,
                    call.answer,
                    platform_queues=(call.queue,),
                )
            )
        wait = (call.answer - call.arrival).total_seconds()
        events.append(
            self._emitter.contact(
                "contact.answered",
                (call.call_id, "answered"),
                call.answer,
                agent_id=call.agent,
                wait_seconds=wait,
                **ids,
            )
        )
        if call.outcome.lower() in TRANSFERRED:
            events.append(
                self._emitter.contact(
                    "contact.transferred", (call.call_id, "transferred"), call.end, agent_id=call.agent, **ids
                )
            )
        else:
            events.append(
                self._emitter.contact(
                    "contact.ended",
                    (call.call_id, "ended"),
                    call.end,
                    agent_id=call.agent,
                    disposition=call.outcome or "completed",
                    **ids,
                )
            )
        self._agents[call.agent] = AgentSession(call.call_id, call.end)
        return Translation(events=tuple(events))

    def finish(self) -> Translation:
        """Each agent's last session ends with its last call."""
        events = tuple(
            self._emitter.agent_state(
                (session.last_call, "after", AgentState.LOGGED_OUT.value),
                agent,
                AgentState.LOGGED_OUT,
                session.last_end,
            )
            for agent, session in sorted(self._agents.items())
        )
        self._agents = {}
        return Translation(events=events)

    def _call(self, row: Mapping[str, str]) -> Call:
        missing = [name for name in COLUMNS if name not in row]
        if missing:
            raise RowError(f"missing column(s) {', '.join(missing)} (the header needs {', '.join(COLUMNS)})")
        for name in ("call_id", "queue", "arrival", "end"):
            if not row[name]:
                raise RowError(f"{name} is empty")
        arrival, end = self._time(row, "arrival"), self._time(row, "end")
        answer = self._time(row, "answer") if row["answer"] else None
        if answer is not None and not row["agent"]:
            raise RowError("answered call without an agent")
        if answer is not None and not arrival <= answer <= end:
            raise RowError("times out of order: expected arrival <= answer <= end")
        if answer is None and end < arrival:
            raise RowError("times out of order: end before arrival")
        return Call(row["call_id"], row["agent"], row["queue"], arrival, answer, end, row["outcome"])

    def _time(self, row: Mapping[str, str], name: str) -> datetime:
        text = row[name].strip()
        try:
            return from_epoch(float(text))
        except ValueError:
            pass
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise RowError(f"{name} {text!r} is neither RFC 3339 nor UNIX seconds") from None
        if value.tzinfo is None:
            if self._zone is None:
                raise RowError(f"{name} {text!r} has no UTC offset; pass --timezone")
            value = value.replace(tzinfo=self._zone)
        return value.astimezone(UTC)
