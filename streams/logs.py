"""Logging for a worker: repeated warnings and errors are rate limited per message template.

During a broker outage aiokafka and Faust repeat the same few lines many times a second; an
operator needs the first, a count, and the next one a while later, not thousands of lines."""

from __future__ import annotations

import logging
import time


class RepeatLimiter(logging.Filter):
    def __init__(self, every_seconds: float = 10.0, clock=time.monotonic):
        super().__init__()
        self.every_seconds, self.clock = every_seconds, clock
        self._last: dict[tuple[str, int, str], float] = {}
        self._suppressed: dict[tuple[str, int, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.levelno, str(record.msg))
        now, last = self.clock(), self._last.get(key)
        if last is not None and now - last < self.every_seconds:
            self._suppressed[key] = self._suppressed.get(key, 0) + 1
            return False
        self._last[key] = now
        suppressed = self._suppressed.pop(key, 0)
        if suppressed and last is not None:
            record.msg = f"{record.msg} [{suppressed} more like this in the last {now - last:.0f} s]"
        return True


def limit_repeats() -> None:
    """Put the repeat limiter on every root handler (once logging is configured)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RepeatLimiter) for f in handler.filters):
            handler.addFilter(RepeatLimiter())
