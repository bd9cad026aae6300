"""California (Labor Code § 512; IWC Wage Order 4 §§ 11-12; Brinker 2012): each boundary one
second either side. Rest periods are paid (BREAK counts as hours worked); meals are not."""

from __future__ import annotations

import pytest

from tests.unit.core.breaklaw.law_table import (
    DAY_END,
    HOME,
    MIDNIGHT_SHIFT,
    Case,
    S,
    blocks,
    expected,
    params,
    violations,
)
from tests.unit.core.builders import BREAK, LOGGED_OUT, LUNCH

MEAL_1 = "§ 512(a): a work period of more than five hours, a meal by the end of the 5th hour"
MEAL_2 = "§ 512(a): more than 10 hours, a second meal period of not less than 30 minutes"
REST = "WO 4 § 12(A): 10 min per four hours or major fraction; none under 3.5 hours"
NOT_A_REST = "WO 4 § 12(A): a meal is not a rest period"
MIDDLE = "WO 4 § 12(A): rest in the middle of each work period, not at its start or end"
R = (BREAK, 10)  # a rest period

CASES = [
    # worked 120 + 10 (paid) + 170 = 300: exactly 5 h needs no meal; 5 h + 1 s does, from 5 h
    Case(MEAL_1 + " (exactly 5 h)", blocks(2 * 60, R, 170, HOME), []),
    Case(MEAL_1 + " (5 h + 1 s)", blocks(2 * 60, R, 170 + S, HOME), [("ca-meal-1", "statute", 300, 302)]),
    # a meal starting at 5 h 01 is late; the 2-min grace delays the alert, it does not excuse it
    Case(MEAL_1 + " (meal at 4 h 59)", blocks(2 * 60, R, 169, (LUNCH, 30), 51, R, 10, HOME), []),
    Case(
        MEAL_1 + " (meal at 5 h 01)",
        blocks(2 * 60, R, 171, (LUNCH, 30), 49, R, 10, HOME),
        [("ca-meal-1", "statute", 300, 302)],
    ),
    Case(
        MEAL_1 + " (meal 30 min - 1 s)",
        blocks(2 * 60, R, 2 * 60, (LUNCH, 30 - S), 60, HOME),
        [("ca-meal-1", "statute", 330 - S, 332 - S)],
    ),
    # 120 + 10 + 120 | meal | 120 + 10 + 120 + 10 + X: worked 610 needs a second meal
    Case(
        MEAL_2 + " (one 60-min meal is not a second meal period)",
        blocks(2 * 60, R, 2 * 60, (LUNCH, 60), 2 * 60, R, 2 * 60, R, 100, HOME),
        [("ca-meal-2", "statute", 660, 662)],
    ),
    Case(
        MEAL_2 + " (exactly 10 h, one meal)", blocks(2 * 60, R, 2 * 60, (LUNCH, 30), 2 * 60, R, 2 * 60, R, 90, HOME), []
    ),
    Case(
        MEAL_2 + " (two meals in 10 h 40)",
        blocks(2 * 60, R, 2 * 60, (LUNCH, 30), 2 * 60, R, 2 * 60, (LUNCH, 30), 2 * 60, R, 10, HOME),
        [],
    ),
    Case(REST + " (3.5 h - 1 s)", blocks(210 - S, HOME), []),
    Case(REST + " (exactly 3.5 h)", blocks(210, HOME), [("ca-rest", "statute", 210, 210 + DAY_END)]),
    Case(REST + " (exactly 6 h: one)", blocks(2 * 60, R, 110, (LUNCH, 30), 120, HOME), []),
    Case(
        REST + " (6 h + 1 s: two)",
        blocks(2 * 60, R, 230 + S, (LUNCH, 30), HOME),
        [
            ("ca-meal-1", "statute", 300, 302),
            ("ca-rest", "statute", 390 + S, 390 + S + DAY_END),
        ],
    ),
    Case(
        REST + " (10 min - 1 s)",
        blocks(2 * 60, (BREAK, 10 - S), 2 * 60, HOME),
        [("ca-rest", "statute", 250 - S, 250 - S + DAY_END)],
    ),
    Case(
        NOT_A_REST + " (a meal logged out)",
        blocks(2 * 60, (LOGGED_OUT, 30), 100, HOME),
        [("ca-rest", "statute", 250, 250 + DAY_END)],
    ),
    Case(MIDDLE + " (rest at login)", blocks(R, 220, HOME), [("ca-rest", "statute", 230, 230 + DAY_END)]),
    Case(MIDDLE + " (rest before the logout)", blocks(220, R, HOME), [("ca-rest", "statute", 230, 230 + DAY_END)]),
    Case(
        MEAL_1 + " (across midnight)",
        blocks(2 * 60, R, 170 + S, HOME),
        [("ca-meal-1", "statute", MIDNIGHT_SHIFT + 300, MIDNIGHT_SHIFT + 302)],
        MIDNIGHT_SHIFT,
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_the_california_profile_judges_each_boundary_as_the_code_and_wage_order_word_it(case):
    assert violations("california", case) == expected(case)
