"""The dashboards and alert rules against the real thing: Debian's Prometheus scraping two real
stream workers fed with a simulated floor in which one team is understaffed into overload.

The rules are the generated ones with one honest change: every alert's `for:` is 3 s instead
of minutes (`AlertTimings.uniform`), since the workers replay four hours of events in seconds
of wall time; expressions, thresholds and labels are those of deploy/prometheus/rules.
"""
from __future__ import annotations

import math
import subprocess
import sys
import time

import pytest
import requests
from kafka import KafkaProducer

from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import replay
from floorwatch.dashboards.generate import dashboards
from floorwatch.dashboards.inspect import PanelQuery, panel_queries, resolve_variables, substitute, variables
from floorwatch.dashboards.rules import rules_yaml
from floorwatch.dashboards.thresholds import AlertTimings, Thresholds
from floorwatch.topics import Topics
from helpers import record_summary, wait_until
from stream_workers import WorkerProcess, produce

OVERLOADED, HEALTHY = "manila-billing", "lisbon-billing"
# Grafana's $__rate_interval depends on the time range; 5m spans this whole run, so rates and
# quantiles see every batch the workers processed.
BUILTINS = {"__rate_interval": "5m", "__interval": "15s"}


@pytest.fixture(scope="module")
def floor_log(tmp_path_factory) -> list[bytes]:
    """Four hours into an eight-hour shift; the last team works at half its planned head count."""
    path = tmp_path_factory.mktemp("floor") / "events.jsonl"
    subprocess.run([sys.executable, "-m", "floorwatch.cli", "simulate", "--output", str(path), "--agents", "24",
                    "--duration", "4h", "--shift-hours", "8", "--seed", "11", "--understaffed-teams", "1",
                    "--understaff-factor", "0.5", "--quiet"], check=True, timeout=120)
    return path.read_bytes().splitlines()


@pytest.fixture(scope="module")
def expected_teams(floor_log) -> dict[str, dict]:
    """Per team, as the batch replay computes it from the same log: 15-minute occupancy, agents staffed."""
    teams = {}
    for team, figures in replay(floor_log, MetricConfig())["teams"].items():
        now = figures["through_last_event"]
        window = next(w["figures"] for w in now["windows"] if w["window_seconds"] == 900)
        occupancy = window["handle_seconds"] / (window["handle_seconds"] + window["available_seconds"])
        teams[team] = {"occupancy_15m": occupancy, "staffed": now["agents_staffed"]}
    return teams


@pytest.fixture(scope="module")
def expected_occupancy(expected_teams) -> dict[str, float]:
    return {team: figures["occupancy_15m"] for team, figures in expected_teams.items()}


def test_the_scenario_overloads_one_team_and_not_the_other(expected_occupancy):
    burnout = Thresholds().burnout_above_ratio
    assert expected_occupancy[OVERLOADED] > burnout > expected_occupancy[HEALTHY]


def _dead_letter_on_every_partition(bootstrap: str, topic: str, partitions: int) -> None:
    """One malformed line per input partition, so every worker has dead letters to show."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for partition in range(partitions):
        producer.send(topic, key=b"garbage", value=b"{not json", partition=partition)
    producer.flush()
    producer.close()


def _label_values(prometheus_url: str):
    def values(selector: str, label: str) -> list[str]:
        params = {"match[]": selector} if selector else {}
        body = requests.get(f"{prometheus_url}/api/v1/label/{label}/values", params=params, timeout=10).json()
        return body["data"]

    return values


def _without_data(prometheus, queries: list[PanelQuery], values: dict[str, str]) -> list[str]:
    missing = []
    for query in queries:
        expr = substitute(query.expr, values)
        samples = prometheus.query(expr)
        if not any(math.isfinite(float(s["value"][1])) for s in samples):
            missing.append(f"{query.dashboard} / {query.panel} [{query.ref_id}]: {expr} -> {samples}")
    return missing


def _overload_alerts(prometheus) -> dict[str, dict]:
    return {a["labels"]["team"]: a for a in prometheus.alerts() if a["labels"]["alertname"] == "FloorwatchTeamOverloaded"}


def _wait_for_the_overload_page(prometheus) -> dict:
    """The overload alert firing for the understaffed team, and for no other team (not even pending)."""
    def paged() -> dict | None:
        alerts = _overload_alerts(prometheus)
        return alerts[OVERLOADED] if set(alerts) == {OVERLOADED} and alerts[OVERLOADED]["state"] == "firing" else None

    return wait_until(paged, 30, "the overload alert never fired for the understaffed team alone")


def test_every_panel_query_returns_data_and_the_overloaded_team_pages(
    floor_log, expected_teams, expected_occupancy, kafka_bootstrap, unique_name, tmp_path, prometheus_factory, pytestconfig,
):
    began = time.monotonic()
    prefix = unique_name("fw")
    topics = Topics.with_prefix(prefix)
    workers = [WorkerProcess(kafka_bootstrap, prefix, tmp_path).start() for _ in range(2)]
    try:
        for worker in workers:
            wait_until(lambda: worker.health()["status"] == "ok", 90, "a worker never became healthy")
        wait_until(lambda: all(w.health()["partitions"].get("agents") for w in workers), 90,
                   "the two workers never shared the input partitions")
        rules = tmp_path / "rules.yml"
        rules.write_text(rules_yaml(AlertTimings.uniform("3s")))
        prometheus = prometheus_factory([f"127.0.0.1:{w.port}" for w in workers], rule_files=[rules])
        started = time.monotonic()
        # Scraped once before any input, so counters and histograms are seen growing (rates, p95).
        wait_until(lambda: [t["health"] for t in prometheus.targets()] == ["up", "up"], 30,
                   "Prometheus never scraped both workers")

        produce(kafka_bootstrap, topics, floor_log)
        _dead_letter_on_every_partition(kafka_bootstrap, topics.agent_events, workers[0].partitions)

        def settled() -> bool:
            seen = {s["metric"]["team"]: float(s["value"][1])
                    for s in prometheus.query('site_team:floorwatch_occupancy:ratio{window="15m"}')}
            return seen.keys() == expected_occupancy.keys() and all(
                abs(seen[t] - expected_occupancy[t]) < 1e-3 for t in seen)

        wait_until(settled, 120, "Prometheus never showed the replay's 15-minute occupancy for every team")
        settled_after = time.monotonic() - started

        alert = _wait_for_the_overload_page(prometheus)
        assert alert["labels"]["severity"] == "critical" and alert["labels"]["site"] == "manila"
        assert f"Staffed now: {expected_teams[OVERLOADED]['staffed']}." in alert["annotations"]["description"]
        assert alert["annotations"]["runbook_url"] == "docs/runbook.md#floorwatchteamoverloaded"
        fired_after = time.monotonic() - started

        label_values = _label_values(prometheus.url)
        failures, evaluated = [], 0
        for model in dashboards().values():
            queries = panel_queries(model)
            everything = {**BUILTINS, **{v.name: ".*" for v in variables(model) if v.multi}}
            # Grafana's default view (All), then one real selection: the first site, team, agent.
            for selection in (resolve_variables(model, label_values, everything),
                              resolve_variables(model, label_values, BUILTINS)):
                failures += _without_data(prometheus, queries, selection)
                evaluated += len(queries)
        assert failures == [], "panels without data:\n" + "\n".join(failures)
    finally:
        for worker in workers:
            worker.stop()
    record_summary(pytestconfig, "dashboards against Prometheus",
                   f"{evaluated} panel queries with data; figures settled {settled_after:.0f} s and overload fired "
                   f"{fired_after:.0f} s after Prometheus started; whole test {time.monotonic() - began:.0f} s")
