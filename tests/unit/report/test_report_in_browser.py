"""The shift report in a real browser (Debian's chromium, headless, offline): it loads without
console errors, every plot is drawn, and the figures on the page equal `floorwatch replay`'s.

The screenshot is kept at `.run/artifacts/shift-report.png` (and in pytest's tmp folder).
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from tests.unit.report.browser import browser_offline, console_errors
from tests.unit.report.conftest import KEY, floorwatch

ARTIFACTS = Path(__file__).resolve().parents[3] / ".run" / "artifacts"
PLOTS = ("occupancy", "stress", "breaks", "violations", "service", "staffing")
ENV = {**os.environ, "FLOORWATCH_PSEUDONYM_KEY": KEY}


@pytest.fixture(scope="module")
def report(simulated_log: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    args = ("report", str(simulated_log), "--by", "shift", "--privacy", "named", "--output", str(path))
    done = floorwatch(*args, "--event-clock", env=ENV)
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="module")
def replayed(simulated_log: Path) -> tuple[dict, dict]:
    """`floorwatch replay --by shift` and the full `floorwatch replay` of the same log."""
    by = floorwatch("replay", str(simulated_log), "--by", "shift", "--event-clock", "--no-progress")
    full = floorwatch("replay", str(simulated_log), "--event-clock", "--no-progress")
    assert by.returncode == 0 and full.returncode == 0, by.stderr + full.stderr
    return json.loads(by.stdout), json.loads(full.stdout)


@pytest.fixture(scope="module")
def page(report: Path):
    with browser_offline() as browser:
        browser.get(report.as_uri())
        browser.find_element("id", "report-data")
        yield browser


def test_the_report_loads_offline_without_console_errors(page):
    assert page.title.startswith("floorwatch shift report")
    assert console_errors(page) == []


def test_every_plot_is_drawn_with_visible_marks(page):
    drawn = page.execute_script(
        """
        return Array.from(document.querySelectorAll("figure.plot")).map(function (figure) {
          var svg = figure.querySelector("svg"), box = svg.getBoundingClientRect();
          var marks = Array.from(svg.querySelectorAll("path")).filter(function (p) {
            var b = p.getBBox(); return (p.getAttribute("d") || "").length > 20 && (b.width > 0 || b.height > 0);
          });
          return [figure.id, box.width, box.height, marks.length];
        });
        """
    )
    assert [d[0] for d in drawn] == [f"plot-{p}" for p in PLOTS]
    for plot_id, width, height, marks in drawn:
        assert width > 300 and height > 100, plot_id
        assert marks > 5, plot_id


def test_a_screenshot_of_the_whole_page_is_kept(page, tmp_path):
    height = page.execute_script("return document.documentElement.scrollHeight")
    page.set_window_size(1280, height)
    shot = tmp_path / "shift-report.png"
    assert page.save_screenshot(str(shot))
    assert shot.stat().st_size > 50_000  # a blank page is a few kB
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "shift-report.png")


def test_the_tables_on_the_page_equal_replay_by_shift(page, replayed):
    by, _ = replayed
    for table, rows in (("teams", by["teams"]), ("agents", by["agents"])):
        shown = page.execute_script(
            """
            return Array.from(document.querySelectorAll("#table-" + arguments[0] + " tbody tr")).map(function (tr) {
              var row = {};
              tr.querySelectorAll("td").forEach(function (td) { row[td.dataset.key] = td.dataset.value; });
              return row;
            });
            """,
            table,
        )
        assert len(shown) == len(rows) > 0
        for on_page, row in zip(shown, rows):
            for key, value in on_page.items():
                expected = row[key]
                assert value == ("" if expected is None else str(expected)), (table, row["id"], key)


def test_the_embedded_data_equals_the_replay(page, replayed):
    by, full = replayed
    data = json.loads(page.execute_script("return document.getElementById('report-data').textContent"))
    assert data["team_rows"] == by["teams"] and data["agent_rows"] == by["agents"]
    timeline = data["timeline"]
    last = datetime.fromisoformat(timeline["at"][-1].replace("Z", "+00:00")).timestamp()
    assert round(last, 3) == full["watermark_seconds"]  # the last sample is the replay's watermark
    for team, series in timeline["teams"].items():
        at_mark = full["teams"][team]["through_watermark"]
        window = next(w for w in at_mark["windows"] if w["window_seconds"] == 900.0)
        assert series["occupancy_15m_ratio"][-1] == window["figures"]["occupancy_ratio"], team
        assert series["break_compliance_ratio"][-1] == at_mark["break_compliance_ratio"], team
    for queue, series in timeline["queues"].items():
        at_mark = full["queues"][queue]
        assert series["service_level_ratio"][-1] == at_mark["contacts"]["window"]["service_level_ratio"], queue
        assert series["agents_needed"][-1] == at_mark["advice_at_watermark"]["agents_needed"], queue


def test_the_console_check_sees_a_script_error_and_a_blocked_request(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        'script-src \'unsafe-inline\'"><img src="https://example.org/x.png"><script>no_such_function()</script>'
    )
    with browser_offline() as browser:
        browser.get(broken.as_uri())
        errors = console_errors(browser)
    assert any("no_such_function" in e for e in errors)
    assert any("example.org" in e for e in errors)


def test_sorting_a_column_reorders_the_rows(page):
    values = page.execute_script(
        """
        var th = document.querySelector('#table-agents th[data-key="occupancy_ratio"]');
        th.click(); th.click();
        return Array.from(document.querySelectorAll('#table-agents td[data-key="occupancy_ratio"]'))
          .map(function (td) { return Number(td.dataset.value); });
        """
    )
    page.refresh()  # the other tests read the rows in the replay's order
    assert values == sorted(values, reverse=True) and len(set(values)) > 1
