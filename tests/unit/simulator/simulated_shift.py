"""Generating a whole simulated shift for tests (a module with a unique name, importable from the tests)."""

from __future__ import annotations

from dataclasses import dataclass

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
