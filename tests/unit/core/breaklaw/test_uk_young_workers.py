"""UK young workers (WTR 1998 regs. 10(2), 12(4)): each boundary one second either side."""

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
from tests.unit.core.breaklaw.law_table import rest_between_days as rest
from tests.unit.core.builders import BREAK

R12_4 = "reg. 12(4): more than four and a half hours, at least 30 minutes"
R10_2 = "reg. 10(2): not less than twelve consecutive hours of rest"
RULE = "uk-young-worker-break"

CASES = [
    Case(R12_4 + " (exactly 4.5 h)", blocks(270, HOME), []),
    Case(R12_4 + " (4.5 h + 1 s)", blocks(270 + S, HOME), [(RULE, "statute", 270 + S, 270 + S + DAY_END)]),
    Case(R12_4 + " (30 min)", blocks(2 * 60, (BREAK, 30), 3 * 60, HOME), []),
    Case(
        R12_4 + " (30 min - 1 s)",
        blocks(2 * 60, (BREAK, 30 - S), 3 * 60, HOME),
        [(RULE, "statute", 330 - S, 330 - S + DAY_END)],
    ),
    Case(
        R12_4 + " (15 + 15: floorwatch asks for one piece)",
        blocks(2 * 60, (BREAK, 15), 60, (BREAK, 15), 2 * 60, HOME),
        [(RULE, "statute", 330, 330 + DAY_END)],
    ),
    Case(
        R12_4 + " (the adult 20 min is not enough)",
        blocks(3 * 60, (BREAK, 20), 2 * 60, HOME),
        [(RULE, "statute", 320, 320 + DAY_END)],
    ),
    Case(
        R12_4 + " (30 min at login does not count)",
        blocks((BREAK, 30), 5 * 60, HOME),
        [(RULE, "statute", 330, 330 + DAY_END)],
    ),
    Case(
        R12_4 + " (30 min before the logout does not count)",
        blocks(5 * 60, (BREAK, 30), HOME),
        [(RULE, "statute", 330, 330 + DAY_END)],
    ),
    Case(R12_4 + " (across midnight)", blocks(2 * 60, (BREAK, 30), 3 * 60, HOME), [], MIDNIGHT_SHIFT),
    Case(R10_2 + " (12 h)", blocks(2 * 60, (BREAK, 30), 2 * 60, rest(12), 60), []),
    Case(
        R10_2 + " (12 h - 1 s; 11 h would do for an adult)",
        blocks(2 * 60, (BREAK, 30), 2 * 60, rest(12 - S / 60), 60),
        [("uk-young-worker-daily-rest", "statute", 270 + 720 - S, 270 + 720 - S + 2)],
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_the_uk_young_workers_profile_judges_each_boundary_as_the_regulations_word_it(case):
    assert violations("uk-young-workers", case) == expected(case)
