"""Does a gap in a partition's offsets hold records? Asked of Kafka by a consumer of our own.

Compaction (the schedules topic) and transaction markers leave offsets with no record; a
consumer that skipped records leaves offsets that still have them. Only Kafka can tell the
two apart, so a gap is read back with a plain consumer outside the group (no commits).
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from floorwatch.streams.audit import Gap


class GapCheckFailed(RuntimeError):
    """Kafka did not answer in time: the gap cannot be judged."""


class GapCheck:
    def __init__(self, client_options: dict[str, Any], timeout_seconds: float = 30.0):
        self.client_options = client_options
        self.timeout_seconds = timeout_seconds

    async def holds_records(self, gap: Gap) -> bool:
        consumer = AIOKafkaConsumer(enable_auto_commit=False, group_id=None, **self.client_options)
        await asyncio.wait_for(consumer.start(), self.timeout_seconds)
        try:
            return await asyncio.wait_for(self._read(consumer, gap), self.timeout_seconds)
        except TimeoutError as problem:
            raise GapCheckFailed(f"no answer from Kafka within {self.timeout_seconds:.0f} s about {gap}") from problem
        finally:
            await consumer.stop()

    @staticmethod
    async def _read(consumer: AIOKafkaConsumer, gap: Gap) -> bool:
        tp = TopicPartition(gap.topic, gap.partition)
        consumer.assign([tp])
        consumer.seek(tp, gap.first)
        while True:  # bounded by the caller's wait_for
            fetched = await consumer.getmany(tp, timeout_ms=500, max_records=1)
            for record in fetched.get(tp, ()):
                return bool(record.offset <= gap.last)
            if await consumer.position(tp) > gap.last:
                return False
