"""The stall watchdog ends a worker that stopped moving, and only that."""

from __future__ import annotations

from floorwatch.streams.health import Progress
from floorwatch.streams.watchdog import RESTART_EXIT_CODE, StallWatchdog


def _watchdog(progress: Progress, busy: bool = False) -> tuple[StallWatchdog, list[int]]:
    exits: list[int] = []
    return StallWatchdog(progress, lambda: busy, 60.0, 5.0, exit=exits.append), exits


def test_input_waiting_with_nothing_applied_past_the_timeout_exits_for_a_restart():
    progress = Progress(started_at=0.0, recovered=True, last_tick_at=199.0, input_waiting_since=100.0)
    watchdog, exits = _watchdog(progress)
    watchdog.check(150.0)
    assert exits == []
    watchdog.check(161.0)
    assert exits == [RESTART_EXIT_CODE]


def test_a_blocked_event_loop_exits_for_a_restart():
    progress = Progress(started_at=0.0, recovered=True, last_tick_at=100.0)
    watchdog, exits = _watchdog(progress)
    watchdog.check(161.0)
    assert exits == [RESTART_EXIT_CODE]


def test_a_caught_up_worker_or_one_in_a_rebalance_is_left_alone():
    idle = Progress(started_at=0.0, recovered=True, last_tick_at=999.0, last_applied_at=0.0)
    watchdog, exits = _watchdog(idle)
    watchdog.check(1000.0)
    rebalancing, rebalancing_exits = _watchdog(
        Progress(started_at=0.0, recovered=True, last_tick_at=0.0, input_waiting_since=0.0), busy=True
    )
    rebalancing.check(1000.0)
    assert exits == [] and rebalancing_exits == []
