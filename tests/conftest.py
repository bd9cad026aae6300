"""Fixtures and hooks for every tier. Nothing here starts a broker: see tests/integration/conftest.py."""

from __future__ import annotations

import re
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import SUMMARY

_INTEGRATION_DIR = Path(__file__).parent / "integration"


# kafka-python 3.0.12 loads its protocol schemas with deprecated importlib.resources calls:
# hundreds of warnings per run that are not ours to fix and would bury our own.
_KAFKA_PYTHON_NOISE = ("read_text is deprecated", "open_text is deprecated")
# While conftests load (tests/integration/conftest.py imports kafka), only this reaches them.
for _message in _KAFKA_PYTHON_NOISE:
    warnings.filterwarnings("ignore", message=_message, category=DeprecationWarning)


def pytest_configure(config: pytest.Config) -> None:
    for message in _KAFKA_PYTHON_NOISE:
        config.addinivalue_line("filterwarnings", f"ignore:{message}:DeprecationWarning")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The folder is the tier: everything under tests/integration needs the real broker.
    for item in items:
        if _INTEGRATION_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.integration)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    timings = config.stash.get(SUMMARY, {})
    if timings:
        terminalreporter.section("floorwatch infrastructure")
        for name, value in timings.items():
            terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Names no other test (or earlier run on a reused broker) uses: `unique_name("agent-events")`.

    The result is a valid Kafka topic and group name: the prefix, a slug of the test's
    name (to find its topics on a shared broker) and a random suffix.
    """
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", request.node.name.removeprefix("test_"))[:40].strip("-")

    def make(prefix: str) -> str:
        return f"{prefix}.{slug}.{uuid.uuid4().hex[:8]}"

    return make
