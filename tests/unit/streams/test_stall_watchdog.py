"""The stall watchdog ends a worker that stopped moving, and only that."""

from __future__ import annotations

import asyncio
import threading

from floorwatch.streams.health import Progress
from floorwatch.streams.watchdog import RESTART_EXIT_CODE, StallWatchdog, dump_stacks


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


def test_before_it_exits_the_watchdog_writes_every_thread_stack_for_the_logs(tmp_path):
    progress = Progress(started_at=0.0, recovered=True, last_tick_at=100.0)
    exits: list[int] = []
    with (tmp_path / "stderr").open("w+") as stderr:
        StallWatchdog(progress, lambda: False, 60.0, 5.0, exit=exits.append, stacks_to=stderr).check(161.0)
        stderr.seek(0)
        written = stderr.read()
    assert exits == [RESTART_EXIT_CODE]
    assert "stacks of every thread" in written and "test_stall_watchdog.py" in written
    assert "no running event loop" in written


def test_the_stack_dump_names_the_tasks_of_a_running_event_loop(tmp_path):
    loop = asyncio.new_event_loop()
    started = threading.Event()

    async def waiting_for_input() -> None:
        started.set()
        await asyncio.Event().wait()

    def run() -> None:
        loop.run_until_complete(asyncio.wait([loop.create_task(waiting_for_input(), name="consumer-fetch")], timeout=5))

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    assert started.wait(5)
    with (tmp_path / "stderr").open("w+") as stderr:
        dump_stacks(stderr, lambda: loop)
        stderr.seek(0)
        written = stderr.read()
    runner.join(10)
    assert "task consumer-fetch" in written and "waiting_for_input" in written


def test_a_blocked_event_loop_is_reported_as_blocked_instead_of_hanging_the_dump(tmp_path):
    loop = asyncio.new_event_loop()
    inside, release = threading.Event(), threading.Event()

    def block() -> None:
        inside.set()
        release.wait(10)  # the loop's own thread is stuck here, as a loop in a busy metadata loop is

    runner = threading.Thread(target=lambda: (loop.call_soon(block), loop.run_until_complete(asyncio.sleep(0))))
    runner.start()
    assert inside.wait(5)
    try:
        with (tmp_path / "stderr").open("w+") as stderr:
            dump_stacks(stderr, lambda: loop)
            stderr.seek(0)
            written = stderr.read()
    finally:
        release.set()
        runner.join(10)
    assert "did not answer" in written and " in block" in written  # the loop thread's frame shows where
