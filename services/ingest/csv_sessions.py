"""An agent's states as far as a call list can tell them: the union of its calls, then sessions.

Calls reach `AgentCalls` in answer order. The agent is ON_CONTACT from the first answer
until every call it holds has ended, so two calls at once (a second line, chat and email
concurrency) count their handle time once; each call still gives its own contact events.
A gap between busy spans of at most the session gap is AVAILABLE, a longer one LOGGED_OUT.
Contact ends are held back until no earlier answer can follow, so the agent's events leave
in time order (the core would dead-letter an event minutes behind the agent's clock).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime

from floorwatch.core.events import AgentState, Event
from floorwatch.services.ingest.emit import Emitter


@dataclass(frozen=True)
class AnsweredCall:
    call_id: str
    agent: str
    queue: str
    arrival: datetime
    answer: datetime
    end: datetime
    transferred: bool
    disposition: str


@dataclass
class AgentCalls:
    """One agent's open span (run-scoped and mutable, like the adapter that owns it)."""

    agent: str
    busy_until: datetime
    last_call: str  # the call that ends last: names the state event after the span
    pending_ends: list[tuple[datetime, str, Event]] = field(default_factory=list)

    def end_events_through(self, at: datetime | None) -> list[Event]:
        """Contact ends up to `at` (all of them when None), in time order."""
        out = []
        while self.pending_ends and (at is None or self.pending_ends[0][0] <= at):
            out.append(heapq.heappop(self.pending_ends)[2])
        return out


def start(emitter: Emitter, call: AnsweredCall) -> tuple[AgentCalls, list[Event]]:
    calls = AgentCalls(call.agent, call.end, call.call_id)
    events = [_on_contact(emitter, call), *_answer_and_hold_end(emitter, calls, call)]
    return calls, events


def add(emitter: Emitter, calls: AgentCalls, call: AnsweredCall, gap_seconds: float) -> list[Event]:
    """The events `call` implies for an agent whose earlier calls are in `calls` (updated in place)."""
    if call.answer > calls.busy_until:
        events = [*calls.end_events_through(None), _after(emitter, calls, call.answer, gap_seconds)]
        events.append(_on_contact(emitter, call))
    else:  # at or before the busy span's end: the agent is already on contact
        events = calls.end_events_through(call.answer)
    events.extend(_answer_and_hold_end(emitter, calls, call))
    return events


def close(emitter: Emitter, calls: AgentCalls) -> list[Event]:
    """The agent's span is over for good (end of input, or past the session gap): end it logged out."""
    events = calls.end_events_through(None)
    identity = (calls.last_call, "after", AgentState.LOGGED_OUT.value)
    events.append(emitter.agent_state(identity, calls.agent, AgentState.LOGGED_OUT, calls.busy_until))
    return events


def _after(emitter: Emitter, calls: AgentCalls, next_answer: datetime, gap_seconds: float) -> Event:
    between = (next_answer - calls.busy_until).total_seconds()
    state = AgentState.AVAILABLE if between <= gap_seconds else AgentState.LOGGED_OUT
    return emitter.agent_state((calls.last_call, "after", state.value), calls.agent, state, calls.busy_until)


def _on_contact(emitter: Emitter, call: AnsweredCall) -> Event:
    return emitter.agent_state(
        (call.call_id, "on-contact"), call.agent, AgentState.ON_CONTACT, call.answer, platform_queues=(call.queue,)
    )


def _answer_and_hold_end(emitter: Emitter, calls: AgentCalls, call: AnsweredCall) -> list[Event]:
    ids = dict(contact_id=call.call_id, queue_id=call.queue, agent_id=call.agent)
    wait = (call.answer - call.arrival).total_seconds()
    answered = emitter.contact("contact.answered", (call.call_id, "answered"), call.answer, wait_seconds=wait, **ids)
    if call.transferred:
        over = emitter.contact("contact.transferred", (call.call_id, "transferred"), call.end, **ids)
    else:
        over = emitter.contact(
            "contact.ended", (call.call_id, "ended"), call.end, disposition=call.disposition or "completed", **ids
        )
    heapq.heappush(calls.pending_ends, (call.end, call.call_id, over))
    if call.end >= calls.busy_until:
        calls.busy_until, calls.last_call = call.end, call.call_id
    return [answered]
