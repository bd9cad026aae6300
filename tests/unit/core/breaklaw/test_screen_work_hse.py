"""Screen-work health (HSE INDG36, guidance on the DSE Regulations 1992): guidance, never law."""

from __future__ import annotations

import pytest

from tests.unit.core.breaklaw.law_table import HOME, MIDNIGHT_SHIFT, Case, S, blocks, expected, params, violations
from tests.unit.core.builders import BREAK, MEETING

INDG36 = "INDG36: a 5-10 minute break or change of activity after 50-60 minutes of continuous screen work"

CASES = [
    Case(INDG36 + " (exactly 60 min)", blocks(60, (BREAK, 5), 60, HOME), []),
    Case(INDG36 + " (60 min + 1 s)", blocks(60 + S, (BREAK, 5), 30, HOME), [("hse-screen-break", "guidance", 60, 62)]),
    Case(
        INDG36 + " (5 min - 1 s is no break)",
        blocks(55, (BREAK, 5 - S), 10, HOME),
        [("hse-screen-break", "guidance", 65 - S, 67 - S)],
    ),
    Case(INDG36 + " (a meeting is a change of activity)", blocks(55, (MEETING, 5), 55, HOME), []),
    Case(
        INDG36 + " (across midnight)",
        blocks(60 + S, (BREAK, 5), 30, HOME),
        [("hse-screen-break", "guidance", MIDNIGHT_SHIFT + 60, MIDNIGHT_SHIFT + 62)],
        MIDNIGHT_SHIFT,
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_the_hse_screen_work_profile_reports_guidance_as_guidance(case):
    assert violations("screen-work-hse", case) == expected(case)
