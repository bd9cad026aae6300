"""Where an event goes: the one rule the replay and the stream workers both follow.

An event reaches at most one agent track (keyed by `agent_id`) and at most one queue track
(keyed by `queue_id`). Only offers and outcomes (answered, abandoned) change a queue's
figures; an abandon names an agent only when the caller hung up on that agent's hold.
An event that reaches both goes on to its queue only if its agent accepted it: a duplicate
or late event must not reach the queue either, because the queue's own memory of contacts
is shorter than forever. A queue-only event (an offer, an abandon in queue) is judged by
the queue itself. What the agent's reducer gives back splits the same way: a handled
contact is for its queue (its average handle time), everything else is the agent's output.
Event types and their fields: docs/events.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol, TypeVar

from floorwatch.core.events import AnyEvent
from floorwatch.core.occupancy import ContactHandled


class Route(NamedTuple):
    """The tracks one event goes to. A NamedTuple: one is built per event, on the hot path."""

    agent_id: str | None  # the agent track; None for queue-only events
    queue_id: str | None  # the queue track; None when no queue figure depends on the event

    @property
    def queue_waits_for_agent(self) -> bool:
        """The event goes to its queue only once its agent has accepted it."""
        return self.agent_id is not None and self.queue_id is not None

    def queue_after(self, agent_verdict: str) -> str | None:
        """The queue the event goes on to, given its agent's verdict ("accepted", "duplicate",
        "late"; ignored for a queue-only event), or None."""
        return queue_after(self.agent_id, self.queue_id, agent_verdict)


def route(event: AnyEvent) -> Route:
    """The agent and the queue `event` goes to."""
    agent_id, queue_id = targets(event)
    return Route(agent_id, queue_id)


def targets(event: AnyEvent) -> tuple[str | None, str | None]:
    """`route` as a plain tuple (agent_id, queue_id): the replay's fold takes one per event."""
    if event.type == "contact.offered":  # no agent is involved yet
        return None, event.data.queue_id
    if event.type == "contact.answered" or event.type == "contact.abandoned":
        return event.data.agent_id, event.data.queue_id
    return event.data.agent_id, None


def queue_after(agent_id: str | None, queue_id: str | None, agent_verdict: str) -> str | None:
    """`Route.queue_after`, for the parts of a route."""
    if agent_id is not None and agent_verdict != "accepted":
        return None
    return queue_id


class Wrapped(Protocol):
    """An agent's output as its reducer hands it back (`agent.AgentOutput`)."""

    @property
    def output(self) -> object: ...


W = TypeVar("W", bound=Wrapped)


def handed_to_queue(wrapped: Wrapped) -> ContactHandled | None:
    """The handled contact this output hands to its queue, or None for an output of the agent's own."""
    inner = wrapped.output
    return inner if isinstance(inner, ContactHandled) else None


def split_outputs(outputs: Sequence[W]) -> tuple[tuple[ContactHandled, ...], tuple[W, ...]]:
    """(handled contacts, for their queues; the agent's own outputs), each in the order given."""
    if not outputs:  # the usual case: most events produce nothing
        return (), ()
    handled: list[ContactHandled] = []
    own: list[W] = []
    for wrapped in outputs:
        inner = wrapped.output
        if isinstance(inner, ContactHandled):
            handled.append(inner)
        else:
            own.append(wrapped)
    return tuple(handled), tuple(own)
