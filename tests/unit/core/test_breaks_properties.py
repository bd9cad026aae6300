"""Properties of break compliance over random days: slicing time changes nothing, outputs are
announced in order and never before they happen, and the same day gives the same figures."""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from floorwatch.core import breaks
from floorwatch.core.breaks import PROFILES, BreakRuleBreached, load_profile
from floorwatch.core.events import AgentState
from tests.unit.core.builders import MINUTE, epoch, schedule

BREAKS_JSON = TypeAdapter(breaks.BreakTrack)  # how the stream tables store the track
POLICIES = {name: load_profile(name) for name in PROFILES}
PLAN = schedule("a1", 0, 510 * MINUTE, (("break", 120 * MINUTE, 135 * MINUTE), ("lunch", 240 * MINUTE, 270 * MINUTE)))

segments = st.lists(
    st.tuples(st.sampled_from(list(AgentState)), st.floats(min_value=0, max_value=5 * 3600, allow_nan=False)),
    min_size=1,
    max_size=25,
)
cuts = st.lists(st.floats(min_value=0, max_value=1.0, allow_nan=False), max_size=12)


def replay(policy, day, cut_fractions=(), plan=None):
    """Fold a day of (state, seconds); advance in extra slices at the given fractions of the day."""
    total = sum(seconds for _, seconds in day)
    extra = sorted(epoch(f * total) for f in cut_fractions)
    track, current, t = breaks.initial(policy), None, epoch(0)
    if plan is not None:
        track = breaks.on_schedule(track, plan.data, policy)
    emitted = []  # (output, wall time of the call that returned it)
    for state, seconds in day:
        track, found = breaks.on_state(track, current, state, t, policy)
        emitted += [(o, t) for o in found]
        end = t + seconds
        for point in [c for c in extra if t < c < end] + [end]:
            track, found = breaks.advance(track, state, t, point, policy)
            emitted += [(o, point) for o in found]
            t = point
        current, t = state, end
    return track, emitted, current, t


def close(a, b) -> bool:
    if is_dataclass(a):
        return type(a) is type(b) and all(close(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(PROFILES), segments, cuts, st.booleans())
def test_slicing_time_into_more_advance_calls_gives_the_same_track_and_violations(profile, day, cut_fractions, planned):
    policy, plan = POLICIES[profile], PLAN if planned else None
    whole, whole_out, _, _ = replay(policy, day, (), plan)
    sliced, sliced_out, _, _ = replay(policy, day, cut_fractions, plan)
    assert close(sliced, whole)
    assert close([o for o, _ in sliced_out], [o for o, _ in whole_out])


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(PROFILES), segments, cuts)
def test_a_violation_is_flagged_after_its_deadline_and_never_before_time_reaches_it(profile, day, cut_fractions):
    _, emitted, _, _ = replay(POLICIES[profile], day, cut_fractions, PLAN)
    noticed = []
    for output, returned_at in emitted:
        flagged = output.flagged_at_seconds if isinstance(output, BreakRuleBreached) else output.at_seconds
        if isinstance(output, BreakRuleBreached):
            assert output.at_seconds <= flagged + 1e-6
        assert flagged <= returned_at + 1e-6
        noticed.append(flagged)
    assert noticed == sorted(noticed)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(PROFILES), segments)
def test_worked_time_never_exceeds_staffed_time_and_the_same_day_gives_the_same_figures(profile, day):
    policy = POLICIES[profile]
    track, _, current, end = replay(policy, day, (), PLAN)
    again, _, _, _ = replay(policy, day, (), PLAN)
    assert again == track
    figures = breaks.view(track, current, end, policy)
    staffed = sum(seconds for state, seconds in day if state is not AgentState.LOGGED_OUT)
    assert figures.worked_seconds <= staffed + 1e-6
    assert figures.overdue == bool(figures.overdue_rules)
    if figures.overdue:
        assert figures.break_due_in_seconds is not None and figures.break_due_in_seconds < 0
    if figures.adherence is not None and figures.adherence.adherence_ratio is not None:
        assert 0.0 <= figures.adherence.adherence_ratio <= 1.0


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(PROFILES), segments)
def test_a_break_track_survives_the_json_round_trip_the_stream_tables_use(profile, day):
    policy = POLICIES[profile]
    track, _, current, end = replay(policy, day, (), PLAN)
    adapter = BREAKS_JSON
    again = adapter.validate_json(adapter.dump_json(track))
    assert again == track
    assert breaks.view(again, current, end + 600, policy) == breaks.view(track, current, end + 600, policy)
