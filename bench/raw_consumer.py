"""The ceiling: aiokafka consumption plus JSON decoding into a dict keyed by agent.

    python -m bench.raw_consumer BOOTSTRAP EXPECTED PARTITIONS TOPIC [TOPIC ...]

Prints one JSON object: events, wall and CPU seconds from the first message to the last.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from aiokafka import AIOKafkaConsumer, TopicPartition


async def consume(
    bootstrap: str, expected: int, partitions: int, topics: list[str], timeout_seconds: float = 300
) -> dict:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=4 * 1024 * 1024,
        fetch_max_bytes=32 * 1024 * 1024,
    )
    await consumer.start()
    try:
        # No group: assigned partitions start at the earliest offset (auto_offset_reset).
        consumer.assign([TopicPartition(t, p) for t in topics for p in range(partitions)])
        latest: dict[str, dict] = {}  # the newest event per agent (or queue), as a dict
        count, first_wall, first_cpu = 0, None, None
        deadline = time.monotonic() + timeout_seconds
        while count < expected and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
            if first_wall is None and batches:
                first_wall, first_cpu = time.perf_counter(), time.process_time()
            for records in batches.values():
                for record in records:
                    event = json.loads(record.value)
                    latest[event["data"].get("agent_id") or record.key.decode()] = event
                count += len(records)
        wall, cpu = time.perf_counter() - (first_wall or 0), time.process_time() - (first_cpu or 0)
        return {"events": count, "expected": expected, "wall_seconds": wall, "cpu_seconds": cpu, "keys": len(latest)}
    finally:
        await consumer.stop()


def main() -> None:
    bootstrap, expected, partitions, *topics = sys.argv[1:]
    print(json.dumps(asyncio.run(consume(bootstrap, int(expected), int(partitions), topics))))


if __name__ == "__main__":
    main()
