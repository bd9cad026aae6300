"""The packed state store: saves, recovery on assignment, checkpoints, claims and migration,
against an in-memory stand-in for Kafka's partitions (the real broker: the integration tests)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from floorwatch.streams import state_store
from floorwatch.streams.audit import Unsaved
from floorwatch.streams.changes import ChangedKeys
from floorwatch.streams.positions import dump_packed, packed_key, stored_positions
from floorwatch.streams.state import DecodedCache, load_agent, load_queue
from floorwatch.streams.state_log import CHECKPOINT, CLAIM, decode
from floorwatch.streams.state_store import StateStore, StoredStateError, recover_state, save_state
from floorwatch.streams.team_rebuild import MemoryTable

TOPIC, EVENTS, QUEUES = "app-state", "floorwatch.agent-events", "app-queue-events"


class FakeKafka:
    """Partitions as lists; deleted records leave their offsets behind, as Kafka's do."""

    def __init__(self) -> None:
        self.logs: dict[tuple[str, int], list[tuple[int, bytes | None, bytes | None]]] = {}
        self.ends: dict[tuple[str, int], int] = {}
        self.deleted_before: list[tuple[int, int]] = []

    def append(self, topic: str, partition: int, key: bytes | None, value: bytes | None) -> int:
        offset = self.ends.get((topic, partition), 0)
        self.logs.setdefault((topic, partition), []).append((offset, key, value))
        self.ends[(topic, partition)] = offset + 1
        return offset

    def delete_before(self, partition: int, offset: int) -> None:
        self.deleted_before.append((partition, offset))
        where = (TOPIC, partition)
        self.logs[where] = [r for r in self.logs[where] if r[0] >= offset]

    def values(self, partition: int) -> list[bytes]:
        return [v for _, _, v in self.logs.get((TOPIC, partition), []) if v is not None]


@pytest.fixture
def kafka(monkeypatch: pytest.MonkeyPatch) -> FakeKafka:
    fake = FakeKafka()

    async def read_partitions(worker: Any, tps: Any) -> dict[Any, Any]:
        return {
            tp: (list(fake.logs.get((tp.topic, tp.partition), [])), fake.ends.get((tp.topic, tp.partition), 0))
            for tp in tps
        }

    async def read_ends(worker: Any, tps: Any) -> dict[Any, int]:
        return {tp: fake.ends.get((tp.topic, tp.partition), 0) for tp in tps}

    async def delete_before(worker: Any, partition: int, offset: int) -> None:
        fake.delete_before(partition, offset)

    async def existing_topics(worker: Any, names: list[str]) -> set[str]:
        return {topic for topic, _ in fake.logs} & set(names)

    monkeypatch.setattr(state_store, "read_partitions", read_partitions)
    monkeypatch.setattr(state_store, "read_ends", read_ends)
    monkeypatch.setattr(state_store, "_delete_before", delete_before)
    monkeypatch.setattr(state_store, "_existing_topics", existing_topics)
    return fake


class Producer:
    def __init__(self, kafka: FakeKafka) -> None:
        self.kafka = kafka

    async def send(self, topic: str, key: Any, value: bytes, partition: int, *_: Any) -> Any:
        future = asyncio.get_running_loop().create_future()
        future.set_result(SimpleNamespace(offset=self.kafka.append(topic, partition, key, value)))
        return future


def _worker(kafka: FakeKafka, min_bytes: int = 1_000_000) -> Any:
    return SimpleNamespace(
        app=SimpleNamespace(producer=Producer(kafka)),
        settings=SimpleNamespace(app_id="app"),
        state=StateStore(TOPIC, min_bytes),
        tables={"agents": MemoryTable("agents"), "queues": MemoryTable("queues")},
        key_partitions={"agents": {}, "queues": {}},
        unsaved=Unsaved(),
        changed_keys=ChangedKeys(),
        agents_decoded=DecodedCache(load_agent),
        queues_decoded=DecodedCache(load_queue),
    )


def _positions(stored: dict[int, dict[str, int]] | None = None) -> Any:
    return MemoryTable("input-positions", {packed_key(p).encode(): dump_packed(n) for p, n in (stored or {}).items()})


def _set(worker: Any, table: str, key: str, value: bytes | None, partition: int) -> None:
    data = worker.tables[table].data
    if value is None:
        data.pop(key.encode(), None)
        worker.key_partitions[table].pop(key, None)
    else:
        data[key.encode()] = value
        worker.key_partitions[table][key] = partition
    worker.unsaved.mark(table, key, partition)


def _held(worker: Any, table: str) -> dict[str, bytes]:
    return {k.decode(): v for k, v in worker.tables[table].data.items()}


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_a_save_writes_one_record_per_partition_number_and_the_next_owner_reads_it_back(kafka: FakeKafka):
    first = _worker(kafka)
    _run(recover_state(first, _positions(), {0, 1}))
    for n in range(5):
        _set(first, "agents", f"a-{n}", f"v{n}".encode(), n % 2)
    _set(first, "queues", "q-1", b"queue", 1)
    _run(save_state(first, {(EVENTS, 0): 10, (EVENTS, 1): 7}))
    assert [decode(v)[0].kind for v in kafka.values(0)] == [CLAIM, "delta"]
    assert [decode(v)[0].kind for v in kafka.values(1)] == [CLAIM, "delta"]

    second = _worker(kafka)
    _run(recover_state(second, _positions({0: {EVENTS: 10}, 1: {EVENTS: 7}}), {1}))
    assert _held(second, "agents") == {"a-1": b"v1", "a-3": b"v3"}
    assert _held(second, "queues") == {"q-1": b"queue"}
    assert second.key_partitions["agents"] == {"a-1": 1, "a-3": 1}
    assert decode(kafka.values(1)[-1])[0].kind == CLAIM  # claimed before its input is applied


def test_a_save_with_positions_owed_and_no_values_still_writes_the_input_it_covers(kafka: FakeKafka):
    worker = _worker(kafka)
    _run(recover_state(worker, _positions(), {0}))
    _run(save_state(worker, {(EVENTS, 0): 42}))
    header, entries = decode(kafka.values(0)[-1])
    assert (header.next_offsets, entries) == ({EVENTS: 42}, [])


def test_a_deleted_key_is_deleted_for_the_next_owner_too(kafka: FakeKafka):
    first = _worker(kafka)
    _run(recover_state(first, _positions(), {0}))
    _set(first, "agents", "a-1", b"v", 0)
    _set(first, "agents", "a-2", b"v", 0)
    _run(save_state(first, {(EVENTS, 0): 2}))
    _set(first, "agents", "a-1", None, 0)
    _run(save_state(first, {(EVENTS, 0): 3}))
    second = _worker(kafka)
    _run(recover_state(second, _positions({0: {EVENTS: 3}}), {0}))
    assert _held(second, "agents") == {"a-2": b"v"}


def test_a_kept_partition_is_not_read_again_and_a_lost_one_is_dropped_from_memory(kafka: FakeKafka):
    worker = _worker(kafka)
    _run(recover_state(worker, _positions(), {0, 1}))
    _set(worker, "agents", "a-0", b"v", 0)
    _set(worker, "agents", "a-1", b"v", 1)
    _run(save_state(worker, {(EVENTS, 0): 1, (EVENTS, 1): 1}))
    records = {p: len(kafka.values(p)) for p in (0, 1)}
    _run(recover_state(worker, _positions({0: {EVENTS: 1}, 1: {EVENTS: 1}}), {0}))
    assert {p: len(kafka.values(p)) for p in (0, 1)} == records  # no new claim: partition 0 was kept
    assert _held(worker, "agents") == {"a-0": b"v"}
    assert set(worker.state.logs) == {0}


def test_a_kept_partition_someone_else_wrote_since_is_read_again(kafka: FakeKafka):
    first, second = _worker(kafka), _worker(kafka)
    _run(recover_state(first, _positions(), {0}))
    _run(recover_state(second, _positions(), {0}))  # first was out of the group for a generation
    _set(second, "agents", "a-1", b"second", 0)
    _run(save_state(second, {(EVENTS, 0): 5}))
    _run(recover_state(first, _positions({0: {EVENTS: 5}}), {0}))
    assert _held(first, "agents") == {"a-1": b"second"}


def test_a_previous_owner_writing_after_the_claim_changes_nothing_for_later_owners(kafka: FakeKafka):
    old, new = _worker(kafka), _worker(kafka)
    _run(recover_state(old, _positions(), {0}))
    _set(old, "agents", "a-1", b"old", 0)
    _run(save_state(old, {(EVENTS, 0): 1}))
    _run(recover_state(new, _positions({0: {EVENTS: 1}}), {0}))
    _set(new, "agents", "a-1", b"new", 0)
    _run(save_state(new, {(EVENTS, 0): 2}))
    _set(old, "agents", "a-1", b"zombie", 0)  # the old owner has not heard it lost the partition
    _set(old, "agents", "a-2", b"zombie", 0)
    _run(save_state(old, {(EVENTS, 0): 9}))
    later = _worker(kafka)
    _run(recover_state(later, _positions({0: {EVENTS: 2}}), {0}))
    assert _held(later, "agents") == {"a-1": b"new"}


def test_deltas_past_the_state_make_a_checkpoint_and_the_log_before_the_previous_one_is_deleted(kafka: FakeKafka):
    worker = _worker(kafka, min_bytes=1)
    _run(recover_state(worker, _positions(), {0}))
    for round_ in range(12):
        for n in range(3):
            _set(worker, "agents", f"a-{n}", f"round {round_}".encode() * 20, 0)
        _run(save_state(worker, {(EVENTS, 0): round_ + 1}))
    kinds = [decode(v)[0].kind for v in kafka.values(0)]
    assert kinds.count(CHECKPOINT) >= 2
    assert kafka.deleted_before, "records before the previous checkpoint were never deleted"
    assert decode(kafka.values(0)[0])[0].kind == CHECKPOINT  # the log now starts at a checkpoint
    later = _worker(kafka)
    _run(recover_state(later, _positions({0: {EVENTS: 12}}), {0}))
    assert _held(later, "agents") == {f"a-{n}": b"round 11" * 20 for n in range(3)}


def test_stored_positions_past_the_claimed_state_are_lowered_to_it_so_that_input_is_applied_again(
    kafka: FakeKafka,
):
    first = _worker(kafka)
    _run(recover_state(first, _positions(), {0}))
    _run(save_state(first, {(EVENTS, 0): 5, (QUEUES, 0): 3}))
    positions = _positions({0: {EVENTS: 8, QUEUES: 3}})  # a zombie's positions, its state not counted
    _run(recover_state(_worker(kafka), positions, {0}))
    assert stored_positions(positions.items()) == {(EVENTS, 0): 5, (QUEUES, 0): 3}


def test_stored_positions_with_no_stored_state_at_all_stop_the_worker_with_what_to_do(kafka: FakeKafka):
    with pytest.raises(StoredStateError, match="Reset the application"):
        _run(recover_state(_worker(kafka), _positions({0: {EVENTS: 8}}), {0}))


def test_a_first_start_after_the_changelog_version_reads_the_old_changelogs_once_and_checkpoints(kafka: FakeKafka):
    kafka.append("app-agents-changelog", 0, b"a-1", b"old one")
    kafka.append("app-agents-changelog", 0, b"a-2", b"gone")
    kafka.append("app-agents-changelog", 0, b"a-2", None)  # a tombstone
    kafka.append("app-queues-changelog", 0, b"q-1", b"queue")
    worker = _worker(kafka)
    _run(recover_state(worker, _positions({0: {EVENTS: 3}}), {0}))
    assert _held(worker, "agents") == {"a-1": b"old one"}
    assert _held(worker, "queues") == {"q-1": b"queue"}
    assert [decode(v)[0].kind for v in kafka.values(0)] == [CLAIM, CHECKPOINT]
    kafka.append("app-agents-changelog", 0, b"a-1", b"never read again")
    later = _worker(kafka)
    _run(recover_state(later, _positions({0: {EVENTS: 3}}), {0}))
    assert _held(later, "agents") == {"a-1": b"old one"}
