"""Sizing (deploy/sizing.py): its figures come from the named benchmark result, and the chart's
values, the chart's memory sums and docs/operations.md agree with it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from floorwatch.deploy.sizing import (
    FLOOR_SIZES,
    RESULTS,
    figures_table,
    growth_ratio,
    held_agents,
    load,
    markdown,
    plan,
)
from tests.unit.deploy.helm_render import CHART, one, render

ROOT = Path(__file__).resolve().parents[3]
FIGURES = load()


def test_the_chart_values_carry_the_benchmark_figures():
    benchmark = yaml.safe_load((CHART / "values.yaml").read_text())["sizing"]["benchmark"]

    assert benchmark["result"] == str(RESULTS.relative_to(ROOT))
    assert benchmark["idleWorkerMiB"] == FIGURES.idle_worker_mib
    assert benchmark["perAgentKiB"] == FIGURES.kib_per_agent
    assert benchmark["endOfShiftGrowth"] == growth_ratio(FIGURES)


def test_operations_doc_shows_the_sizing_of_the_current_benchmark_result():
    doc = (ROOT / "docs" / "operations.md").read_text()

    assert figures_table(FIGURES) in doc, "paste `python -m floorwatch.deploy.sizing` into docs/operations.md"
    assert markdown(FIGURES) in doc, "paste `python -m floorwatch.deploy.sizing` into docs/operations.md"
    assert f"commit {FIGURES.commit}" in doc


@pytest.mark.parametrize("agents", FLOOR_SIZES)
def test_the_chart_requests_the_memory_the_sizing_plans(agents):
    p = plan(FIGURES, agents)
    objects = render(
        **{"sizing.agents": str(agents), "worker.replicas": str(p.workers), "kafka.partitions": str(p.partitions)}
    )
    resources = one(objects, "Deployment", "-worker")["spec"]["template"]["spec"]["containers"][0]["resources"]

    assert resources["requests"]["memory"] == f"{p.memory_request_mib}Mi"
    assert resources["limits"]["memory"] == f"{p.memory_limit_mib}Mi"


@pytest.mark.parametrize(
    ("agents", "partitions", "workers", "held"),
    [(1000, 6, 2, 501), (1000, 6, 4, 334), (12, 6, 6, 2), (10, 6, 1, 12), (50_000, 12, 5, 12_501)],
)
def test_the_busiest_worker_holds_whole_partitions_rounded_up(agents, partitions, workers, held):
    assert held_agents(agents, partitions, workers) == held


@pytest.mark.parametrize("agents", [100, *FLOOR_SIZES, 200_000])
def test_a_plan_never_has_more_workers_than_partitions_and_stays_under_its_core_target(agents):
    p = plan(FIGURES, agents)

    assert 2 <= p.workers <= p.partitions
    assert p.partitions % 6 == 0
    assert p.core_share <= 0.5 + 0.01  # rounding of agents to whole partitions
    assert p.memory_request_mib < p.memory_limit_mib


def test_a_faster_worker_serves_more_agents_per_core():
    faster = dataclasses.replace(FIGURES, events_per_cpu_second=FIGURES.events_per_cpu_second * 4)

    assert plan(faster, 50_000).workers <= plan(FIGURES, 50_000).workers
    assert plan(faster, 50_000).catch_up_minutes_per_hour_down < plan(FIGURES, 50_000).catch_up_minutes_per_hour_down
