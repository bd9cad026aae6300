"""Before any client starts: can we reach Kafka, and does it accept our TLS and credentials?

Both client libraries hide the reason a secure connection failed (kafka-python retries until
its timeout, aiokafka logs it and raises "Unable to bootstrap"). One connection made here,
per bootstrap server, surfaces the reason within seconds and names the setting to fix."""

from __future__ import annotations

import asyncio
import ssl

from aiokafka.conn import create_conn
from aiokafka.errors import KafkaError
from aiokafka.protocol.metadata import MetadataRequest

from floorwatch.kafka_security import KafkaSecuritySettings, SecurityProtocol


class KafkaAccessDenied(RuntimeError):
    """Kafka refused this client's TLS or credentials; the message names the setting to fix."""


class KafkaUnreachable(RuntimeError):
    """No bootstrap server answered (down, wrong address): worth trying again later."""


def check_access(bootstrap_servers: str, security: KafkaSecuritySettings, timeout_seconds: float = 15.0) -> None:
    # A loop of its own, never set as current: asyncio.run would leave the thread with no current
    # loop, and Faust, started after this, asks for one.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(_check(bootstrap_servers, security, timeout_seconds))
    finally:
        loop.close()


async def _check(bootstrap_servers: str, security: KafkaSecuritySettings, timeout_seconds: float) -> None:
    options = security.aiokafka_options()
    problems = []
    for server in (s.strip() for s in bootstrap_servers.split(",") if s.strip()):
        host, _, port = server.rpartition(":")
        try:
            await asyncio.wait_for(_ask(host, int(port), options), timeout_seconds)
            return
        except (OSError, KafkaError, TimeoutError) as problem:
            denied = explain(security, problem)
            if denied is not None:
                raise KafkaAccessDenied(f"Kafka at {server} refused this client: {denied}") from None
            problems.append(f"{server}: {type(problem).__name__}: {problem}")
    raise KafkaUnreachable("; ".join(problems) or "FLOORWATCH_BOOTSTRAP_SERVERS is empty")


async def _ask(host: str, port: int, options: dict) -> None:
    conn = await create_conn(host, port, client_id="floorwatch-preflight", request_timeout_ms=10_000, **options)
    try:
        await conn.send(MetadataRequest([]))
    finally:
        conn.close()


def explain(security: KafkaSecuritySettings, problem: BaseException) -> str | None:
    """The setting to fix when Kafka refused us for a security reason; None when it was not that."""
    text = f"{type(problem).__name__}: {problem}"
    if isinstance(problem, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in text:
        return (
            f"its TLS certificate is not trusted ({problem}): set FLOORWATCH_KAFKA_SSL_CAFILE to the CA that signed "
            "it (and check FLOORWATCH_BOOTSTRAP_SERVERS names a host in the certificate)"
        )
    if "SaslAuthentication" in text or "UnsupportedSaslMechanism" in text or "IllegalSaslState" in text:
        return (
            f"{problem}: check FLOORWATCH_KAFKA_SASL_USERNAME and the password in FLOORWATCH_KAFKA_SASL_PASSWORD_FILE "
            "(and FLOORWATCH_KAFKA_SASL_MECHANISM)"
        )
    if isinstance(problem, ssl.SSLError) or (
        security.uses_tls and isinstance(problem, KafkaError) and "closed" in str(problem).lower()
    ):
        if security.kafka_security_protocol is SecurityProtocol.SSL:
            return (
                "the TLS connection was closed during or right after the handshake: the broker does not accept "
                "this client's certificate (FLOORWATCH_KAFKA_SSL_CERTFILE, FLOORWATCH_KAFKA_SSL_KEYFILE) or needs "
                "one, or the listener is not TLS (FLOORWATCH_KAFKA_SECURITY_PROTOCOL)"
            )
        return (
            "the connection was closed during the TLS or SASL handshake: check FLOORWATCH_KAFKA_SECURITY_PROTOCOL "
            "matches the listener, and FLOORWATCH_KAFKA_SASL_MECHANISM is one the broker enables"
        )
    return None
