"""Everything generated from code, as {path: text}: the dashboards' JSON and the rule file,
and the Helm chart's copies of both (a chart can read only files inside its own folder).

`write()` puts them where Grafana's file provider and Prometheus read them; `drift()` lists
the committed files that no longer match the code (CI runs it via `floorwatch dashboards check`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from grafana_foundation_sdk.builders.dashboard import Dashboard
from grafana_foundation_sdk.cog.encoder import JSONEncoder

from floorwatch.dashboards import agent_drilldown, floor_overview, pipeline_health, wellbeing
from floorwatch.dashboards.rules import RULES_FILE, rules_yaml
from floorwatch.dashboards.thresholds import AlertTimings, Thresholds

GENERATED_DIR = Path(__file__).resolve().parent / "generated"  # docker-compose mounts it for Grafana's provider
ROOT = Path(__file__).resolve().parents[1]
CHART_FILES_DIR = ROOT / "deploy" / "helm" / "floorwatch" / "files"
CHART_DASHBOARDS_DIR = CHART_FILES_DIR / "dashboards"  # ConfigMaps for Grafana's sidecar
CHART_RULES_FILE = CHART_FILES_DIR / "floorwatch-rules.yml"  # the PrometheusRule's spec

BUILDERS: dict[str, Callable[[Thresholds], Dashboard]] = {
    "floor-overview.json": floor_overview.build,
    "wellbeing.json": wellbeing.build,
    "agent.json": agent_drilldown.build,
    "pipeline-health.json": pipeline_health.build,
}


def dashboard_json(build: Callable[[Thresholds], Dashboard], thresholds: Thresholds = Thresholds()) -> str:
    return JSONEncoder(sort_keys=True, indent=2).encode(build(thresholds).build()) + "\n"


def dashboards(thresholds: Thresholds = Thresholds()) -> dict[str, dict]:
    """Each dashboard's model by file name (what `push` sends, what the provider loads)."""
    return {name: json.loads(dashboard_json(build, thresholds)) for name, build in BUILDERS.items()}


def generated_files(thresholds: Thresholds = Thresholds()) -> dict[Path, str]:
    files = {}
    for name, build in BUILDERS.items():
        files[GENERATED_DIR / name] = files[CHART_DASHBOARDS_DIR / name] = dashboard_json(build, thresholds)
    files[RULES_FILE] = files[CHART_RULES_FILE] = rules_yaml(AlertTimings(), thresholds)
    return files


def write(files: dict[Path, str]) -> list[Path]:
    """Write the files that changed; returns them."""
    changed = []
    for path, text in files.items():
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            changed.append(path)
    return changed


def drift(files: dict[Path, str]) -> list[Path]:
    """Files missing or different from what the code generates now."""
    return [path for path, text in files.items() if not path.exists() or path.read_text() != text]


def stale(files: dict[Path, str]) -> list[Path]:
    """Generated dashboards that no builder makes any more (a renamed or removed dashboard)."""
    found = [*GENERATED_DIR.glob("*.json"), *CHART_DASHBOARDS_DIR.glob("*.json")]
    return sorted(path for path in found if path not in files)
