"""The secrets a secured local floor is made with (deploy/local_secrets.py): private, made once,
and consistent with each other (the web configuration accepts what Prometheus is given)."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

from cryptography import x509

from floorwatch.deploy.local_secrets import SCRAPE_USER, LocalSecrets
from floorwatch.web_config import BasicAuth, load_web_config


def test_secrets_are_readable_by_their_owner_only_and_made_once(tmp_path: Path) -> None:
    first = LocalSecrets.in_folder(tmp_path / "secrets")
    password = first.kafka_password_file.read_text()
    again = LocalSecrets.in_folder(tmp_path / "secrets")

    modes = {
        path.relative_to(tmp_path).as_posix(): oct(path.stat().st_mode & 0o777)
        for path in [first.folder, *first.folder.rglob("*")]
    }
    assert again.kafka_password_file.read_text() == password  # a broker formatted with it keeps working
    assert modes["secrets"] == "0o700" and modes["secrets/pki"] == "0o700"
    assert {mode for name, mode in modes.items() if name not in ("secrets", "secrets/pki")} == {"0o600"}
    assert len(password.strip()) >= 32


def test_the_web_configuration_accepts_the_scrape_password_and_names_files_relative_to_itself(tmp_path: Path) -> None:
    made = LocalSecrets.in_folder(tmp_path / "secrets")
    moved = tmp_path / "mounted-elsewhere"
    made.folder.rename(moved)

    web = load_web_config(moved / "web-config.yml")
    password = (moved / "scrape-password").read_text().strip()
    header = "Basic " + base64.b64encode(f"{SCRAPE_USER}:{password}".encode()).decode()

    assert web.tls is not None and web.tls.cert_file == moved / "pki" / "server.pem"
    assert asyncio.run(BasicAuth(web.basic_auth_users).allows(header))


def test_the_server_certificate_names_every_host_asked_for(tmp_path: Path) -> None:
    made = LocalSecrets.in_folder(tmp_path / "secrets", hosts=("kafka", "worker", "127.0.0.1"))

    names = x509.load_pem_x509_certificate(made.pki.server_cert.read_bytes()).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert names.value.get_values_for_type(x509.DNSName) == ["kafka", "worker"]
    assert [str(ip) for ip in names.value.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
