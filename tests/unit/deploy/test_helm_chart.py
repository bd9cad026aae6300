"""The Helm chart (deploy/helm/floorwatch): it lints, renders valid objects with default values
and with every optional part on, and is wired to what the worker really does."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from floorwatch.dashboards.common import DATASOURCE_UID
from floorwatch.dashboards.generate import GENERATED_DIR
from floorwatch.dashboards.rules import RULES_FILE
from floorwatch.dashboards.thresholds import WORKER_JOB_SELECTOR
from floorwatch.streams.settings import WorkerSettings
from tests.unit.deploy.helm_render import (
    ALL_ON,
    CHART,
    KUBERNETES_VERSION,
    OLDEST_KUBERNETES,
    one,
    render,
    run_helm,
    schema_problems,
    try_render,
)

WORKER_DEFAULTS = WorkerSettings.model_fields


def worker_container(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return one(objects, "Deployment", "-worker")["spec"]["template"]["spec"]["containers"][0]


def env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


@pytest.mark.parametrize("values", [[], [ALL_ON]], ids=["default values", "every optional part on"])
def test_helm_lint_passes_strictly(values):
    args = ["lint", "--strict", str(CHART)] + [arg for path in values for arg in ("-f", str(path))]
    result = run_helm(*args)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("kubernetes", [KUBERNETES_VERSION, OLDEST_KUBERNETES])
@pytest.mark.parametrize("values", [[], [ALL_ON]], ids=["default values", "every optional part on"])
def test_every_rendered_object_matches_its_schema(values, kubernetes):
    objects = render(*values)
    problems = {f"{o['kind']}/{o['metadata']['name']}": schema_problems(o, kubernetes) for o in objects}

    assert {name: found for name, found in problems.items() if found} == {}


def test_every_optional_part_renders_when_switched_on():
    kinds = sorted({o["kind"] for o in render(ALL_ON)})

    # no Secret: the all-on values name their own pseudonym key Secret
    assert kinds == [
        "ConfigMap",
        "Deployment",
        "Job",
        "PodDisruptionBudget",
        "PodMonitor",
        "PrometheusRule",
        "ScaledObject",
        "Service",
        "ServiceAccount",
        "ServiceMonitor",
    ]


def test_the_schema_check_catches_an_unknown_field_and_a_wrong_type():
    objects = render(ALL_ON)
    deployment = one(objects, "Deployment", "-worker")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["paht"] = "/health"
    pod_monitor = one(objects, "PodMonitor")
    pod_monitor["spec"]["podMetricsEndpoints"][0]["interval"] = "15 seconds"
    scaled = one(objects, "ScaledObject")
    scaled["spec"]["maxReplicaCount"] = "six"
    rule = one(objects, "PrometheusRule")
    rule["spec"]["groups"][0]["rulez"] = []

    assert all(schema_problems(o) for o in (deployment, pod_monitor, scaled, rule))


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"workers": "3"}, "additional properties 'workers' not allowed"),
        ({"worker.replicas": "two"}, "/worker/replicas': got string, want integer"),
        ({"privacy.mode": "anonymous"}, "/privacy/mode"),
        ({"kafka.securityProtocol": "SASL_PLAINTEXT"}, "/kafka/securityProtocol"),
        ({"worker.shutdownTimeoutSeconds": "90"}, "/worker/shutdownTimeoutSeconds"),
    ],
)
def test_a_misspelled_or_mistyped_value_is_refused_naming_it(values, problem):
    refused = try_render(**values)

    assert refused.returncode != 0
    assert problem in refused.stderr


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"kafka.securityProtocol": "SASL_SSL"}, "needs kafka.sasl.username and kafka.sasl.passwordSecret.name"),
        ({"kafka.tls.certKey": "tls.crt"}, "kafka.tls.certKey and kafka.tls.keyKey go together"),
        ({"kafka.tls.certKey": "tls.crt", "kafka.tls.keyKey": "tls.key"}, "needs kafka.tls.secretName"),
        ({"keda.enabled": "true"}, "keda.prometheusServerAddress is required"),
        ({"ingest.sources[0].name": "asterisk"}, "ingest/sources/0"),
    ],
)
def test_an_incomplete_kafka_keda_or_ingest_setting_is_refused_saying_what_is_missing(values, problem):
    refused = try_render(**values)

    assert refused.returncode != 0
    assert problem in refused.stderr


def test_probes_call_the_workers_health_page_on_its_port():
    container = worker_container(render())
    port = WORKER_DEFAULTS["web_port"].default
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}

    assert ports == {"web": port}
    assert env(container)["FLOORWATCH_WEB_PORT"] == str(port)
    assert env(container)["FLOORWATCH_WEB_HOST"] == "0.0.0.0"
    for probe in ("readinessProbe", "startupProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/health", "port": "web"}, probe


def test_the_grace_period_outlasts_the_workers_sigterm_deadline():
    objects = render()
    pod = one(objects, "Deployment", "-worker")["spec"]["template"]["spec"]
    deadline = float(env(pod["containers"][0])["FLOORWATCH_SHUTDOWN_TIMEOUT_SECONDS"])

    assert deadline == WORKER_DEFAULTS["shutdown_timeout_seconds"].default
    assert pod["terminationGracePeriodSeconds"] > deadline + 5
    refused = try_render(**{"worker.terminationGracePeriodSeconds": "8"})
    assert refused.returncode != 0
    assert "must exceed worker.shutdownTimeoutSeconds" in refused.stderr


def test_liveness_waits_longer_than_the_workers_own_watchdogs():
    container = worker_container(render())
    live = container["livenessProbe"]
    watchdogs = [WORKER_DEFAULTS[name].default for name in ("recovery_timeout_seconds", "stall_timeout_seconds")]

    assert live["periodSeconds"] * live["failureThreshold"] > max(watchdogs)
    refused = try_render(**{"worker.probes.liveness.failureThreshold": "3"})
    assert "watchdog" in refused.stderr


@pytest.mark.parametrize("partitions", [1, 6, 12])
def test_replicas_may_equal_the_partition_count_and_never_exceed_it(partitions):
    at_cap = render(**{"kafka.partitions": str(partitions), "worker.replicas": str(partitions)})
    above = try_render(**{"kafka.partitions": str(partitions), "worker.replicas": str(partitions + 1)})

    assert one(at_cap, "Deployment", "-worker")["spec"]["replicas"] == partitions
    assert env(worker_container(at_cap))["FLOORWATCH_PARTITIONS"] == str(partitions)
    assert above.returncode != 0
    assert f"worker.replicas ({partitions + 1}) is above kafka.partitions ({partitions})" in above.stderr


def test_keda_scales_up_to_the_partition_count_and_refuses_more():
    scaled = one(render(ALL_ON), "ScaledObject")
    above = try_render(ALL_ON, **{"keda.maxReplicas": "13"})

    assert scaled["spec"]["maxReplicaCount"] == yaml.safe_load(ALL_ON.read_text())["kafka"]["partitions"] == 12
    assert scaled["spec"]["scaleTargetRef"]["name"] == one(render(ALL_ON), "Deployment", "-worker")["metadata"]["name"]
    assert "keda.maxReplicas (13) is above kafka.partitions (12)" in above.stderr
    assert "replicas" not in one(render(ALL_ON), "Deployment", "-worker")["spec"]  # KEDA owns the count


def test_keda_reads_the_lag_gauge_of_this_releases_workers():
    query = one(render(ALL_ON), "ScaledObject")["spec"]["triggers"][0]["metadata"]["query"]

    assert query.startswith("sum(floorwatch_consumer_lag_messages{")
    assert 'job="floorwatch-worker"' in query and 'namespace="floor"' in query
    assert 'app_kubernetes_io_instance="fw"' in query


def test_the_prometheus_rule_holds_exactly_the_generated_rules_file():
    rule = one(render(ALL_ON), "PrometheusRule")

    assert rule["spec"] == yaml.safe_load(RULES_FILE.read_text())


def test_workers_are_scraped_under_the_job_the_alert_rules_select():
    objects = render(ALL_ON)
    pod_labels = one(objects, "Deployment", "-worker")["spec"]["template"]["metadata"]["labels"]
    pattern = re.search(r'job=~"([^"]+)"', WORKER_JOB_SELECTOR)
    assert pattern is not None

    for kind in ("PodMonitor", "ServiceMonitor"):
        monitor = one(objects, kind)
        job = pod_labels[monitor["spec"]["jobLabel"]]
        assert re.fullmatch(pattern.group(1), job), kind
        assert monitor["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    endpoint = one(objects, "PodMonitor")["spec"]["podMetricsEndpoints"][0]
    assert (endpoint["port"], endpoint["path"]) == ("web", "/metrics")


def test_the_dashboard_config_maps_hold_the_generated_dashboards_for_the_sidecar():
    maps = [o for o in render(ALL_ON) if o["kind"] == "ConfigMap" and "-dashboard-" in o["metadata"]["name"]]
    by_file = {name: text for m in maps for name, text in m["data"].items()}

    assert all(m["metadata"]["labels"]["grafana_dashboard"] == "1" for m in maps)
    assert sorted(by_file) == sorted(p.name for p in GENERATED_DIR.glob("*.json"))
    for name, text in by_file.items():
        assert json.loads(text) == json.loads((GENERATED_DIR / name).read_text()), name


def test_the_datasource_config_map_has_the_uid_the_dashboards_query():
    datasource = one(render(ALL_ON), "ConfigMap", "-datasource")
    provisioned = yaml.safe_load(datasource["data"]["floorwatch-datasource.yaml"])

    assert [d["uid"] for d in provisioned["datasources"]] == [DATASOURCE_UID]


def test_pods_run_unprivileged_on_a_read_only_root_with_the_image_user():
    for workload in (o for o in render(ALL_ON) if o["kind"] in ("Deployment", "Job")):
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 10001  # the Dockerfile's floorwatch user
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, workload["metadata"]["name"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"]["drop"] == ["ALL"]
            assert "/tmp" in {m["mountPath"] for m in container["volumeMounts"]}


def test_secrets_come_from_secrets_never_from_values():
    objects = render(ALL_ON)
    container = worker_container(objects)
    variables = env(container)
    volumes = {v["name"]: v for v in one(objects, "Deployment", "-worker")["spec"]["template"]["spec"]["volumes"]}

    assert variables["FLOORWATCH_PSEUDONYM_KEY"] == {
        "secretKeyRef": {"name": "floorwatch-pseudonym", "key": "pseudonym-key"}
    }
    assert variables["FLOORWATCH_KAFKA_SASL_PASSWORD_FILE"].startswith("/etc/floorwatch/kafka-sasl/")
    assert volumes["kafka-sasl"]["secret"]["secretName"] == "floorwatch-kafka"
    assert volumes["kafka-tls"]["secret"]["secretName"] == "floorwatch-kafka-tls"
    assert not any("PASSWORD" in name and not name.endswith("_FILE") for name in variables)


def test_without_a_named_secret_the_chart_makes_a_random_pseudonym_key_it_keeps():
    first, second = render(), render()
    secret = one(first, "Secret", "-pseudonym")

    assert secret["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    reference = env(worker_container(first))["FLOORWATCH_PSEUDONYM_KEY"]["secretKeyRef"]
    assert reference == {"name": secret["metadata"]["name"], "key": "pseudonym-key"}
    assert secret["data"]["pseudonym-key"] != one(second, "Secret", "-pseudonym")["data"]["pseudonym-key"]
    assert not [o for o in render(**{"privacy.mode": "off"}) if o["kind"] == "Secret"]


def test_memory_requests_grow_with_the_agents_a_worker_may_hold():
    def memory_mib(**values: str) -> int:
        resources = worker_container(render(**values))["resources"]
        return int(resources["requests"]["memory"].removesuffix("Mi"))

    small, large = memory_mib(**{"sizing.agents": "1000"}), memory_mib(**{"sizing.agents": "10000"})
    fewer_workers = memory_mib(**{"sizing.agents": "10000", "worker.replicas": "1"})

    # 6 partitions, 2 workers: 3 partitions of 167 agents each = 501 agents x per-agent KiB + idle MiB
    benchmark = yaml.safe_load((CHART / "values.yaml").read_text())["sizing"]["benchmark"]
    assert small == benchmark["idleWorkerMiB"] + -(-501 * benchmark["perAgentKiB"] // 1024)
    assert small < large < fewer_workers


def test_the_scrape_sample_limit_follows_the_agents_a_worker_may_hold():
    all_on = yaml.safe_load(ALL_ON.read_text())
    # 12 partitions over keda.minReplicas=2 workers: 6 partitions of ceil(10,000 / 12) = 834 agents
    held = 6 * 834
    assert (all_on["kafka"]["partitions"], all_on["keda"]["minReplicas"], all_on["sizing"]["agents"]) == (12, 2, 10000)

    assert one(render(ALL_ON), "PodMonitor")["spec"]["sampleLimit"] == 20 * held
    assert one(render(ALL_ON, **{"privacy.mode": "off"}), "PodMonitor")["spec"]["sampleLimit"] == 5000


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed (`make setup` installs it)")
def test_the_keda_query_sums_the_lag_of_this_releases_workers_only(tmp_path):
    query = one(render(ALL_ON), "ScaledObject")["spec"]["triggers"][0]["metadata"]["query"]
    ours = 'job="floorwatch-worker", namespace="floor", app_kubernetes_io_instance="fw"'
    other = 'job="floorwatch-worker", namespace="floor", app_kubernetes_io_instance="other"'
    (tmp_path / "empty.yml").write_text("groups: []\n")
    test = {
        "rule_files": ["empty.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {
                        "series": f'floorwatch_consumer_lag_messages{{{ours}, topic="t", partition="0"}}',
                        "values": "300",
                    },
                    {"series": f'floorwatch_consumer_lag_messages{{{ours}, topic="t", partition="1"}}', "values": "4"},
                    {"series": f'floorwatch_consumer_lag_messages{{{other}, topic="t", partition="0"}}', "values": "9"},
                ],
                "promql_expr_test": [
                    {"expr": query, "eval_time": "0m", "exp_samples": [{"labels": "{}", "value": 304}]}
                ],
            }
        ],
    }
    (tmp_path / "keda_test.yml").write_text(yaml.safe_dump(test))

    result = subprocess.run(
        ["promtool", "test", "rules", "keda_test.yml"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stdout + result.stderr
