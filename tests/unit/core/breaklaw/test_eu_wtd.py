"""EU Working Time Directive (2003/88/EC): each boundary one second either side, as the source words it."""

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
from tests.unit.core.builders import BREAK, LUNCH

R12 = "Art. 4: a working day longer than six hours"
R12_3 = "Art. 4: a rest break (20 min, uninterrupted: the national length)"
R12_DURING = "Art. 4: a rest break is in the working day, not at its start or end"
R10 = "Art. 3: 11 consecutive hours per 24-hour period"

CASES = [
    Case(R12 + " (exactly 6 h: not more)", blocks(6 * 60, HOME), []),
    Case(R12 + " (6 h + 1 s)", blocks(6 * 60 + S, HOME), [("eu-break-over-6h", "statute", 360 + S, 360 + S + DAY_END)]),
    Case(R12_3 + " (20 min)", blocks(3 * 60, (BREAK, 20), 4 * 60, HOME), []),
    Case(
        R12_3 + " (20 min - 1 s)",
        blocks(3 * 60, (BREAK, 20 - S), 4 * 60, HOME),
        [("eu-break-over-6h", "statute", 440 - S, 440 - S + DAY_END)],
    ),
    Case(
        R12_3 + " (10 + 10 with a minute of work between is not uninterrupted)",
        blocks(3 * 60, (BREAK, 10), 1, (BREAK, 10), 4 * 60, HOME),
        [("eu-break-over-6h", "statute", 441, 441 + DAY_END)],
    ),
    Case(
        R12_3 + " (BREAK straight into LUNCH is one period)", blocks(3 * 60, (BREAK, 10), (LUNCH, 10), 4 * 60, HOME), []
    ),
    Case(
        R12_DURING + " (20 min at login)",
        blocks((BREAK, 20), 6 * 60 + 10, HOME),
        [("eu-break-over-6h", "statute", 390, 390 + DAY_END)],
    ),
    Case(
        R12_DURING + " (20 min before the logout)",
        blocks(6 * 60 + 10, (BREAK, 20), HOME),
        [("eu-break-over-6h", "statute", 390, 390 + DAY_END)],
    ),
    Case(R12 + " (a shift across midnight)", blocks(3 * 60, (BREAK, 20), 4 * 60, HOME), [], MIDNIGHT_SHIFT),
    Case(
        R12 + " (a shift across midnight, no break)",
        blocks(7 * 60, HOME),
        [("eu-break-over-6h", "statute", MIDNIGHT_SHIFT + 420, MIDNIGHT_SHIFT + 420 + DAY_END)],
        MIDNIGHT_SHIFT,
    ),
    Case(R10 + " (11 h)", blocks(3 * 60, (BREAK, 20), 4 * 60, rest(11), 60), []),
    Case(
        R10 + " (11 h - 1 s)",
        blocks(3 * 60, (BREAK, 20), 4 * 60, rest(11 - S / 60), 60),
        [("eu-daily-rest", "statute", 440 + 660 - S, 440 + 660 - S + 2)],
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_the_eu_wtd_profile_judges_each_boundary_as_the_directive_words_it(case):
    assert violations("eu-wtd", case) == expected(case)
