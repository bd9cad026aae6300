"""Germany (Arbeitszeitgesetz §§ 4, 5): each boundary one second either side, as the Act words it."""

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

# BREAK may run 15 min before floorwatch's house overrun rule looks at it (germany.yaml), so
# the 30-minute pauses here are taken as LUNCH.
ROW = "§ 4 Satz 3: nicht länger als sechs Stunden hintereinander ohne Ruhepause"
P30 = "§ 4 Satz 1: 30 Minuten bei mehr als sechs bis zu neun Stunden"
P45 = "§ 4 Satz 1: 45 Minuten bei mehr als neun Stunden"
SLICE = "§ 4 Satz 2: Zeitabschnitte von jeweils mindestens 15 Minuten"
INTERRUPT = "§ 4 Satz 1: die Arbeit ist durch Ruhepausen zu unterbrechen (not at its start or end)"
R5 = "§ 5 Abs. 1: eine ununterbrochene Ruhezeit von mindestens elf Stunden"

CASES = [
    Case(ROW + " (exactly 6 h, then 30 min)", blocks(6 * 60, (LUNCH, 30), 60, HOME), []),
    Case(ROW + " (6 h + 1 s)", blocks(6 * 60 + S, (LUNCH, 30), 60, HOME), [("de-6h-in-a-row", "statute", 360, 362)]),
    Case(P30 + " (exactly 6 h, no pause)", blocks(3 * 60, 3 * 60, HOME), []),
    Case(
        P30 + " (6 h + 1 s, no pause)",
        blocks(3 * 60, 3 * 60 + S, HOME),
        [("de-6h-in-a-row", "statute", 360, 362), ("de-30-min-over-6h", "statute", 360 + S, 360 + S + DAY_END)],
    ),
    Case(P30 + " and " + SLICE + " (15 + 15)", blocks(3 * 60, (BREAK, 15), 3 * 60, (BREAK, 15), 60, HOME), []),
    Case(
        SLICE + " (15 min - 1 s does not count)",
        blocks(3 * 60, (BREAK, 15 - S), 3 * 60, (BREAK, 15), 60, HOME),
        [("de-30-min-over-6h", "statute", 450 - S, 450 - S + DAY_END)],
    ),
    Case(P45 + " (exactly 9 h, 30 min)", blocks(3 * 60, (BREAK, 15), 3 * 60, (BREAK, 15), 3 * 60, HOME), []),
    Case(
        P45 + " (9 h + 1 s, 30 min)",
        blocks(3 * 60, (BREAK, 15), 3 * 60, (BREAK, 15), 3 * 60 + S, HOME),
        [("de-45-min-over-9h", "statute", 570 + S, 570 + S + DAY_END)],
    ),
    Case(P45 + " (9 h 30, 45 min of lunch)", blocks(4 * 60, (LUNCH, 45), 5 * 60 + 30, HOME), []),
    Case(
        INTERRUPT + " (30 min at login)",
        blocks((LUNCH, 30), 6 * 60 + 10, HOME),
        [("de-6h-in-a-row", "statute", 390, 392), ("de-30-min-over-6h", "statute", 400, 400 + DAY_END)],
    ),
    Case(
        INTERRUPT + " (the second slice before the logout)",
        blocks(3 * 60, (BREAK, 15), 3 * 60 + 10, (BREAK, 15), HOME),
        [("de-30-min-over-6h", "statute", 400, 400 + DAY_END)],
    ),
    Case(P30 + " (across midnight)", blocks(3 * 60, (BREAK, 15), 3 * 60, (BREAK, 15), 60, HOME), [], MIDNIGHT_SHIFT),
    Case(R5 + " (11 h)", blocks(3 * 60, (LUNCH, 30), 3 * 60, rest(11), 60), []),
    Case(
        R5 + " (11 h - 1 s)",
        blocks(3 * 60, (LUNCH, 30), 3 * 60, rest(11 - S / 60), 60),
        [("de-daily-rest", "statute", 390 + 660 - S, 390 + 660 - S + 2)],
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_the_german_profile_judges_each_boundary_as_the_act_words_it(case):
    assert violations("germany", case) == expected(case)
