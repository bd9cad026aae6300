"""A bound on Faust's rebalance and table recovery, which can hang for good (STACK.md).

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
