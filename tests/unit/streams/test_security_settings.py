"""The FLOORWATCH_KAFKA_* settings and the dead-letter retention, as the clients receive them."""

from __future__ import annotations

from pathlib import Path

import pytest

from floorwatch.kafka_security import KafkaSecuritySettings
from floorwatch.streams.kafka_admin import dead_letter_configs
from floorwatch.streams.settings import PrivacyMode, WorkerSettings
from floorwatch.streams.worker import kafka_client_options


def test_the_dead_letter_topic_keeps_rejected_input_only_as_long_as_the_setting_says() -> None:
    settings = WorkerSettings(privacy=PrivacyMode.OFF, dead_letter_retention_hours=24)

    assert dead_letter_configs(settings) == {"cleanup.policy": "delete", "retention.ms": str(24 * 3_600_000)}


def test_sasl_options_read_the_password_from_its_file_and_reach_the_workers_own_clients(tmp_path: Path) -> None:
    password = tmp_path / "password"
    password.write_text("s3cret\n")
    settings = WorkerSettings(
        privacy=PrivacyMode.OFF,
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="PLAIN",
        kafka_sasl_username="floorwatch",
        kafka_sasl_password_file=password,
    )

    options = kafka_client_options(settings)

    assert options["security_protocol"] == "SASL_SSL" and options["sasl_mechanism"] == "PLAIN"
    assert options["sasl_plain_username"] == "floorwatch" and options["sasl_plain_password"] == "s3cret"
    assert options["ssl_context"].check_hostname is True
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"kafka_security_protocol": "SASL_SSL"}, "FLOORWATCH_KAFKA_SASL_USERNAME"),
        ({"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "u"}, "FLOORWATCH_KAFKA_SASL_PASSWORD_FILE"),
        ({"kafka_ssl_certfile": "/nonexistent/client.pem"}, "FLOORWATCH_KAFKA_SSL_KEYFILE"),
        ({"kafka_ssl_cafile": "/nonexistent/ca.pem"}, "FLOORWATCH_KAFKA_SSL_CAFILE"),
    ],
)
def test_incomplete_security_settings_are_refused_naming_the_variable(fields: dict, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        KafkaSecuritySettings(**fields)
