"""Bounds on states a worker does not leave by itself: a rebalance or table recovery that hangs
(a known Faust defect), and a consumer or event loop that stops moving.

A thread, not an asyncio task: it must see a stall even when the event loop is the thing
stuck, and Faust starts timers only once recovery is over. Past the deadline the only cure is
a fresh consumer, so the process exits with code 75 for its supervisor (compose's restart
policy, systemd, `floorwatch up`) to start it again; the tables are read back from the state log.
Before it exits it writes the stack of every thread and every asyncio task to stderr, so the
cause of a stall can be read from the logs after the restart (docs/architecture.md, "The
watchdogs"). Stacks name code, never values: no wellbeing data reaches the log.
"""

from __future__ import annotations

import asyncio
import faulthandler
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from floorwatch.streams.health import Progress, stalled_seconds

RESTART_EXIT_CODE = 75  # EX_TEMPFAIL, "try again"
log = logging.getLogger("floorwatch.streams")
TASK_DUMP_WAIT_SECONDS = 2.0
LoopSource = Callable[[], asyncio.AbstractEventLoop | None]


def dump_stacks(out: TextIO, loop_source: LoopSource | None = None) -> None:
    """Write every thread's stack, then every asyncio task's, to `out`.

    The task stacks are taken on the loop's own thread (asyncio's task list is not safe to walk
    from another); a loop that does not answer within TASK_DUMP_WAIT_SECONDS is blocked, and the
    thread stacks above show where."""
    out.write("--- floorwatch: stacks of every thread (most recent call first) ---\n")
    out.flush()
    try:
        faulthandler.dump_traceback(out, all_threads=True)
    except (AttributeError, ValueError, OSError):  # `out` has no file descriptor
        out.write("(thread stacks need a real file)\n")
    loop = _loop_or_none(loop_source)
    if loop is None or not loop.is_running():
        out.write("--- no running event loop: no task stacks ---\n")
        out.flush()
        return
    written, gave_up = threading.Event(), threading.Event()

    def write_tasks() -> None:
        if gave_up.is_set():  # too late: the dump already said the loop is blocked
            return
        tasks = asyncio.all_tasks(loop)
        out.write(f"--- floorwatch: stacks of {len(tasks)} asyncio tasks ---\n")
        for task in sorted(tasks, key=lambda task: task.get_name()):
            out.write(f"task {task.get_name()}: {task.get_coro()!r}\n")
            task.print_stack(limit=12, file=out)
        out.flush()
        written.set()

    loop.call_soon_threadsafe(write_tasks)
    if not written.wait(TASK_DUMP_WAIT_SECONDS):
        gave_up.set()
        out.write(f"--- the event loop did not answer in {TASK_DUMP_WAIT_SECONDS:.0f} s: it is blocked ---\n")
        out.flush()


def _loop_or_none(loop_source: LoopSource | None) -> asyncio.AbstractEventLoop | None:
    if loop_source is None:
        return None
    try:
        return loop_source()
    except Exception:  # a worker that never got as far as a loop
        return None


class RecoveryWatchdog:
    def __init__(
        self,
        busy: Callable[[], bool],
        timeout_seconds: float,
        *,
        poll_seconds: float = 1.0,
        exit: Callable[[int], None] = os._exit,
        stacks_to: TextIO | None = None,
    ):
        self.busy, self.timeout_seconds, self.poll_seconds, self._exit = busy, timeout_seconds, poll_seconds, exit
        self.stalled_since: float | None = None
        self.stacks_to = stacks_to
        self.loop_source: LoopSource | None = None

    def start(self, loop_source: LoopSource | None = None) -> None:
        """`loop_source` gives the worker's event loop (for task stacks at exit) once it runs."""
        self.loop_source = loop_source
        threading.Thread(target=self._run, name="recovery-watchdog", daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(self.poll_seconds)
            self.check(time.monotonic())

    def check(self, now: float) -> None:
        if not self.busy():
            self.stalled_since = None
            return
        if self.stalled_since is None:
            self.stalled_since = now
        elif now - self.stalled_since > self.timeout_seconds:
            log.error(
                "rebalance/recovery made no end in %.0f s (FLOORWATCH_RECOVERY_TIMEOUT_SECONDS); exiting with "
                "code %d so the supervisor starts this worker again",
                now - self.stalled_since,
                RESTART_EXIT_CODE,
            )
            _flush_logs()
            dump_stacks(self.stacks_to or sys.stderr, self.loop_source)
            self._exit(RESTART_EXIT_CODE)  # no graceful stop: the stall would block it too


class StallWatchdog:
    """Exits (code 75) when input waits and nothing is applied for `timeout_seconds`, or when the
    event loop stops ticking: both states a worker does not leave by itself (a consumer stuck
    in a metadata loop, a loop blocked for good). Judged from the worker's own positions
    against the partitions' ends, never from committed offsets. A rebalance or recovery in
    progress is the RecoveryWatchdog's to judge."""

    def __init__(
        self,
        progress: Progress,
        busy: Callable[[], bool],
        timeout_seconds: float,
        tick_seconds: float,
        *,
        poll_seconds: float = 1.0,
        exit: Callable[[int], None] = os._exit,
        stacks_to: TextIO | None = None,
    ):
        self.progress, self.busy = progress, busy
        self.timeout_seconds, self.tick_seconds = timeout_seconds, tick_seconds
        self.poll_seconds, self._exit = poll_seconds, exit
        self.stacks_to = stacks_to
        self.loop_source: LoopSource | None = None

    def start(self, loop_source: LoopSource | None = None) -> None:
        """`loop_source` gives the worker's event loop (for task stacks at exit) once it runs."""
        self.loop_source = loop_source
        threading.Thread(target=self._run, name="stall-watchdog", daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(self.poll_seconds)
            self.check(time.monotonic())

    def check(self, now: float) -> None:
        if self.busy() or not self.progress.recovered:
            return
        stalled = stalled_seconds(self.progress, now)
        last_tick = self.progress.last_tick_at
        loop_silent = now - last_tick if last_tick is not None else 0.0
        if stalled > self.timeout_seconds:
            reason = f"no input applied for {stalled:.0f} s while input waits"
        elif loop_silent > max(self.timeout_seconds, 3 * self.tick_seconds):
            reason = f"no tick for {loop_silent:.0f} s (the event loop is blocked)"
        else:
            return
        log.error(
            "%s (FLOORWATCH_STALL_TIMEOUT_SECONDS=%.0f); exiting with code %d so the supervisor starts this worker "
            "again",
            reason,
            self.timeout_seconds,
            RESTART_EXIT_CODE,
        )
        _flush_logs()
        dump_stacks(self.stacks_to or sys.stderr, self.loop_source)
        self._exit(RESTART_EXIT_CODE)


def _flush_logs() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
