"""Sending a batch's outputs, and counting what a step saw into the pipeline metrics."""

from __future__ import annotations

import asyncio
from collections import Counter

from floorwatch.streams.messages import Send
from floorwatch.streams.metrics import PipelineMetrics


async def send_all(app, sends: list[Send], pipeline: PipelineMetrics) -> None:
    """Send, and wait for Kafka's acknowledgement of every output before state moves on."""
    if not sends:
        return
    producer = app.producer
    pending = [await producer.send(s.topic, s.key, s.value, None, None, None) for s in sends]
    await asyncio.gather(*pending)
    for send in sends:
        pipeline.outputs.labels(send.topic).inc()


def count_into(pipeline: PipelineMetrics, counts: Counter) -> None:
    for (what, detail), n in counts.items():
        if what == "event":
            pipeline.events_in.labels(detail).inc(n)
        elif what == "dead_letter":
            pipeline.dead_lettered.labels(detail).inc(n)
        elif what == "verdict":
            pipeline.verdicts.labels(detail).inc(n)
        elif what == "queue_verdict":
            pipeline.queue_verdicts.labels(detail).inc(n)
