"""TLS and basic auth for the worker's `/metrics` and `/health` (docs/security.md, "Endpoints").

The file FLOORWATCH_WEB_CONFIG_FILE names is in the format of Prometheus's exporter web
configuration, so one file format serves every exporter on a host:

    tls_server_config:
      cert_file: server.pem          # relative paths are read next to this file
      key_file: server-key.pem
      client_auth_type: RequireAndVerifyClientCert   # optional: mutual TLS
      client_ca_file: clients-ca.pem
    basic_auth_users:
      prometheus: $2y$10$...         # bcrypt hash (htpasswd -nBC 10 "" | tr -d ':\\n')

Everything is checked when the worker starts: a file that cannot be used stops it with a message
naming the file, the setting and what to do. Faust-free: `streams/app.py` turns the result
into its web server's TLS context and one check per page.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import re
import secrets
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import bcrypt
import yaml

SETTING = "FLOORWATCH_WEB_CONFIG_FILE"
# Python's TLS cannot ask for a client certificate without verifying it, so exporter-toolkit's
# RequestClientCert and RequireAnyClientCert have no equivalent here and are refused.
CLIENT_AUTH_TYPES = {
    "NoClientCert": ssl.CERT_NONE,
    "VerifyClientCertIfGiven": ssl.CERT_OPTIONAL,
    "RequireAndVerifyClientCert": ssl.CERT_REQUIRED,
}
TLS_VERSIONS = {"TLS12": ssl.TLSVersion.TLSv1_2, "TLS13": ssl.TLSVersion.TLSv1_3}
TOP_KEYS = ("tls_server_config", "basic_auth_users")
TLS_KEYS = ("cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version")
BCRYPT_HASH = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")
HASH_HINT = "make one with `floorwatch web hash-password` or `htpasswd -nBC 10 \"\" | tr -d ':\\n'`"


class WebConfigError(ValueError):
    """The web configuration file cannot be used; the message names the file, the setting and the fix."""


@dataclass(frozen=True)
class TlsServerConfig:
    cert_file: Path
    key_file: Path
    client_auth_type: str = "NoClientCert"
    client_ca_file: Path | None = None
    min_version: str = "TLS12"

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = TLS_VERSIONS[self.min_version]
        context.load_cert_chain(self.cert_file, self.key_file)
        context.verify_mode = CLIENT_AUTH_TYPES[self.client_auth_type]
        if self.client_ca_file is not None:
            context.load_verify_locations(cafile=self.client_ca_file)
        return context


@dataclass(frozen=True)
class WebConfig:
    """What a worker's web server requires of a client; `WebConfig()` requires nothing."""

    source: Path | None = None
    tls: TlsServerConfig | None = None
    basic_auth_users: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def scheme(self) -> str:
        return "https" if self.tls is not None else "http"

    def ssl_context(self) -> ssl.SSLContext | None:
        return self.tls.ssl_context() if self.tls is not None else None

    def warnings(self) -> list[str]:
        if self.basic_auth_users and self.tls is None:
            return [f"{self.source}: basic_auth_users without tls_server_config sends passwords in clear text"]
        return []


def load_web_config(path: Path | None) -> WebConfig:
    """The file's requirements, every file it names read and every hash checked; WebConfigError if not usable."""
    if path is None:
        return WebConfig()
    problem = _Problem(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as error:
        raise problem(f"cannot read it ({error.strerror}); fix the path or unset {SETTING}") from None
    except yaml.YAMLError as error:
        raise problem(f"not valid YAML ({_yaml_where(error)})") from None
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise problem(f"expected a mapping with {' and/or '.join(TOP_KEYS)}")
    _no_unknown_keys(problem, "", raw, TOP_KEYS)
    tls = _tls(problem, path.parent, raw.get("tls_server_config"))
    config = WebConfig(path, tls, MappingProxyType(_users(problem, raw.get("basic_auth_users"))))
    try:
        config.ssl_context()
    except (OSError, ssl.SSLError) as error:
        raise problem(f"tls_server_config: cannot load the certificate, key or client CA ({error})") from None
    return config


@dataclass(frozen=True)
class _Problem:
    path: Path

    def __call__(self, what: str) -> WebConfigError:
        return WebConfigError(f"{SETTING}={self.path}: {what}")


def _yaml_where(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    reason = getattr(error, "problem", None) or "parse error"
    return f"line {mark.line + 1}, column {mark.column + 1}: {reason}" if mark is not None else str(reason)


def _no_unknown_keys(problem: _Problem, where: str, raw: dict[str, Any], known: tuple[str, ...]) -> None:
    unknown = sorted(str(key) for key in raw if key not in known)
    if unknown:
        raise problem(f"{where}{', '.join(unknown)}: not a setting floorwatch knows; supported: {', '.join(known)}")


def _tls(problem: _Problem, folder: Path, raw: Any) -> TlsServerConfig | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise problem("tls_server_config: expected a mapping (cert_file, key_file, ...)")
    _no_unknown_keys(problem, "tls_server_config.", raw, TLS_KEYS)
    cert, key, ca = (_file(problem, folder, raw, name) for name in ("cert_file", "key_file", "client_ca_file"))
    if cert is None or key is None:
        raise problem("tls_server_config: cert_file and key_file are both required (PEM files)")
    # As in exporter-toolkit: a client CA without an explicit type means client certificates are required.
    auth = str(raw.get("client_auth_type") or ("RequireAndVerifyClientCert" if ca else "NoClientCert"))
    if auth not in CLIENT_AUTH_TYPES:
        raise problem(f"tls_server_config.client_auth_type: {auth!r} is not supported; use one of {_names()}")
    if CLIENT_AUTH_TYPES[auth] is not ssl.CERT_NONE and ca is None:
        raise problem(f"tls_server_config.client_auth_type {auth} needs client_ca_file (the CA of the clients)")
    version = str(raw.get("min_version", "TLS12"))
    if version not in TLS_VERSIONS:
        raise problem(f"tls_server_config.min_version: {version!r}; use {' or '.join(TLS_VERSIONS)}")
    return TlsServerConfig(cert, key, auth, ca, version)


def _names() -> str:
    return ", ".join(CLIENT_AUTH_TYPES)


def _file(problem: _Problem, folder: Path, raw: dict[str, Any], name: str) -> Path | None:
    value = raw.get(name)
    if value in (None, ""):
        return None
    path = folder / str(value)  # an absolute value replaces the folder
    if not path.is_file():
        raise problem(f"tls_server_config.{name}: {path} is not a readable file")
    return path


def _users(problem: _Problem, raw: Any) -> dict[str, bytes]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise problem("basic_auth_users: expected a mapping of user name to bcrypt hash")
    users = {}
    for name, hashed in raw.items():
        if not BCRYPT_HASH.fullmatch(str(hashed)):
            raise problem(f"basic_auth_users.{name}: not a bcrypt hash (plain passwords are refused); {HASH_HINT}")
        users[str(name)] = str(hashed).encode()
    return users


class BasicAuth:
    """Checks an Authorization header against the configured bcrypt hashes.

    bcrypt is slow on purpose (tens of ms), so checks run off the event loop, and a credential
    once accepted is remembered as a digest under a per-process random key: a scrape every few
    seconds costs one bcrypt check per credential, not one per request."""

    MAX_REMEMBERED = 64

    def __init__(self, users: Mapping[str, bytes]):
        self.users = users
        self._key = secrets.token_bytes(32)
        self._accepted: set[bytes] = set()
        # An unknown user is checked against this too, so a reply's timing does not say who exists.
        self._decoy = hash_password(secrets.token_hex(16)).encode() if users else b""

    @property
    def required(self) -> bool:
        return bool(self.users)

    async def allows(self, authorization: str | None) -> bool:
        if not self.users:
            return True
        credentials = _basic_credentials(authorization)
        if credentials is None:
            return False
        user, password = credentials
        remembered = hmac.new(self._key, f"{user}\0{password}".encode(), hashlib.sha256).digest()
        if remembered in self._accepted:
            return True
        hashed = self.users.get(user)
        ok = await asyncio.get_running_loop().run_in_executor(
            None, _checkpw, password, hashed if hashed is not None else self._decoy
        )
        if ok and hashed is not None:
            if len(self._accepted) >= self.MAX_REMEMBERED:
                self._accepted.clear()
            self._accepted.add(remembered)
            return True
        return False


def _checkpw(password: str, hashed: bytes) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), hashed)
    except ValueError:  # bcrypt refuses passwords over 72 bytes: no such password was ever hashed
        return False


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, colon, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if colon else None


def hash_password(password: str, rounds: int = 10) -> str:
    """A bcrypt hash for basic_auth_users (cost 10, as Prometheus's docs suggest)."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()
