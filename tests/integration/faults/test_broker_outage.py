"""(f) The single broker stopped for 60 s and started again on the same port and data."""

from __future__ import annotations

import time

import pytest
import requests

from tests.helpers import wait_until
from tests.integration.faults.harness import scenario, simulate

OUTAGE_SECONDS = 60
UNHEALTHY_WITHIN_SECONDS = 30  # issue 12: /health goes unhealthy within 30 s of a broker outage


def _health_status(floor) -> int | None:
    """The HTTP status of /health of the floor's live worker; None when it does not answer."""
    try:
        return requests.get(f"http://127.0.0.1:{floor.workers[0].port}/health", timeout=3).status_code
    except requests.RequestException:
        return None


@pytest.mark.timeout(600)
def test_single_broker_down_for_60_seconds(make_floor, local_kafka, tmp_path, pytestconfig):
    lines = simulate(60, "3h", 26, tmp_path)
    half = len(lines) // 2
    with scenario("broker_down_60s", pytestconfig) as result:
        floor = make_floor(local_kafka.bootstrap_servers)
        floor.start_worker()
        floor.produce(lines[:half])
        floor.wait_applied(half // 4)
        node = local_kafka.node_ids[0]
        bootstrap, meta = local_kafka.bootstrap_servers, local_kafka.node_dir(node) / "data" / "meta.properties"
        meta_before = meta.read_text()
        result.detail["applied_at_stop"] = floor.applied_total()

        stopped = time.monotonic()
        local_kafka.stop_node(node)
        try:
            status = wait_until(
                lambda: (s := _health_status(floor)) != 200 and (s or "no answer"),
                UNHEALTHY_WITHIN_SECONDS,
                "/health still answered 200 with the broker down",
                poll_seconds=0.5,
            )
            result.detail["unhealthy_after_seconds"] = round(time.monotonic() - stopped, 1)
            result.detail["health_while_down"] = status
            time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))  # the fault: down for 60 s
        finally:
            local_kafka.start_node(node)
        restarted = time.monotonic()
        assert local_kafka.bootstrap_servers == bootstrap and meta.read_text() == meta_before, "not the same broker"
        wait_until(lambda: _health_status(floor) == 200, 120, "/health never answered 200 again", poll_seconds=0.5)
        result.detail["healthy_after_restart_seconds"] = round(time.monotonic() - restarted, 1)

        floor.produce(lines[half:])
        floor.verify(result, lines)
