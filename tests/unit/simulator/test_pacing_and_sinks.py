"""Live pacing against a controllable clock, and where each event type goes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from floorwatch.core.codec import decode
from floorwatch.services.simulator.pacing import paced
from floorwatch.services.simulator.sinks import JsonlSink, topic_for
from floorwatch.topics import Topics


@dataclass
class ManualClock:
    """Our own Clock port: time moves only when the code under test sleeps."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _released_at(shift, speed: float, count: int) -> list[tuple[float, float]]:
    """(simulated seconds, wall seconds since start) for the first `count` events released."""
    clock = ManualClock()
    released = []
    for event in paced(iter(shift.events[:count]), shift.floor.start, speed, clock):
        released.append(((event.occurred_at - shift.floor.start).total_seconds(), clock.now - 1000.0))
    return released


@pytest.mark.parametrize("speed", [1.0, 60.0])
def test_events_are_released_when_the_wall_clock_reaches_their_time_divided_by_the_speed(small_shift, speed):
    released = _released_at(small_shift, speed, 3000)
    assert released[-1][0] > 600  # the sample spans more than ten simulated minutes
    for simulated, wall in released:
        assert wall == pytest.approx(simulated / speed, abs=0.003)


def test_a_run_that_starts_now_is_paced_to_the_wall_clock_even_when_set_up_took_a_while(small_shift):
    clock = ManualClock(now=small_shift.floor.start.timestamp() + 0.4)  # building the floor took 0.4 s
    for event in paced(
        iter(small_shift.events[:2000]), small_shift.floor.start, 1.0, clock, small_shift.floor.start.timestamp()
    ):
        assert clock.now == pytest.approx(
            max(event.occurred_at.timestamp(), small_shift.floor.start.timestamp() + 0.4), abs=0.003
        )


def test_a_consumer_that_falls_behind_gets_every_event_late_rather_than_lost(small_shift):
    clock = ManualClock()
    events = list(small_shift.events[:500])
    released = []
    for event in paced(iter(events), small_shift.floor.start, 60.0, clock):
        released.append(event)
        clock.now += 5.0  # a slow sink
    assert released == events


def test_an_agents_events_share_one_topic_and_contacts_before_an_agent_go_to_the_contact_topic(small_shift):
    topics = Topics.with_prefix("test-7")
    seen = defaultdict(set)
    for event in small_shift.events:
        seen[(event.type, getattr(event.data, "agent_id", None) is not None)].add(topic_for(event, topics))
    assert seen.pop(("schedule.published", True)) == {"test-7.schedules"}
    assert seen.pop(("contact.offered", False)) == {"test-7.contact-events"}
    assert seen.pop(("contact.abandoned", False)) == {"test-7.contact-events"}  # hung up while queued
    assert {kind for kind, _ in seen} == {
        "agent.state_changed",
        "contact.answered",
        "contact.held",
        "contact.resumed",
        "contact.escalated",
        "contact.transferred",
        "contact.ended",
        "contact.abandoned",
        "contact.sentiment",
    }
    assert set().union(*seen.values()) == {"test-7.agent-events"}


def test_the_jsonl_sink_writes_one_decodable_event_per_line(small_shift, tmp_path):
    path = tmp_path / "shift.jsonl"
    sink = JsonlSink(path)
    for event in small_shift.events[:200]:
        sink.send(event)
    sink.close()
    lines = path.read_bytes().splitlines()
    assert [decode(line) for line in lines] == list(small_shift.events[:200])


def test_simulated_time_runs_from_the_configured_start(small_shift):
    first_state = next(e for e in small_shift.events if e.type == "agent.state_changed")
    assert small_shift.floor.start <= first_state.occurred_at < small_shift.floor.start + timedelta(minutes=1)
