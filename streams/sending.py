"""Sending outputs, and counting what a step saw into the pipeline metrics."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

from floorwatch.streams.messages import Send
from floorwatch.streams.metrics import PipelineMetrics

log = logging.getLogger("floorwatch.streams")


async def send_all(app: Any, sends: list[Send], pipeline: PipelineMetrics) -> None:
    """Send, and wait for Kafka's acknowledgement of every output before state moves on."""
    if not sends:
        return
    producer = app.producer
    pending = [await producer.send(s.topic, s.key, s.value, s.partition, None, None) for s in sends]
    await asyncio.gather(*pending)
    for send in sends:
        pipeline.outputs.labels(send.topic).inc()


class TickSender:
    """Publishes what a tick produced without making the tick wait for Kafka.

    A tick must refresh /metrics on time even while Kafka is away. Records on compacted
    topics are snapshots (only the newest per key matters), so while a send is outstanding a
    newer one replaces an older one; edges (alerts, violations) queue in order, none dropped."""

    def __init__(self, app: Any, pipeline: PipelineMetrics, snapshot_topics: set[str], retry_seconds: float = 2.0):
        self.app, self.pipeline, self.snapshot_topics = app, pipeline, snapshot_topics
        self.retry_seconds = retry_seconds
        self.snapshots: dict[tuple[str, bytes | None], Send] = {}
        self.edges: list[Send] = []
        self._wake = asyncio.Event()

    def offer(self, sends: list[Send]) -> None:
        for send in sends:
            if send.topic in self.snapshot_topics:
                self.snapshots[send.topic, send.key] = send
            else:
                self.edges.append(send)
        self._wake.set()

    @property
    def pending(self) -> int:
        return len(self.snapshots) + len(self.edges)

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self.flush()

    async def flush(self) -> None:
        edges, snapshots = self.edges, self.snapshots
        self.edges, self.snapshots = [], {}
        try:
            await send_all(self.app, edges + list(snapshots.values()), self.pipeline)
        except Exception as problem:  # Kafka away: keep them and try again; newer snapshots win
            log.warning("tick outputs not sent (%s); retrying", type(problem).__name__)
            self.edges = edges + self.edges
            self.snapshots = {**snapshots, **self.snapshots}
            await asyncio.sleep(self.retry_seconds)
            self._wake.set()


def count_into(pipeline: PipelineMetrics, counts: Counter[tuple[str, str]]) -> None:
    for (what, detail), n in counts.items():
        if what == "event":
            pipeline.events_in.labels(detail).inc(n)
        elif what == "dead_letter":
            pipeline.dead_lettered.labels(detail).inc(n)
        elif what == "verdict":
            pipeline.verdicts.labels(detail).inc(n)
        elif what == "queue_verdict":
            pipeline.queue_verdicts.labels(detail).inc(n)
