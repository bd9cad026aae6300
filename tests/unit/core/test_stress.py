"""Stress load by hand: each component, recovery, the headroom transform and band crossings
(times in seconds after T0; default StressConfig unless a test says otherwise)."""

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
    answered,
    ended,
    epoch,
    escalated,
    held,
    resumed,
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


# --- levels: time on task, missed breaks, shift overrun ---------------------------------------


def score(load, config=CONFIG):
    return 100 * (1 - math.exp(-load / config.load_scale_points))


def test_time_on_task_grows_from_the_first_minute_and_the_score_is_its_bounded_transform():
    figures, _ = replay([(0, AVAILABLE)], HOUR)
    assert figures.components.continuous_work == pytest.approx(5.0)
    assert figures.load_points == pytest.approx(5.0) and figures.score == pytest.approx(score(5.0))


def test_time_on_task_recovers_exponentially_at_rest_so_five_minutes_are_not_a_full_rest():
    figures, _ = replay([(0, AVAILABLE), (2 * HOUR, BREAK)], 2 * HOUR + 5 * MINUTE)
    assert figures.continuous_work_seconds == pytest.approx(2 * HOUR * math.exp(-300 / 900))
    figures, _ = replay([(0, AVAILABLE), (2 * HOUR, BREAK)], 2 * HOUR + 30 * MINUTE)
    assert figures.continuous_work_seconds == pytest.approx(2 * HOUR * math.exp(-2))


def test_work_beyond_a_break_rules_limit_and_grace_counts_as_missed_breaks():
    # default policy: a 10-min rest every 2 h (grace 2 min); 3 h of work: 58 min beyond
    figures, _ = replay([(0, AVAILABLE)], 3 * HOUR)
    assert figures.components.missed_breaks == pytest.approx(5.0 * 58 / 60)


def test_a_rest_credits_missed_breaks_smoothly_from_half_the_required_length_to_all_of_it():
    assert stress.rest_credit(300.0, 600.0, CONFIG) == 1.0
    assert stress.rest_credit(450.0, 600.0, CONFIG) == pytest.approx(0.5)
    assert stress.rest_credit(600.0, 600.0, CONFIG) == 0.0
    ten = replay([(0, AVAILABLE), (3 * HOUR, BREAK), (3 * HOUR + 10 * MINUTE, AVAILABLE)], 3 * HOUR + 10 * MINUTE)
    five = replay([(0, AVAILABLE), (3 * HOUR, BREAK), (3 * HOUR + 5 * MINUTE, AVAILABLE)], 3 * HOUR + 5 * MINUTE)
    assert ten[0].components.missed_breaks == 0.0
    assert five[0].components.missed_breaks == pytest.approx(5.0 * 58 / 60)


def test_work_beyond_the_scheduled_shift_length_adds_shift_overrun_without_a_cap():
    plan = schedule(A, 0, 2 * HOUR)
    figures, _ = replay([(0, AVAILABLE)], 5 * HOUR, plan=plan)
    assert figures.shift_overrun_seconds == pytest.approx(3 * HOUR)
    assert figures.components.shift_overrun == pytest.approx(30.0)


def test_a_long_logout_starts_a_new_shift():
    plan = schedule(A, 0, 1 * HOUR)
    figures, _ = replay(
        [(0, AVAILABLE), (2 * HOUR, LOGGED_OUT), (7 * HOUR, AVAILABLE)], 7 * HOUR + 10 * MINUTE, plan=plan
    )
    assert figures.shift_seconds == pytest.approx(10 * MINUTE)
    assert figures.shift_overrun_seconds == 0.0


# --- contacts: handle time, graded difficulty, late readings -------------------------------------


def test_a_contact_is_weighed_from_its_answer_to_the_end_of_its_wrap_up():
    # 240 s talk + 60 s wrap-up = 300 s handle: length factor 1, so a complaint adds 10
    figures, _ = replay(contact(0, 240, complaint=True, wrap=60), 300)
    assert figures.components.emotional_load == pytest.approx(10.0)
    assert figures.baseline_handle_seconds == pytest.approx(300.0)


@pytest.mark.parametrize(
    ("reading", "weight"), [(0.2, 0.0), (-0.1, 0.0), (-0.4, 0.5), (-0.49, 0.65), (-0.5, 2 / 3), (-0.9, 1.0)]
)
def test_customer_sentiment_weighs_on_a_ramp_without_a_cut_off(reading, weight):
    figures, _ = replay(contact(0, 300, (10, sentiment(A, "c1", 10, reading))), 300)
    assert figures.components.emotional_load == pytest.approx(8.0 * weight)


def test_platform_signals_carry_load_without_a_sentiment_feed():
    # a 10-min transfer (weight 1), a 3-min hold (weight 1), a caller who waited 165 s (weight 0.5)
    timeline = [
        (0, answered(A, "c1", 0, wait=165)),
        (0, ON_CONTACT),
        (30, held(A, "c1", 30)),
        (30, HOLD),
        (210, resumed(A, "c1", 210)),
        (210, ON_CONTACT),
        (600, transferred(A, "c1", 600)),
        (600, AVAILABLE),
    ]
    figures, _ = replay(timeline, 600)
    assert figures.components.emotional_load == pytest.approx((4.0 + 2.0 + 0.5) * 2.0)  # length factor 2
    assert figures.signals == ("holds", "queue_wait", "transfers")


def test_handle_time_above_the_agents_own_running_mean_is_graded():
    timeline = []
    for i in range(5):
        timeline += contact(i * 400, 200, contact_id=f"c{i}")
    timeline += contact(2000, 400, contact_id="c9")  # 2x the mean of 200 s: weight 0.5
    figures, _ = replay(timeline, 2400)
    assert figures.components.emotional_load == pytest.approx(4.0 * 0.5 * 400 / 300)


def test_a_sentiment_reading_after_the_contact_closed_weighs_as_in_call_and_counts_once():
    late, _ = replay([*contact(0, 600), (900, sentiment(A, "c1", 900, -0.9))], 900)
    in_call, _ = replay(contact(0, 600, (10, sentiment(A, "c1", 10, -0.9))), 600)
    assert late.components.emotional_load == pytest.approx(in_call.components.emotional_load) == 8.0 * 2.0
    again, _ = replay(
        [*contact(0, 600), (900, sentiment(A, "c1", 900, -0.9)), (960, sentiment(A, "c1", 960, -0.9))], 960
    )
    assert again.components.emotional_load == pytest.approx(16.0 * math.exp(-60 / 3600))
    assert again.difficult_contacts == 1


def test_workload_is_handle_hours_times_an_intensity_rising_through_the_whole_occupancy_range():
    # one 30-min contact after 30 min available: 50 % occupancy at its end, intensity 0.5
    timeline = [(0, AVAILABLE), *contact(1800, 1800)]
    figures, _ = replay(timeline, 3600)
    assert figures.components.workload_intensity == pytest.approx(12.0 * 0.5 * 0.5)
    # all handle: intensity 1 + 2 (the emphasis above the healthy band)
    figures, _ = replay(contact(0, 3600), 3600)
    assert figures.components.workload_intensity == pytest.approx(12.0 * 1.0 * 3.0)


@pytest.mark.parametrize("between", [0.0, 5.0, 10.0, 30.0])
def test_each_contact_adds_back_to_back_load_that_fades_with_the_gap_before_it(between):
    timeline = [*contact(0, 60), *contact(60 + between, 60, contact_id="c2")]
    figures, _ = replay(timeline, 120 + between)  # then 60 s of handling (tau 90 min)
    assert figures.components.back_to_back == pytest.approx(1.5 * math.exp(-between / 10.0) * math.exp(-60 / 5400))


def test_resuming_from_hold_is_not_a_new_contact():
    figures, _ = replay([(0, AVAILABLE), (60, ON_CONTACT), (100, HOLD), (120, ON_CONTACT)], 120)
    assert figures.back_to_back_contacts == 0 and figures.components.back_to_back == 0.0


# --- rest, bands, headroom ------------------------------------------------------------------------


def test_load_arriving_during_a_break_is_held_until_the_break_ends():
    # a complaint closes at 900 while the agent is already on break (state changed first)
    timeline = [(0, answered(A, "c1", 0)), (0, ON_CONTACT), (900, BREAK), (900, ended(A, "c1", 900, complaint=True))]
    figures, _ = replay(timeline, 900)
    assert figures.recovering and figures.held_points > 0.0
    assert figures.components.emotional_load == 0.0
    figures, _ = replay(timeline + [(1500, AVAILABLE)], 1500)
    assert figures.components.emotional_load == pytest.approx(20.0 * math.exp(-600 / 2700))
    assert figures.held_points == 0.0


def test_emotional_load_recovers_more_slowly_at_rest_than_workload():
    timeline = [*contact(0, 600, complaint=True), (600, BREAK)]
    figures, _ = replay(timeline, 600 + 15 * MINUTE)
    assert figures.components.emotional_load == pytest.approx(20.0 * math.exp(-900 / 2700))


def test_crossing_a_band_is_announced_at_the_instant_it_happens():
    # time on task only, with bands moved low: load 5 points an hour reaches load_at(10) and load_at(20)
    config = StressConfig(elevated_from=10.0, high_from=20.0)
    _, outputs = replay([(0, AVAILABLE)], 3 * HOUR, config=config)
    assert [o.band for o in outputs] == ["elevated", "high"]
    assert outputs[0].at_seconds == pytest.approx(epoch(config.load_at(10.0) / 5.0 * HOUR), abs=1e-3)
    assert outputs[0].score == 10.0


def test_a_brutal_load_keeps_the_score_rising_below_one_hundred():
    timeline = [(0, AVAILABLE)]
    for i in range(8):  # eight 15-min escalated complaints, back to back
        t = i * 900
        timeline += [
            (t, answered(A, f"c{i}", t)),
            (t, ON_CONTACT),
            (t + 1, escalated(A, f"c{i}", t + 1)),
            (t + 900, ended(A, f"c{i}", t + 900, complaint=True)),
        ]
    two, _ = replay(timeline, 7200)
    assert 70.0 <= two.score < 100.0 and two.band == "high"
    c = two.components
    parts = c.workload_intensity + c.continuous_work + c.missed_breaks + c.emotional_load + c.back_to_back
    assert parts + c.shift_overrun == pytest.approx(two.load_points)


def test_the_view_projects_to_now_without_changing_the_track():
    track = stress.initial(CONFIG)
    track, _ = stress.on_state(track, None, AVAILABLE, epoch(0), CONFIG)
    later = stress.view(track, AVAILABLE, epoch(3 * HOUR), CONFIG)
    assert later.components.continuous_work == pytest.approx(15.0)
    assert stress.view(track, AVAILABLE, epoch(0), CONFIG).score == 0.0


@pytest.mark.parametrize("state", [BREAK, LUNCH, LOGGED_OUT])
def test_every_rest_state_decays_the_load_with_the_rest_time_constants(state):
    timeline = [(0, answered(A, "c1", 0)), (0, ON_CONTACT), (300, ended(A, "c1", 300, complaint=True)), (300, state)]
    figures, _ = replay(timeline, 300 + 2700)
    assert figures.components.emotional_load == pytest.approx(10 * math.exp(-1))


def test_inconsistent_settings_are_refused():
    with pytest.raises(ValueError, match="bands"):
        StressConfig(elevated_from=70, high_from=40)
    with pytest.raises(ValueError, match="time constants"):
        StressConfig(rest_time_constant_seconds=0)
    with pytest.raises(ValueError, match="sentiment"):
        StressConfig(sentiment_hostile_at=0.0)


def test_the_rest_requirements_follow_the_break_policy_in_force():
    from floorwatch.core.config import load_config

    required = load_config("screen-work-hse").stress.rest_requirements
    assert [(r.max_work_seconds, r.rest_seconds) for r in required] == [(3600.0, 300.0)]
