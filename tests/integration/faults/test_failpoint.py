"""(d) An exception inside a batch, after its state was written but before its positions were."""

from __future__ import annotations

import pytest

from tests.integration.faults.harness import scenario, simulate


@pytest.mark.timeout(600)  # the settle deadlines (240 s + 90 s) fail first, with evidence
def test_exception_inside_a_batch(make_floor, kafka_bootstrap, tmp_path, pytestconfig):
    lines = simulate(60, "3h", 24, tmp_path)
    with scenario("exception_in_batch", pytestconfig) as result:
        floor = make_floor(kafka_bootstrap, FLOORWATCH_FAILPOINT="after_batch:5")
        worker = floor.start_worker()
        floor.produce(lines)
        floor.verify(result, lines)
        log = worker.log_path.read_text(errors="replace")
        assert "injected fault after batch 5" in log, "the failpoint never fired: no fault injected"
        assert worker.restarts == 1, f"expected one supervisor restart (exit 75), saw {worker.restarts}"
