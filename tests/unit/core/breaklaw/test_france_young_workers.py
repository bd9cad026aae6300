"""France, young workers (Code du travail L3162-3, L3164-1): each boundary one second either side."""

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

ROW = "L3162-3 al. 1: aucune période de travail ininterrompue ne peut excéder quatre heures et demie"
PAUSE = "L3162-3 al. 2: supérieur à quatre heures et demie, trente minutes consécutives"
REPOS = "L3164-1: douze heures consécutives de repos quotidien"
ROW_RULE, PAUSE_RULE = "fr-young-4h30-in-a-row", "fr-young-pause-30-min"

CASES = [
    Case(ROW + " (exactly 4.5 h)", blocks(270, HOME), []),
    Case(
        ROW + " and " + PAUSE + " (4.5 h + 1 s)",
        blocks(270 + S, HOME),
        [(ROW_RULE, "statute", 270, 272), (PAUSE_RULE, "statute", 270 + S, 270 + S + DAY_END)],
    ),
    Case(PAUSE + " (30 min)", blocks(2 * 60, (BREAK, 30), 3 * 60, HOME), []),
    Case(
        PAUSE + " (30 min - 1 s: neither a pause nor an interruption of the 4.5 h)",
        blocks(2 * 60, (BREAK, 30 - S), 3 * 60, HOME),
        [(ROW_RULE, "statute", 300 - S, 302 - S), (PAUSE_RULE, "statute", 330 - S, 330 - S + DAY_END)],
    ),
    Case(
        PAUSE + " (30 min at login)",
        blocks((BREAK, 30), 4 * 60 + 40, HOME),
        [(ROW_RULE, "statute", 300, 302), (PAUSE_RULE, "statute", 310, 310 + DAY_END)],
    ),
    Case(PAUSE + " (across midnight)", blocks(2 * 60, (BREAK, 30), 3 * 60, HOME), [], MIDNIGHT_SHIFT),
    Case(REPOS + " (12 h)", blocks(2 * 60, (BREAK, 30), 2 * 60, rest(12), 60), []),
    Case(
        REPOS + " (12 h - 1 s)",
        blocks(2 * 60, (BREAK, 30), 2 * 60, rest(12 - S / 60), 60),
        [("fr-young-daily-rest", "statute", 270 + 720 - S, 270 + 720 - S + 2)],
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_the_french_young_workers_profile_judges_each_boundary_as_the_code_words_it(case):
    assert violations("france-young-workers", case) == expected(case)
