"""Terse builders for canonical events in tests.

Times are seconds after T0 (a fixed UTC instant), so a test reads as a timeline:
`state("a1", ON_CONTACT, 60)` is agent a1 going on contact one minute into the shift.
Event ids are derived from the arguments, so the same call twice makes a duplicate;
pass `event_id=` to choose one. Stable: other test modules import these.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from floorwatch.core.events import (
    AgentState,
    AgentStateChanged,
    AgentStateChangedData,
    ContactAbandoned,
    ContactAbandonedData,
    ContactAgentData,
    ContactAnswered,
    ContactAnsweredData,
    ContactEnded,
    ContactEndedData,
    ContactEscalated,
    ContactHeld,
    ContactOffered,
    ContactOfferedData,
    ContactResumed,
    ContactSentimentData,
    ContactSentimentObserved,
    ContactTransferred,
    ContactTransferredData,
    ScheduledActivity,
    SchedulePublished,
    SchedulePublishedData,
)

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
T0_SECONDS = T0.timestamp()
SOURCE = "test"

LOGGED_OUT = AgentState.LOGGED_OUT
AVAILABLE = AgentState.AVAILABLE
ON_CONTACT = AgentState.ON_CONTACT
HOLD = AgentState.HOLD
AFTER_CONTACT_WORK = AgentState.AFTER_CONTACT_WORK
BREAK = AgentState.BREAK
LUNCH = AgentState.LUNCH
TRAINING = AgentState.TRAINING
MEETING = AgentState.MEETING
COACHING = AgentState.COACHING
OTHER_AUX = AgentState.OTHER_AUX

MINUTE = 60.0
HOUR = 3600.0


def at(seconds: float) -> datetime:
    """The instant `seconds` after T0."""
    return T0 + timedelta(seconds=seconds)


def epoch(seconds: float) -> float:
    """Epoch seconds of the instant `seconds` after T0 (what the core works in)."""
    return T0_SECONDS + seconds


def _id(*parts: object) -> str:
    return ":".join(str(part) for part in parts)


def state(
    agent: str,
    new_state: AgentState,
    t: float,
    *,
    team: str = "team-1",
    site: str = "site-1",
    queues: tuple[str, ...] = ("q1",),
    reason: str | None = None,
    event_id: str | None = None,
) -> AgentStateChanged:
    data = AgentStateChangedData(
        agent_id=agent, state=new_state, team_id=team, site_id=site, queues=queues, reason_code=reason
    )
    return AgentStateChanged(
        event_id=event_id or _id("state", agent, new_state.value, t), occurred_at=at(t), source=SOURCE, data=data
    )


def offered(contact: str, t: float, *, queue: str = "q1", event_id: str | None = None) -> ContactOffered:
    data = ContactOfferedData(contact_id=contact, queue_id=queue)
    return ContactOffered(event_id=event_id or _id("offered", contact, t), occurred_at=at(t), source=SOURCE, data=data)


def answered(
    agent: str, contact: str, t: float, *, queue: str = "q1", wait: float = 0.0, event_id: str | None = None
) -> ContactAnswered:
    data = ContactAnsweredData(contact_id=contact, queue_id=queue, agent_id=agent, wait_seconds=wait)
    return ContactAnswered(
        event_id=event_id or _id("answered", contact, t), occurred_at=at(t), source=SOURCE, data=data
    )


def held(agent: str, contact: str, t: float, *, queue: str = "q1", event_id: str | None = None) -> ContactHeld:
    data = ContactAgentData(contact_id=contact, queue_id=queue, agent_id=agent)
    return ContactHeld(event_id=event_id or _id("held", contact, t), occurred_at=at(t), source=SOURCE, data=data)


def resumed(agent: str, contact: str, t: float, *, queue: str = "q1", event_id: str | None = None) -> ContactResumed:
    data = ContactAgentData(contact_id=contact, queue_id=queue, agent_id=agent)
    return ContactResumed(event_id=event_id or _id("resumed", contact, t), occurred_at=at(t), source=SOURCE, data=data)


def escalated(
    agent: str, contact: str, t: float, *, queue: str = "q1", event_id: str | None = None
) -> ContactEscalated:
    data = ContactAgentData(contact_id=contact, queue_id=queue, agent_id=agent)
    return ContactEscalated(
        event_id=event_id or _id("escalated", contact, t), occurred_at=at(t), source=SOURCE, data=data
    )


def transferred(
    agent: str, contact: str, t: float, *, queue: str = "q1", to_queue: str | None = None, event_id: str | None = None
) -> ContactTransferred:
    data = ContactTransferredData(contact_id=contact, queue_id=queue, agent_id=agent, to_queue_id=to_queue)
    return ContactTransferred(
        event_id=event_id or _id("transferred", contact, t), occurred_at=at(t), source=SOURCE, data=data
    )


def ended(
    agent: str, contact: str, t: float, *, queue: str = "q1", complaint: bool = False, event_id: str | None = None
) -> ContactEnded:
    data = ContactEndedData(contact_id=contact, queue_id=queue, agent_id=agent, complaint=complaint)
    return ContactEnded(event_id=event_id or _id("ended", contact, t), occurred_at=at(t), source=SOURCE, data=data)


def abandoned(
    contact: str,
    t: float,
    *,
    queue: str = "q1",
    wait: float = 0.0,
    agent: str | None = None,
    on_hold: float = 0.0,
    event_id: str | None = None,
) -> ContactAbandoned:
    data = ContactAbandonedData(
        contact_id=contact, queue_id=queue, wait_seconds=wait, agent_id=agent, on_hold_seconds=on_hold
    )
    return ContactAbandoned(
        event_id=event_id or _id("abandoned", contact, t), occurred_at=at(t), source=SOURCE, data=data
    )


def sentiment(
    agent: str, contact: str, t: float, score: float, *, queue: str = "q1", event_id: str | None = None
) -> ContactSentimentObserved:
    data = ContactSentimentData(contact_id=contact, queue_id=queue, agent_id=agent, score=score)
    return ContactSentimentObserved(
        event_id=event_id or _id("sentiment", contact, t), occurred_at=at(t), source=SOURCE, data=data
    )


def schedule(
    agent: str,
    shift_start: float,
    shift_end: float,
    activities: tuple[tuple[str, float, float], ...] = (),
    *,
    t: float = 0.0,
    event_id: str | None = None,
) -> SchedulePublished:
    """A schedule published at `t`; activities as (kind, start, end) in seconds after T0."""
    planned = tuple(ScheduledActivity(kind=kind, start=at(start), end=at(end)) for kind, start, end in activities)
    data = SchedulePublishedData(
        agent_id=agent, shift_start=at(shift_start), shift_end=at(shift_end), activities=planned
    )
    return SchedulePublished(
        event_id=event_id or _id("schedule", agent, t), occurred_at=at(t), source=SOURCE, data=data
    )


def contact_cycle(
    agent: str,
    contact: str,
    t: float,
    *,
    talk: float,
    wrap: float,
    queue: str = "q1",
    wait: float = 0.0,
    **state_kwargs,
) -> list:
    """One handled contact as a platform reports it: offered, answered + ON_CONTACT, ended +
    AFTER_CONTACT_WORK, then AVAILABLE after the wrap-up. Starts at `t` (the answer)."""
    return [
        offered(contact, t - wait, queue=queue),
        answered(agent, contact, t, queue=queue, wait=wait),
        state(agent, ON_CONTACT, t, **state_kwargs),
        ended(agent, contact, t + talk, queue=queue),
        state(agent, AFTER_CONTACT_WORK, t + talk, **state_kwargs),
        state(agent, AVAILABLE, t + talk + wrap, **state_kwargs),
    ]


# --- a whole shift ---------------------------------------------------------------------------


def cycles(
    agent: str,
    start_minute: float,
    count: int,
    period_minutes: float,
    handle_minutes: float,
    *,
    wait: float = 10.0,
    queue: str = "q1",
    **state_kwargs,
) -> list:
    """`count` contacts back to back from `start_minute`: each is answered at the start of its
    period, handled for `handle_minutes` (2 of them wrap-up), then the agent is available for
    the rest of the period."""
    events = []
    for k in range(count):
        t = (start_minute + k * period_minutes) * MINUTE
        contact = f"{agent}-c{int(start_minute)}-{k}"
        events += contact_cycle(
            agent,
            contact,
            t,
            talk=(handle_minutes - 2) * MINUTE,
            wrap=2 * MINUTE,
            queue=queue,
            wait=wait,
            **state_kwargs,
        )
    return events


def team_shift() -> list:
    """Three agents of team "blue" on one 8-hour shift (08:00-16:00); the arithmetic is in
    tests/unit/core/test_agent_shift.py. Events of all agents merged in time order."""
    events = [state("ana", AVAILABLE, 0, team="blue")]
    events += cycles("ana", 0, 10, 12, 9, team="blue")
    events += [state("ana", BREAK, 120 * MINUTE, team="blue")]
    events += cycles("ana", 135, 7, 15, 12, team="blue")
    events += [state("ana", LUNCH, 240 * MINUTE, team="blue")]
    events += cycles("ana", 270, 10, 12, 9, team="blue")
    events += [state("ana", BREAK, 390 * MINUTE, team="blue")]
    events += cycles("ana", 405, 5, 15, 12, team="blue")
    events += [state("ana", LOGGED_OUT, 480 * MINUTE, team="blue")]

    events += [state("ben", AVAILABLE, 60 * MINUTE, team="blue")]
    events += cycles("ben", 60, 8, 15, 10, team="blue")
    events += [state("ben", TRAINING, 180 * MINUTE, team="blue"), state("ben", LUNCH, 240 * MINUTE, team="blue")]
    events += cycles("ben", 270, 14, 15, 10, team="blue")
    events += [state("ben", LOGGED_OUT, 480 * MINUTE, team="blue")]

    events += [state("cy", AVAILABLE, 0, team="blue")]
    events += cycles("cy", 0, 32, 15, 14, wait=30.0, team="blue")
    events += [state("cy", LOGGED_OUT, 480 * MINUTE, team="blue")]
    return sorted(events, key=lambda event: event.occurred_at)  # stable: each agent's order is kept
