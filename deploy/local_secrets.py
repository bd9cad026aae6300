"""The secrets of a secured local floor, made once in one folder: certificates, the Kafka user's
password, Prometheus's scrape password and the workers' web configuration file.

`floorwatch kafka start --secure` and `floorwatch up --secure` use them, and `floorwatch secrets
make DIR --for-compose` makes them for docker-compose.secure.yml; a real deployment brings its own
(docs/security.md). The folder is 0700 and every file 0600 (0750/0640 with a group, for
containers whose users share it). A folder made before is used again, so a broker whose SCRAM
users were stored at format time keeps accepting them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from floorwatch.deploy.kafka_config import BrokerSecurity
from floorwatch.deploy.pki import LOCAL_HOSTS, LocalPki, make_pki
from floorwatch.deploy.prometheus import ScrapeSecurity
from floorwatch.web_config import hash_password

KAFKA_USER = "floorwatch"
SCRAPE_USER = "prometheus"
VALID_DAYS = 365  # a local floor's certificates; delete the folder to make new ones


@dataclass(frozen=True)
class LocalSecrets:
    folder: Path
    pki: LocalPki

    @classmethod
    def in_folder(cls, folder: Path, hosts: Sequence[str] = LOCAL_HOSTS, group: int | None = None) -> LocalSecrets:
        """`hosts`: what the server certificate is valid for; `group`: a group id allowed to read everything."""
        folder.mkdir(parents=True, exist_ok=True)
        pki_folder = folder / "pki"
        made = (pki_folder / "ca.pem").is_file()
        pki = LocalPki.at(pki_folder) if made else make_pki(pki_folder, valid_days=VALID_DAYS, hosts=hosts)
        found = cls(folder, pki)
        for path in (found.kafka_password_file, found.scrape_password_file):
            if not path.is_file():
                _write_secret(path, secrets.token_urlsafe(24))
        if not found.web_config_file.is_file():
            _write_secret(found.web_config_file, found._web_config())
        _restrict(folder, group)
        return found

    @property
    def kafka_password_file(self) -> Path:
        return self.folder / "kafka-password"

    @property
    def scrape_password_file(self) -> Path:
        return self.folder / "scrape-password"

    @property
    def web_config_file(self) -> Path:
        return self.folder / "web-config.yml"

    def broker_security(self) -> BrokerSecurity:
        password = self.kafka_password_file.read_text().strip()
        return BrokerSecurity(self.pki.broker_keystore, self.pki.ca, users=((KAFKA_USER, password),))

    def kafka_env(self, sasl_ssl_bootstrap_servers: str) -> dict[str, str]:
        """FLOORWATCH_* settings for every floorwatch client: SCRAM-SHA-512 over TLS."""
        return {
            "FLOORWATCH_BOOTSTRAP_SERVERS": sasl_ssl_bootstrap_servers,
            "FLOORWATCH_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "FLOORWATCH_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "FLOORWATCH_KAFKA_SASL_USERNAME": KAFKA_USER,
            "FLOORWATCH_KAFKA_SASL_PASSWORD_FILE": str(self.kafka_password_file),
            "FLOORWATCH_KAFKA_SSL_CAFILE": str(self.pki.ca),
        }

    def scrape_security(self) -> ScrapeSecurity:
        """Prometheus's side of the workers' web configuration: https, its client certificate, basic auth."""
        return ScrapeSecurity(
            scheme="https",
            ca_file=self.pki.ca,
            cert_file=self.pki.client_cert,
            key_file=self.pki.client_key,
            username=SCRAPE_USER,
            password_file=self.scrape_password_file,
        )

    def _web_config(self) -> str:
        hashed = hash_password(self.scrape_password_file.read_text().strip())
        return (
            "# Made by floorwatch for a local floor (deploy/local_secrets.py); format: docs/security.md.\n"
            "# Paths are relative to this file, so the folder works wherever it is mounted.\n"
            "tls_server_config:\n"
            f"  cert_file: {self._relative(self.pki.server_cert)}\n"
            f"  key_file: {self._relative(self.pki.server_key)}\n"
            "  client_auth_type: RequireAndVerifyClientCert\n"
            f"  client_ca_file: {self._relative(self.pki.ca)}\n"
            "basic_auth_users:\n"
            f"  {SCRAPE_USER}: '{hashed}'\n"
        )

    def _relative(self, path: Path) -> Path:
        return path.relative_to(self.folder)


def _restrict(folder: Path, group: int | None) -> None:
    """Only the owner (and `group`, read-only) may read the secrets."""
    for path in [folder, *folder.rglob("*")]:
        if group is not None:
            os.chown(path, -1, group)
        if path.is_dir():
            path.chmod(0o750 if group is not None else 0o700)
        else:
            path.chmod(0o640 if group is not None else 0o600)


def _write_secret(path: Path, text: str) -> None:
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")
