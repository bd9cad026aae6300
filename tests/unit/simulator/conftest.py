"""Whole simulated shifts, generated once per session and shared by the tests that read their events."""

from __future__ import annotations

import pytest

from floorwatch.services.simulator.settings import SimulatorSettings
from tests.unit.simulator.simulated_shift import Shift, generate


@pytest.fixture(scope="session")
def small_shift() -> Shift:
    """Two teams of eight (one under-staffed) for a full 8-hour shift: every behaviour shows up."""
    return generate(SimulatorSettings(seed=11, sites=2, teams_per_site=1, agents_per_team=8, understaffed_teams=1))


@pytest.fixture(scope="session")
def mixed_floor() -> Shift:
    """Six teams of 18 for 8 hours with callers who hang up; the last team works with 70% of its plan."""
    return generate(
        SimulatorSettings(
            seed=5, sites=2, teams_per_site=3, agents_per_team=18, understaffed_teams=1, understaff_ratio=0.7
        )
    )


@pytest.fixture(scope="session")
def erlang_floor() -> Shift:
    """Erlang C's own world as far as a floor allows: correctly staffed, and nobody hangs up."""
    return generate(
        SimulatorSettings(
            seed=3, sites=2, teams_per_site=4, agents_per_team=18, understaffed_teams=0, patience_mean_seconds=None
        )
    )
