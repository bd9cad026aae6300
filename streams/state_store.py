"""The `agents` and `queues` tables stored by floorwatch itself in `<app_id>-state`, packed
(`state_log.py` has the record format and the fold; docs/architecture.md, "Packed state").

- **Save** (`save_state`, inside `delivery.write_positions`, after the outbox, before the
  positions): one delta per partition number with every value set since and the input it
  covers, awaited; a checkpoint instead when the deltas since the last one outweigh the state,
  and then the records before the previous checkpoint are deleted.
- **Recover** (`recover_state`, on every assignment, before the resume from stored positions):
  each partition gained (or written by someone else since this worker last wrote it) is read
  from its log start to its end with the worker's own consumer, folded into the tables, checked
  against the stored positions, and claimed before any of its input is applied. A deployment's
  first start reads the old Faust changelogs of a partition once and checkpoints them.

Faust's objects arrive through the worker (its producer, its assignment); nothing here imports Faust.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, RecordsToDelete

from floorwatch.streams.audit import StoredFormatError
from floorwatch.streams.positions import dump_packed, packed_key, stored_positions
from floorwatch.streams.state_log import Folded, Key, checkpoint_records, claim_record, covers, delta_records, fold

if TYPE_CHECKING:
    from floorwatch.streams.worker import Worker

log = logging.getLogger("floorwatch.streams")
STATE_TABLES = ("agents", "queues")
READ_TIMEOUT_SECONDS = 60.0  # one partition's read; the recovery watchdog bounds the whole assignment


class StoredStateError(StoredFormatError):
    """The state log does not cover the stored input positions; the message says what to do."""


@dataclass
class PartitionLog:
    """What this worker knows of one state partition it owns."""

    owner: str  # its claim id: every record it writes carries it
    next_offsets: dict[str, int]  # the input the written state covers, per topic
    end: int  # the partition's end after this worker's last record: more there means another writer
    checkpoints: list[int] = field(default_factory=list)  # first offsets of the last complete checkpoints
    delta_bytes: int = 0  # written since the last checkpoint
    state_bytes: int = 0  # the partition's state at its last checkpoint or recovery


@dataclass
class StateStore:
    topic: str
    checkpoint_min_bytes: int
    logs: dict[int, PartitionLog] = field(default_factory=dict)  # owned partition number -> its log

    def checkpoint_due(self, partition: PartitionLog) -> bool:
        return partition.delta_bytes > max(partition.state_bytes, self.checkpoint_min_bytes)


def old_changelog(app_id: str, table: str) -> str:
    return f"{app_id}-{table}-changelog"


def partition_entries(worker: Worker, partition: int) -> list[tuple[Key, bytes | None]]:
    """Every stored value of a partition number, for a checkpoint."""
    entries: list[tuple[Key, bytes | None]] = []
    for name in STATE_TABLES:
        data = worker.tables[name].data
        for key, p in worker.key_partitions.get(name, {}).items():
            if p == partition and (value := data.get(key.encode())) is not None:
                entries.append(((name, key), value))
    return entries


async def save_state(worker: Worker, owed: dict[tuple[str, int], int]) -> None:
    """One delta (or checkpoint) per partition number with values set or positions owed, awaited."""
    store = worker.state
    by_partition: dict[int, list[tuple[Key, bytes | None]]] = {}
    for name, keys in worker.unsaved.take().items():
        data = worker.tables[name].data
        for key, partition in keys.items():
            by_partition.setdefault(partition, []).append(((name, key), data.get(key.encode())))
    for (_, partition), _n in owed.items():
        by_partition.setdefault(partition, [])
    if not by_partition:
        return
    written: list[tuple[int, PartitionLog, bool, list[Any], int]] = []
    for partition, entries in sorted(by_partition.items()):
        plog = store.logs.get(partition)
        if plog is None:
            raise RuntimeError(f"state of partition {partition} is written but was never recovered or claimed")
        plog.next_offsets.update({topic: n for (topic, p), n in owed.items() if p == partition})
        checkpoint = store.checkpoint_due(plog)
        if checkpoint:
            records = checkpoint_records(
                plog.owner, uuid.uuid4().hex[:12], plog.next_offsets, partition_entries(worker, partition)
            )
        else:
            records = delta_records(plog.owner, plog.next_offsets, entries)
        pending = [await worker.app.producer.send(store.topic, None, r, partition, None, None) for r in records]
        written.append((partition, plog, checkpoint, pending, sum(map(len, records))))
    for partition, plog, checkpoint, pending, size in written:
        acks = await asyncio.gather(*pending)
        plog.end = max(int(a.offset) for a in acks) + 1
        if checkpoint:
            plog.checkpoints = [*plog.checkpoints, int(acks[0].offset)][-2:]
            plog.delta_bytes, plog.state_bytes = 0, size
            if len(plog.checkpoints) == 2:
                await _delete_before(worker, partition, plog.checkpoints[0])
        else:
            plog.delta_bytes += size


async def _delete_before(worker: Worker, partition: int, offset: int) -> None:
    """Records before the previous checkpoint are no longer needed: the last one (and the deltas
    after the previous) rebuild the partition. A failed delete only keeps bytes: logged, not fatal."""
    from floorwatch.streams.worker import kafka_client_options

    admin = AIOKafkaAdminClient(**kafka_client_options(worker.settings))
    try:
        await admin.start()
        await admin.delete_records({TopicPartition(worker.state.topic, partition): RecordsToDelete(offset)})
    except Exception:
        log.warning(
            "could not delete %s[%d] before offset %d; retried after the next checkpoint",
            worker.state.topic,
            partition,
            offset,
            exc_info=True,
        )
    finally:
        await admin.close()


Read = list[tuple[int, bytes | None, bytes | None]]  # (offset, key, value)


async def read_partitions(worker: Worker, tps: Iterable[TopicPartition]) -> dict[TopicPartition, tuple[Read, int]]:
    """Each partition's records (offset, key, value) from its log start to the end it had when asked, and that end."""
    from floorwatch.streams.worker import kafka_client_options

    wanted = list(tps)
    if not wanted:
        return {}
    consumer = AIOKafkaConsumer(
        **kafka_client_options(worker.settings),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    try:
        consumer.assign(wanted)
        ends = await consumer.end_offsets(wanted)
        await consumer.seek_to_beginning(*wanted)
        read: dict[TopicPartition, Read] = {tp: [] for tp in wanted}
        open_ = {tp for tp in wanted if await consumer.position(tp) < ends[tp]}
        deadline = asyncio.get_running_loop().time() + READ_TIMEOUT_SECONDS
        while open_:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"reading {sorted(str(tp) for tp in open_)} took over {READ_TIMEOUT_SECONDS:.0f} s")
            batches = await consumer.getmany(*open_, timeout_ms=500)
            for tp, messages in batches.items():
                read[tp].extend((m.offset, m.key, m.value) for m in messages if m.offset < ends[tp])
            for tp in list(open_):
                if await consumer.position(tp) >= ends[tp]:
                    open_.discard(tp)
        return {tp: (read[tp], ends[tp]) for tp in wanted}
    finally:
        await consumer.stop()


def _clear(worker: Worker, partitions: set[int]) -> None:
    if not partitions:
        return
    for name in STATE_TABLES:
        data, owners = worker.tables[name].data, worker.key_partitions.setdefault(name, {})
        cache = worker.agents_decoded if name == "agents" else worker.queues_decoded
        for key in [k for k, p in owners.items() if p in partitions]:
            data.pop(key.encode(), None)
            del owners[key]
            cache.forget(key)
            worker.changed_keys.mark(name, key)


async def _migrate(worker: Worker, partition: int) -> Folded | None:
    """A partition with no packed state: its values from the Faust changelogs of the version
    before (newest value per key; an empty one deleted); None if there are none."""
    folded = Folded()
    app_id = worker.settings.app_id
    topics = {old_changelog(app_id, name): name for name in STATE_TABLES}
    existing = await _existing_topics(worker, list(topics))
    if not existing:
        return None
    read = await read_partitions(worker, [TopicPartition(t, partition) for t in topics if t in existing])
    for tp, (records, _) in read.items():
        for _, key, value in records:
            if key is None:
                continue
            entry = (topics[tp.topic], key.decode())
            if value:
                folded.values[entry] = value
            else:
                folded.values.pop(entry, None)
    return folded


async def _existing_topics(worker: Worker, names: list[str]) -> set[str]:
    from floorwatch.streams.worker import kafka_client_options

    admin = AIOKafkaAdminClient(**kafka_client_options(worker.settings))
    try:
        await admin.start()
        return set(await admin.list_topics()) & set(names)
    finally:
        await admin.close()


async def recover_under_lock(worker: Worker, positions: Any, owned: set[int]) -> None:
    async with worker.saving:  # no save of the partitions while their logs change hands
        await recover_state(worker, positions, owned)


async def recover_state(worker: Worker, positions: Any, owned: set[int]) -> None:
    """After every assignment, before its input is resumed: the state of every partition gained."""
    store = worker.state
    kept = set(store.logs) & owned
    if kept:  # written by someone else since this worker's last record: read again
        probe = await read_ends(worker, [TopicPartition(store.topic, p) for p in kept])
        kept = {p for p in kept if probe[TopicPartition(store.topic, p)] == store.logs[p].end}
    gained = owned - kept
    _clear(worker, (set(store.logs) - kept) | gained)
    store.logs = {p: store.logs[p] for p in kept}
    if not gained:
        return
    stored = stored_positions(positions.data.items())
    read = await read_partitions(worker, [TopicPartition(store.topic, p) for p in sorted(gained)])
    pending = []
    for tp, (records, end) in sorted(read.items()):
        partition = tp.partition
        folded = fold((offset, value) for offset, _, value in records if value is not None)
        stored_here = {topic: n for (topic, p), n in stored.items() if p == partition}
        old = await _migrate(worker, partition) if not records and stored_here else None
        migrated = old is not None
        if old is not None:
            folded = old
            folded.next_offsets = dict(stored_here)  # the old version wrote its changelogs before its positions
        missing = covers(folded.next_offsets, stored_here)
        if missing and not records:
            raise StoredStateError(
                f"partition {partition} has stored input positions but no stored state ({store.topic} is empty "
                "and no changelog of an older version exists): state was lost (the topic deleted or recreated). "
                "Reset the application (docs/runbook.md, 'Resetting state') to rebuild state from the input topics."
            )
        if missing:  # positions a previous owner wrote past the state that counts: apply that input again
            log.warning(
                "partition %d: stored positions of %s are past the claimed state; resuming them from the state",
                partition,
                ", ".join(missing),
            )
            lowered = {**stored_here, **{t: folded.next_offsets.get(t, 0) for t in missing}}
            positions.data[packed_key(partition).encode()] = dump_packed(lowered)
        for (table, key), value in folded.values.items():
            worker.tables[table].data[key.encode()] = value
            worker.key_partitions.setdefault(table, {})[key] = partition
            worker.changed_keys.mark(table, key)
        plog = PartitionLog(
            owner=uuid.uuid4().hex[:12],
            next_offsets=dict(folded.next_offsets),
            end=end,
            checkpoints=folded.checkpoints[-2:],
            delta_bytes=folded.delta_bytes,
            state_bytes=folded.state_bytes,
        )
        store.logs[partition] = plog
        records_out = [claim_record(plog.owner, plog.next_offsets, read_to=end)]
        if migrated:  # later starts read the packed log only
            everything = partition_entries(worker, partition)
            records_out += checkpoint_records(plog.owner, "migrated", plog.next_offsets, everything)
        for n, value in enumerate(records_out):
            future = await worker.app.producer.send(store.topic, None, value, partition, None, None)
            pending.append((plog, future, migrated and n == 1))
        log.info(
            "state of partition %d: %d values from %d records%s",
            partition,
            len(folded.values),
            len(records),
            " (migrated from the changelogs)" if migrated else "",
        )
    for plog, future, first_chunk in pending:
        ack = await future
        plog.end = max(plog.end, int(ack.offset) + 1)
        if first_chunk:
            plog.checkpoints = [int(ack.offset)]


async def read_ends(worker: Worker, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
    from floorwatch.streams.worker import kafka_client_options

    consumer = AIOKafkaConsumer(**kafka_client_options(worker.settings), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        return dict(await consumer.end_offsets(tps))
    finally:
        await consumer.stop()
