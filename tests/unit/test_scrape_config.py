"""The Prometheus configuration floorwatch writes for its own Prometheus (`floorwatch up`, tests)
follows how the workers serve their pages (deploy/prometheus.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from floorwatch.deploy.local_secrets import SCRAPE_USER, LocalSecrets
from floorwatch.deploy.prometheus import scrape_config


def test_plain_workers_are_scraped_over_http_without_credentials() -> None:
    job = yaml.safe_load(scrape_config(["127.0.0.1:6066"]))["scrape_configs"][0]

    assert job == {"job_name": "floorwatch", "scheme": "http", "static_configs": [{"targets": ["127.0.0.1:6066"]}]}


def test_secured_workers_are_scraped_over_https_with_the_ca_a_client_certificate_and_basic_auth(
    tmp_path: Path,
) -> None:
    made = LocalSecrets.in_folder(tmp_path / "secrets")
    text = scrape_config(["127.0.0.1:6066"], security=made.scrape_security())
    job = yaml.safe_load(text)["scrape_configs"][0]

    assert job["scheme"] == "https"
    assert job["tls_config"] == {
        "ca_file": str(made.pki.ca),
        "cert_file": str(made.pki.client_cert),
        "key_file": str(made.pki.client_key),
    }
    assert job["basic_auth"] == {"username": SCRAPE_USER, "password_file": str(made.scrape_password_file)}
    assert made.scrape_password_file.read_text().strip() not in text  # the password stays in its file


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed (apt-get install prometheus)")
def test_promtool_accepts_the_secured_scrape_configuration(tmp_path: Path) -> None:
    made = LocalSecrets.in_folder(tmp_path / "secrets")
    config = tmp_path / "prometheus.yml"
    config.write_text(scrape_config(["127.0.0.1:6066"], security=made.scrape_security()))

    checked = subprocess.run(["promtool", "check", "config", str(config)], capture_output=True, text=True, timeout=60)

    assert checked.returncode == 0, checked.stdout + checked.stderr
