"""The working state the replay folds into (`agent.AgentWork`, updated in place) gives exactly
what the immutable API gives (`agent.apply`: thaw, step, freeze at every event), as the live
worker calls it: the same tracks, outputs, verdicts and lateness, compared exactly (==, not
approximately), whatever the events and wherever the working state is frozen and thawed."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from floorwatch.core import agent, replay
from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig, load_config
from floorwatch.core.events import AgentState
from tests.unit.core.builders import (
    HOUR,
    MINUTE,
    abandoned,
    answered,
    ended,
    escalated,
    held,
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


@settings(max_examples=25, deadline=None)
@given(events=days())
def test_the_replay_fold_of_a_log_equals_applying_its_events_one_by_one(events):
    config = CONFIGS[0]
    folded = replay.fold(replay.decode_lines([encode(e) for e in events]), config)
    track, _ = _immutable(events, config)
    assert folded.agents["a1"] == track
