"""Fixtures of the fault suite: `floor` builds a FaultFloor on the session's single broker."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.integration.faults.harness import FaultFloor


@pytest.fixture
def make_floor(unique_name, tmp_path) -> Iterator[Callable[..., FaultFloor]]:
    floors: list[FaultFloor] = []

    def make(bootstrap: str, **env: str) -> FaultFloor:
        floor = FaultFloor(bootstrap, unique_name("fw"), tmp_path, extra_env=env)
        floors.append(floor)
        return floor

    yield make
    for floor in floors:
        floor.close()
