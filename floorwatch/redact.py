"""Keeping credentials out of messages and logs (docs/security.md, "Secrets")."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")


def split_credentials(url: str) -> tuple[str, str, str]:
    """(the URL without user:password@, user, password); a URL without them comes back unchanged."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, "", ""
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urlunsplit(parts._replace(netloc=netloc)), parts.username or "", parts.password or ""


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every user:password@ in a URL and every given secret masked."""
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Masks URL credentials and the process's known secrets in every record a handler writes."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message, self.secrets)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def redact_logs(secrets: Iterable[str] = ()) -> None:
    """Put the redacting filter on every root handler (call again once a framework reconfigured logging)."""
    wanted = tuple(secrets)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(wanted))
