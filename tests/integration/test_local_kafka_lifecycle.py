"""LocalKafka's failure path: a broker that cannot start says why, and leaves no JVM behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from floorwatch.deploy.localkafka import KafkaStartError, LocalKafka
from floorwatch.deploy.processes import free_ports


def test_a_broker_whose_port_is_taken_fails_fast_with_the_tail_of_its_log_and_no_jvm_left(
    local_kafka: LocalKafka,
    kafka_jars: Path,
    tmp_path: Path,
) -> None:
    taken_port = local_kafka.layout.nodes[0].broker_port
    blocked = LocalKafka(
        tmp_path / "blocked", jars=kafka_jars, broker_ports=[taken_port], controller_ports=free_ports(1)
    )

    with pytest.raises(KafkaStartError) as failure:
        blocked.start(timeout_seconds=60)

    message = str(failure.value)
    assert "exited with code" in message
    assert f"last lines of {blocked.log_path(1)}" in message
    assert "Address already in use" in message
    assert blocked.running_node_ids() == []
