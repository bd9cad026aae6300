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


SECURE = ROOT / "docker-compose.secure.yml"


def _secure_services() -> dict[str, Any]:
    return yaml.safe_load(SECURE.read_text())["services"]


@pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="the docker-compose binary is not installed (Debian: apt-get install docker-compose)",
)
def test_docker_compose_accepts_the_secure_overlay_with_secrets_passed_in_and_refuses_it_without(
    tmp_path: Path,
) -> None:
    command = ["docker-compose", "-f", str(COMPOSE), "-f", str(SECURE), "config"]
    env = {**os.environ, "FLOORWATCH_PSEUDONYM_KEY": "test-only-secret", "GRAFANA_ADMIN_PASSWORD": "test-only"}
    env.pop("FLOORWATCH_SECRETS_DIR", None)

    without = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, cwd=ROOT)
    given = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**env, "FLOORWATCH_SECRETS_DIR": str(tmp_path)},
        timeout=60,
        cwd=ROOT,
    )

    assert without.returncode != 0 and "FLOORWATCH_SECRETS_DIR" in without.stderr
    assert given.returncode == 0, given.stderr
    resolved = yaml.safe_load(given.stdout)["services"]
    mounted = f"{tmp_path}:/run/secrets/floorwatch:ro"
    assert all(mounted in resolved[name]["volumes"] for name in ("kafka", "worker", "simulator", "prometheus"))
    for name in ("worker", "simulator"):
        environment = resolved[name]["environment"]
        assert environment["FLOORWATCH_BOOTSTRAP_SERVERS"] == "kafka:9095"
        assert environment["FLOORWATCH_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    # the secure broker keeps its data apart: its SCRAM user is stored when the storage is formatted
    assert [v for v in resolved["kafka"]["volumes"] if v.endswith("/var/lib/kafka/data:rw")] == [
        "kafka-secure-data:/var/lib/kafka/data:rw"
    ]


def test_the_secure_overlay_reads_every_secret_from_the_mounted_folder_and_writes_none_down() -> None:
    text = SECURE.read_text()
    services = _secure_services()
    broker = services["kafka"]["command"][0]

    assert "password=$$(cat /run/secrets/floorwatch/kafka-password)" in broker
    assert "PLAINTEXT://127.0.0.1:9092" in broker and "CONTROLLER://127.0.0.1:9093" in broker  # loopback only
    assert "SASL_SSL://:9095" in broker and "EXTERNAL:SASL_SSL" in broker
    for name in ("worker", "simulator"):
        assert services[name]["environment"]["FLOORWATCH_KAFKA_SASL_PASSWORD_FILE"].startswith("/run/secrets/")
    assert services["worker"]["environment"]["FLOORWATCH_WEB_CONFIG_FILE"] == "/run/secrets/floorwatch/web-config.yml"
    assert "https://127.0.0.1:6066/health" in services["worker"]["healthcheck"]["test"][3]
    assert ":-" not in text  # no fallback values, secret or otherwise


def test_prometheus_of_the_secure_overlay_scrapes_the_workers_as_their_web_configuration_requires(
    tmp_path: Path,
) -> None:
    from floorwatch.commands.secrets import COMPOSE_HOSTS
    from floorwatch.deploy.local_secrets import SCRAPE_USER, LocalSecrets
    from floorwatch.web_config import load_web_config

    made = LocalSecrets.in_folder(tmp_path / "secrets", COMPOSE_HOSTS)
    config_text = (ROOT / "deploy/prometheus/prometheus-secure.yml").read_text()
    job = next(j for j in yaml.safe_load(config_text)["scrape_configs"] if j["job_name"] == "floorwatch-worker")
    web = load_web_config(made.web_config_file)

    assert job["scheme"] == "https" and web.scheme == "https"
    assert web.tls is not None and web.tls.client_auth_type == "RequireAndVerifyClientCert"
    assert job["basic_auth"]["username"] == SCRAPE_USER and list(web.basic_auth_users) == [SCRAPE_USER]
    assert job["tls_config"]["server_name"] in COMPOSE_HOSTS
    assert job["dns_sd_configs"][0]["port"] == int(_services()["worker"]["environment"]["FLOORWATCH_WEB_PORT"])
    if shutil.which("promtool") is not None:  # promtool reads the files the config names
        local = tmp_path / "prometheus.yml"
        local.write_text(config_text.replace("/run/secrets/floorwatch", str(made.folder)))
        checked = subprocess.run(["promtool", "check", "config", str(local)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
