"""The `default` profile: floorwatch's house rule beside the EU minimum and daily rest."""

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

HOUSE = "floorwatch default: no more than 120 min of work without a 10-min rest"
ART4 = "Directive 2003/88/EC Art. 4: a working day longer than six hours"
ART3 = "Directive 2003/88/EC Art. 3: 11 consecutive hours of daily rest"
OVERRUN = "floorwatch house policy: a break ends within its allowance (20 min) + 2 min"

CASES = [
    Case(HOUSE + " (exactly 120 min)", blocks(120, (BREAK, 10), 60, HOME), []),
    Case(
        HOUSE + " (120 min + 1 s)",
        blocks(120 + S, (BREAK, 10), 60, HOME),
        [("rest-every-2h", "house_policy", 120, 122)],
    ),
    Case(ART4 + " (6 h, rests of 10)", blocks(110, (BREAK, 10), 110, (BREAK, 10), 110, (BREAK, 10), 30, HOME), []),
    Case(
        ART4 + " (6 h + 1 s, rests of 10 only)",
        blocks(110, (BREAK, 10), 110, (BREAK, 10), 110, (BREAK, 10), 30 + S, HOME),
        [("break-over-6h", "statute", 390 + S, 390 + S + DAY_END)],
    ),
    Case(ART4 + " (a 30-min lunch)", blocks(110, (BREAK, 10), 110, (LUNCH, 30), 110, (BREAK, 10), 60, HOME), []),
    Case(OVERRUN + " (22 min)", blocks(60, (BREAK, 22), 30, HOME), []),
    Case(
        OVERRUN + " (22 min + 1 s)", blocks(60, (BREAK, 22 + S), 30, HOME), [("break-overrun", "house_policy", 80, 82)]
    ),
    Case(
        ART4 + " (across midnight)",
        blocks(110, (BREAK, 20), 110, (BREAK, 10), 110, (BREAK, 10), 60, HOME),
        [],
        MIDNIGHT_SHIFT,
    ),
    Case(ART3 + " (11 h)", blocks(110, (BREAK, 10), 110, rest(11), 60), []),
    Case(
        ART3 + " (11 h - 1 s)",
        blocks(110, (BREAK, 10), 110, rest(11 - S / 60), 60),
        [("daily-rest-11h", "statute", 230 + 660 - S, 230 + 660 - S + 2)],
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_the_default_profile_judges_each_boundary_and_names_its_basis(case):
    assert violations("default", case) == expected(case)
