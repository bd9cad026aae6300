"""The framework ceiling: a bare faust-streaming agent over the same input topics.

    python -m bench.bare_faust BOOTSTRAP APP_ID WEB_PORT DATA_DIR {events|batches} TOPIC [TOPIC ...]

`events` iterates event by event (the plain Faust idiom); `batches` takes batches the way
the floorwatch worker does (`take_events(1000, within=0.05)`); `batches-uvloop` does that on
uvloop, the loop the floorwatch worker runs on. Either way each value is
JSON-decoded into a dict keyed by agent, the same work as the raw aiokafka reader, so the
difference is the framework. GET /count reports progress, stamped inside this process.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import faust
import uvloop


def create_app(bootstrap: str, app_id: str, web_port: int, data_dir: str, mode: str, topics: list[str]) -> faust.App:
    app = faust.App(
        app_id,
        broker=f"kafka://{bootstrap}",
        store="memory://",
        web_host="127.0.0.1",
        web_port=web_port,
        web_in_thread=False,
        datadir=data_dir,
        consumer_auto_offset_reset="earliest",
        broker_commit_every=1000,
        broker_commit_interval=1.0,
    )
    source = app.topic(*topics, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    events = 0
    stamps: dict[str, float | None] = {
        "first_seconds": None,
        "last_seconds": None,
        "first_cpu_seconds": None,
        "last_cpu_seconds": None,
    }
    latest: dict[str, dict] = {}

    def seen(n: int, values) -> None:
        nonlocal events
        now, cpu = time.time(), time.process_time()
        if stamps["first_seconds"] is None:
            stamps["first_seconds"], stamps["first_cpu_seconds"] = now, cpu
        for value in values:
            event = json.loads(value)
            latest[event["data"].get("agent_id") or event["data"].get("queue_id")] = event
        events += n
        stamps["last_seconds"], stamps["last_cpu_seconds"] = time.time(), time.process_time()

    if mode == "events":

        @app.agent(source, name="bare", concurrency=1)
        async def bare(stream):
            async for value in stream:
                seen(1, (value,))
    else:

        @app.agent(source, name="bare", concurrency=1)
        async def bare_batches(stream):
            async for batch in stream.take_events(1000, within=0.05):
                seen(len(batch), [e.message.value for e in batch])

    @app.page("/count")
    async def count(web, request):
        return web.json({"events": events, **stamps})

    return app


def main() -> None:
    bootstrap, app_id, web_port, data_dir, mode, *topics = sys.argv[1:]
    if mode.endswith("-uvloop"):
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        mode = mode.removesuffix("-uvloop")
    app = create_app(bootstrap, app_id, int(web_port), data_dir, mode, topics)
    worker = faust.Worker(app, loglevel="warning", quiet=True)
    # As the floorwatch worker does: Faust's spinner handler would set the root logger to DEBUG, and a
    # yardstick slowed by building every debug record would flatter the pipeline's ratio.
    worker.spinner = None
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
