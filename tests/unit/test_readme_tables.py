"""The README's configuration and metrics tables list everything the worker reads and exposes."""

from __future__ import annotations

import re
from pathlib import Path

from prometheus_client import CollectorRegistry

from floorwatch.streams.metrics import PipelineMetrics
from floorwatch.streams.settings import WorkerSettings

README = (Path(__file__).parents[2] / "README.md").read_text()


def test_every_worker_setting_has_a_row_in_the_configuration_table():
    documented = set(re.findall(r"^\| `(FLOORWATCH_[A-Z_]+)` \|", README, flags=re.MULTILINE))
    settings = {f"FLOORWATCH_{name.upper()}" for name in WorkerSettings.model_fields}
    assert settings - documented == set()


def test_every_metric_family_in_the_code_has_a_row_in_the_metrics_table():
    documented = set(re.findall(r"^\| `(floorwatch_[a-z_0-9]+)` \|", README, flags=re.MULTILINE))
    source = (Path(__file__).parents[2] / "streams" / "metrics.py").read_text()
    families = set(re.findall(r'"(floorwatch_[a-z_0-9]+)"', source))
    registry = CollectorRegistry()
    PipelineMetrics.register(registry)
    counters = {m.name + ("_total" if m.type == "counter" else "") for m in registry.collect()}
    exposed = {f for f in families if not any(f == c.removesuffix("_total") for c in counters)} | counters
    assert exposed - documented == set()
