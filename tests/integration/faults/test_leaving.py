"""(c) One of two workers leaves (SIGTERM) in the middle of a backlog."""

from __future__ import annotations

import time

import pytest

from tests.integration.faults.harness import scenario, simulate

SIGTERM_LIMIT_SECONDS = 10  # issue 12: SIGTERM ends the process within 10 s in every state


@pytest.mark.timeout(600)  # the settle deadlines (240 s + 90 s) fail first, with evidence
def test_worker_leaves_mid_backlog(make_floor, kafka_bootstrap, tmp_path, pytestconfig):
    lines = simulate(60, "3h", 23, tmp_path)
    with scenario("worker_leaves", pytestconfig) as result:
        floor = make_floor(kafka_bootstrap)
        leaving = floor.start_worker()
        floor.start_worker()
        floor.produce(lines)
        floor.wait_applied(len(lines) // 4)
        applied_at_leave = floor.applied_total()
        assert applied_at_leave < len(lines) - 500, "the backlog was drained before the leave: no fault injected"
        result.detail["applied_at_leave"] = applied_at_leave
        began = time.monotonic()
        leaving.stop()
        result.detail["sigterm_exit_seconds"] = round(time.monotonic() - began, 1)
        assert result.detail["sigterm_exit_seconds"] <= SIGTERM_LIMIT_SECONDS, leaving.log_tail()
        floor.verify(result, lines)
