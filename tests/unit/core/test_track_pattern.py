"""Occupancy, stress and breaks follow the one track pattern (floorwatch.core.track.SubTrack)."""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

from floorwatch.core import breaks, occupancy, stress
from floorwatch.core.breaks import BreakFigures, BreakPolicy, BreakTrack
from floorwatch.core.occupancy import OccupancyConfig, OccupancyFigures, OccupancyTrack
from floorwatch.core.stress import StressConfig, StressFigures, StressTrack
from floorwatch.core.track import SubTrack

# The type checker verifies each module against the pattern, function by function.
OCCUPANCY: SubTrack[OccupancyTrack, OccupancyConfig, OccupancyFigures] = occupancy
STRESS: SubTrack[StressTrack, StressConfig, StressFigures] = stress
BREAKS: SubTrack[BreakTrack, BreakPolicy, BreakFigures] = breaks

PATTERN = {
    name: len(inspect.signature(function).parameters) - 1  # less `self`
    for name, function in vars(SubTrack).items()
    if not name.startswith("_") and callable(function)
}


def test_the_pattern_is_six_functions():
    assert sorted(PATTERN) == ["advance", "initial", "on_contact", "on_schedule", "on_state", "view"]


@pytest.mark.parametrize("module", [occupancy, stress, breaks], ids=lambda module: module.__name__)
def test_every_sub_track_has_each_function_of_the_pattern_with_its_arguments(module: ModuleType):
    for name, arity in PATTERN.items():
        assert len(inspect.signature(getattr(module, name)).parameters) == arity, name
