"""`make report-screenshots`: the shift report's screenshots in docs/images/, made afresh.

A seeded simulated day (2 sites, 4 teams of 8, one team understaffed so overload shows),
its report with keyed pseudonyms, opened in Debian's chromium offline; each part of the page
is saved as a PNG that docs/manager-guide.md shows. Same seed, same figures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from floorwatch.deploy.browser import console_errors, offline_chromium

DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
FLOOR = [
    "--seed", "7", "--sites", "2", "--teams-per-site", "2", "--agents-per-team", "8", "--duration", "8h",
    "--start", "2026-11-24T08:00:00Z", "--understaffed-teams", "1",
]  # fmt: skip
# Pseudonyms in the pictures are keyed with a throwaway key: the figures, never a real agent.
DEMO_KEY = "screenshots-only-not-a-secret"
PARTS = {  # file name: the page element it shows
    "report-occupancy.png": "plot-occupancy",
    "report-stress.png": "plot-stress",
    "report-breaks.png": "plot-breaks",
    "report-violations.png": "plot-violations",
    "report-service.png": "plot-service",
    "report-staffing.png": "plot-staffing",
    "report-tables.png": "table-teams",
}


def main() -> int:
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="floorwatch-screenshots-") as scratch:
        log, page = Path(scratch) / "events.jsonl", Path(scratch) / "report.html"
        _floorwatch("simulate", "--output", str(log), "--quiet", *FLOOR)
        _floorwatch("report", str(log), "--by", "shift", "--output", str(page), "--event-clock")
        with offline_chromium(width=1100, height=900) as browser:
            browser.get(page.as_uri())
            errors = console_errors(browser)
            if errors:
                print("the report logged errors in the browser:", *errors, sep="\n  ", file=sys.stderr)
                return 1
            top = DOCS_IMAGES / "report-top.png"
            browser.save_screenshot(str(top))
            print(f"wrote {top}")
            # A window as tall as the page: an element below the fold is captured whole.
            browser.set_window_size(1100, browser.execute_script("return document.documentElement.scrollHeight"))
            for name, element_id in PARTS.items():
                browser.find_element("id", element_id).screenshot(str(DOCS_IMAGES / name))
                print(f"wrote {DOCS_IMAGES / name}")
    return 0


def _floorwatch(*args: str) -> None:
    env = {**os.environ, "FLOORWATCH_PSEUDONYM_KEY": DEMO_KEY}
    subprocess.run([sys.executable, "-m", "floorwatch.cli", *args], check=True, env=env)


if __name__ == "__main__":
    sys.exit(main())
