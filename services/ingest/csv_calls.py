"""A generic call detail export (one call per row) -> canonical events.

Columns (header names, any order): call_id, agent, queue, arrival, answer, end,
outcome. Times are RFC 3339 / ISO 8601 (naive ones take --timezone) or UNIX
seconds; `answer` is empty for a call nobody answered. Decisions (docs/ingest.md):
- rows may come in any order: a file is read whole and sorted by answer time (the end
  for unanswered calls); with --follow, rows are held for a reordering window and a row
  older than what already left is skipped with that reason;
- an agent on two calls at once is ON_CONTACT once (the union of the calls), and each
  call counts in its queue (`csv_sessions`);
- the queue's clock and the agent's may differ: an arrival after the answer, or an end
  before it, by at most the clock skew (default 5 s) is clamped and counted;
- a placeholder in the agent column (`PLACEHOLDER_AGENTS`, or --placeholder-agent) is
  nobody: an answered row is answered by the system, or abandoned when its outcome says
  the caller hung up; never an agent.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from pydantic import ValidationError

from floorwatch.core.events import ContactEndedData, Event
from floorwatch.services.ingest import csv_sessions
from floorwatch.services.ingest.csv_sessions import AgentCalls, AnsweredCall
from floorwatch.services.ingest.emit import Emitter, from_epoch
from floorwatch.services.ingest.protocol import InputFormat, RawRecord, Translation, ignore, skip

COLUMNS = ("call_id", "agent", "queue", "arrival", "answer", "end", "outcome")
TRANSFERRED = frozenset({"transferred", "transfer"})
# What exports write in the agent column when no agent took the call (compared case-insensitively).
PLACEHOLDER_AGENTS = frozenset({"", "none", "null", "no_server", "no agent", "n/a", "-", "0"})
# Outcomes that mean the caller hung up before anyone (agent or system) served them.
HUNG_UP = frozenset({"abandoned", "abandon", "hang", "hangup", "hung_up", "caller_abandoned"})


class RowError(ValueError):
    pass


@dataclass(frozen=True)
class Call:
    call_id: str
    agent: str | None  # None: a placeholder, nobody
    queue: str
    arrival: datetime
    answer: datetime | None
    end: datetime
    outcome: str

    @property
    def order(self) -> datetime:
        return self.answer or self.end


@dataclass(frozen=True)
class CsvOptions:
    session_gap_seconds: float
    zone: tzinfo | None = None
    clock_skew_seconds: float = 5.0
    reorder_window_seconds: float | None = None  # None: the whole input is one batch, sorted at the end
    placeholders: frozenset[str] = PLACEHOLDER_AGENTS


class CsvCallsAdapter:
    input_format: InputFormat = "csv"

    def __init__(self, emitter: Emitter, options: CsvOptions):
        self.source = emitter.source
        self._emitter, self._options = emitter, options
        self._pending: list[tuple[datetime, str, Call]] = []
        self._seen: set[str] = set()
        self._newest: datetime | None = None
        self._released: datetime | None = None  # every row up to here has been turned into events
        self._agents: dict[str, AgentCalls] = {}
        self._counts: Counter[str] = Counter()
        self._failed: list[str] = []

    def translate(self, record: RawRecord) -> Translation:
        try:
            call = self._call(record.payload)
        except RowError as exc:
            return skip(str(exc))
        if call.call_id in self._seen:
            return ignore("duplicate row (a call id seen before)")
        if self._released is not None and call.order < self._released:
            behind = (self._newest - call.order).total_seconds() if self._newest else 0.0
            return skip(
                f"call {call.call_id} is {behind:.0f} s behind the newest row, beyond the reordering window of "
                f"{self._options.reorder_window_seconds:.0f} s (--reorder-window-minutes)"
            )
        self._seen.add(call.call_id)
        heapq.heappush(self._pending, (call.order, call.call_id, call))
        self._newest = max(self._newest or call.order, call.order)
        window = self._options.reorder_window_seconds
        if window is None:
            return Translation()
        return Translation(events=tuple(self._release(self._newest - timedelta(seconds=window))))

    def finish(self) -> Translation:
        events = self._release(None)
        for agent in sorted(self._agents):
            events.extend(csv_sessions.close(self._emitter, self._agents[agent]))
        self._agents = {}
        return Translation(events=tuple(events), notes=self._notes())

    def _release(self, up_to: datetime | None) -> list[Event]:
        """Turn every held row up to `up_to` (all when None) into events, in answer order."""
        events: list[Event] = []
        while self._pending and (up_to is None or self._pending[0][0] <= up_to):
            order, _, call = heapq.heappop(self._pending)
            self._released = max(self._released or order, order)
            try:
                events.extend(self._events(call))
            except (ValidationError, ValueError) as exc:  # checked per row already; never lose the rest
                self._failed.append(f"call {call.call_id} produced no events: {exc}")
        if up_to is not None:
            events.extend(self._close_idle(up_to))
        return events

    def _close_idle(self, up_to: datetime) -> list[Event]:
        """With --follow: an agent idle longer than the session gap before `up_to` has logged out."""
        gap = timedelta(seconds=self._options.session_gap_seconds)
        idle = sorted(agent for agent, calls in self._agents.items() if calls.busy_until + gap < up_to)
        return [event for agent in idle for event in csv_sessions.close(self._emitter, self._agents.pop(agent))]

    def _events(self, call: Call) -> list[Event]:
        ids = dict(contact_id=call.call_id, queue_id=call.queue)
        events = [self._emitter.contact("contact.offered", (call.call_id, "offered"), call.arrival, **ids)]
        if call.answer is None or (call.agent is None and call.outcome.lower() in HUNG_UP):
            wait = (call.end - call.arrival).total_seconds()
            events.append(
                self._emitter.contact(
                    "contact.abandoned", (call.call_id, "abandoned"), call.end, wait_seconds=wait, **ids
                )
            )
            return events
        wait = (call.answer - call.arrival).total_seconds()
        if call.agent is None:
            events.append(
                self._emitter.contact(
                    "contact.answered",
                    (call.call_id, "answered"),
                    call.answer,
                    wait_seconds=wait,
                    agent_id=None,
                    answered_by="system",
                    **ids,
                )
            )
            return events
        answered = AnsweredCall(
            call_id=call.call_id,
            agent=call.agent,
            queue=call.queue,
            arrival=call.arrival,
            answer=call.answer,
            end=call.end,
            transferred=call.outcome.lower() in TRANSFERRED,
            disposition=call.outcome,
        )
        calls = self._agents.get(call.agent)
        if calls is None:
            self._agents[call.agent], more = csv_sessions.start(self._emitter, answered)
        else:
            if answered.answer < calls.busy_until:
                self._counts["overlapped"] += 1
            more = csv_sessions.add(self._emitter, calls, answered, self._options.session_gap_seconds)
        return events + more

    def _notes(self) -> tuple[str, ...]:
        counts, skew = self._counts, self._options.clock_skew_seconds
        notes = list(self._failed)
        if counts["overlapped"]:
            notes.append(
                f"{counts['overlapped']} call(s) answered while the same agent was still on another call: "
                "handle time counted once (the union), every call counted in its queue"
            )
        if counts["arrival_clamped"]:
            notes.append(
                f"{counts['arrival_clamped']} answered row(s) had the arrival after the answer by at most {skew:g} s "
                "(two clocks): arrival set to the answer"
            )
        if counts["end_clamped"]:
            notes.append(
                f"{counts['end_clamped']} row(s) ended up to {skew:g} s before they were answered or arrived "
                "(two clocks): end set to that time"
            )
        if counts["system_answered"] or counts["placeholder_abandoned"]:
            notes.append(
                f"{counts['system_answered'] + counts['placeholder_abandoned']} answered row(s) named a placeholder "
                f"instead of an agent: {counts['system_answered']} counted in their queue as answered by the system, "
                f"{counts['placeholder_abandoned']} as abandoned (the outcome says the caller hung up)"
            )
        return tuple(notes)

    def _call(self, row: Mapping[str, str]) -> Call:
        missing = [name for name in COLUMNS if name not in row]
        if missing:
            raise RowError(f"missing column(s) {', '.join(missing)} (the header needs {', '.join(COLUMNS)})")
        for name in ("call_id", "queue", "arrival", "end"):
            if not row[name]:
                raise RowError(f"{name} is empty")
        arrival, end = self._time(row, "arrival"), self._time(row, "end")
        answer = self._time(row, "answer") if row["answer"] else None
        agent = None if row["agent"].strip().lower() in self._options.placeholders else row["agent"].strip()
        _check_fields(row["call_id"], row["queue"], agent, row["outcome"])
        arrival, end = self._within_skew(arrival, answer, end)
        if answer is not None and agent is None:
            key = "placeholder_abandoned" if row["outcome"].lower() in HUNG_UP else "system_answered"
            self._counts[key] += 1
        return Call(row["call_id"], agent, row["queue"], arrival, answer, end, row["outcome"])

    def _within_skew(self, arrival: datetime, answer: datetime | None, end: datetime) -> tuple[datetime, datetime]:
        """Clamp what two clocks can explain (at most the skew); reject what they cannot."""
        skew = timedelta(seconds=self._options.clock_skew_seconds)
        first = answer if answer is not None else arrival
        if answer is not None and arrival > answer:
            if arrival - answer > skew:
                raise RowError(self._beyond("arrival", "answer", arrival - answer))
            arrival = answer
            self._counts["arrival_clamped"] += 1
        if end < first:
            if first - end > skew:
                other = "answer" if answer is not None else "arrival"
                raise RowError(self._beyond("end", other, first - end, "before"))
            end = first
            self._counts["end_clamped"] += 1
        return arrival, end

    def _beyond(self, name: str, other: str, by: timedelta, where: str = "after") -> str:
        return (
            f"times out of order: {name} {by.total_seconds():g} s {where} the {other}, more than the "
            f"{self._options.clock_skew_seconds:g} s clock skew tolerated (--clock-skew-seconds)"
        )

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
            if self._options.zone is None:
                raise RowError(f"{name} {text!r} has no UTC offset; pass --timezone")
            value = value.replace(tzinfo=self._options.zone)
        return value.astimezone(UTC)


def _check_fields(call_id: str, queue: str, agent: str | None, outcome: str) -> None:
    """Rows are turned into events only once they are in order (at the end of a file): a field no
    event can carry must be rejected now, with the row's position, not lose the batch later."""
    try:
        ContactEndedData(contact_id=call_id, queue_id=queue, agent_id=agent or "-", disposition=outcome or "-")
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        raise RowError(f"{error['loc'][0]}: {error['msg']}") from None
