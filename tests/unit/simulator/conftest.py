"""One small whole shift, generated once per session and shared by the event-stream tests."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from floorwatch.services.simulator.engine import simulate
from floorwatch.services.simulator.model import Floor
from floorwatch.services.simulator.roster import build_floor
from floorwatch.services.simulator.settings import SimulatorSettings


@dataclass(frozen=True)
class Shift:
    settings: SimulatorSettings
    floor: Floor
    events: tuple


def generate(settings: SimulatorSettings) -> Shift:
    floor = build_floor(settings)
    return Shift(settings, floor, tuple(simulate(floor, settings)))


@pytest.fixture(scope="session")
def small_shift() -> Shift:
    """Two teams of eight (one under-staffed) for a full 8-hour shift: every behaviour shows up."""
    return generate(SimulatorSettings(seed=11, sites=2, teams_per_site=1, agents_per_team=8, understaffed_teams=1))
