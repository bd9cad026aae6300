"""Occupancy, utilization and windows of one agent, by hand and against a brute-force oracle."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floorwatch.core import occupancy
from floorwatch.core.events import STATE_CATEGORY, AgentState, StateCategory
from floorwatch.core.occupancy import Denominator, OccupancyConfig, band, ratio
from tests.unit.core.builders import (
    AFTER_CONTACT_WORK,
    AVAILABLE,
    BREAK,
    HOLD,
    HOUR,
    LOGGED_OUT,
    LUNCH,
    MINUTE,
    ON_CONTACT,
    TRAINING,
    answered,
    ended,
    epoch,
    transferred,
)

CONFIG = OccupancyConfig()


def fold(timeline, now, config=CONFIG):
    """Apply (seconds after T0, state) changes in order and view the agent at `now`."""
    track, current = occupancy.initial(config), None
    for t, new in timeline:
        track, _ = occupancy.on_state(track, current, new, epoch(t), config)
        current = new
    return occupancy.view(track, current, epoch(now), config), track


def test_occupancy_divides_handle_by_handle_plus_available_and_excludes_auxiliary_time():
    # 0-60 available, 60-240 on contact, 240-300 wrap-up, 300-600 available,
    # 600-900 break, 900-1200 available.
    # handle = 180 + 60 = 240; available = 60 + 300 + 300 = 660; aux = 300; staffed = 1200
    timeline = [
        (0, AVAILABLE),
        (60, ON_CONTACT),
        (240, AFTER_CONTACT_WORK),
        (300, AVAILABLE),
        (600, BREAK),
        (900, AVAILABLE),
    ]
    figures, _ = fold(timeline, 1200)
    assert figures.handle_seconds == pytest.approx(240)
    assert figures.available_seconds == pytest.approx(660)
    assert figures.aux_seconds == pytest.approx(300)
    assert figures.aux_rest_seconds == pytest.approx(300)
    assert figures.staffed_seconds == pytest.approx(1200)
    assert figures.occupancy_ratio == pytest.approx(240 / 900)
    assert figures.utilization_ratio == pytest.approx(240 / 1200)
    assert figures.seconds_by_state["ON_CONTACT"] == pytest.approx(180)
    assert figures.seconds_by_state["AFTER_CONTACT_WORK"] == pytest.approx(60)
    assert figures.seconds_by_state["BREAK"] == pytest.approx(300)


def test_logged_out_time_counts_in_neither_occupancy_nor_utilization():
    # 0-600 on contact, 600-1800 logged out, 1800-2400 available.
    figures, _ = fold([(0, ON_CONTACT), (600, LOGGED_OUT), (1800, AVAILABLE)], 2400)
    assert figures.logged_out_seconds == pytest.approx(1200)
    assert figures.staffed_seconds == pytest.approx(1200)
    assert figures.occupancy_ratio == pytest.approx(0.5)
    assert figures.utilization_ratio == pytest.approx(0.5)


def test_staffed_denominator_variant_makes_occupancy_equal_utilization():
    config = OccupancyConfig(denominator=Denominator.STAFFED)
    # 0-300 on contact, 300-600 training, 600-900 available: 300 / 900 staffed.
    figures, _ = fold([(0, ON_CONTACT), (300, TRAINING), (600, AVAILABLE)], 900, config)
    assert figures.occupancy_ratio == pytest.approx(1 / 3)
    assert figures.utilization_ratio == pytest.approx(1 / 3)
    default, _ = fold([(0, ON_CONTACT), (300, TRAINING), (600, AVAILABLE)], 900)
    assert default.occupancy_ratio == pytest.approx(0.5)


def test_ratios_are_none_when_nothing_was_staffed():
    figures, _ = fold([(0, LOGGED_OUT)], 600)
    assert figures.occupancy_ratio is None
    assert figures.utilization_ratio is None
    assert figures.band is None


def test_only_auxiliary_time_gives_zero_utilization_and_no_occupancy():
    figures, _ = fold([(0, TRAINING)], 600)
    assert figures.utilization_ratio == 0.0
    assert figures.occupancy_ratio is None


def test_fifteen_minute_window_counts_only_its_last_fifteen_minutes():
    # 0-1200 on contact, 1200-1800 available, 1800-2100 lunch; view at 2100.
    # The 15-minute window is 1200-2100: available 600, aux 300, handle 0.
    # The 60-minute window covers only the 2100 s seen so far.
    figures, _ = fold([(0, ON_CONTACT), (1200, AVAILABLE), (1800, LUNCH)], 2100)
    short = figures.window(15 * MINUTE)
    assert short.covered_seconds == pytest.approx(900)
    assert short.figures.handle_seconds == pytest.approx(0)
    assert short.figures.available_seconds == pytest.approx(600)
    assert short.figures.aux_seconds == pytest.approx(300)
    assert short.figures.occupancy_ratio == 0.0
    long = figures.window(HOUR)
    assert long.covered_seconds == pytest.approx(2100)
    assert long.figures.handle_seconds == pytest.approx(1200)
    assert long.figures.occupancy_ratio == pytest.approx(1200 / 1800)


def test_window_starts_inside_a_state_and_counts_only_the_part_inside():
    # on contact 0-1000, available 1000-1100: at 1100 the 15-min window (200-1100) holds 800 handle + 100 available.
    figures, _ = fold([(0, ON_CONTACT), (1000, AVAILABLE)], 1100)
    window = figures.window(15 * MINUTE).figures
    assert window.handle_seconds == pytest.approx(800)
    assert window.available_seconds == pytest.approx(100)
    assert window.band == "pressure"  # 800 / 900 = 0.889


def test_moves_between_handle_states_add_no_window_checkpoints():
    _, track = fold(
        [(0, AVAILABLE), (10, ON_CONTACT), (20, HOLD), (30, ON_CONTACT), (40, AFTER_CONTACT_WORK), (50, AVAILABLE)], 60
    )
    assert [c.category for c in track.checkpoints] == ["available", "handle", "available"]


def test_window_history_keeps_only_the_longest_window_plus_one_checkpoint():
    timeline = [(minute * MINUTE, AVAILABLE if minute % 2 == 0 else ON_CONTACT) for minute in range(180)]
    _, track = fold(timeline, 180 * MINUTE)
    last = track.checkpoints[-1].at_seconds
    assert track.checkpoints[0].at_seconds <= last - HOUR < track.checkpoints[1].at_seconds
    assert len(track.checkpoints) <= 62


def test_a_login_after_a_long_logged_out_gap_starts_a_new_shift_but_a_logged_out_lunch_does_not():
    day = [(0, AVAILABLE), (HOUR, ON_CONTACT), (2 * HOUR, LOGGED_OUT), (3 * HOUR, AVAILABLE), (4 * HOUR, LOGGED_OUT)]
    next_day = [(24 * HOUR, ON_CONTACT)]
    figures, _ = fold(day, 4 * HOUR)
    assert figures.shift_start_seconds == epoch(0)  # the one-hour logged-out lunch kept the shift
    assert figures.shift.staffed_seconds == pytest.approx(3 * HOUR)
    figures, _ = fold(day + next_day, 25 * HOUR)
    assert figures.shift_start_seconds == epoch(24 * HOUR)
    assert figures.shift.handle_seconds == pytest.approx(HOUR)
    assert figures.shift.staffed_seconds == pytest.approx(HOUR)
    assert figures.handle_seconds == pytest.approx(2 * HOUR)  # totals keep both days


def test_handle_time_of_a_contact_runs_from_answer_to_the_end_of_wrap_up():
    track = occupancy.initial(CONFIG)
    track, _ = occupancy.on_state(track, None, AVAILABLE, epoch(0), CONFIG)
    track, out = occupancy.on_contact(track, answered("a1", "c1", 10), epoch(10), CONFIG)
    assert out == ()
    track, _ = occupancy.on_state(track, AVAILABLE, ON_CONTACT, epoch(10), CONFIG)
    track, out = occupancy.on_contact(track, ended("a1", "c1", 200), epoch(200), CONFIG)
    assert out == ()  # wrap-up still to come
    track, _ = occupancy.on_state(track, ON_CONTACT, AFTER_CONTACT_WORK, epoch(200), CONFIG)
    track, out = occupancy.on_state(track, AFTER_CONTACT_WORK, AVAILABLE, epoch(245), CONFIG)
    assert [(o.contact_id, o.queue_id, o.handle_seconds) for o in out] == [("c1", "q1", pytest.approx(235))]
    figures = occupancy.view(track, AVAILABLE, epoch(300), CONFIG)
    assert figures.contacts_handled == 1
    assert figures.average_handle_seconds == pytest.approx(235)


def test_a_contact_ended_after_the_agent_left_handle_states_is_handled_at_the_end_event():
    track = occupancy.initial(CONFIG)
    track, _ = occupancy.on_state(track, None, ON_CONTACT, epoch(0), CONFIG)
    track, _ = occupancy.on_contact(track, answered("a1", "c1", 0), epoch(0), CONFIG)
    track, _ = occupancy.on_state(track, ON_CONTACT, AVAILABLE, epoch(90), CONFIG)
    track, out = occupancy.on_contact(track, transferred("a1", "c1", 91), epoch(91), CONFIG)
    assert [o.handle_seconds for o in out] == [pytest.approx(91)]


def test_an_end_for_another_contact_is_ignored():
    track = occupancy.initial(CONFIG)
    track, _ = occupancy.on_contact(track, answered("a1", "c1", 0), epoch(0), CONFIG)
    same, out = occupancy.on_contact(track, ended("a1", "other", 5), epoch(5), CONFIG)
    assert same is track and out == ()


@pytest.mark.parametrize(
    ("occupancy_ratio", "expected"),
    [
        (0.0, "overstaffed"),
        (0.69, "overstaffed"),
        (0.70, "below_target"),
        (0.75, "target"),
        (0.85, "target"),
        (0.86, "pressure"),
        (0.90, "pressure"),
        (0.91, "burnout"),
        (1.0, "burnout"),
        (None, None),
    ],
)
def test_healthy_band_cut_offs_follow_the_configuration(occupancy_ratio, expected):
    assert band(occupancy_ratio, CONFIG) == expected


def test_band_cut_offs_that_do_not_rise_are_refused():
    with pytest.raises(ValueError, match="cut-offs"):
        OccupancyConfig(target_from_ratio=0.95)


def test_ratio_is_none_without_a_denominator_and_clamped_to_zero_one():
    assert ratio(1.0, 0.0) is None
    assert ratio(1.0 + 1e-12, 1.0) == 1.0


# --- properties against a brute-force oracle -----------------------------------------------

CATEGORY_OF = {
    StateCategory.HANDLE: "handle",
    StateCategory.AVAILABLE: "available",
    StateCategory.AUX_REST: "aux",
    StateCategory.AUX_OTHER: "aux",
    StateCategory.NOT_STAFFED: "out",
}


def oracle(timeline, start, end):
    """Seconds per category between `start` and `end`, by clipping every segment."""
    totals = {"handle": 0.0, "available": 0.0, "aux": 0.0, "out": 0.0}
    bounds = [t for t, _ in timeline[1:]] + [end]
    for (t, state_), until in zip(timeline, bounds):
        overlap = min(until, end) - max(t, start)
        if overlap > 0:
            totals[CATEGORY_OF[STATE_CATEGORY[state_]]] += overlap
    return totals


timelines = st.lists(
    st.tuples(st.integers(min_value=0, max_value=900), st.sampled_from(list(AgentState))), min_size=1, max_size=40
).map(lambda steps: [(sum(gap for gap, _ in steps[: i + 1]), s) for i, (_, s) in enumerate(steps)])


@settings(max_examples=150, deadline=None)
@given(timeline=timelines, tail=st.integers(min_value=0, max_value=7200))
def test_totals_and_windows_match_a_brute_force_clipping_of_the_timeline(timeline, tail):
    now = timeline[-1][0] + tail
    figures, _ = fold(timeline, now)
    expected = oracle(timeline, timeline[0][0], now)
    assert figures.handle_seconds == pytest.approx(expected["handle"], abs=1e-6)
    assert figures.available_seconds == pytest.approx(expected["available"], abs=1e-6)
    assert figures.aux_seconds == pytest.approx(expected["aux"], abs=1e-6)
    assert figures.logged_out_seconds == pytest.approx(expected["out"], abs=1e-6)
    assert figures.handle_seconds + figures.available_seconds + figures.aux_seconds == pytest.approx(
        figures.staffed_seconds
    )
    assert figures.staffed_seconds + figures.logged_out_seconds == pytest.approx(now - timeline[0][0], abs=1e-6)
    for window in figures.windows:
        expected = oracle(timeline, max(now - window.window_seconds, timeline[0][0]), now)
        assert window.figures.handle_seconds == pytest.approx(expected["handle"], abs=1e-6)
        assert window.figures.available_seconds == pytest.approx(expected["available"], abs=1e-6)
        assert window.figures.aux_seconds == pytest.approx(expected["aux"], abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(timeline=timelines, tail=st.integers(min_value=0, max_value=7200))
def test_every_ratio_stays_between_zero_and_one(timeline, tail):
    figures, _ = fold(timeline, timeline[-1][0] + tail)
    spans = [figures.shift] + [w.figures for w in figures.windows]
    ratios = [figures.occupancy_ratio, figures.utilization_ratio]
    ratios += [r for s in spans for r in (s.occupancy_ratio, s.utilization_ratio)]
    assert all(r is None or 0.0 <= r <= 1.0 for r in ratios)
