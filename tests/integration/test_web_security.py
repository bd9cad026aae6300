"""TLS and basic auth on a worker's /metrics and /health, on real sockets, and the real Prometheus
scraping through them (docs/security.md, "Endpoints")."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from floorwatch.deploy.local_secrets import SCRAPE_USER, LocalSecrets
from floorwatch.deploy.pki import LocalPki
from tests.helpers import record_summary, wait_until
from tests.integration.stream_workers import WorkerProcess

PATHS = ("/metrics", "/health")


@dataclass(frozen=True)
class SecuredWorker:
    worker: WorkerProcess
    secrets: LocalSecrets

    @property
    def pki(self) -> LocalPki:
        return self.secrets.pki

    @property
    def password(self) -> str:
        return self.secrets.scrape_password_file.read_text().strip()

    def get(self, path: str, *, auth: tuple[str, str] | None = None, cert: tuple[Path, Path] | None = None):
        chosen = cert if cert is not None else (self.pki.client_cert, self.pki.client_key)
        return requests.get(
            f"https://127.0.0.1:{self.worker.port}{path}",
            auth=auth,
            cert=(str(chosen[0]), str(chosen[1])),
            verify=str(self.pki.ca),
            timeout=5,
        )


@pytest.fixture(scope="module")
def secured(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredWorker]:
    folder = tmp_path_factory.mktemp("web-security")
    secrets = LocalSecrets.in_folder(folder / "secrets")  # TLS, client CA and a bcrypt user, as floorwatch up makes
    worker = WorkerProcess(
        kafka_bootstrap,
        f"fw-web.{uuid.uuid4().hex[:8]}",
        folder,
        extra_env={"FLOORWATCH_WEB_CONFIG_FILE": str(secrets.web_config_file)},
    ).start()
    found = SecuredWorker(worker, secrets)

    def serving() -> bool:
        try:
            return found.get("/health", auth=(SCRAPE_USER, found.password)).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_until(serving, 90, "the worker never answered /health over TLS")
    except AssertionError as failure:
        worker.stop()
        raise AssertionError(f"{failure}\n{worker.log_tail()}") from None
    yield found
    worker.stop()


@pytest.mark.parametrize("path", PATHS)
def test_only_the_configured_user_with_the_right_password_gets_an_answer(secured: SecuredWorker, path: str) -> None:
    statuses = {
        "no credentials": secured.get(path).status_code,
        "wrong password": secured.get(path, auth=(SCRAPE_USER, "not the password")).status_code,
        "unknown user": secured.get(path, auth=("someone", secured.password)).status_code,
        "right password": secured.get(path, auth=(SCRAPE_USER, secured.password)).status_code,
    }
    challenge = secured.get(path).headers.get("WWW-Authenticate")

    assert statuses == {"no credentials": 401, "wrong password": 401, "unknown user": 401, "right password": 200}
    assert challenge == 'Basic realm="floorwatch"'


def test_the_right_password_is_refused_without_a_client_certificate_the_worker_trusts(secured: SecuredWorker) -> None:
    right = (SCRAPE_USER, secured.password)
    pki = secured.pki

    # With TLS 1.3 the server judges the client certificate after the client's side of the handshake
    # is done, so the refusal shows as a closed connection (an SSLError is one kind of ConnectionError).
    with pytest.raises(requests.exceptions.ConnectionError):
        secured.get("/metrics", auth=right, cert=(pki.rogue_client_cert, pki.rogue_client_key))
    with pytest.raises(requests.exceptions.ConnectionError):  # no certificate at all: the handshake fails
        requests.get(f"https://127.0.0.1:{secured.worker.port}/metrics", auth=right, verify=str(pki.ca), timeout=5)
    with pytest.raises(requests.exceptions.ConnectionError):  # nothing in clear text on the TLS port
        requests.get(f"http://127.0.0.1:{secured.worker.port}/metrics", auth=right, timeout=5)
    assert secured.get("/metrics", auth=right).status_code == 200  # still serving the trusted client


def test_prometheus_scrapes_the_worker_over_tls_with_a_client_certificate_and_basic_auth(
    secured: SecuredWorker, prometheus_factory, pytestconfig
) -> None:
    began = time.monotonic()
    prometheus = prometheus_factory([f"127.0.0.1:{secured.worker.port}"], security=secured.secrets.scrape_security())

    def scraped() -> bool:
        return [s["value"][1] for s in prometheus.query('up{job="floorwatch"}')] == ["1"]

    try:
        wait_until(scraped, 30, "Prometheus never scraped the worker")
    except AssertionError as failure:
        raise AssertionError(f"{failure}: {prometheus.targets()}\n{prometheus.log_tail()}") from None
    record_summary(pytestconfig, "Prometheus over TLS + basic auth", f"up == 1 after {time.monotonic() - began:.1f} s")

    assert prometheus.targets()[0]["scrapeUrl"].startswith("https://")
    assert prometheus.query("floorwatch_snapshot_timestamp_seconds"), "the worker's own metrics were not scraped"


def test_a_web_configuration_file_that_cannot_be_used_stops_the_worker_at_start_naming_it(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    config = tmp_path / "web.yml"
    config.write_text("basic_auth_users:\n  prometheus: my-plain-password\n")
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "floorwatch.cli", "worker"],
        env={
            **os.environ,
            "FLOORWATCH_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "FLOORWATCH_PRIVACY": "off",
            "FLOORWATCH_DATA_DIR": str(tmp_path / "data"),
            "FLOORWATCH_WEB_CONFIG_FILE": str(config),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 78, result.stderr  # EX_CONFIG: restarting cannot help
    assert time.monotonic() - began < 30
    assert f"FLOORWATCH_WEB_CONFIG_FILE={config}: basic_auth_users.prometheus: not a bcrypt hash" in result.stderr
    assert "floorwatch web hash-password" in result.stderr
    assert "my-plain-password" not in result.stderr
