"""Every shipped break profile against hand-worked days (minutes after T0).

Each case is a day as (state, minutes) segments and the violations it must give as
(rule, minute the deadline passed, minute it was flagged). "home" is a logout long enough
(5 h) to end the working day, which is when rules due "by the end of the day" are judged
(4 h after the logout began).
"""

from __future__ import annotations

import pytest

from floorwatch.core.breaks import PROFILES, load_profile
from tests.unit.core.break_folds import breached, fold
from tests.unit.core.builders import AVAILABLE, BREAK, LOGGED_OUT, LUNCH, MEETING

H = 60
HOME = (LOGGED_OUT, 5 * H)
DAY_END = 4 * H  # flagged this long after the logout that ended the day


def blocks(*pattern):
    """Shorthand: ints are minutes AVAILABLE, (state, minutes) pairs pass through."""
    return [(AVAILABLE, item) if isinstance(item, int) else item for item in pattern]


CASES = [
    # default: 2-hour rest rule, 20 min over 6 h (judged at day end), overruns
    ("default", blocks(110, (BREAK, 10), 110, (LUNCH, 30), 110, (BREAK, 10), 100, HOME), []),
    ("default", blocks(7 * H, HOME), [("rest-every-2h", 120, 122), ("break-over-6h", 420, 420 + DAY_END)]),
    ("default", blocks(60, (BREAK, 23), 30), [("break-overrun", 80, 82)]),  # 20 allowed + 2 grace
    # EU Working Time Directive: a break in a day over 6 h
    ("eu-wtd", blocks(3 * H, (BREAK, 20), 4 * H, HOME), []),
    ("eu-wtd", blocks(7 * H, HOME), [("eu-break-over-6h", 420, 420 + DAY_END)]),
    # UK: 20 min uninterrupted over 6 h; 19 is not 20 (logout at 180 + 19 + 240 = 439)
    ("uk", blocks(3 * H, (BREAK, 20), 4 * H, HOME), []),
    ("uk", blocks(3 * H, (BREAK, 19), 4 * H, HOME), [("uk-rest-break", 439, 439 + DAY_END)]),
    # UK young workers: 30 min once over 4.5 h; the adult 20 min is not enough (logout at 440)
    ("uk-young-workers", blocks(4 * H, (BREAK, 30), 60, HOME), []),
    ("uk-young-workers", blocks(4 * H + 40, HOME), [("uk-young-worker-break", 280, 280 + DAY_END)]),
    ("uk-young-workers", blocks(3 * H, (BREAK, 20), 4 * H, HOME), [("uk-young-worker-break", 440, 440 + DAY_END)]),
    # Germany: 15-min slices, 30 over 6 h, 45 over 9 h, never 6 h in a row
    ("germany", blocks(3 * H, (BREAK, 15), 3 * H, (BREAK, 15), 2 * H, HOME), []),
    ("germany", blocks(6 * H + 10, HOME), [("de-6h-in-a-row", 360, 362), ("de-30-min-over-6h", 370, 370 + DAY_END)]),
    ("germany", blocks(4 * H, (LUNCH, 30), 5 * H + 30, HOME), [("de-45-min-over-9h", 600, 600 + DAY_END)]),
    ("germany", blocks(3 * H, (BREAK, 15), 3 * H, (BREAK, 14), 60, HOME), [("de-30-min-over-6h", 449, 449 + DAY_END)]),
    # France: 20 consecutive minutes by the 6th hour
    ("france", blocks(5 * H + 50, (BREAK, 20), 2 * H), []),
    ("france", blocks(6 * H + 5), [("fr-pause-20-min", 360, 362)]),
    # 10 + 10 is not 20 consecutive; worked time sits at 6 h during the second break
    # (wall 370-380) and passes it when work resumes at 380
    ("france", blocks(5 * H, (BREAK, 10), 60, (BREAK, 10), 30), [("fr-pause-20-min", 380, 382)]),
    # California (rest breaks paid, so they count as worked time):
    # worked 120 +10 +140 = 270 -> lunch -> +80 = 350 -> rest -> 360 -> +120 = 480
    ("california", blocks(120, (BREAK, 10), 140, (LUNCH, 30), 80, (BREAK, 10), 120, HOME), []),
    # the rest count is judged when the day ends (logout 305), the meal at its deadline
    ("california", blocks(5 * H + 5, HOME), [("ca-meal-1", 300, 302), ("ca-rest", 305, 305 + DAY_END)]),
    # a 10.5-h day with one meal: 600 worked is reached in the third rest (wall 620-630) and
    # passed when work resumes at 630
    (
        "california",
        blocks(120, (BREAK, 10), 140, (LUNCH, 30), 80, (BREAK, 10), 230, (BREAK, 10), 30),
        [("ca-meal-2", 630, 632)],
    ),
    # Japan: 45 over 6 h, 60 over 8 h, screen work at most 1 h in a row
    (
        "japan",
        blocks(
            60,
            (BREAK, 10),
            60,
            (BREAK, 10),
            60,
            (LUNCH, 45),
            60,
            (BREAK, 10),
            60,
            (BREAK, 10),
            60,
            (BREAK, 10),
            60,
            HOME,
        ),
        [],
    ),
    ("japan", blocks(75), [("jp-screen-work-1h", 60, 62)]),
    ("japan", blocks(7 * H, HOME), [("jp-screen-work-1h", 60, 62), ("jp-45-min-over-6h", 420, 420 + DAY_END)]),
    # HSE screen work: 5 min off the screen after at most 60 min; a meeting counts
    ("screen-work-hse", blocks(65), [("hse-screen-break", 60, 62)]),
    ("screen-work-hse", blocks(55, (MEETING, 5), 55), []),
    ("screen-work-hse", blocks(55, (BREAK, 4), 10), [("hse-screen-break", 64, 66)]),
    # EU and French young workers: 30 min once over 4.5 h (France: never 4.5 h in a row either)
    ("eu-young-workers", blocks(4 * H, (BREAK, 30), 60, HOME), []),
    ("eu-young-workers", blocks(4 * H + 40, HOME), [("eu-young-worker-break", 280, 280 + DAY_END)]),
    ("france-young-workers", blocks(4 * H, (BREAK, 30), 60, HOME), []),
    (
        "france-young-workers",
        blocks(4 * H + 40, HOME),
        [("fr-young-4h30-in-a-row", 270, 272), ("fr-young-pause-30-min", 280, 280 + DAY_END)],
    ),
]


@pytest.mark.parametrize("profile, segments, expected", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_shipped_profile_flags_exactly_the_hand_worked_violations(profile, segments, expected):
    _, outputs, _ = fold(load_profile(profile), segments)
    assert breached(outputs) == expected


def test_every_shipped_profile_has_a_hand_worked_case():
    assert {case[0] for case in CASES} == set(PROFILES)
