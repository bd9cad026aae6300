"""Credentials never reach a message or a log line (docs/security.md, "Secrets")."""

from __future__ import annotations

import logging

import pytest
import requests

from floorwatch.dashboards.grafana_api import Auth, GrafanaClient, GrafanaError
from floorwatch.redact import RedactingFilter, redact_text, split_credentials


def test_a_url_loses_its_user_and_password_and_keeps_everything_else() -> None:
    assert split_credentials("https://admin:s3cret@grafana.example:3000/sub?x=1") == (
        "https://grafana.example:3000/sub?x=1",
        "admin",
        "s3cret",
    )
    assert split_credentials("http://127.0.0.1:3000") == ("http://127.0.0.1:3000", "", "")


def test_text_is_masked_for_url_credentials_and_known_secrets() -> None:
    text = "cannot reach http://bob:hunter2@host:3000 with password hunter2 or key abc123"

    cleaned = redact_text(text, ["abc123", "hunter2"])

    assert "hunter2" not in cleaned and "abc123" not in cleaned and "bob" not in cleaned
    assert "http://***@host:3000" in cleaned


def test_the_log_filter_masks_secrets_in_messages_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("floorwatch.test.redact")
    caplog.handler.addFilter(RedactingFilter(["pa55word"]))
    try:
        raise RuntimeError("login with pa55word failed")
    except RuntimeError:
        logger.exception("sasl for %s with %s", "alice", "pa55word")
    caplog.handler.filters.clear()

    assert "pa55word" not in caplog.text
    assert "***" in caplog.text


def test_a_grafana_url_with_credentials_is_never_echoed_in_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise requests.ConnectionError("refused")

    client = GrafanaClient("http://admin:TopSecret@127.0.0.1:9", Auth())
    monkeypatch.setattr(client.session, "request", refuse)

    with pytest.raises(GrafanaError) as raised:
        client.ensure_folder("floorwatch", "floorwatch")

    assert "TopSecret" not in str(raised.value) and "admin" not in str(raised.value)
    assert client.session.auth == ("admin", "TopSecret")  # still used, as basic auth
