"""France (Code du travail L3121-16, L3131-1): each boundary one second either side."""

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

DES_QUE = "L3121-16: dès que le temps de travail quotidien atteint six heures"
VINGT = "L3121-16: vingt minutes consécutives"
INTERRUPT = "L3121-16: une pause interrompt la journée de travail"
REPOS = "L3131-1: repos quotidien de onze heures consécutives"
RULE = "fr-pause-20-min"

CASES = [
    Case(DES_QUE + " (6 h - 1 s: not reached)", blocks(6 * 60 - S, HOME), []),
    Case(DES_QUE + " (exactly 6 h reaches it)", blocks(6 * 60, HOME), [(RULE, "statute", 360, 360 + DAY_END)]),
    Case(DES_QUE + " (pause starting at 6 h)", blocks(6 * 60, (BREAK, 20), 2 * 60), []),
    Case(
        DES_QUE + " (pause starting at 6 h + 1 s)",
        blocks(6 * 60 + S, (BREAK, 20), 2 * 60),
        [(RULE, "statute", 360, 362)],
    ),
    Case(VINGT + " (20 min)", blocks(5 * 60, (BREAK, 20), 2 * 60), []),
    Case(VINGT + " (20 min - 1 s)", blocks(5 * 60, (BREAK, 20 - S), 2 * 60), [(RULE, "statute", 380 - S, 382 - S)]),
    Case(
        VINGT + " (10 + 10 is not consecutive)",
        blocks(5 * 60, (BREAK, 10), 30, (BREAK, 10), 60),
        [(RULE, "statute", 380, 382)],
    ),
    Case(INTERRUPT + " (20 min at login)", blocks((BREAK, 20), 6 * 60 + 10), [(RULE, "statute", 380, 382)]),
    Case(
        INTERRUPT + " (a short day: 20 min before the logout)",
        blocks(6 * 60, (BREAK, 20), HOME),
        [(RULE, "statute", 380, 380 + DAY_END)],
    ),
    Case(
        DES_QUE + " (across midnight)",
        blocks(6 * 60 + S, (BREAK, 20), 60),
        [(RULE, "statute", MIDNIGHT_SHIFT + 360, MIDNIGHT_SHIFT + 362)],
        MIDNIGHT_SHIFT,
    ),
    Case(REPOS + " (11 h)", blocks(3 * 60, (BREAK, 20), 2 * 60, rest(11), 60), []),
    Case(
        REPOS + " (11 h - 1 s)",
        blocks(3 * 60, (BREAK, 20), 2 * 60, rest(11 - S / 60), 60),
        [("fr-daily-rest", "statute", 320 + 660 - S, 320 + 660 - S + 2)],
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_the_french_profile_judges_each_boundary_as_the_code_words_it(case):
    assert violations("france", case) == expected(case)
