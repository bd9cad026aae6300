"""Debian's chromium, driven by Selenium, headless and with the network cut: for the report tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM, DRIVER = "chromium", "chromedriver"


def require_chromium() -> tuple[str, str]:
    """Missing chromium is a failure in CI (`make setup` installs it) and a skip elsewhere."""
    found = shutil.which(CHROMIUM) or "/usr/bin/chromium", shutil.which(DRIVER) or "/usr/bin/chromedriver"
    if not all(os.path.isfile(path) for path in found):
        message = "chromium and chromium-driver are not installed (`make setup` installs them from Debian)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@contextmanager
def offline_chromium(width: int = 1280, height: int = 900) -> Iterator[webdriver.Chrome]:
    binary, driver = require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where chromium's sandbox cannot start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        # No network: every host resolves to nothing and every request goes to a dead proxy.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
        "--no-first-run",
        "--disable-background-networking",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(driver))
    try:
        browser.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
        yield browser
    finally:
        browser.quit()


def console_errors(browser: webdriver.Chrome) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
