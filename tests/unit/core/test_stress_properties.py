"""Properties of the stress score over random shifts: bounded, never rising during a rest,
independent of how time is sliced into advance calls, and reproducible."""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from floorwatch.core import stress
from floorwatch.core.events import AgentState
from floorwatch.core.stress import StressConfig
from tests.unit.core.builders import abandoned, answered, ended, epoch, escalated, sentiment, transferred

STRESS_JSON = TypeAdapter(stress.StressTrack)  # how the stream tables store the track
CONFIG = StressConfig()
LOW_BANDS = StressConfig(elevated_from=8.0, high_from=16.0)  # so random shifts cross bands often
REST = (AgentState.BREAK, AgentState.LUNCH, AgentState.LOGGED_OUT)
A = "a1"

contact_ids = st.sampled_from(["c1", "c2", "c3"])
contact_actions = st.one_of(
    st.tuples(st.just("answered"), contact_ids),
    st.tuples(st.just("ended"), contact_ids, st.booleans()),
    st.tuples(st.just("sentiment"), contact_ids, st.floats(min_value=-1, max_value=1)),
    st.tuples(st.just("escalated"), contact_ids),
    st.tuples(st.just("transferred"), contact_ids),
    st.tuples(st.just("abandoned"), contact_ids, st.floats(min_value=0, max_value=600)),
)
actions = st.one_of(st.tuples(st.just("state"), st.sampled_from(list(AgentState))), contact_actions)
steps = st.lists(
    st.tuples(st.floats(min_value=0, max_value=3 * 3600, allow_nan=False), actions), min_size=1, max_size=30
)
cuts = st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), max_size=10)


def event(action, t):
    kind, contact = action[0], action[1]
    if kind == "answered":
        return answered(A, contact, t)
    if kind == "ended":
        return ended(A, contact, t, complaint=action[2])
    if kind == "sentiment":
        return sentiment(A, contact, t, action[2])
    if kind == "escalated":
        return escalated(A, contact, t)
    if kind == "transferred":
        return transferred(A, contact, t)
    return abandoned(contact, t, agent=A, on_hold=action[2])


def replay(script, config=CONFIG, cut_fractions=(), probe=None):
    """Fold (gap seconds, action) steps; extra advance slices at fractions of the total time.
    `probe(track, state, t)` is called after every call, for properties that watch the score."""
    total = sum(gap for gap, _ in script)
    extra = sorted(epoch(f * total) for f in cut_fractions)
    track, state, t, emitted = stress.initial(config), None, epoch(0), []
    for gap, action in script:
        end = t + gap
        for point in [c for c in extra if t < c < end] + [end]:
            track, found = stress.advance(track, state, t, point, config)
            emitted += found
            t = point
            if probe:
                probe(track, state, t)
        t = end
        if action[0] == "state":
            track, found = stress.on_state(track, state, action[1], t, config)
            state = action[1]
        else:
            track, found = stress.on_contact(track, event(action, t - epoch(0)), t, config)
        emitted += found
        if probe:
            probe(track, state, t)
    return track, emitted, state, t


def close(a, b, rel=1e-9) -> bool:
    if is_dataclass(a):
        return type(a) is type(b) and all(close(getattr(a, f.name), getattr(b, f.name), rel) for f in fields(a))
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(close(x, y, rel) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)
    return a == b


@settings(max_examples=100, deadline=None)
@given(steps)
def test_the_score_stays_between_0_and_100_and_every_component_is_non_negative(script):
    def probe(track, state, t):
        figures = stress.view(track, state, t, CONFIG)
        assert 0.0 <= figures.score <= 100.0
        assert min(getattr(figures.components, f.name) for f in fields(figures.components)) >= 0.0
        assert figures.peak_score >= figures.score - 1e-9

    replay(script, probe=probe)


@settings(max_examples=100, deadline=None)
@given(
    steps,
    st.sampled_from(REST),
    st.lists(st.tuples(st.floats(min_value=0, max_value=1800), contact_actions), max_size=8),
)
def test_the_score_never_rises_during_a_rest_whatever_arrives_meanwhile(script, rest, during):
    track, _, state, t = replay(script)
    if state is not rest:
        track, _ = stress.on_state(track, state, rest, t, CONFIG)
    previous = stress.view(track, rest, t, CONFIG).score
    for gap, action in during:
        for fraction in (0.25, 0.5, 1.0):  # look inside each gap too, not only at events
            score = stress.view(track, rest, t + gap * fraction, CONFIG).score
            assert score <= previous + 1e-9
            previous = score
        track, _ = stress.advance(track, rest, t, t + gap, CONFIG)
        t += gap
        track, _ = stress.on_contact(track, event(action, t - epoch(0)), t, CONFIG)
        score = stress.view(track, rest, t, CONFIG).score
        assert score <= previous + 1e-9
        previous = score


@settings(max_examples=150, deadline=None)
@given(steps, cuts, st.sampled_from([CONFIG, LOW_BANDS]))
def test_slicing_time_into_more_advance_calls_gives_the_same_track_and_band_changes(script, cut_fractions, config):
    whole, whole_out, _, _ = replay(script, config)
    sliced, sliced_out, _, _ = replay(script, config, cut_fractions)
    assert close(sliced, whole)
    assert [(o.band, o.previous_band) for o in sliced_out] == [(o.band, o.previous_band) for o in whole_out]
    assert all(math.isclose(a.at_seconds, b.at_seconds, abs_tol=1e-3) for a, b in zip(sliced_out, whole_out))


@settings(max_examples=100, deadline=None)
@given(steps)
def test_the_same_events_always_give_the_same_scores(script):
    first, first_out, state, t = replay(script, LOW_BANDS)
    again, again_out, _, _ = replay(script, LOW_BANDS)
    assert again == first and again_out == first_out
    assert stress.view(first, state, t + 600, LOW_BANDS) == stress.view(again, state, t + 600, LOW_BANDS)


@settings(max_examples=100, deadline=None)
@given(steps)
def test_band_changes_chain_and_end_in_the_band_the_score_is_in(script):
    track, emitted, state, t = replay(script, LOW_BANDS)
    band = "normal"
    for output in emitted:
        assert output.previous_band == band and output.band != band
        band = output.band
    assert band == stress.view(track, state, t, LOW_BANDS).band


@settings(max_examples=50, deadline=None)
@given(steps)
def test_a_stress_track_survives_the_json_round_trip_the_stream_tables_use(script):
    track, _, state, t = replay(script)
    adapter = STRESS_JSON
    again = adapter.validate_json(adapter.dump_json(track))
    assert again == track
    assert stress.view(again, state, t + 900, CONFIG) == stress.view(track, state, t + 900, CONFIG)


def replay_in_one_pass(script, config=CONFIG):
    """The same fold as `replay` without extra cuts, but each event taken by `stress.step_*`
    (advance and hook on one working copy), as the agent reducer does."""
    track, state, t, emitted = stress.initial(config), None, epoch(0), []
    for gap, action in script:
        since, t = t, t + gap  # `replay` advances from the previous event's time, as here
        if action[0] == "state":
            stepped = stress.step_state(track, since, state, action[1], t, config)
            state = action[1]
        else:
            stepped = stress.step_contact(track, since, state, event(action, t - epoch(0)), t, config)
        track = stepped.track
        emitted += stepped.advanced + stepped.outputs
    return track, emitted, state, t


@settings(max_examples=200, deadline=None)
@given(steps)
def test_taking_an_event_in_one_pass_gives_the_same_track_and_outputs_as_advance_then_the_hook(script):
    for config in (CONFIG, LOW_BANDS):
        assert replay_in_one_pass(script, config) == replay(script, config)
