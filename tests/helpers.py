"""Test helpers shared by every tier: waiting with deadlines, and the run's infrastructure timings.

Import them as `from tests.helpers import wait_until`: `tests/` is a package, and pytest puts
the repository root (the first folder above it without an `__init__.py`) on sys.path.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

T = TypeVar("T")

# Start-up times, sizes and proofs (what went through the real broker); printed after the run.
SUMMARY = pytest.StashKey[dict[str, str]]()
_POLL_SECONDS = 0.1


def wait_until(
    predicate: Callable[[], T | None], timeout_seconds: float, message: str, *, poll_seconds: float = _POLL_SECONDS
) -> T:
    """Call `predicate` until it returns something truthy and return that; fail the test after the deadline.

    An exception raised by the predicate counts as "not yet" (a broker still electing a
    leader raises); the last value or exception is part of the failure message.
    """
    deadline = time.monotonic() + timeout_seconds
    last: object = None
    while True:
        try:
            result = predicate()
            if result:
                return result
            last = result
        except Exception as error:
            last = error
        if time.monotonic() >= deadline:
            raise AssertionError(f"{message} (waited {timeout_seconds:g} s; last: {last!r})")
        time.sleep(poll_seconds)


async def wait_until_async(
    predicate: Callable[[], T | Awaitable[T]],
    timeout_seconds: float,
    message: str,
    *,
    poll_seconds: float = _POLL_SECONDS,
) -> T:
    """`wait_until` for asyncio tests; `predicate` may be a plain or an async function."""
    deadline = time.monotonic() + timeout_seconds
    last: object = None
    while True:
        try:
            result = predicate()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
            last = result
        except Exception as error:
            last = error
        if time.monotonic() >= deadline:
            raise AssertionError(f"{message} (waited {timeout_seconds:g} s; last: {last!r})")
        await asyncio.sleep(poll_seconds)


def record_summary(config: pytest.Config, name: str, value: str) -> None:
    """Add a line (a measured start-up time, what a test proved) to the summary printed after the run."""
    config.stash.setdefault(SUMMARY, {})[name] = value
