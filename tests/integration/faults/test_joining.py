"""(b) A second worker joins while the first still has a large backlog."""

from __future__ import annotations

import pytest

from tests.helpers import wait_until
from tests.integration.faults.harness import scenario, simulate


@pytest.mark.timeout(600)  # the settle deadlines (240 s + 90 s) fail first, with evidence
def test_second_worker_joins_a_backlog(make_floor, kafka_bootstrap, tmp_path, pytestconfig):
    lines = simulate(150, "3h", 22, tmp_path)
    with scenario("second_worker_joins", pytestconfig) as result:
        floor = make_floor(kafka_bootstrap)
        floor.start_worker()
        floor.produce(lines)
        floor.wait_applied(len(lines) // 10)
        applied_at_join = floor.applied_total()
        assert applied_at_join < len(lines) - 2000, "the backlog was drained before the join: no fault injected"
        result.detail["applied_at_join"] = applied_at_join
        second = floor.start_worker(wait_healthy=False)
        wait_until(lambda: second.health()["partitions"].get("agents"), 120, "the joining worker never got partitions")
        floor.verify(result, lines)
        owned = [set(w.health()["partitions"]["agents"]) for w in floor.workers]
        assert owned[0] and owned[1] and not owned[0] & owned[1], owned
