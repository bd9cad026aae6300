"""The Prometheus rules: valid for promtool, unit-tested alert by alert (firing and not), and
generated from the same code for production and for the live integration test."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from floorwatch.dashboards.rules import RULE_TESTS_DIR, RULES_FILE, alert_names, rule_groups, rules_yaml
from floorwatch.dashboards.thresholds import AlertTimings

ROOT = Path(__file__).resolve().parents[2]
PROMTOOL = shutil.which("promtool") or ("/usr/bin/promtool" if Path("/usr/bin/promtool").is_file() else "")
needs_promtool = pytest.mark.skipif(
    not PROMTOOL, reason="promtool is not installed (Debian: apt-get install prometheus, or `make setup`)"
)
TEST_FILES = sorted(RULE_TESTS_DIR.glob("*.yml"))


def _alert_tests() -> list[dict]:
    return [
        case
        for path in TEST_FILES
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
    ]


def _alerts(timings: AlertTimings) -> dict[str, dict]:
    return {
        rule["alert"]: rule
        for group in rule_groups(timings=timings)["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }


@needs_promtool
def test_promtool_accepts_the_committed_rule_file():
    result = subprocess.run([PROMTOOL, "check", "rules", str(RULES_FILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {sum(len(g['rules']) for g in rule_groups()['groups'])} rules found" in result.stdout


@needs_promtool
@pytest.mark.parametrize("test_file", TEST_FILES, ids=lambda p: p.name)
def test_promtool_unit_tests_of_the_rules_pass(test_file: Path):
    result = subprocess.run([PROMTOOL, "test", "rules", str(test_file)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_tested_both_firing_and_not_firing():
    cases = _alert_tests()
    fired = {c["alertname"] for c in cases if c.get("exp_alerts")}
    silent = {c["alertname"] for c in cases if not c.get("exp_alerts")}
    assert set(alert_names()) - fired == set()
    assert set(alert_names()) - silent == set()


def test_floor_alerts_fire_with_their_team_and_site_or_their_queue():
    floor = {name for name, rule in _alerts(AlertTimings()).items() if rule["labels"]["component"] == "floor"}
    for case in _alert_tests():
        for alert in case.get("exp_alerts") or []:
            labels = alert["exp_labels"]
            if case["alertname"] in floor:
                assert {"site", "team"} <= labels.keys() or "queue" in labels, (case["alertname"], labels)
            assert labels["severity"] in ("critical", "warning")


def test_the_committed_rule_file_is_what_the_code_generates():
    assert RULES_FILE.read_text() == rules_yaml(AlertTimings())


def test_the_short_variant_for_live_tests_changes_only_how_long_alerts_wait():
    production, short = _alerts(AlertTimings()), _alerts(AlertTimings.uniform("3s"))
    assert production.keys() == short.keys()
    for name in production:
        assert short[name]["expr"] == production[name]["expr"]
        assert short[name]["labels"] == production[name]["labels"]
        assert short[name]["for"] == "3s"
    assert production["FloorwatchTeamOverloaded"]["for"] == "15m"
    assert production["FloorwatchAgentStressHigh"]["for"] == "10m"


def test_every_alert_has_a_runbook_section_and_an_action_line():
    runbook = (ROOT / "docs" / "runbook.md").read_text()
    headings = set(re.findall(r"^## (\w+)", runbook, flags=re.MULTILINE))
    for name, rule in _alerts(AlertTimings()).items():
        assert name in headings, f"docs/runbook.md has no section for {name}"
        assert rule["annotations"]["runbook_url"] == f"docs/runbook.md#{name.lower()}"
        assert rule["annotations"]["action"]


def test_no_rule_averages_ratios():
    exprs = [rule["expr"] for group in rule_groups()["groups"] for rule in group["rules"]]
    assert [e for e in exprs if re.search(r"\bavg\b", e)] == []


def test_prometheus_never_loads_the_test_files_as_rules():
    config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    loaded = {p for pattern in config["rule_files"] for p in RULES_FILE.parent.glob(Path(pattern).name)}
    assert loaded == {RULES_FILE}
