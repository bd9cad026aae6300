"""Bounds on states a worker does not leave by itself: a rebalance or table recovery that hangs
(a known Faust defect), and a consumer or event loop that stops moving.

A thread, not an asyncio task: it must see a stall even when the event loop is the thing
stuck, and Faust starts timers only once recovery is over. Past the deadline the only cure is
a fresh consumer, so the process exits with code 75 for its supervisor (compose's restart
policy, systemd, `floorwatch up`) to start it again; the tables recover from their changelogs.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from floorwatch.streams.health import Progress, stalled_seconds

RESTART_EXIT_CODE = 75  # EX_TEMPFAIL, "try again"
log = logging.getLogger("floorwatch.streams")


class RecoveryWatchdog:
    def __init__(
        self,
        busy: Callable[[], bool],
        timeout_seconds: float,
        *,
        poll_seconds: float = 1.0,
        exit: Callable[[int], None] = os._exit,
    ):
        self.busy, self.timeout_seconds, self.poll_seconds, self._exit = busy, timeout_seconds, poll_seconds, exit
        self.stalled_since: float | None = None

    def start(self) -> None:
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
    ):
        self.progress, self.busy = progress, busy
        self.timeout_seconds, self.tick_seconds = timeout_seconds, tick_seconds
        self.poll_seconds, self._exit = poll_seconds, exit

    def start(self) -> None:
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
        for handler in logging.getLogger().handlers:
            handler.flush()
        self._exit(RESTART_EXIT_CODE)
