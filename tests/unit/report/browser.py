"""The report tests' browser: missing chromium is a failure in CI (`make setup` installs it), a skip elsewhere."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from selenium import webdriver

from floorwatch.deploy.browser import HINT, console_errors, find_chromium, offline_chromium

__all__ = ["browser_offline", "console_errors"]


@contextmanager
def browser_offline() -> Iterator[webdriver.Chrome]:
    if find_chromium() is None:
        message = f"chromium and chromium-driver are not installed: {HINT}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with offline_chromium() as browser:
        yield browser
