"""Boundary tables for the shipped break profiles: each case cites the rule it tests.

A case is a day (or two) as (state, minutes) segments from T0 + `start_minute`, and the
violations it must give as (rule, basis, minute the deadline passed, minute the alert was
let out). `S` is one second in minutes, for the cases one second either side of a
threshold. `HOME` is a logout long enough (5 h) to end the working day; rules a day
settles are judged 4 h after that logout began (`DAY_END`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from floorwatch.core.breaks import BreakRuleBreached, load_profile
from tests.unit.core.break_folds import fold
from tests.unit.core.builders import AVAILABLE, LOGGED_OUT, MINUTE, epoch

H = 60
S = 1 / 60  # one second, in minutes
HOME = (LOGGED_OUT, 5 * H)
DAY_END = 4 * H
MIDNIGHT_SHIFT = 14 * H  # T0 is 08:00: a shift starting 14 h later starts at 22:00


def rest_between_days(hours: float) -> tuple:
    """A logout of `hours` between two working days (more than the 4 h that end a day)."""
    return (LOGGED_OUT, hours * H)


def blocks(*pattern: object) -> list:
    """Numbers are minutes AVAILABLE; (state, minutes) pairs pass through."""
    return [(AVAILABLE, item) if isinstance(item, (int, float)) else item for item in pattern]


@dataclass(frozen=True)
class Case:
    cite: str  # the rule tested, as the source words it
    day: list
    expected: list
    start_minute: float = 0.0


def params(cases: list[Case]) -> list:
    return [pytest.param(case, id=f"{i:02d} {case.cite}") for i, case in enumerate(cases)]


def violations(profile: str, case: Case) -> list[tuple[str, str, float, float]]:
    _, outputs, _ = fold(load_profile(profile), case.day, start_minute=case.start_minute)
    return [
        (o.rule, o.basis, _minute(o.at_seconds), _minute(o.flagged_at_seconds))
        for o in outputs
        if isinstance(o, BreakRuleBreached)
    ]


def expected(case: Case) -> list[tuple[str, str, float, float]]:
    return [(rule, basis, round(at, 4), round(flagged, 4)) for rule, basis, at, flagged in case.expected]


def _minute(seconds: float) -> float:
    return round((seconds - epoch(0)) / MINUTE, 4)
