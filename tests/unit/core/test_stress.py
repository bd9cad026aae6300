"""Stress load by hand: each component, the decay, the bands and their crossings (times in
seconds after T0; default StressConfig unless a test says otherwise)."""

from __future__ import annotations

import math

import pytest

from floorwatch.core import stress
from floorwatch.core.stress import StressConfig
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
    abandoned,
    answered,
    ended,
    epoch,
    escalated,
    schedule,
    sentiment,
    transferred,
)

CONFIG = StressConfig()
A = "a1"


def replay(timeline, until, config=CONFIG, plan=None):
    """timeline: (seconds after T0, AgentState or contact event) in order. Returns figures at
    `until` and every output, the way agent.py drives the module: advance, then the hook."""
    track, state, last = stress.initial(config), None, None
    if plan is not None:
        track = stress.on_schedule(track, plan.data, config)
    outputs = []
    for t, item in timeline:
        now = epoch(t)
        if last is not None:
            track, found = stress.advance(track, state, last, now, config)
            outputs += found
        if hasattr(item, "data"):
            track, found = stress.on_contact(track, item, now, config)
        else:
            track, found = stress.on_state(track, state, item, now, config)
            state = item
        outputs += found
        last = now
    end = epoch(until)
    track, found = stress.advance(track, state, last, end, config)
    return stress.view(track, state, end, config), outputs + list(found)


def contact(t, talk, *extra, contact_id="c1", complaint=False, wrap=0.0):
    """A handled contact from `t`: answer + ON_CONTACT, extras, end (+ wrap-up), AVAILABLE."""
    items = [
        (t, answered(A, contact_id, t)),
        (t, ON_CONTACT),
        *extra,
        (t + talk, ended(A, contact_id, t + talk, complaint=complaint)),
    ]
    if wrap:
        items.append((t + talk, AFTER_CONTACT_WORK))
    items.append((t + talk + wrap, AVAILABLE))
    return items


# --- (b) continuous work ------------------------------------------------------------------


def test_continuous_work_adds_nothing_in_the_first_hour_then_ramps_to_its_maximum_at_four_hours():
    # 3 h of work: 25 x (3 h - 1 h) / (4 h - 1 h) = 16.667
    figures, _ = replay([(0, AVAILABLE)], 3 * HOUR)
    assert figures.components.continuous_work == pytest.approx(25 * 2 / 3)
    assert figures.score == pytest.approx(25 * 2 / 3)
    figures, _ = replay([(0, AVAILABLE)], 50 * MINUTE)
    assert figures.score == 0.0
    figures, _ = replay([(0, AVAILABLE)], 6 * HOUR)
    assert figures.components.continuous_work == pytest.approx(25.0)


def test_a_rest_of_five_minutes_resets_continuous_work_and_a_shorter_one_only_pauses_it():
    figures, _ = replay([(0, AVAILABLE), (3 * HOUR, BREAK)], 3 * HOUR + 5 * MINUTE)
    assert figures.components.continuous_work == 0.0 and figures.continuous_work_seconds == 0.0
    figures, _ = replay([(0, AVAILABLE), (3 * HOUR, BREAK)], 3 * HOUR + 4 * MINUTE)
    assert figures.components.continuous_work == pytest.approx(25 * 2 / 3)
    figures, _ = replay([(0, AVAILABLE), (3 * HOUR, BREAK), (3 * HOUR + 4 * MINUTE, AVAILABLE)], 4 * HOUR + 4 * MINUTE)
    assert figures.continuous_work_seconds == pytest.approx(4 * HOUR)  # the 4 min of break do not count


# --- (e) shift length beyond schedule ------------------------------------------------------


def test_work_beyond_the_scheduled_shift_length_ramps_the_shift_overrun_component():
    # a 2-h shift: 60 min work, 5-min break, then work to 2 h 30 of shift: 30 min beyond
    plan = schedule(A, 0, 2 * HOUR)
    figures, _ = replay([(0, AVAILABLE), (60 * MINUTE, BREAK), (65 * MINUTE, AVAILABLE)], 150 * MINUTE, plan=plan)
    assert figures.shift_overrun_seconds == pytest.approx(30 * MINUTE)
    assert figures.components.shift_overrun == pytest.approx(20 * 30 / 120)  # 5 points
    # continuous work since the break: 85 min -> 25 x 25 / 180
    assert figures.components.continuous_work == pytest.approx(25 * 25 / 180)
    assert figures.score == pytest.approx(5 + 25 * 25 / 180)


def test_without_a_schedule_the_default_shift_of_eight_and_a_half_hours_applies():
    # hourly 5-min breaks keep continuous work at 0; 9 h of shift is 30 min beyond 8.5 h
    timeline = []
    for hour in range(9):
        timeline += [(hour * HOUR, AVAILABLE), (hour * HOUR + 55 * MINUTE, BREAK)]
    timeline.append((9 * HOUR, AVAILABLE))
    figures, _ = replay(timeline, 9 * HOUR + 30 * MINUTE)
    # the breaks do not add overrun: only the 30 min of work after 8 h 30 of shift ... which
    # fall in hour 9 (minutes 30-55 are work, 55-60 a break, then 30 more): 25 + 30 = 55 min
    assert figures.shift_overrun_seconds == pytest.approx(55 * MINUTE)


def test_a_long_logout_starts_a_new_shift():
    plan = schedule(A, 0, 1 * HOUR)
    figures, _ = replay(
        [(0, AVAILABLE), (2 * HOUR, LOGGED_OUT), (7 * HOUR, AVAILABLE)], 7 * HOUR + 10 * MINUTE, plan=plan
    )
    assert figures.shift_seconds == pytest.approx(10 * MINUTE)
    assert figures.shift_overrun_seconds == 0.0


# --- (c) emotional load, (a) workload, decay --------------------------------------------------


def test_a_difficult_contact_adds_its_points_which_decay_slowly_while_working_and_faster_when_idle():
    # answered at 60, sentiment -0.8 at 200, ended at 360 (300 s: length factor 1) -> 8 points;
    # last-hour occupancy then 300 / 360 = 0.83, inside the healthy band: no workload points.
    timeline = [(0, AVAILABLE), *contact(60, 300, (200, sentiment(A, "c1", 200, -0.8)), wrap=60)]
    figures, _ = replay([item for item in timeline if item[0] <= 360], 360)
    assert figures.components.emotional_load == pytest.approx(8.0)
    assert figures.components.workload_intensity == 0.0
    assert figures.difficult_contacts == 1
    # 60 s of wrap-up (tau 90 min) then 30 min available (tau 30 min)
    figures, _ = replay(timeline, 420 + 30 * MINUTE)
    assert figures.score == pytest.approx(8 * math.exp(-60 / 5400 - 1))


@pytest.mark.parametrize(
    "talk, extra, complaint, expected",
    [
        (900, [], True, 10 * 2.0),  # complaint on a 15-min contact: length factor capped at 2
        (60, [(30, escalated(A, "c1", 30))], True, (6 + 10) * 0.5),  # short contact: factor floored at 0.5
        (450, [(100, sentiment(A, "c1", 100, -0.4))], False, 0.0),  # -0.4 is not <= -0.5
        (
            300,
            [(100, sentiment(A, "c1", 100, -0.5)), (200, sentiment(A, "c1", 200, -0.9))],
            False,
            8.0,
        ),  # once per contact
    ],
)
def test_emotional_points_are_difficulty_times_a_length_factor(talk, extra, complaint, expected):
    timeline = [(0, answered(A, "c1", 0)), (0, ON_CONTACT), *extra, (talk, ended(A, "c1", talk, complaint=complaint))]
    figures, _ = replay(timeline, talk)
    assert figures.components.emotional_load == pytest.approx(expected)


def test_a_transfer_after_a_long_handle_and_a_caller_hanging_up_after_a_long_hold_are_difficult():
    figures, _ = replay([(0, answered(A, "c1", 0)), (0, ON_CONTACT), (600, transferred(A, "c1", 600))], 600)
    assert figures.components.emotional_load == pytest.approx(4 * 2.0)  # 10 min: factor 2
    figures, _ = replay([(0, answered(A, "c1", 0)), (0, ON_CONTACT), (599, transferred(A, "c1", 599))], 599)
    assert figures.components.emotional_load == 0.0
    timeline = [
        (0, answered(A, "c1", 0)),
        (0, ON_CONTACT),
        (100, HOLD),
        (300, abandoned("c1", 300, agent=A, on_hold=200)),
    ]
    figures, _ = replay(timeline, 300)
    assert figures.components.emotional_load == pytest.approx(5 * 1.0)


def test_handle_time_far_above_the_agents_own_running_mean_is_difficult():
    timeline = [(0, AVAILABLE)]
    for i in range(5):  # five 200-s contacts: the running mean is 200 s
        timeline += contact(i * 1000, 200, contact_id=f"c{i}")
    timeline += contact(5000, 400, contact_id="long")  # 2 x the mean: +4 x factor 400/300
    figures, _ = replay(timeline, 5400)
    assert figures.components.emotional_load == pytest.approx(4 * 400 / 300)
    assert figures.baseline_handle_seconds == pytest.approx(200 + 0.1 * (400 - 200))
    figures, _ = replay(timeline[:-3] + contact(5000, 399, contact_id="long"), 5399)
    assert figures.components.emotional_load == 0.0


def test_a_sentiment_reading_after_the_contact_closed_still_counts_once():
    timeline = [
        (0, answered(A, "c1", 0)),
        (0, ON_CONTACT),
        (300, ended(A, "c1", 300)),
        (300, AVAILABLE),
        (400, sentiment(A, "c1", 400, -0.9)),
        (500, sentiment(A, "c1", 500, -0.95)),
    ]
    figures, _ = replay(timeline, 500)
    assert figures.components.emotional_load == pytest.approx(8 * math.exp(-100 / 1800))


def test_workload_points_are_handle_hours_times_the_occupancy_excess_over_the_healthy_band():
    # on contact 0-3000 s with nothing else in the last hour: occupancy 1.0, excess 1
    figures, _ = replay([(0, answered(A, "c1", 0)), (0, ON_CONTACT), (3000, ended(A, "c1", 3000))], 3000)
    assert figures.occupancy_60min_ratio == 1.0
    assert figures.components.workload_intensity == pytest.approx(20 * 3000 / 3600)
    # 3300 s handle after 300 s available: occupancy 0.9167, excess (0.9167 - 0.85) / 0.15 = 0.444
    timeline = [(0, AVAILABLE), (300, answered(A, "c1", 300)), (300, ON_CONTACT), (3600, ended(A, "c1", 3600))]
    figures, _ = replay(timeline, 3600)
    excess = (3300 / 3600 - 0.85) / 0.15
    assert figures.components.workload_intensity == pytest.approx(20 * 3300 / 3600 * excess)


# --- (d) back to back -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "between, counted",
    [
        ([(360, AVAILABLE), (365, ON_CONTACT)], True),  # 5 s available
        ([(360, AVAILABLE), (375, ON_CONTACT)], False),  # 15 s available
        ([(360, ON_CONTACT)], True),  # straight from wrap-up
        ([(360, AVAILABLE), (362, BREAK), (364, AVAILABLE), (366, ON_CONTACT)], False),  # a break in between
    ],
)
def test_a_contact_taken_with_under_ten_seconds_available_since_the_last_is_back_to_back(between, counted):
    timeline = [(0, AVAILABLE), (60, ON_CONTACT), (300, AFTER_CONTACT_WORK), *between]
    figures, _ = replay(timeline, between[-1][0])
    assert figures.back_to_back_contacts == (1 if counted else 0)
    assert figures.components.back_to_back == pytest.approx(1.5 if counted else 0.0)


def test_resuming_from_hold_is_not_a_new_contact():
    figures, _ = replay([(0, AVAILABLE), (60, ON_CONTACT), (100, HOLD), (120, ON_CONTACT)], 120)
    assert figures.back_to_back_contacts == 0


# --- rest, bands, cap -------------------------------------------------------------------------


def test_load_arriving_during_a_break_is_held_until_the_break_ends():
    # a complaint closes at 900 while the agent is already on break (state changed first)
    timeline = [(0, answered(A, "c1", 0)), (0, ON_CONTACT), (900, BREAK), (900, ended(A, "c1", 900, complaint=True))]
    figures, _ = replay(timeline, 900)
    assert figures.recovering and figures.held_points == pytest.approx(20 + 20 * 900 / 3600)
    assert figures.components.emotional_load == 0.0
    figures, _ = replay(timeline + [(1500, AVAILABLE)], 1500)
    assert figures.components.emotional_load == pytest.approx(20 * math.exp(-600 / 600))
    assert figures.held_points == 0.0


def test_crossing_a_band_is_announced_at_the_instant_it_happens():
    # two 15-min complaint contacts back to back, all handle: each closes with 20 emotional
    # + 20 x 900/3600 = 5 workload points. At 1800: 25 e^(-900/5400) + 25 = 46.16 -> elevated.
    # Then available (tau 1800 s): below 40 after 1800 ln(46.16/40) s.
    timeline = [
        (0, answered(A, "c1", 0)),
        (0, ON_CONTACT),
        (900, ended(A, "c1", 900, complaint=True)),
        (900, answered(A, "c2", 900)),
        (1800, ended(A, "c2", 1800, complaint=True)),
        (1800, AVAILABLE),
    ]
    figures, outputs = replay(timeline, 3000)
    peak = 25 * math.exp(-900 / 5400) + 25
    assert [(o.band, o.previous_band) for o in outputs] == [("elevated", "normal"), ("normal", "elevated")]
    assert outputs[0].at_seconds == epoch(1800) and outputs[0].score == pytest.approx(peak)
    assert outputs[1].at_seconds == pytest.approx(epoch(1800 + 1800 * math.log(peak / 40)), abs=1e-3)
    assert figures.peak_score == pytest.approx(peak) and figures.peak_at_seconds == epoch(1800)
    assert figures.band == "normal"


def test_a_rising_level_crosses_into_a_band_between_events():
    # only continuous work, with bands moved low: 10 points at 1 h + 10/25 x 3 h = 2 h 12 min
    config = StressConfig(elevated_from=10.0, high_from=20.0)
    _, outputs = replay([(0, AVAILABLE)], 5 * HOUR, config=config)
    assert [o.band for o in outputs] == ["elevated", "high"]
    assert outputs[0].at_seconds == pytest.approx(epoch(HOUR + 0.4 * 3 * HOUR), abs=1e-3)
    assert outputs[1].at_seconds == pytest.approx(epoch(HOUR + 0.8 * 3 * HOUR), abs=1e-3)


def test_the_score_is_the_sum_of_the_components_capped_at_one_hundred():
    timeline = [(0, AVAILABLE)]
    for i in range(8):  # eight 15-min escalated complaints, back to back
        t = i * 900
        timeline += [
            (t, answered(A, f"c{i}", t)),
            (t, ON_CONTACT),
            (t + 1, escalated(A, f"c{i}", t + 1)),
            (t + 900, ended(A, f"c{i}", t + 900, complaint=True)),
        ]
    figures, _ = replay(timeline, 7200)
    c = figures.components
    total = c.workload_intensity + c.continuous_work + c.emotional_load + c.back_to_back + c.shift_overrun
    assert total > 100 and figures.score == 100.0 and figures.band == "high"


def test_the_view_projects_to_now_without_changing_the_track():
    track = stress.initial(CONFIG)
    track, _ = stress.on_state(track, None, AVAILABLE, epoch(0), CONFIG)
    later = stress.view(track, AVAILABLE, epoch(3 * HOUR), CONFIG)
    assert later.components.continuous_work == pytest.approx(25 * 2 / 3)
    assert stress.view(track, AVAILABLE, epoch(0), CONFIG).score == 0.0


@pytest.mark.parametrize("state", [BREAK, LUNCH, LOGGED_OUT])
def test_every_rest_state_decays_the_load_with_the_rest_time_constant(state):
    timeline = [(0, answered(A, "c1", 0)), (0, ON_CONTACT), (300, ended(A, "c1", 300, complaint=True)), (300, state)]
    figures, _ = replay(timeline, 900)
    assert figures.components.emotional_load == pytest.approx(10 * math.exp(-1))


def test_inconsistent_settings_are_refused():
    with pytest.raises(ValueError, match="bands"):
        StressConfig(elevated_from=70, high_from=40)
    with pytest.raises(ValueError, match="time constants"):
        StressConfig(rest_time_constant_seconds=0)


def test_the_peak_is_when_the_score_first_reached_it_even_on_the_cap():
    # continuous work alone, with a 120-point maximum: 120 x (t - 1 h) / 3 h reaches the 100
    # cap at t = 1 h + 2.5 h = 12,600 s and stays there
    config = StressConfig(continuous_work_max_points=120.0)
    figures, _ = replay([(0, AVAILABLE)], 5 * HOUR, config=config)
    assert figures.score == 100.0 and figures.peak_score == 100.0
    assert figures.peak_at_seconds == pytest.approx(epoch(12_600), abs=1e-3)
