"""Break adherence against the schedule (docs/breaks.md), on hand-worked 8-hour shifts.

The plan for every case: shift 0-480 min; break 120-135, lunch 240-270, break 360-375.
Outside those, scheduled time is work (AVAILABLE or handling is in adherence).
"""

from __future__ import annotations

import pytest

from floorwatch.core.breaks import BreakPolicy
from floorwatch.core.breaks.adherence_model import AdherenceConfig, AdherenceExceptionStarted, ScheduledBreakMissed
from tests.unit.core.break_folds import fold
from tests.unit.core.builders import AVAILABLE, BREAK, LUNCH, MEETING, MINUTE, ON_CONTACT, epoch, schedule

PLAN = schedule(
    "a1",
    0,
    480 * MINUTE,
    (
        ("break", 120 * MINUTE, 135 * MINUTE),
        ("lunch", 240 * MINUTE, 270 * MINUTE),
        ("break", 360 * MINUTE, 375 * MINUTE),
    ),
)
NO_RULES = BreakPolicy(name="adherence-only", rules=())


def day(*segments, policy=NO_RULES, start_minute=0.0):
    figures, outputs, _ = fold(policy, list(segments), PLAN, start_minute)
    return figures.adherence, outputs


def minutes(seconds):
    return round((seconds - epoch(0)) / MINUTE, 6)


def test_a_day_as_planned_is_fully_in_adherence_and_every_break_on_time():
    figures, outputs = day(
        (AVAILABLE, 120), (BREAK, 15), (ON_CONTACT, 105), (LUNCH, 30), (AVAILABLE, 90), (BREAK, 15), (AVAILABLE, 105)
    )
    assert figures.adherence_ratio == 1.0
    assert figures.scheduled_seconds == 480 * MINUTE
    assert [b.status for b in figures.scheduled_breaks] == ["on_time", "on_time", "on_time"]
    assert figures.exceptions_total == 0 and outputs == []


def test_a_late_break_is_out_of_adherence_on_both_sides_and_raises_exceptions_after_the_tolerance():
    # break taken 128-143 instead of 120-135: out 120-128 (working in a break) and 135-143
    # (on break during work): 8 + 8 = 16 min out of 480, each run past the 5-min tolerance
    figures, outputs = day(
        (AVAILABLE, 128), (BREAK, 15), (AVAILABLE, 97), (LUNCH, 30), (AVAILABLE, 90), (BREAK, 15), (AVAILABLE, 105)
    )
    assert figures.in_adherence_seconds == pytest.approx(464 * MINUTE)
    assert figures.adherence_ratio == pytest.approx(464 / 480)
    exceptions = [
        (o.activity, o.state, minutes(o.since_seconds), minutes(o.at_seconds))
        for o in outputs
        if isinstance(o, AdherenceExceptionStarted)
    ]
    assert exceptions == [("break", "AVAILABLE", 120, 125), ("work", "BREAK", 135, 140)]
    first = figures.scheduled_breaks[0]
    assert (first.status, first.start_offset_seconds, first.length_seconds) == ("late", 8 * MINUTE, 15 * MINUTE)


def test_a_deviation_shorter_than_the_tolerance_raises_no_exception():
    figures, outputs = day(
        (AVAILABLE, 123), (BREAK, 15), (AVAILABLE, 102), (LUNCH, 30), (AVAILABLE, 90), (BREAK, 15), (AVAILABLE, 105)
    )
    assert not [o for o in outputs if isinstance(o, AdherenceExceptionStarted)]
    assert figures.adherence_ratio == pytest.approx(474 / 480)  # 3 min late, 3 min over: 6 out
    assert figures.scheduled_breaks[0].status == "on_time"  # within the 5-min start grace


def test_a_break_not_started_by_its_planned_start_plus_grace_is_missed():
    figures, outputs = day((AVAILABLE, 120), (BREAK, 15), (AVAILABLE, 300))
    missed = [
        (o.kind, minutes(o.planned_start_seconds), minutes(o.at_seconds))
        for o in outputs
        if isinstance(o, ScheduledBreakMissed)
    ]
    assert missed == [("lunch", 240, 245), ("break", 360, 365)]
    assert [b.status for b in figures.scheduled_breaks] == ["on_time", "missed", "missed"]


@pytest.mark.parametrize(
    "segments, status",
    [
        ([(AVAILABLE, 120), (BREAK, 10), (AVAILABLE, 10)], "short"),  # 10 of 15 planned: beyond the 2-min grace
        ([(AVAILABLE, 120), (BREAK, 13), (AVAILABLE, 10)], "on_time"),  # 2 short: within the grace
        ([(AVAILABLE, 120), (BREAK, 20), (AVAILABLE, 10)], "long"),
        ([(AVAILABLE, 110), (BREAK, 15), (AVAILABLE, 10)], "early"),
        ([(AVAILABLE, 120), (BREAK, 5)], "taking"),
        ([(AVAILABLE, 100)], "upcoming"),
    ],
)
def test_each_scheduled_break_gets_a_status(segments, status):
    figures, _ = day(*segments)
    assert figures.scheduled_breaks[0].status == status


def test_neutral_states_count_neither_for_nor_against_adherence():
    neutral = BreakPolicy(name="n", rules=(), adherence=AdherenceConfig(neutral=(("work", frozenset({MEETING})),)))
    figures, _ = day((AVAILABLE, 60), (MEETING, 30), (AVAILABLE, 30), policy=neutral)
    assert figures.scheduled_seconds == pytest.approx(90 * MINUTE)
    assert figures.adherence_ratio == 1.0
    figures, _ = day((AVAILABLE, 60), (MEETING, 30), (AVAILABLE, 30))
    assert figures.adherence_ratio == pytest.approx(90 / 120)


def test_without_a_schedule_there_are_no_adherence_figures():
    figures, outputs, _ = fold(NO_RULES, [(AVAILABLE, 60), (BREAK, 15)])
    assert figures.adherence is None and outputs == []


def test_a_scheduled_break_sets_the_overrun_allowance():
    figures, _, _ = fold(NO_RULES, [(AVAILABLE, 240), (LUNCH, 10)], PLAN)
    current = figures.breaks_taken[-1]
    assert current.scheduled and current.allowed_seconds == 30 * MINUTE


def test_a_first_login_after_the_shift_began_counts_the_time_before_it_as_out_of_adherence():
    # first event ever at minute 20 of a shift published beforehand
    figures, outputs = day((AVAILABLE, 100), start_minute=20)
    assert figures.scheduled_seconds == pytest.approx(120 * MINUTE)
    assert figures.adherence_ratio == pytest.approx(100 / 120)
    exceptions = [
        (o.activity, o.state, minutes(o.since_seconds), minutes(o.at_seconds))
        for o in outputs
        if isinstance(o, AdherenceExceptionStarted)
    ]
    assert exceptions == [("work", None, 0, 5)]
