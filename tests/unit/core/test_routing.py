"""Where an event goes: the rule the replay and the stream workers share (floorwatch.core.routing)."""

from __future__ import annotations

import pytest

from floorwatch.core.agent import AgentOutput
from floorwatch.core.events import EVENT_TYPES, AnyEvent, ContactAnswered, ContactAnsweredData, partition_key
from floorwatch.core.occupancy import ContactHandled
from floorwatch.core.routing import Route, handed_to_queue, route, split_outputs
from floorwatch.core.stress import StressBandChanged
from floorwatch.topics import Topics
from tests.unit.core.builders import (
    AVAILABLE,
    abandoned,
    answered,
    at,
    ended,
    escalated,
    held,
    offered,
    resumed,
    schedule,
    sentiment,
    state,
    transferred,
)

ONE_OF_EACH: list[AnyEvent] = [
    state("ana", AVAILABLE, 0),
    schedule("ana", 0, 8 * 3600),
    offered("c1", 0, queue="billing"),
    answered("ana", "c1", 10, queue="billing"),
    held("ana", "c1", 20, queue="billing"),
    resumed("ana", "c1", 30, queue="billing"),
    escalated("ana", "c1", 40, queue="billing"),
    transferred("ana", "c1", 50, queue="billing"),
    ended("ana", "c1", 60, queue="billing"),
    abandoned("c2", 70, queue="billing"),
    sentiment("ana", "c1", 80, -0.9, queue="billing"),
]


def test_the_examples_cover_every_event_type():
    assert {event.type for event in ONE_OF_EACH} == set(EVENT_TYPES)


@pytest.mark.parametrize("event", ONE_OF_EACH, ids=lambda event: event.type)
def test_every_event_goes_to_an_agent_or_a_queue_or_both(event: AnyEvent):
    where = route(event)
    assert where.agent_id is not None or where.queue_id is not None


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (state("ana", AVAILABLE, 0), Route("ana", None)),
        (schedule("ana", 0, 3600), Route("ana", None)),
        (offered("c1", 0, queue="billing"), Route(None, "billing")),
        (answered("ana", "c1", 10, queue="billing"), Route("ana", "billing")),
        (abandoned("c1", 10, queue="billing"), Route(None, "billing")),
        (abandoned("c1", 10, queue="billing", agent="ana"), Route("ana", "billing")),
        (held("ana", "c1", 10, queue="billing"), Route("ana", None)),
        (ended("ana", "c1", 10, queue="billing"), Route("ana", None)),
        (sentiment("ana", "c1", 10, -0.9, queue="billing"), Route("ana", None)),
    ],
    ids=lambda value: value.type if hasattr(value, "type") else "",
)
def test_only_offers_and_outcomes_reach_a_queue_and_an_abandon_reaches_an_agent_only_from_hold(event, expected):
    assert route(event) == expected


def test_an_event_of_an_agent_and_a_queue_goes_on_to_the_queue_only_once_the_agent_accepted_it():
    where = route(answered("ana", "c1", 10, queue="billing"))
    assert where.queue_waits_for_agent
    assert where.queue_after("accepted") == "billing"
    assert where.queue_after("duplicate") is None
    assert where.queue_after("late") is None


def test_a_queue_only_event_goes_to_its_queue_whatever_the_verdict_since_no_agent_judged_it():
    where = route(offered("c1", 0, queue="billing"))
    assert not where.queue_waits_for_agent
    assert where.queue_after("accepted") == where.queue_after("duplicate") == "billing"


def test_an_agent_only_event_never_goes_to_a_queue():
    assert route(ended("ana", "c1", 10, queue="billing")).queue_after("accepted") is None


def _wrapped(output: object) -> AgentOutput:
    return AgentOutput(agent_id="ana", team_id="blue", site_id="s1", output=output)


def test_handled_contacts_are_split_off_for_their_queues_and_the_rest_stays_with_the_agent_in_order():
    done_1 = ContactHandled(
        contact_id="c1", queue_id="billing", answered_seconds=10.0, wrapped_seconds=70.0, handle_seconds=60.0
    )
    done_2 = ContactHandled(
        contact_id="c2", queue_id="sales", answered_seconds=80.0, wrapped_seconds=90.0, handle_seconds=10.0
    )
    rising = StressBandChanged(band="elevated", previous_band="normal", score=41.0, at_seconds=75.0)
    falling = StressBandChanged(band="normal", previous_band="elevated", score=39.0, at_seconds=95.0)
    outputs = (_wrapped(done_1), _wrapped(rising), _wrapped(done_2), _wrapped(falling))
    handled, own = split_outputs(outputs)
    assert handled == (done_1, done_2)
    assert [wrapped.output for wrapped in own] == [rising, falling]
    assert [handed_to_queue(wrapped) for wrapped in outputs] == [done_1, None, done_2, None]


def test_no_outputs_split_into_nothing():
    assert split_outputs(()) == ((), ())


def test_a_contact_the_system_answered_goes_to_its_queue_alone_keyed_and_published_by_queue():
    event = ContactAnswered(
        event_id="ivr-1",
        occurred_at=at(0),
        source="test",
        data=ContactAnsweredData(contact_id="c9", queue_id="billing", answered_by="system", wait_seconds=3),
    )
    assert route(event) == Route(None, "billing")
    assert partition_key(event) == "billing"
    assert Topics().for_event(event) == Topics().contact_events


def test_an_answer_that_forgot_its_agent_is_refused_not_taken_for_the_system():
    with pytest.raises(ValueError, match=r"no data\.agent_id"):
        ContactAnsweredData(contact_id="c9", queue_id="billing", wait_seconds=3)
    with pytest.raises(ValueError, match="drop one of the two"):
        ContactAnsweredData(contact_id="c9", queue_id="billing", agent_id="a1", answered_by="system", wait_seconds=3)
