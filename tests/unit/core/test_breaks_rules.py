"""Every break-rule primitive against hand-worked timelines (times in minutes after T0).

A timeline is the agent's states with their durations; `fold` replays it the way agent.py
does (advance to each change, then on_state) and views the agent at the end.
"""

from __future__ import annotations

import pytest

from floorwatch.core import breaks
from floorwatch.core.breaks import BreakPolicy, BreakRule
from tests.unit.core.break_folds import breached, fold
from tests.unit.core.builders import AVAILABLE, BREAK, LOGGED_OUT, LUNCH, MINUTE, ON_CONTACT, TRAINING, epoch, schedule

H = 60  # minutes in an hour, for readable tables


def policy_of(*rules, paid=()):
    return BreakPolicy(name="test", rules=tuple(rules), paid_break_states=frozenset(paid))


# --- continuous work: at most 120 min of work without a rest of at least 10 min ------------

CONTINUOUS = policy_of(
    BreakRule("rest-every-2h", "continuous_work", max_work_seconds=120 * MINUTE, minimum_seconds=10 * MINUTE)
)


@pytest.mark.parametrize(
    "segments, expected",
    [
        # exactly 120 min, then a 10-min break: due, never breached
        ([(AVAILABLE, 120), (BREAK, 10)], []),
        # 123 min without rest: due at 120, flagged after the 2-min grace at 122
        ([(AVAILABLE, 123)], [("rest-every-2h", 120, 122)]),
        # 121 min then a break: a breach all the same; the grace only delays the alert to 122
        ([(AVAILABLE, 121), (BREAK, 10)], [("rest-every-2h", 120, 122)]),
        # one second over the limit is over it ("more than 120 min")
        ([(AVAILABLE, 120 + 1 / 60), (BREAK, 10)], [("rest-every-2h", 120, 122)]),
        # a 9-min break is too short: work goes on counting, 60 + 60 = 120 reached at 60 + 9 + 60 = 129
        ([(AVAILABLE, 60), (BREAK, 9), (ON_CONTACT, 65)], [("rest-every-2h", 129, 131)]),
        # a 10-min break resets the count: 115 more minutes are fine
        ([(AVAILABLE, 60), (BREAK, 10), (AVAILABLE, 115)], []),
        # a logout of 15 min is a rest too
        ([(AVAILABLE, 100), (LOGGED_OUT, 15), (AVAILABLE, 100)], []),
        # training is work: 100 + 30 passes 120 at minute 120
        ([(AVAILABLE, 100), (TRAINING, 30)], [("rest-every-2h", 120, 122)]),
        # breached twice: 130 min, a rest, 130 min again (second deadline 130 + 10 + 120 = 260)
        ([(AVAILABLE, 130), (BREAK, 10), (AVAILABLE, 130)], [("rest-every-2h", 120, 122), ("rest-every-2h", 260, 262)]),
        # a rest must be uninterrupted: 5 + 5 with a minute of work between does not count;
        # work is 101 at minute 111, so 120 is reached at 130
        ([(AVAILABLE, 100), (BREAK, 5), (AVAILABLE, 1), (BREAK, 5), (AVAILABLE, 30)], [("rest-every-2h", 130, 132)]),
        # BREAK straight into LUNCH is one uninterrupted rest
        ([(AVAILABLE, 100), (BREAK, 5), (LUNCH, 5), (AVAILABLE, 100)], []),
    ],
)
def test_continuous_work_rule_flags_work_beyond_the_limit_without_a_long_enough_rest(segments, expected):
    _, outputs, _ = fold(CONTINUOUS, segments)
    assert breached(outputs) == expected


def test_continuous_work_says_when_the_next_rest_is_due_and_when_it_is_overdue():
    figures, _, _ = fold(CONTINUOUS, [(AVAILABLE, 90)])
    assert figures.break_due_in_seconds == pytest.approx(30 * MINUTE)
    assert figures.break_due_rule == "rest-every-2h"
    assert figures.break_due_minimum_seconds == 10 * MINUTE
    assert not figures.overdue
    figures, _, _ = fold(CONTINUOUS, [(AVAILABLE, 125)])
    assert figures.break_due_in_seconds == pytest.approx(-5 * MINUTE)
    assert figures.overdue and figures.overdue_rules == ("rest-every-2h",)


def test_an_agent_on_a_break_is_not_overdue_even_before_the_rest_counts():
    figures, _, _ = fold(CONTINUOUS, [(AVAILABLE, 125), (BREAK, 3)])
    assert not figures.overdue
    figures, _, _ = fold(CONTINUOUS, [(AVAILABLE, 125), (BREAK, 10)])
    assert figures.break_due_in_seconds == pytest.approx(120 * MINUTE)


# --- rest by worked time: 20 min in one piece when the working day exceeds 6 hours ---------

DAY_OVER_6H = policy_of(
    BreakRule("break-over-6h", "rest_by_worked", after_worked_seconds=6 * H * MINUTE, minimum_seconds=20 * MINUTE)
)
GOES_HOME = (LOGGED_OUT, 5 * H)  # longer than the 4 h that end the working day


@pytest.mark.parametrize(
    "segments, expected",
    [
        # 7 h without a break: judged when the day ends (4 h after the logout at 420), due at 420
        ([(AVAILABLE, 7 * H), GOES_HOME], [("break-over-6h", 420, 420 + 4 * H)]),
        # a 20-min break in the middle of the day
        ([(AVAILABLE, 3 * H), (BREAK, 20), (AVAILABLE, 4 * H), GOES_HOME], []),
        # 10 + 10 does not make 20 when the break may not be split
        (
            [(AVAILABLE, 3 * H), (BREAK, 10), (AVAILABLE, 60), (BREAK, 10), (AVAILABLE, 3 * H), GOES_HOME],
            [("break-over-6h", 440, 440 + 4 * H)],
        ),
        # a 5-h day needs no break
        ([(AVAILABLE, 5 * H), GOES_HOME], []),
        # exactly 6 h is not "more than 6 h"
        ([(AVAILABLE, 6 * H), GOES_HOME], []),
        # a lunch taken logged out (45 min) is the break, and does not end the day
        ([(AVAILABLE, 4 * H), (LOGGED_OUT, 45), (AVAILABLE, 4 * H), GOES_HOME], []),
    ],
)
def test_rest_by_worked_without_a_latest_start_is_judged_when_the_working_day_ends(segments, expected):
    _, outputs, _ = fold(DAY_OVER_6H, segments)
    assert breached(outputs) == expected


def test_rest_by_worked_is_due_from_the_trigger_but_not_overdue_before_the_day_ends():
    figures, outputs, _ = fold(DAY_OVER_6H, [(AVAILABLE, 5 * H)])
    assert figures.break_due_in_seconds == pytest.approx(60 * MINUTE)
    figures, outputs, _ = fold(DAY_OVER_6H, [(AVAILABLE, 7 * H)])
    assert figures.break_due_in_seconds == 0.0 and not figures.overdue and outputs == []
    figures, _, _ = fold(DAY_OVER_6H, [(AVAILABLE, 3 * H), (BREAK, 20), (AVAILABLE, 4 * H)])
    assert figures.break_due_rule is None and figures.break_due_in_seconds is None


SPLIT_30 = policy_of(
    BreakRule(
        "thirty-in-quarters",
        "rest_by_worked",
        after_worked_seconds=6 * H * MINUTE,
        minimum_seconds=30 * MINUTE,
        splittable=True,
        min_slice_seconds=15 * MINUTE,
    )
)


@pytest.mark.parametrize(
    "segments, expected",
    [
        # two slices of 15 make 30
        ([(AVAILABLE, 2 * H), (BREAK, 15), (AVAILABLE, 3 * H), (BREAK, 15), (AVAILABLE, 2 * H), GOES_HOME], []),
        # 15 + 14: the short slice does not count
        (
            [(AVAILABLE, 2 * H), (BREAK, 15), (AVAILABLE, 3 * H), (BREAK, 14), (AVAILABLE, 2 * H), GOES_HOME],
            [("thirty-in-quarters", 449, 449 + 4 * H)],
        ),
        # one 30-min lunch
        ([(AVAILABLE, 4 * H), (LUNCH, 30), (AVAILABLE, 3 * H), GOES_HOME], []),
    ],
)
def test_a_splittable_rest_counts_slices_of_at_least_the_minimum_slice(segments, expected):
    _, outputs, _ = fold(SPLIT_30, segments)
    assert breached(outputs) == expected


BY_6TH_HOUR = policy_of(
    BreakRule(
        "pause-by-6h",
        "rest_by_worked",
        after_worked_seconds=6 * H * MINUTE,
        latest_start_worked_seconds=6 * H * MINUTE,
        minimum_seconds=20 * MINUTE,
    )
)


@pytest.mark.parametrize(
    "segments, expected",
    [
        # 6 h 03 without a pause: due at 360, flagged at 362
        ([(AVAILABLE, 6 * H + 3)], [("pause-by-6h", 360, 362)]),
        # pause started at 5 h 50
        ([(AVAILABLE, 5 * H + 50), (BREAK, 20), (AVAILABLE, 2 * H)], []),
        # pause started a minute after the deadline: missed; the grace only delays the alert
        ([(AVAILABLE, 6 * H + 1), (BREAK, 20), (AVAILABLE, 2 * H)], [("pause-by-6h", 360, 362)]),
        # pause started exactly at the deadline: in time
        ([(AVAILABLE, 6 * H), (BREAK, 20), (AVAILABLE, 2 * H)], []),
        # unpaid rest does not count as work: a 15-min break (too short) pushes the deadline to 375
        ([(AVAILABLE, 5 * H), (BREAK, 15), (AVAILABLE, 2 * H)], [("pause-by-6h", 375, 377)]),
    ],
)
def test_rest_by_worked_with_a_latest_start_is_breached_at_that_much_work(segments, expected):
    _, outputs, _ = fold(BY_6TH_HOUR, segments)
    assert breached(outputs) == expected


def test_a_missed_latest_start_stays_a_violation_but_stops_being_overdue_once_the_break_is_taken():
    figures, outputs, _ = fold(BY_6TH_HOUR, [(AVAILABLE, 6 * H + 10)])
    assert figures.overdue and figures.break_due_in_seconds == pytest.approx(-10 * MINUTE)
    figures, outputs, _ = fold(BY_6TH_HOUR, [(AVAILABLE, 6 * H + 10), (BREAK, 20), (AVAILABLE, 10)])
    assert not figures.overdue
    assert breached(outputs) == [("pause-by-6h", 360, 362)]
    assert figures.violations_total == 1 and figures.violations_by_rule == {"pause-by-6h": 1}


MEAL_WAIVABLE = policy_of(
    BreakRule(
        "meal",
        "rest_by_worked",
        after_worked_seconds=5 * H * MINUTE,
        latest_start_worked_seconds=5 * H * MINUTE,
        minimum_seconds=30 * MINUTE,
        rest_states=frozenset({LUNCH, LOGGED_OUT}),
        waived_if_day_at_most_seconds=6 * H * MINUTE,
    )
)


@pytest.mark.parametrize(
    "segments, planned_hours, expected",
    [
        # waived: the day stays at 5 h 30 (at most 6 h)
        ([(AVAILABLE, 5 * H + 30), GOES_HOME], None, []),
        # the day passes 6 h: the meal was due at 5 h; flagged when the waiver stopped covering it
        ([(AVAILABLE, 6 * H + 10)], None, [("meal", 300, 360)]),
        # the schedule says 8 h of work: no waiver, flagged after the grace
        ([(AVAILABLE, 5 * H + 3)], 8, [("meal", 300, 302)]),
        # the schedule says 5.5 h of work but the agent stays on to 6 h 10: the day decides
        ([(AVAILABLE, 6 * H + 10)], 5.5, [("meal", 300, 360)]),
        # meal taken in time
        ([(AVAILABLE, 4 * H + 30), (LUNCH, 30), (AVAILABLE, 3 * H)], 8, []),
    ],
)
def test_a_waiver_lifts_the_rule_for_days_that_stay_short(segments, planned_hours, expected):
    plan = None
    if planned_hours is not None:
        plan = schedule("a1", 0, planned_hours * 3600)
    _, outputs, _ = fold(MEAL_WAIVABLE, segments, plan)
    assert breached(outputs) == expected


def test_a_paid_rest_counts_as_work_so_the_meal_deadline_can_pass_during_it():
    # California: rest breaks are paid hours worked. Work 4 h 55, then a 10-min paid break:
    # worked time reaches 5 h at minute 300 during the break; judged when the break ends
    # (minute 305) because it might have been the meal; it was not.
    meal = BreakRule(
        "meal",
        "rest_by_worked",
        after_worked_seconds=5 * H * MINUTE,
        latest_start_worked_seconds=5 * H * MINUTE,
        minimum_seconds=30 * MINUTE,
        rest_states=frozenset({LUNCH, LOGGED_OUT}),
    )
    _, outputs, _ = fold(policy_of(meal, paid=(BREAK,)), [(AVAILABLE, 4 * H + 55), (BREAK, 10), (LUNCH, 30)])
    assert breached(outputs) == [("meal", 300, 302)]
    _, outputs, _ = fold(policy_of(meal), [(AVAILABLE, 4 * H + 55), (BREAK, 10), (LUNCH, 30)])
    assert breached(outputs) == []  # unpaid: worked stays at 4 h 55 during the break


# --- one rest per 4 hours worked or major fraction (California rest periods) ----------------

REST_PER_4H = policy_of(
    BreakRule(
        "rest",
        "count_per_worked",
        per_worked_seconds=4 * H * MINUTE,
        major_fraction=True,
        after_worked_seconds=3.5 * H * MINUTE,
        minimum_seconds=10 * MINUTE,
        rest_states=frozenset({BREAK}),
    ),
    paid=(BREAK,),
)


@pytest.mark.parametrize(
    "segments, expected",
    [
        # under 3.5 h: no rest needed (3 h 29)
        ([(AVAILABLE, 3 * H + 29), GOES_HOME], []),
        # 3 h 35 with no rest: one was needed; judged when the day ends (logout 215, known 4 h later)
        ([(AVAILABLE, 3 * H + 35), GOES_HOME], [("rest", 215, 455)]),
        # one rest at 2 h; 2 h + 10 (paid) + 3 h 50 = 6 h worked: 6 h is not more than 6, one is enough
        ([(AVAILABLE, 2 * H), (BREAK, 10), (AVAILABLE, 3 * H + 50), GOES_HOME], []),
        # ... 4 h after the rest: 6 h 10 worked calls for two
        ([(AVAILABLE, 2 * H), (BREAK, 10), (AVAILABLE, 4 * H), GOES_HOME], [("rest", 370, 610)]),
        # two rests, 7 h worked: fine (a third only over 10 h)
        ([(AVAILABLE, 2 * H), (BREAK, 10), (AVAILABLE, 3 * H), (BREAK, 10), (AVAILABLE, 100), GOES_HOME], []),
        # a 9-min rest is not a rest period
        ([(AVAILABLE, 2 * H), (BREAK, 9), (AVAILABLE, 2 * H), GOES_HOME], [("rest", 249, 489)]),
        # a day still going is not judged yet
        ([(AVAILABLE, 3 * H + 35)], []),
    ],
)
def test_count_per_worked_is_judged_by_the_days_length_when_it_ends(segments, expected):
    _, outputs, _ = fold(REST_PER_4H, segments)
    assert breached(outputs) == expected


def test_count_per_worked_says_when_the_next_rest_is_due_and_that_one_is_required_now():
    figures, _, _ = fold(REST_PER_4H, [(AVAILABLE, 2 * H), (BREAK, 10), (AVAILABLE, 60)])
    # worked 3 h 10 (the paid rest included); a second rest is needed once the day passes 6 h
    assert figures.worked_seconds == pytest.approx(190 * MINUTE)
    assert figures.break_due_in_seconds == pytest.approx(170 * MINUTE)
    assert figures.required == ()
    figures, _, _ = fold(REST_PER_4H, [(AVAILABLE, 3 * H + 40)])
    assert [(r.rule, r.missing) for r in figures.required] == [("rest", 1)]
    assert figures.break_due_in_seconds == 0 and not figures.overdue


# --- overrun: a break running past its allowed or scheduled length + grace -----------------

OVERRUN = BreakPolicy(
    name="test",
    rules=(BreakRule("break-overrun", "overrun", rest_states=frozenset({BREAK, LUNCH})),),
    allowed_break_seconds=((BREAK, 15 * MINUTE), (LUNCH, 60 * MINUTE)),
)


@pytest.mark.parametrize(
    "segments, plan, expected",
    [
        ([(AVAILABLE, 60), (BREAK, 17), (AVAILABLE, 10)], None, []),
        ([(AVAILABLE, 60), (BREAK, 18), (AVAILABLE, 10)], None, [("break-overrun", 75, 77)]),
        ([(AVAILABLE, 60), (LUNCH, 62), (AVAILABLE, 10)], None, []),
        ([(AVAILABLE, 60), (LUNCH, 63), (AVAILABLE, 10)], None, [("break-overrun", 120, 122)]),
        # the scheduled length (10 min, 60-70) is the allowance: started at 61, 13 min is over 10 + 2
        ([(AVAILABLE, 61), (BREAK, 13), (AVAILABLE, 10)], (("break", 60, 70),), [("break-overrun", 71, 73)]),
        ([(AVAILABLE, 61), (BREAK, 12), (AVAILABLE, 10)], (("break", 60, 70),), []),
        # BREAK then LUNCH are two breaks, each with its own allowance
        ([(AVAILABLE, 60), (BREAK, 10), (LUNCH, 50), (AVAILABLE, 10)], None, []),
    ],
)
def test_a_break_overruns_only_past_its_allowance_and_the_grace(segments, plan, expected):
    planned = None
    if plan is not None:
        planned = schedule("a1", 0, 8 * 3600, tuple((kind, start * MINUTE, end * MINUTE) for kind, start, end in plan))
    _, outputs, _ = fold(OVERRUN, segments, planned)
    assert breached(outputs) == expected


def test_breaks_taken_are_listed_with_start_end_and_kind():
    figures, _, _ = fold(OVERRUN, [(AVAILABLE, 60), (BREAK, 10), (AVAILABLE, 60), (LUNCH, 30)])
    taken = [
        (
            b.kind,
            (b.start_seconds - epoch(0)) / MINUTE,
            None if b.end_seconds is None else (b.end_seconds - epoch(0)) / MINUTE,
        )
        for b in figures.breaks_taken
    ]
    assert taken == [("BREAK", 60, 70), ("LUNCH", 130, None)]
    assert figures.on_break and figures.on_shift


def test_a_new_working_day_starts_the_rules_afresh():
    _, outputs, _end = fold(CONTINUOUS, [(AVAILABLE, 110), GOES_HOME, (AVAILABLE, 110)])
    assert breached(outputs) == []


def test_team_compliance_ratio_counts_agents_on_shift_with_no_break_overdue_under_the_counted_bases():
    due, _, _ = fold(CONTINUOUS, [(AVAILABLE, 90)])
    overdue, _, _ = fold(CONTINUOUS, [(AVAILABLE, 130)])
    home, _, _ = fold(CONTINUOUS, [(AVAILABLE, 130), (LOGGED_OUT, 10)])
    # the test rule has no basis: house policy, which the default (statute-only) ratio leaves out
    assert breaks.team_compliance_ratio([due, overdue, home]) == 1.0
    assert breaks.team_compliance_ratio([due, overdue, home], ("house_policy",)) == pytest.approx(0.5)
    assert breaks.team_compliance_ratio([home]) is None
