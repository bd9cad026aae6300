"""The working state the replay folds into (`agent.AgentWork`, updated in place) gives exactly
what the immutable API gives (`agent.apply`: thaw, step, freeze at every event), as the live
worker calls it: the same tracks, outputs, verdicts and lateness, compared exactly (==, not
approximately), whatever the events and wherever the working state is frozen and thawed."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from floorwatch.core import agent, queue, replay
from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig, load_config
from floorwatch.core.events import AgentState
from floorwatch.core.occupancy import ContactHandled
from tests.unit.core.builders import (
    HOUR,
    MINUTE,
    abandoned,
    answered,
    ended,
    epoch,
    escalated,
    held,
    offered,
    resumed,
    schedule,
    sentiment,
    state,
    transferred,
)

POLICIES = Path(str(files("floorwatch").joinpath("policies")))
CONFIGS = [MetricConfig()] + [load_config(policy=POLICIES / f"{name}.yaml") for name in ("germany", "california")]
PLAN = (("break", 2 * HOUR, 2 * HOUR + 15 * MINUTE), ("lunch", 4 * HOUR, 4 * HOUR + 30 * MINUTE))


def _event(kind: str, t: float, contact: str, n: int):
    a = "a1"
    makers = {
        "answered": lambda: answered(a, contact, t, wait=float(n % 90)),
        "held": lambda: held(a, contact, t),
        "resumed": lambda: resumed(a, contact, t),
        "escalated": lambda: escalated(a, contact, t),
        "transferred": lambda: transferred(a, contact, t),
        "ended": lambda: ended(a, contact, t, complaint=n % 5 == 0),
        "abandoned": lambda: abandoned(contact, t, agent=a, on_hold=float(n % 200)),
        "sentiment": lambda: sentiment(a, contact, t, score=(n % 21) / 10.0 - 1.0),
        "schedule": lambda: schedule(a, 0.0, 8 * HOUR + (n % 3) * HOUR, PLAN, t=t),
    }
    return makers[kind]()


WORKING = [AgentState.ON_CONTACT, AgentState.AFTER_CONTACT_WORK, AgentState.AVAILABLE]  # contacts back to back
KINDS = ["state"] * 6 + ["answered", "held", "resumed", "escalated", "transferred", "ended", "abandoned"]
KINDS += ["sentiment", "schedule"]


@st.composite
def days(draw):
    """One agent's events: mostly forward in time (seconds to an hour apart), some late or
    beyond the allowed lateness, some redelivered; contacts reused so that they close."""
    t, events = 0.0, []
    for n in range(draw(st.integers(1, 60))):
        t += draw(st.sampled_from([0.0, 3.0, 9.0, 40.0, 300.0, 1800.0, 3700.0, 5 * HOUR]))
        stamp = t - draw(st.sampled_from([0.0, 0.0, 0.0, 60.0, 119.0, 121.0, 600.0]))
        kind = draw(st.sampled_from(KINDS))
        if kind == "state":
            new = draw(st.sampled_from(list(AgentState) + WORKING * 3))
            events.append(state("a1", new, stamp, team=draw(st.sampled_from(["t1", "t2"]))))
        else:
            events.append(_event(kind, stamp, f"c{draw(st.integers(0, 3))}", n))
        if events and draw(st.integers(0, 9)) == 0:
            events.append(events[draw(st.integers(0, len(events) - 1))])
    return events


def _immutable(events, config):
    track, steps = None, []
    for event in events:
        applied = agent.apply(track, event, config)
        track = applied.track
        steps.append((applied.outputs, applied.verdict, applied.lateness_seconds))
    return track, steps


@settings(max_examples=150, deadline=None)
@given(events=days(), config_index=st.integers(0, len(CONFIGS) - 1), freezes=st.sets(st.integers(0, 80)))
def test_the_working_state_gives_the_immutable_tracks_outputs_and_verdicts_exactly(events, config_index, freezes):
    config = CONFIGS[config_index]
    work, steps = agent.start("a1", config), []
    for i, event in enumerate(events):
        steps.append(agent.step(work, event, config))
        if i in freezes:  # stored and read back mid-way, as a worker would between batches
            work = agent.AgentWork.of(work.freeze(), config)
    track, expected = _immutable(events, config)
    assert steps == expected
    assert work.freeze() == track
    end = (track.last_event_seconds or 0.0) + 6 * HOUR
    assert agent.view(work.freeze(), end, config) == agent.view(track, end, config)


@settings(max_examples=100, deadline=None)
@given(events=days(), config_index=st.integers(0, len(CONFIGS) - 1), freezes=st.sets(st.integers(0, 80)))
def test_a_track_frozen_mid_way_is_not_changed_by_the_events_stepped_after_it(events, config_index, freezes):
    """The working state keeps parts of what it froze (a rule's progress, the stress contacts) and
    thaws them lazily: nothing stepped later may reach into a track already frozen and stored."""
    config = CONFIGS[config_index]
    work, frozen = agent.start("a1", config), {}
    for i, event in enumerate(events):
        agent.step(work, event, config)
        if i in freezes:
            frozen[i] = work.freeze()
    track, expected = None, {}
    for i, event in enumerate(events):
        track = agent.apply(track, event, config).track
        if i in frozen:
            expected[i] = track
    assert frozen == expected


@settings(max_examples=25, deadline=None)
@given(events=days())
def test_the_replay_fold_of_a_log_equals_applying_its_events_one_by_one(events):
    config = CONFIGS[0]
    folded = replay.fold(replay.decode_lines([encode(e) for e in events]), config)
    track, _ = _immutable(events, config)
    assert folded.agents["a1"] == track


@st.composite
def queue_days(draw):
    """One queue's events: offers, answers, abandons (in queue and on an agent's hold) and handled
    contacts, mostly forward but some out of order, some redelivered, some beyond its memory;
    enough contacts that remembered keys fill chunks and minute buckets are inserted out of order."""
    t, items = 0.0, []
    for _ in range(draw(st.integers(1, 120))):
        t += draw(st.sampled_from([0.0, 2.0, 30.0, 61.0, 400.0, 2000.0, 5 * HOUR]))
        stamp = t - draw(st.sampled_from([0.0, 0.0, 0.0, 45.0, 130.0, 1700.0, 1900.0]))
        contact, wait = f"c{draw(st.integers(0, 40))}", float(draw(st.integers(0, 40)))
        kind = draw(st.sampled_from(["offered", "offered", "answered", "abandoned", "abandoned_on_hold", "handled"]))
        if kind == "offered":
            items.append(offered(contact, stamp))
        elif kind == "answered":
            items.append(answered("a1", contact, stamp, wait=wait))
        elif kind == "abandoned":
            items.append(abandoned(contact, stamp, wait=wait))
        elif kind == "abandoned_on_hold":
            items.append(abandoned(contact, stamp, agent="a1", on_hold=wait))
        else:
            items.append(ContactHandled(contact, "q1", epoch(stamp) - 60.0, epoch(stamp), wait + 30.0))
        if draw(st.integers(0, 9)) == 0:
            items.append(items[draw(st.integers(0, len(items) - 1))])
    return items


@settings(max_examples=150, deadline=None)
@given(items=queue_days(), freezes=st.sets(st.integers(0, 150)))
def test_a_queue_working_state_gives_the_tracks_and_verdicts_of_the_immutable_api_exactly(items, freezes):
    config = CONFIGS[0].queue
    work, verdicts = queue.start("q1"), []
    track, expected = None, []
    for i, item in enumerate(items):
        if isinstance(item, ContactHandled):
            queue.on_handled_work(work, item, config)
            track = queue.on_handled(track, item, config)
            verdicts.append("handled")
            expected.append("handled")
        else:
            verdicts.append(queue.apply_work(work, item, config))
            applied = queue.apply(track, item, config)
            if applied.verdict != "accepted" and track is not None:
                assert applied.track is track  # an event that changes nothing returns the track given
            track = applied.track
            expected.append(applied.verdict)
        if i in freezes:  # stored and read back mid-way, as a worker would between batches
            work = queue.QueueWork.of(work.freeze())
        assert work.freeze() == track
    assert verdicts == expected
    end = work.clock_seconds + 10 * MINUTE
    assert queue.view(work.freeze(), end, config) == queue.view(track, end, config)
