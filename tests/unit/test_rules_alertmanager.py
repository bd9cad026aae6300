"""Alertmanager routes floorwatch alerts by component, severity and team: checked with amtool,
Alertmanager's own route tester, against labels the rules really produce."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from floorwatch.dashboards.rules import rule_groups

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "alertmanager" / "alertmanager.yml"
AMTOOL = shutil.which("amtool") or ""
pytestmark = pytest.mark.skipif(
    not AMTOOL, reason="amtool is not installed (Debian: apt-get install prometheus-alertmanager)"
)


def _receiver(**labels: str) -> str:
    args = [AMTOOL, "config", "routes", "test", f"--config.file={CONFIG}", *(f"{k}={v}" for k, v in labels.items())]
    result = subprocess.run(args, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _labels(alert: str) -> dict[str, str]:
    rule = next(r for g in rule_groups()["groups"] for r in g["rules"] if r.get("alert") == alert)
    return {"alertname": alert, **rule["labels"]}


def test_amtool_accepts_the_configuration():
    result = subprocess.run([AMTOOL, "check-config", str(CONFIG)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_overloaded_team_pages_the_floor():
    assert _receiver(**_labels("FloorwatchTeamOverloaded"), site="manila", team="manila-billing") == "floor-pager"


def test_a_warning_about_a_team_goes_to_the_floor_managers_without_paging():
    assert _receiver(**_labels("FloorwatchBreaksOverdue"), site="manila", team="manila-billing") == "floor-managers"


def test_pipeline_alerts_go_to_operators_and_critical_ones_page_them():
    assert _receiver(**_labels("FloorwatchConsumerLagHigh"), instance="w1") == "operators"
    assert _receiver(**_labels("FloorwatchSiteSilent"), site="manila") == "operators-pager"
