"""How every floorwatch Kafka client authenticates and encrypts (docs/security.md).

One set of FLOORWATCH_KAFKA_* settings, inherited by each service's frozen settings object,
turned into the options of the two client libraries floorwatch uses: kafka-python (admin,
simulator, ingest) and aiokafka (the worker's own clients; Faust gets the same SSL context and
SASL fields in streams/app.py). Secrets come from files, never from the environment itself.
"""

from __future__ import annotations

import ssl
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SecurityProtocol(StrEnum):
    PLAINTEXT = "PLAINTEXT"
    SSL = "SSL"  # TLS; with FLOORWATCH_KAFKA_SSL_CERTFILE/KEYFILE also mutual TLS
    SASL_SSL = "SASL_SSL"  # a user name and password over TLS


class SaslMechanism(StrEnum):
    SCRAM_SHA_512 = "SCRAM-SHA-512"
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    PLAIN = "PLAIN"


class KafkaSecurityError(RuntimeError):
    """A secret or certificate file cannot be used; the message names the setting to fix."""


class KafkaSecuritySettings(BaseSettings):
    """The FLOORWATCH_KAFKA_* fields; a service's settings class inherits them (ingest reads them alone)."""

    # env_ignore_empty: compose passes unset variables as empty strings, which mean "not set" here.
    model_config = SettingsConfigDict(env_prefix="FLOORWATCH_", frozen=True, extra="ignore", env_ignore_empty=True)

    kafka_security_protocol: SecurityProtocol = Field(
        SecurityProtocol.PLAINTEXT, description="PLAINTEXT, SSL (TLS, mutual with a client certificate) or SASL_SSL."
    )
    kafka_sasl_mechanism: SaslMechanism = Field(
        SaslMechanism.SCRAM_SHA_512, description="With SASL_SSL: SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN."
    )
    kafka_sasl_username: str = Field("", description="With SASL_SSL: the Kafka user.")
    kafka_sasl_password_file: Path | None = Field(
        None, description="With SASL_SSL: a file holding the user's password (one line)."
    )
    kafka_ssl_cafile: Path | None = Field(
        None, description="PEM file of the CA(s) that signed the brokers' certificates; the system's when unset."
    )
    kafka_ssl_certfile: Path | None = Field(None, description="PEM client certificate, for mutual TLS.")
    kafka_ssl_keyfile: Path | None = Field(None, description="PEM private key of the client certificate.")
    kafka_ssl_check_hostname: bool = Field(True, description="Check the broker's certificate names its host.")

    @model_validator(mode="after")
    def _complete(self) -> KafkaSecuritySettings:
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def problems(self) -> list[str]:
        found = []
        if self.kafka_security_protocol is SecurityProtocol.SASL_SSL:
            if not self.kafka_sasl_username:
                found.append("FLOORWATCH_KAFKA_SECURITY_PROTOCOL=SASL_SSL needs FLOORWATCH_KAFKA_SASL_USERNAME")
            if self.kafka_sasl_password_file is None:
                found.append("FLOORWATCH_KAFKA_SECURITY_PROTOCOL=SASL_SSL needs FLOORWATCH_KAFKA_SASL_PASSWORD_FILE")
        if (self.kafka_ssl_certfile is None) != (self.kafka_ssl_keyfile is None):
            found.append("FLOORWATCH_KAFKA_SSL_CERTFILE and FLOORWATCH_KAFKA_SSL_KEYFILE go together")
        for name in ("sasl_password_file", "ssl_cafile", "ssl_certfile", "ssl_keyfile"):
            path = getattr(self, f"kafka_{name}")
            if path is not None and not path.is_file():
                found.append(f"FLOORWATCH_KAFKA_{name.upper()}: {path} is not a readable file")
        return found

    @property
    def uses_tls(self) -> bool:
        return self.kafka_security_protocol is not SecurityProtocol.PLAINTEXT

    def sasl_password(self) -> str:
        path = self.kafka_sasl_password_file
        if path is None:
            raise KafkaSecurityError("FLOORWATCH_KAFKA_SASL_PASSWORD_FILE is not set")
        try:
            return path.read_text().rstrip("\r\n")
        except OSError as problem:
            raise KafkaSecurityError(f"FLOORWATCH_KAFKA_SASL_PASSWORD_FILE: cannot read {path}: {problem}") from None

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context of every aiokafka client (and Faust's), or None for PLAINTEXT."""
        if not self.uses_tls:
            return None
        context = ssl.create_default_context(cafile=str(self.kafka_ssl_cafile) if self.kafka_ssl_cafile else None)
        context.check_hostname = self.kafka_ssl_check_hostname
        if self.kafka_ssl_certfile is not None and self.kafka_ssl_keyfile is not None:
            try:
                context.load_cert_chain(str(self.kafka_ssl_certfile), str(self.kafka_ssl_keyfile))
            except (OSError, ssl.SSLError) as problem:
                raise KafkaSecurityError(
                    f"FLOORWATCH_KAFKA_SSL_CERTFILE/FLOORWATCH_KAFKA_SSL_KEYFILE: cannot load the client "
                    f"certificate ({problem})"
                ) from None
        return context

    def aiokafka_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"security_protocol": self.kafka_security_protocol.value}
        if self.uses_tls:
            options["ssl_context"] = self.ssl_context()
        if self.kafka_security_protocol is SecurityProtocol.SASL_SSL:
            options.update(
                sasl_mechanism=self.kafka_sasl_mechanism.value,
                sasl_plain_username=self.kafka_sasl_username,
                sasl_plain_password=self.sasl_password(),
            )
        return options

    def kafka_python_options(self) -> dict[str, Any]:
        """kafka-python takes an ssl_context too: one TLS setup for both libraries."""
        return self.aiokafka_options()
