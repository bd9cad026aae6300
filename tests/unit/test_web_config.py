"""The worker's web configuration file: what it requires of a client, and the messages a file that
cannot be used gives at start (docs/security.md, "Endpoints"). Real sockets: tests/integration/test_web_security.py."""

from __future__ import annotations

import asyncio
import base64
import io
import ssl
import sys
from pathlib import Path

import bcrypt
import pytest

from floorwatch.commands import web as web_command
from floorwatch.deploy.pki import LocalPki, make_pki
from floorwatch.web_config import BasicAuth, WebConfigError, hash_password, load_web_config

PASSWORD = "scrape me gently"
HASH = hash_password(PASSWORD, rounds=4)  # cost 4: the tests' speed; the format is the same


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> LocalPki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def _write(folder: Path, text: str) -> Path:
    path = folder / "web.yml"
    path.write_text(text)
    return path


def _header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_no_file_requires_nothing() -> None:
    config = load_web_config(None)

    assert (config.scheme, config.ssl_context(), dict(config.basic_auth_users)) == ("http", None, {})


def test_a_file_with_tls_client_certificates_and_users_loads_with_paths_read_next_to_it(
    tmp_path: Path, pki: LocalPki
) -> None:
    for name in ("server_cert", "server_key", "ca"):
        (tmp_path / f"{name}.pem").write_bytes(getattr(pki, name).read_bytes())
    path = _write(
        tmp_path,
        "tls_server_config:\n  cert_file: server_cert.pem\n  key_file: server_key.pem\n"
        "  client_ca_file: ca.pem\n"
        f"basic_auth_users:\n  prometheus: '{HASH}'\n",
    )

    config = load_web_config(path)
    context = config.ssl_context()

    assert config.scheme == "https"
    assert config.tls is not None and config.tls.cert_file == tmp_path / "server_cert.pem"
    # a client CA without client_auth_type means certificates are required, as in exporter-toolkit
    assert config.tls.client_auth_type == "RequireAndVerifyClientCert"
    assert context is not None and context.verify_mode is ssl.CERT_REQUIRED
    assert context.minimum_version is ssl.TLSVersion.TLSv1_2
    assert list(config.basic_auth_users) == ["prometheus"] and config.warnings() == []


def test_basic_auth_without_tls_is_allowed_with_a_warning_about_clear_text(tmp_path: Path) -> None:
    config = load_web_config(_write(tmp_path, f"basic_auth_users:\n  prometheus: '{HASH}'\n"))

    assert config.scheme == "http"
    assert "clear text" in config.warnings()[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tls_server_config: [unclosed\n", "not valid YAML (line 2"),
        ("- a list\n", "expected a mapping"),
        ("tls_config:\n  cert_file: x\n", "tls_config: not a setting floorwatch knows"),
        ("tls_server_config:\n  cert_file: {cert}\n  ciphers: x\n", "tls_server_config.ciphers: not a setting"),
        ("tls_server_config:\n  cert_file: {cert}\n", "cert_file and key_file are both required"),
        ("tls_server_config:\n  cert_file: missing.pem\n  key_file: {key}\n", "cert_file: "),
        (
            "tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n  client_auth_type: RequireAnyClientCert\n",
            "'RequireAnyClientCert' is not supported; use one of NoClientCert",
        ),
        (
            "tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n"
            "  client_auth_type: RequireAndVerifyClientCert\n",
            "needs client_ca_file",
        ),
        ("tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n  min_version: TLS10\n", "min_version"),
        ("tls_server_config:\n  cert_file: {key}\n  key_file: {cert}\n", "cannot load the certificate, key"),
        ("basic_auth_users:\n  prometheus: hunter2\n", "basic_auth_users.prometheus: not a bcrypt hash"),
        ("basic_auth_users: [prometheus]\n", "basic_auth_users: expected a mapping"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_naming_the_file_and_the_setting(
    tmp_path: Path, pki: LocalPki, text: str, expected: str
) -> None:
    path = _write(tmp_path, text.format(cert=pki.server_cert, key=pki.server_key))

    with pytest.raises(WebConfigError) as refused:
        load_web_config(path)

    message = str(refused.value)
    assert message.startswith(f"FLOORWATCH_WEB_CONFIG_FILE={path}: ")
    assert expected in message
    assert "hunter2" not in message  # a plain password put in by mistake is not echoed


def test_a_missing_file_says_so_and_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(WebConfigError, match=r"cannot read it \(No such file or directory\); fix the path or unset"):
        load_web_config(tmp_path / "absent.yml")


def test_basic_auth_lets_in_only_a_configured_user_with_the_right_password() -> None:
    auth = BasicAuth({"prometheus": HASH.encode()})

    def allows(header: str | None) -> bool:
        return asyncio.run(auth.allows(header))

    assert allows(_header("prometheus", PASSWORD))
    assert allows(_header("prometheus", PASSWORD))  # remembered: the same answer
    assert not allows(None)
    assert not allows(_header("prometheus", "wrong"))
    assert not allows(_header("someone", PASSWORD))
    assert not allows(_header("prometheus", "x" * 100))  # bcrypt takes 72 bytes at most: refused, not an error
    assert not allows("Bearer " + PASSWORD)
    assert not allows("Basic not-base64!")
    assert not allows("Basic " + base64.b64encode(b"no colon").decode())


def test_no_users_means_no_basic_auth() -> None:
    auth = BasicAuth({})

    assert not auth.required
    assert asyncio.run(auth.allows(None))


def test_hash_password_prints_a_hash_that_checks_against_the_password_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))

    code = web_command.run(web_command.argparse.Namespace(action="hash-password", file=None))
    printed = capsys.readouterr().out.strip()

    assert code == 0
    assert printed.startswith("$2b$10$") and bcrypt.checkpw(PASSWORD.encode(), printed.encode())
