"""Debian's chromium driven by Selenium, headless and offline: the shift report's test and screenshots.

`make setup` installs `chromium` and `chromium-driver` from Debian (same version, one package
source); Selenium (a dev dependency) talks to that driver, so nothing is downloaded at run time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from floorwatch.deploy.toolchain import find_program

HINT = "`sudo apt-get update && sudo apt-get install -y chromium chromium-driver` (or run `make setup` as root)"


def find_chromium() -> tuple[Path, Path] | None:
    """Chromium and its driver, or None when either is missing."""
    binary, driver = find_program("chromium"), find_program("chromedriver")
    return (binary, driver) if binary is not None and driver is not None else None


@contextmanager
def offline_chromium(width: int = 1280, height: int = 900) -> Iterator[webdriver.Chrome]:
    found = find_chromium()
    if found is None:
        raise FileNotFoundError(f"chromium and chromium-driver are not installed: {HINT}")
    binary, driver = found
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
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
        "--hide-scrollbars",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(str(driver)))
    try:
        browser.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
        yield browser
    finally:
        browser.quit()


def console_errors(browser: webdriver.Chrome) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
