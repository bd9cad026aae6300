"""How a batch is applied so that nothing is lost and nothing counted twice
(docs/architecture.md, "Delivery and recovery").

Judge each message against the stored next offsets (`audit.py`), go back for input the consumer
skipped, apply, then store positions last; resume from them on every assignment; stop the
process on any error rather than let Faust acknowledge what was not stored. Faust's objects
arrive as arguments (the app, a table); nothing here imports Faust.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from aiokafka import TopicPartition

from floorwatch.streams.messages import RawMessage
from floorwatch.streams.positions import packed_writes, stored_positions
from floorwatch.streams.sending import send_all
from floorwatch.streams.state_store import save_state
from floorwatch.streams.watchdog import RESTART_EXIT_CODE
from floorwatch.streams.worker import Worker, kafka_client_options

log = logging.getLogger("floorwatch.streams")
Handler = Callable[[list[RawMessage]], Awaitable[None]]


async def guarded(worker: Worker, what: str, work: Awaitable[None]) -> None:
    """Run `work`; on any error stop the process before anything more is acknowledged.

    Faust would restart a failed agent in place and commit the batch it was holding (upstream
    robinhood/faust #604), losing it; a fresh process resumes from the stored positions."""
    try:
        await work
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("%s failed; exiting with code %d so the supervisor restarts this worker", what, RESTART_EXIT_CODE)
        fail_fast()


def fail_fast() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
    os._exit(RESTART_EXIT_CODE)


async def run_batch(worker: Worker, positions: Any, batch: Iterable[RawMessage], apply: Handler) -> None:
    assigned = {(tp.topic, tp.partition) for tp in worker.app.consumer.assignment()}
    messages = [m for m in batch if (m.topic, m.partition) in assigned]  # a revoked partition is not ours
    messages = worker.failpoint.withhold(messages, worker.audit.next_offsets)
    plan = worker.audit.plan(messages)
    for topic, partition in plan.unknown:
        await _adopt(worker, positions, topic, partition)
    for gap in list(plan.gaps):
        if await worker.gap_check.holds_records(gap):
            log.error("the consumer skipped %s: going back for them", gap)
            worker.pipeline.offset_gaps.labels(gap.topic, "skipped").inc()
            plan.cut_at(gap)
            worker.audit.rewind(gap, time.monotonic())
            await _seek(worker, TopicPartition(gap.topic, gap.partition), gap.first)
        else:
            worker.pipeline.offset_gaps.labels(gap.topic, "absent").inc()
    if plan.to_apply:
        await apply(plan.to_apply)
    worker.failpoint.maybe_fail()
    worker.owed_positions.owed.update(plan.next_offsets)  # the batch's effects are stored by now
    if _save_due(worker):
        await write_positions(worker, positions)
    worker.audit.stored(plan, time.monotonic())
    for message in [*plan.rewinding, *plan.unplaced]:  # fetched ahead of a going-back: dropped, fetched again later
        worker.pipeline.offset_gaps.labels(message.topic, "refetched").inc()
    _account(worker, plan.next_offsets, len(plan.redelivered))


async def _adopt(worker: Worker, positions: Any, topic: str, partition: int) -> None:
    """Input from a partition that was never resumed from its stored position (should not happen:
    every assignment resumes first). Taking its first record as the start could skip what lies
    before it, so the position is looked up as a resume would and the consumer goes back there."""
    stored = stored_positions(positions.data.items()).get((topic, partition))
    tp = TopicPartition(topic, partition)
    if stored is not None:
        start = stored
    else:
        earliest = await worker.app.consumer.earliest_offsets(tp)
        start = earliest.get(tp) or 0
    log.error("%s[%d] delivered input before its position was resumed: going back to %d", topic, partition, start)
    worker.pipeline.offset_gaps.labels(topic, "unresumed").inc()
    worker.audit.adopt((topic, partition), start, time.monotonic())
    await _seek(worker, tp, start)


async def write_positions(worker: Worker, positions: Any) -> None:
    """Write the table values batches set since the last time (the packed state log), then the
    positions owed for those batches: state first, each awaited, so stored positions never pass
    stored state."""
    async with worker.saving:
        owed = worker.owed_positions.take(time.monotonic())  # every batch in it has marked its values by now
        # What those values sent to the repartition topics goes first: a queue event or a member's
        # leave must not be lost behind an agent value that says it was applied.
        await send_all(worker.app, worker.outbox.take(), worker.pipeline)
        await save_state(worker, owed)  # one delta per partition number (state_store.py)
        # One record per partition number for all five topics (positions.py).
        await persist(worker, positions, packed_writes(owed, lambda key: positions.data.get(key.encode())))


def set_in_memory(
    worker: Worker, table: Any, writes: Sequence[tuple[str, bytes | None, int]], changelog: bool = True
) -> None:
    """A batch's table values, in memory now; they are stored (`changelog`: in the state log)
    with the next positions (`write_positions`). None deletes the key."""
    for key, value, partition in writes:
        _set_locally(worker, table, key, value, partition)
        if changelog:
            worker.unsaved.mark(table.name, key, partition)


def _set_locally(worker: Worker, table: Any, key: str, value: bytes | None, partition: int) -> bytes:
    """The table's in-memory value and the key's owning partition; None deletes. Returns the raw key."""
    store, owners = table.data, worker.key_partitions[table.name]
    raw_key = key.encode()
    worker.changed_keys.mark(table.name, key)  # the next tick views it
    if value is None:
        store.pop(raw_key, None)
        owners.pop(key, None)
    else:
        store[raw_key] = value
        owners[key] = partition
    return raw_key


async def save_before_revoke(worker: Worker, positions: Any) -> None:
    """Faust is revoking partitions (their batches are done): write what is unsaved and the
    positions owed now, so their next owner, which reads the state log next, starts from all
    of it rather than reading the last second of input again."""
    await write_positions(worker, positions)


def forget_unowned_unsaved(worker: Worker, owned: set[int]) -> None:
    """After an assignment: unsaved values of partitions this worker lost are not its to write
    (the next owner reads their input again from the stored positions)."""
    for name, keys in worker.unsaved.drop_unowned(owned).items():
        store, owners = worker.tables[name].data, worker.key_partitions[name]
        for key in keys:
            store.pop(key.encode(), None)
            owners.pop(key, None)


async def write_owed_positions(worker: Worker, positions: Any) -> None:
    """From a timer: positions owed longer than the period (input that stopped coming)."""
    if _save_due(worker):
        await write_positions(worker, positions)


def _save_due(worker: Worker) -> bool:
    """Positions owed, or outbox entries waiting (agents sent to their teams again after an
    assignment owe no position), and the period passed since the last save."""
    owed = worker.owed_positions
    if not owed.owed and not len(worker.outbox):
        return False
    return time.monotonic() - owed.written_at >= worker.settings.positions_every_seconds


async def go_back(worker: Worker, topic: str, partition: int, offset: int) -> None:
    await _seek(worker, TopicPartition(topic, partition), offset)


async def _seek(worker: Worker, tp: TopicPartition, offset: int) -> None:
    """Move the consumer, from the consumer's own thread. Faust's `Consumer.seek` calls aiokafka
    from the app's event loop while the aiokafka consumer runs in Faust's consumer thread with
    a loop of its own: its fetcher can then sleep for good and every stream starves (seen in
    the fault suite). `seek_wait` goes through the thread and waits for the new position."""
    await worker.app.consumer.seek_wait({tp: offset})


def _account(worker: Worker, next_offsets: dict[tuple[str, int], int], redelivered: int) -> None:
    pipeline = worker.pipeline
    for (topic, partition), nxt in next_offsets.items():
        pipeline.applied_offset.labels(topic, str(partition)).set(nxt - 1)
    if redelivered:
        pipeline.verdicts.labels("redelivered").inc(redelivered)
    if next_offsets:
        worker.progress.last_applied_at = time.monotonic()


async def resume_from_positions(worker: Worker, positions: Any) -> None:
    """After every assignment: start each input partition at its stored next offset.

    Runs between table recovery and Faust's seek to the committed offsets, so committing the
    stored positions here is what makes that seek land on them."""
    app = worker.app
    actives = {tp for tp in app.assignor.assigned_actives() if tp.topic in worker.input_topics}
    active_keys = {(tp.topic, tp.partition) for tp in actives}
    stored = {where: nxt for where, nxt in stored_positions(positions.data.items()).items() if where in active_keys}
    starts = await app.consumer.earliest_offsets(*actives) if actives else {}
    nexts: dict[tuple[str, int], int] = {}
    for tp in actives:
        start = starts.get(tp) or 0
        nxt = stored.get((tp.topic, tp.partition), start)
        if nxt < start:
            log.error(
                "%s[%d] offsets %d..%d were deleted by retention before this deployment applied them",
                tp.topic,
                tp.partition,
                nxt,
                start - 1,
            )
            worker.pipeline.offset_gaps.labels(tp.topic, "expired").inc()
            nxt = start
        nexts[(tp.topic, tp.partition)] = nxt
    worker.audit.next_offsets = nexts
    worker.audit.rewinds.clear()
    worker.owed_positions.take(time.monotonic())  # dropped: what they cover is recognised when read again
    # Unsaved values of partitions kept stay marked: the input read again is recognised (an
    # agent's applied offsets, a queue's ids, a member's revision), so they are written
    # before any position past them is.
    forget_unowned_unsaved(worker, {p for _, p in active_keys})
    worker.pipeline.applied_offset.clear()
    for (topic, partition), nxt in nexts.items():
        worker.pipeline.applied_offset.labels(topic, str(partition)).set(nxt - 1)
    if actives:
        # Commit what is stored (not what Faust acknowledged): Faust's seek to the committed
        # offsets comes right after this callback and must land there. And seek explicitly too:
        # aiokafka's seek_to_committed skips a committed offset of 0, which would leave a
        # partition where an older commit put it (found by the fault suite).
        wanted = {tp: nexts[tp.topic, tp.partition] for tp in actives}
        consumer: Any = app.consumer
        await consumer._commit(wanted)
        await consumer.seek_wait(wanted)
    now = time.monotonic()
    worker.audit.moved_at = dict.fromkeys(nexts, now)
    worker.progress.recovered = True
    log.info("resuming %d input partitions from stored positions", len(actives))


async def probe_broker(worker: Worker) -> None:
    """Ask Kafka for its metadata; /health counts how long since it last answered."""
    from aiokafka import AIOKafkaClient  # the worker's own clients are Faust's; this one only asks

    client = AIOKafkaClient(**kafka_client_options(worker.settings), request_timeout_ms=4000)
    try:
        await asyncio.wait_for(client.bootstrap(), 4.5)
        worker.progress.broker_seen_at = time.monotonic()
    except Exception:  # unreachable is what this probe is for; /health says so
        log.warning("Kafka at %s did not answer a metadata request", worker.settings.bootstrap_servers)
    finally:
        await client.close()


async def persist(worker: Worker, table: Any, writes: Sequence[tuple[str, bytes | None, int]]) -> None:
    """Store each key and write it to the table's changelog, on the partition of the message it
    came from, and wait for Kafka's acknowledgement before the batch is acknowledged.

    Faust's own `table[key] = value` sends changelog records in the background, and its commit
    may go ahead before they are sent (its producer flush gives up after 0.1 s): a SIGKILL then
    loses state whose input is already committed. Awaiting the acks here closes that window."""
    if not writes:
        return
    changelog = table.changelog_topic.get_topic_name()
    pending = []
    for key, value, partition in writes:
        raw_key = _set_locally(worker, table, key, value, partition)
        pending.append(await worker.app.producer.send(changelog, raw_key, value, partition, None, None))
    await asyncio.gather(*pending)
