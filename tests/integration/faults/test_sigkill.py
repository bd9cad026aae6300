"""(a) A worker SIGKILLed in the middle of a backlog, then started again."""

from __future__ import annotations

import pytest

from tests.integration.faults.harness import scenario, simulate


@pytest.mark.timeout(600)  # the settle deadlines (240 s + 90 s) fail first, with evidence
def test_sigkill_mid_backlog_then_restart(make_floor, kafka_bootstrap, tmp_path, pytestconfig):
    lines = simulate(60, "3h", 21, tmp_path)
    with scenario("sigkill_restart", pytestconfig) as result:
        floor = make_floor(kafka_bootstrap)
        victim = floor.start_worker()
        floor.produce(lines)
        # Killed with most of the backlog still waiting: some applied, much not.
        floor.wait_applied(len(lines) // 4)
        applied_before = floor.applied_total()
        victim.kill()
        assert applied_before < len(lines) - 500, "the backlog was drained before the kill: no fault injected"
        result.detail["applied_at_kill"] = applied_before
        floor.scenario_restarts += 1
        floor.start_worker(wait_healthy=False)
        floor.verify(result, lines)
