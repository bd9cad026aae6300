"""Japan (Labour Standards Act Art. 34; MHLW screen-work guideline): each boundary one second
either side. The guideline's breaches are reported as guidance, never as the Act's."""

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
from tests.unit.core.builders import BREAK, LUNCH

A34_6 = "Art. 34(1): working hours exceeding six hours, at least 45 minutes"
A34_8 = "Art. 34(1): exceeding eight hours, at least one hour"
DURING = "Art. 34(1): rest given in the course of working hours (労働時間の途中に)"
SCREEN = "MHLW guideline 5(2): continuous screen work not exceeding one hour"
P = (BREAK, 10)  # the guideline's pause, 10-15 min


def hourly(hours: int, *tail: object) -> list:
    """`hours` hours of work with a 10-minute pause after each: compliant with the guideline."""
    pattern: list = []
    for _ in range(hours):
        pattern += [60, P]
    return blocks(*pattern[:-1], *tail)


CASES = [
    Case(SCREEN + " (exactly 1 h)", blocks(60, P, 30, HOME), []),
    Case(SCREEN + " (1 h + 1 s)", blocks(60 + S, P, 30, HOME), [("jp-screen-work-1h", "guidance", 60, 62)]),
    # six hours of work with five 10-minute pauses: 50 min of rest, 6 h is not more than 6
    Case(A34_6 + " (exactly 6 h)", hourly(6, HOME), []),
    Case(
        A34_6 + " (6 h + 1 s, 40 min of rest)",
        blocks(60, P, 60, P, 60, P, 60, P, 2 * 60 + S, HOME),
        [("jp-screen-work-1h", "guidance", 340, 342), ("jp-45-min-over-6h", "statute", 400 + S, 400 + S + DAY_END)],
    ),
    Case(
        A34_6 + " (6 h 30, 45 min as lunch)", blocks(60, P, 60, P, 60, (LUNCH, 45), 60, P, 60, P, 60, P, 30, HOME), []
    ),
    # 8 h of work, seven pauses of 10: 70 min; 8 h 1 s with 50 min is short of the hour
    Case(
        A34_8 + " (exactly 8 h, 50 min)",
        blocks(60, P, 60, P, 60, P, 60, P, 60, P, 60, 60, 60, HOME),
        [
            ("jp-screen-work-1h", "guidance", 410, 412),
        ],
    ),
    Case(
        A34_8 + " (8 h + 1 s, 50 min)",
        blocks(60, P, 60, P, 60, P, 60, P, 60, P, 60, 60, 60 + S, HOME),
        [("jp-screen-work-1h", "guidance", 410, 412), ("jp-60-min-over-8h", "statute", 530 + S, 530 + S + DAY_END)],
    ),
    Case(
        DURING + " (45 min at login, 40 min of pauses after it)",
        blocks((LUNCH, 45), 60, P, 60, P, 60, P, 60, P, 121, HOME),
        [("jp-screen-work-1h", "guidance", 385, 387), ("jp-45-min-over-6h", "statute", 446, 446 + DAY_END)],
    ),
    Case(
        SCREEN + " (across midnight)",
        blocks(60 + S, P, 30, HOME),
        [("jp-screen-work-1h", "guidance", MIDNIGHT_SHIFT + 60, MIDNIGHT_SHIFT + 62)],
        MIDNIGHT_SHIFT,
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_the_japanese_profile_judges_each_boundary_and_keeps_the_guideline_apart(case):
    assert violations("japan", case) == expected(case)
