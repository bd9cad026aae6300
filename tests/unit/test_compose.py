"""docker-compose.yml, the production path: valid for docker-compose, and every mounted file is really there.

No Docker engine runs here; `docker-compose config` validates and resolves the file without one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


def _services() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def _bind_mounts(service: str) -> dict[str, str]:
    """container path -> host path of a service's bind mounts (named volumes left out)."""
    mounts = {}
    for volume in _services()[service].get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("."):
            mounts[target] = source
    return mounts


@pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="the docker-compose binary is not installed (Debian: apt-get install docker-compose)",
)
def test_docker_compose_accepts_the_file() -> None:
    env = {**os.environ, "FLOORWATCH_PSEUDONYM_KEY": "test-only-secret", "GRAFANA_ADMIN_PASSWORD": "test-only"}
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, env=env, timeout=60
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="the docker-compose binary is not installed (Debian: apt-get install docker-compose)",
)
def test_docker_compose_refuses_to_start_workers_without_a_pseudonym_key() -> None:
    env = {key: value for key, value in os.environ.items() if key != "FLOORWATCH_PSEUDONYM_KEY"}
    env["GRAFANA_ADMIN_PASSWORD"] = "test-only"
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config", "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )

    assert result.returncode != 0
    assert "FLOORWATCH_PSEUDONYM_KEY" in result.stderr


def test_every_file_mounted_from_deploy_exists() -> None:
    mounted = [
        source for service in _services() for source in _bind_mounts(service).values() if source.startswith("./deploy/")
    ]

    assert mounted, "expected configuration mounted from deploy/"
    assert [source for source in mounted if not (ROOT / source).exists()] == []


def test_grafana_gets_both_provisioning_folders_and_the_dashboards_where_its_provider_looks() -> None:
    mounts = _bind_mounts("grafana")
    provisioning = ROOT / mounts["/etc/grafana/provisioning"]
    providers = yaml.safe_load((provisioning / "dashboards" / "floorwatch.yaml").read_text())["providers"]
    datasources = yaml.safe_load((provisioning / "datasources" / "prometheus.yaml").read_text())["datasources"]

    assert [provider["options"]["path"] for provider in providers] == ["/var/lib/grafana/dashboards/floorwatch"]
    assert mounts["/var/lib/grafana/dashboards/floorwatch"] == "./dashboards/generated"
    assert [(source["uid"], source["url"]) for source in datasources] == [
        ("floorwatch-prometheus", "http://prometheus:9090")
    ]
    assert "9090:9090" in " ".join(_services()["prometheus"]["ports"])


def test_prometheus_loads_rules_from_the_mounted_folder_and_alerts_the_alertmanager_service() -> None:
    mounts = _bind_mounts("prometheus")
    config = yaml.safe_load((ROOT / mounts["/etc/prometheus/prometheus.yml"]).read_text())

    assert config["rule_files"] == ["/etc/prometheus/rules/*.yml"]
    assert mounts["/etc/prometheus/rules"] == "./deploy/prometheus/rules"
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["alertmanager:9093"]
    worker_job = next(job for job in config["scrape_configs"] if job["job_name"] == "floorwatch-worker")
    assert worker_job["dns_sd_configs"][0]["port"] == int(_services()["worker"]["environment"]["FLOORWATCH_WEB_PORT"])


@pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool is not installed (Debian: apt-get install prometheus)"
)
def test_promtool_accepts_the_prometheus_configuration() -> None:
    result = subprocess.run(
        ["promtool", "check", "config", str(ROOT / "deploy/prometheus/prometheus.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_worker_and_simulator_run_the_floorwatch_commands_from_the_image_built_here() -> None:
    services = _services()

    assert services["worker"]["command"] == ["floorwatch", "worker"]
    assert services["simulator"]["command"] == ["floorwatch", "simulate", "--to", "kafka"]
    assert {services[name]["build"] for name in ("worker", "simulator")} == {"."}
    assert services["kafka"]["image"] == "apache/kafka:4.1.1"
    assert all(
        services[name]["environment"]["FLOORWATCH_BOOTSTRAP_SERVERS"] == "kafka:9092"
        for name in ("worker", "simulator")
    )


def test_the_image_runs_as_an_unprivileged_user_and_installs_the_pinned_versions() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert dockerfile.startswith("# ") and "FROM python:3.11-slim" in dockerfile
    assert "--constraint constraints.txt" in dockerfile
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")


@pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="the docker-compose binary is not installed (Debian: apt-get install docker-compose)",
)
def test_docker_compose_refuses_to_start_grafana_without_an_admin_password() -> None:
    env = {key: value for key, value in os.environ.items() if key != "GRAFANA_ADMIN_PASSWORD"}
    env["FLOORWATCH_PSEUDONYM_KEY"] = "test-only-secret"
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config", "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )

    assert result.returncode != 0
    assert "GRAFANA_ADMIN_PASSWORD" in result.stderr


def test_no_service_falls_back_to_a_default_password_or_serves_prometheus_lifecycle_endpoints() -> None:
    text = COMPOSE.read_text()
    grafana = _services()["grafana"]["environment"]

    assert ":-admin" not in text
    assert grafana["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")
    assert not any("enable-lifecycle" in part for part in _services()["prometheus"]["command"])


def test_every_published_port_is_bound_to_the_hosts_loopback() -> None:
    published = [port for service in _services().values() for port in service.get("ports", [])]

    assert published and all(str(port).startswith("127.0.0.1:") for port in published)
