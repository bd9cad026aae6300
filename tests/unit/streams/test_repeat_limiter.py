"""Repeated warnings during an outage are rate limited, with a count of what was held back."""

from __future__ import annotations

import logging

from floorwatch.streams.logs import RepeatLimiter


def _record(msg: str, level: int = logging.WARNING) -> logging.LogRecord:
    return logging.LogRecord("aiokafka", level, __file__, 1, msg, (), None)


def test_the_same_warning_passes_once_per_interval_and_then_says_how_many_were_held_back():
    now = [0.0]
    limiter = RepeatLimiter(every_seconds=10.0, clock=lambda: now[0])
    passed = []
    for second in range(25):
        now[0] = float(second)
        record = _record("Unable connect to node with id %s")
        if limiter.filter(record):
            passed.append(record.msg)
    assert len(passed) == 3
    assert passed[1].endswith("[9 more like this in the last 10 s]")


def test_info_messages_and_different_warnings_are_not_limited():
    limiter = RepeatLimiter(every_seconds=10.0, clock=lambda: 0.0)
    assert all(limiter.filter(_record("rebalancing", logging.INFO)) for _ in range(5))
    assert limiter.filter(_record("first")) and limiter.filter(_record("second"))
