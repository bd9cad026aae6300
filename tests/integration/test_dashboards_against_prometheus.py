"""The dashboards and alert rules against the real thing: Debian's Prometheus scraping two real
stream workers fed with a simulated floor in which one team is understaffed into overload.

The rules are the generated ones with one honest change: every alert's `for:` is 3 s instead
of minutes (`AlertTimings.uniform`), since the workers replay four hours of events in seconds
of wall time; expressions, thresholds and labels are those of deploy/prometheus/rules.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from functools import partial

import pytest
import requests
from kafka import KafkaProducer

from floorwatch.core import advice, agent, queue
from floorwatch.core.config import MetricConfig, load_config
from floorwatch.core.replay import decode_lines, fold, replay, team_offers
from floorwatch.dashboards import promql as q
from floorwatch.dashboards.generate import dashboards
from floorwatch.dashboards.inspect import PanelQuery, panel_queries, resolve_variables, substitute, variables
from floorwatch.dashboards.rules import rules_yaml
from floorwatch.dashboards.thresholds import AlertTimings, Thresholds
from floorwatch.deploy.prometheus import LocalPrometheus
from floorwatch.topics import Topics
from tests.helpers import record_summary, wait_until
from tests.integration.stream_workers import WorkerProcess, produce

OVERLOADED, HEALTHY = "manila-billing", "lisbon-billing"
# The two teams' queues are one skill, so the healthy team can lend to the overloaded one's queue.
STAFFING = "queues:\n  q-manila-billing: {skill: billing}\n  q-lisbon-billing: {skill: billing}\n"
# Grafana's $__rate_interval depends on the time range; 5m spans this whole run, so rates and
# quantiles see every batch the workers processed.
BUILTINS = {"__rate_interval": "5m", "__interval": "15s"}


@pytest.fixture(scope="module")
def floor_log(tmp_path_factory) -> list[bytes]:
    """Four hours into an eight-hour shift; the last team works at half its planned head count, and
    one agent (a00000) skips its rest, so the panels of breaks still required today have data."""
    path = tmp_path_factory.mktemp("floor") / "events.jsonl"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "floorwatch.cli",
            "simulate",
            "--output",
            str(path),
            "--agents",
            "24",
            "--duration",
            "4h",
            "--shift-hours",
            "8",
            "--seed",
            "11",
            "--understaffed-teams",
            "1",
            "--understaff-factor",
            "0.5",
            "--quiet",
        ],
        check=True,
        timeout=120,
    )
    return [line for line in path.read_bytes().splitlines() if not _a_rest_of_a00000(line)]


def _a_rest_of_a00000(line: bytes) -> bool:
    event = json.loads(line)
    data = event["data"]
    return (
        event["type"] == "agent.state_changed" and data["agent_id"] == "a00000" and data["state"] in ("BREAK", "LUNCH")
    )


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
def staffing_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("staffing") / "staffing.yaml"
    path.write_text(STAFFING)
    return path


@dataclass(frozen=True)
class ExpectedAdvice:
    needed: dict[str, int]  # per queue, viewed at its own newest event as an event-clock worker does
    advice: advice.QueueAdvice  # for the overloaded team's queue, teams viewed at each member's last event


@pytest.fixture(scope="module")
def expected_advice(floor_log, staffing_file) -> ExpectedAdvice:
    """The staffing advice as the core computes it from the same log, at the instants the workers view."""
    config = load_config(staffing=staffing_file)
    result = fold(decode_lines(floor_log), config)
    needs = {q: queue.view(t, t.clock_seconds, config.queue).staffing for q, t in result.queues.items()}
    members = [agent.view(t, t.last_event_seconds or 0.0, config)[0] for t in result.agents.values()]
    short_queue = f"q-{OVERLOADED}"
    spare = config.queue.staffing.spare_below_ratio
    advised = advice.advise(short_queue, needs[short_queue], team_offers(members, config), spare)
    return ExpectedAdvice({q: n.agents_needed for q, n in needs.items() if n.agents_needed is not None}, advised)


def test_the_scenario_overloads_one_team_and_not_the_other(expected_teams):
    burnout = Thresholds().burnout_above_ratio
    assert expected_teams[OVERLOADED]["occupancy_15m"] > burnout > expected_teams[HEALTHY]["occupancy_15m"]


def _dead_letter_on_every_partition(bootstrap: str, topic: str, partitions: int) -> None:
    """One malformed line per input partition, so every worker has dead letters to show."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for partition in range(partitions):
        producer.send(topic, key=b"garbage", value=b"{not json", partition=partition)
    producer.flush()
    producer.close()


@dataclass(frozen=True)
class LiveFloor:
    prometheus: LocalPrometheus
    settled_after_seconds: float  # from Prometheus's start to the replay's figures on every team


def _settled(prometheus: LocalPrometheus, expected_teams: dict[str, dict]) -> bool:
    seen = {
        s["metric"]["team"]: float(s["value"][1])
        for s in prometheus.query('site_team:floorwatch_occupancy:ratio{window="15m"}')
    }
    return seen.keys() == expected_teams.keys() and all(
        abs(seen[t] - expected_teams[t]["occupancy_15m"]) < 1e-3 for t in seen
    )


@pytest.fixture(scope="module")
def live_floor(floor_log, expected_teams, staffing_file, kafka_bootstrap, tmp_path_factory, pytestconfig):
    """Two workers with the whole log processed, scraped by Prometheus with the short-`for` rules."""
    began = time.monotonic()
    run_dir = tmp_path_factory.mktemp("live-floor")
    prefix = f"fw.dashboards.{uuid.uuid4().hex[:8]}"
    staffing = {"FLOORWATCH_STAFFING_FILE": str(staffing_file)}
    workers = [WorkerProcess(kafka_bootstrap, prefix, run_dir, extra_env=staffing).start() for _ in range(2)]
    prometheus = None
    try:
        for worker in workers:
            wait_until(partial(_healthy, worker), 90, "a worker never became healthy")
        wait_until(
            lambda: all(w.health()["partitions"].get("agents") for w in workers),
            90,
            "the two workers never shared the input partitions",
        )
        rules = run_dir / "rules.yml"
        rules.write_text(rules_yaml(AlertTimings.uniform("3s")))
        prometheus = LocalPrometheus.scraping(
            [f"127.0.0.1:{w.port}" for w in workers],
            run_dir / "prometheus",
            rule_files=[rules],
            scrape_interval_seconds=1,
        )
        prometheus.start()
        started = time.monotonic()
        # Scraped once before any input, so counters and histograms are seen growing (rates, p95).
        wait_until(
            lambda: [t["health"] for t in prometheus.targets()] == ["up", "up"],
            30,
            "Prometheus never scraped both workers",
        )
        produce(kafka_bootstrap, Topics.with_prefix(prefix), floor_log)
        _dead_letter_on_every_partition(kafka_bootstrap, Topics.with_prefix(prefix).agent_events, workers[0].partitions)
        wait_until(
            lambda: _settled(prometheus, expected_teams),
            120,
            "Prometheus never showed the replay's 15-minute occupancy for every team",
        )
        yield LiveFloor(prometheus, time.monotonic() - started)
    finally:
        if prometheus is not None:
            prometheus.stop()
        for worker in workers:
            worker.stop()
        record_summary(
            pytestconfig,
            "dashboards against Prometheus (live floor)",
            f"{time.monotonic() - began:.0f} s for two workers, Prometheus and four simulated hours",
        )


def _healthy(worker: WorkerProcess) -> bool:
    return worker.health()["status"] == "ok"


def _overload_alerts(prometheus: LocalPrometheus) -> dict[str, dict]:
    return {
        a["labels"]["team"]: a for a in prometheus.alerts() if a["labels"]["alertname"] == "FloorwatchTeamOverloaded"
    }


def _wait_for_the_overload_page(prometheus: LocalPrometheus) -> dict:
    def paged() -> dict | None:
        alerts = _overload_alerts(prometheus)
        return alerts[OVERLOADED] if set(alerts) == {OVERLOADED} and alerts[OVERLOADED]["state"] == "firing" else None

    return wait_until(paged, 30, "the overload alert never fired for the understaffed team alone")


def test_the_overloaded_team_is_paged_and_the_healthy_team_is_not(live_floor, expected_teams, pytestconfig):
    alert = _wait_for_the_overload_page(live_floor.prometheus)

    assert alert["labels"]["severity"] == "critical" and alert["labels"]["site"] == "manila"
    assert f"Staffed now: {expected_teams[OVERLOADED]['staffed']}." in alert["annotations"]["description"]
    assert alert["annotations"]["runbook_url"] == "docs/runbook.md#floorwatchteamoverloaded"
    assert HEALTHY not in _overload_alerts(live_floor.prometheus)
    record_summary(
        pytestconfig,
        "overload alert",
        f"firing for {OVERLOADED} only; figures settled "
        f"{live_floor.settled_after_seconds:.0f} s after Prometheus started",
    )


def test_the_overload_alert_carries_the_staffing_advice_the_replay_computes(live_floor, expected_advice, pytestconfig):
    alert = _wait_for_the_overload_page(live_floor.prometheus)
    advised = expected_advice.advice
    assert advised.agents_short is not None and advised.agents_short > 0  # the scenario is short-staffed
    expected = f"{advised.queue_id} needs {advised.agents_short} more agent(s) for {advised.target_label}"
    for source in advised.sources:  # Prometheus's humanizePercentage: 4 significant digits
        expected += f"; {source.team_id} has {source.agents_movable} available at {source.occupancy_ratio * 100:.4g}%"
        expected += " occupancy"
    assert alert["annotations"]["advice"] == expected + "."
    assert alert["annotations"]["description"].endswith(" Staffing: " + expected + ".")
    assert [s.team_id for s in advised.sources] == [HEALTHY]  # the healthy team of the same skill lends
    record_summary(pytestconfig, "staffing advice in the overload alert", alert["annotations"]["advice"])


def test_every_queue_needs_on_prometheus_what_the_core_computes_from_the_log(live_floor, expected_advice):
    def seen() -> dict[str, int] | None:
        samples = live_floor.prometheus.query(q.QUEUE_AGENTS_NEEDED)
        found = {s["metric"]["queue"]: int(float(s["value"][1])) for s in samples}
        return found if found == expected_advice.needed else None

    wait_until(seen, 30, f"Prometheus never showed the agents needed the core computes: {expected_advice.needed}")


def _label_values(prometheus_url: str):
    def values(selector: str, label: str) -> list[str]:
        params = {"match[]": selector} if selector else {}
        return requests.get(f"{prometheus_url}/api/v1/label/{label}/values", params=params, timeout=10).json()["data"]

    return values


def _without_data(prometheus: LocalPrometheus, queries: list[PanelQuery], values: dict[str, str]) -> list[str]:
    missing = []
    for query in queries:
        expr = substitute(query.expr, values)
        samples = prometheus.query(expr)
        if not any(math.isfinite(float(s["value"][1])) for s in samples):
            missing.append(f"{query.dashboard} / {query.panel} [{query.ref_id}]: {expr} -> {samples}")
    return missing


def test_every_panel_query_of_every_dashboard_returns_data(live_floor, pytestconfig):
    prometheus = live_floor.prometheus
    _wait_for_the_overload_page(prometheus)  # the active-alerts panel shows firing alerts
    label_values = _label_values(prometheus.url)
    failures, evaluated = [], 0
    for model in dashboards().values():
        queries = panel_queries(model)
        everything = {**BUILTINS, **{v.name: ".*" for v in variables(model) if v.multi}}
        # Grafana's default view (All), then one real selection: the first site, team, agent, worker.
        for selection in (
            resolve_variables(model, label_values, everything),
            resolve_variables(model, label_values, BUILTINS),
        ):
            failures += _without_data(prometheus, queries, selection)
            evaluated += len(queries)

    assert evaluated > 0 and failures == [], "panels without data:\n" + "\n".join(failures)
    record_summary(
        pytestconfig, "panel queries", f"{evaluated} evaluated through Prometheus's HTTP API, each with data"
    )
