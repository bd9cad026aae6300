"""The secrets of a secured local floor, made once in one folder: certificates, the Kafka user's
password, Prometheus's scrape password and the workers' web configuration file.

`floorwatch kafka start --secure` and `floorwatch up --secure` use them; a real deployment brings
its own (docs/security.md). The folder is 0700 and every file 0600. A folder made before is
used again, so a broker whose SCRAM users were stored at format time keeps accepting them.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from floorwatch.deploy.kafka_config import BrokerSecurity
from floorwatch.deploy.pki import LocalPki, make_pki
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
    def in_folder(cls, folder: Path) -> LocalSecrets:
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
        pki_folder = folder / "pki"
        made = (pki_folder / "ca.pem").is_file()
        pki = LocalPki.at(pki_folder) if made else make_pki(pki_folder, valid_days=VALID_DAYS)
        found = cls(folder, pki)
        for path in (found.kafka_password_file, found.scrape_password_file):
            if not path.is_file():
                _write_secret(path, secrets.token_urlsafe(24))
        if not found.web_config_file.is_file():
            _write_secret(found.web_config_file, found._web_config())
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
            "tls_server_config:\n"
            f"  cert_file: {self.pki.server_cert}\n"
            f"  key_file: {self.pki.server_key}\n"
            "  client_auth_type: RequireAndVerifyClientCert\n"
            f"  client_ca_file: {self.pki.ca}\n"
            "basic_auth_users:\n"
            f"  {SCRAPE_USER}: '{hashed}'\n"
        )


def _write_secret(path: Path, text: str) -> None:
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")
