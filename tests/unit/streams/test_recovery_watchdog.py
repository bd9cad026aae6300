"""The recovery watchdog ends a worker whose rebalance or recovery stalls, and nothing else."""

from __future__ import annotations

from floorwatch.streams.watchdog import RESTART_EXIT_CODE, RecoveryWatchdog


def _watchdog(busy_at: set[float], exits: list[int]) -> tuple[RecoveryWatchdog, list[float]]:
    clock = [0.0]
    return RecoveryWatchdog(lambda: clock[0] in busy_at, timeout_seconds=10, exit=exits.append), clock


def _run(watchdog: RecoveryWatchdog, clock: list[float], times: range) -> None:
    for t in times:
        clock[0] = float(t)
        watchdog.check(float(t))


def test_a_recovery_stalled_past_the_timeout_exits_for_a_restart():
    exits: list[int] = []
    watchdog, clock = _watchdog({float(t) for t in range(30)}, exits)
    _run(watchdog, clock, range(12))
    assert exits == [RESTART_EXIT_CODE]


def test_recoveries_that_end_in_time_never_add_up_to_a_stall():
    exits: list[int] = []
    busy = {float(t) for t in range(100) if t % 10 < 8}  # 8 s busy, 2 s processing, again and again
    watchdog, clock = _watchdog(busy, exits)
    _run(watchdog, clock, range(100))
    assert exits == []
