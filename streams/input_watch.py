"""The tick's watch over its input partitions: lag by the worker's own positions, and partitions
whose input waits without moving (a consumer that stopped fetching them, a known upstream defect)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from floorwatch.streams.delivery import go_back

if TYPE_CHECKING:
    from floorwatch.streams.worker import Worker

log = logging.getLogger("floorwatch.streams")
REWIND_LIMIT_SECONDS = 60.0  # a seek back that brings nothing for this long: start afresh
STUCK_AFTER_SECONDS = 30.0  # input waiting on a partition that has not moved for this long: seek it again
BROKER_FRESH_SECONDS = 15.0  # nudge only while Kafka answers; an outage is not a stuck consumer


class InputWatch:
    def __init__(self, worker: Worker):
        self.worker = worker
        self.behind_partitions: dict[tuple[str, int], int] = {}

    async def nudge_stuck_partitions(self) -> None:
        """Send the consumer back to the stored position of a partition whose input waits and
        has not moved for STUCK_AFTER_SECONDS while Kafka answers: consumers that stop
        fetching a partition without an error are a known upstream defect. Best effort: a
        failed nudge is logged and tried again a period later."""
        progress, now = self.worker.progress, time.monotonic()
        if progress.broker_seen_at is None or now - progress.broker_seen_at > BROKER_FRESH_SECONDS:
            return
        audit = self.worker.audit
        for topic, partition in audit.stuck(self.behind_partitions, now, STUCK_AFTER_SECONDS):
            nxt = audit.next_offsets[topic, partition]
            log.warning(
                "%s[%d] has input waiting and has not moved for %.0f s: seeking it to %d again",
                topic,
                partition,
                STUCK_AFTER_SECONDS,
                nxt,
            )
            self.worker.pipeline.offset_gaps.labels(topic, "stuck").inc()
            try:
                await asyncio.wait_for(go_back(self.worker, topic, partition, nxt), 10.0)
            except Exception as problem:  # the next period tries again; the stall watchdog bounds it
                log.warning("seeking %s[%d] failed: %s", topic, partition, type(problem).__name__)

    def lag(self, actives: Any) -> None:
        """Messages behind each owned input partition's end, from the worker's own next offsets
        (right from the first tick after a restart, unlike committed offsets)."""
        gauge, progress = self.worker.pipeline.consumer_lag, self.worker.progress
        gauge.clear()  # partitions that moved away must not keep their last value here
        behind: dict[str, int] = {}
        self.behind_partitions = {}
        for tp in actives:
            if tp.topic not in self.worker.input_topics:
                continue
            highwater = self.worker.highwater(tp)
            nxt = self.worker.audit.next_offsets.get((tp.topic, tp.partition))
            if highwater is None or nxt is None:
                continue
            messages = max(highwater - nxt, 0)
            gauge.labels(tp.topic, str(tp.partition)).set(messages)
            if messages:
                behind[f"{tp.topic}[{tp.partition}]"] = messages
                self.behind_partitions[tp.topic, tp.partition] = messages
        progress.behind_messages = behind
        if not behind:
            progress.input_waiting_since = None
        elif progress.input_waiting_since is None:
            progress.input_waiting_since = time.monotonic()
        if self.worker.audit.longest_rewind_seconds(time.monotonic()) > REWIND_LIMIT_SECONDS:
            raise RuntimeError(f"going back for skipped input has not succeeded in {REWIND_LIMIT_SECONDS:.0f} s")
