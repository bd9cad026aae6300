"""The packed state log: the `agents` and `queues` tables of one partition number as records of
`<app_id>-state`, and the fold that reads them back (docs/architecture.md, "Packed state").

Faust's changelogs cost one record per changed key per save (0.41 + 0.36 records per input event
at 10,000 agents). Here a save writes one record per partition number (a *delta*: every value set
since, whole), so reading a delta twice changes nothing. When the deltas since a partition's last
checkpoint outweigh its state, a save writes a *checkpoint* (the whole partition, in chunks) and
the records before the checkpoint before it are deleted. A new owner reads the partition, folds
it, and writes a *claim* before it applies input: the fold then ignores everything a previous
owner wrote after the claimant stopped reading (a zombie that has not yet heard it lost the
partition).

A record is a JSON header line, then the entries packed as in `outbox.py` (key
`<table>\\x1f<key>`, the whole value; an empty value deletes). No Faust and no Kafka here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from floorwatch.streams.audit import in_format
from floorwatch.streams.outbox import PACKED_BYTES_LIMIT, pack, unpack

FORMAT = 1
DELTA, CHECKPOINT, CLAIM = "delta", "checkpoint", "claim"
_SEP = b"\x1f"  # ids with control characters are refused at input, so no table or key holds it

Key = tuple[str, str]  # (table, key)


@dataclass(frozen=True, slots=True)
class Header:
    kind: str
    owner: str  # the claim this writer made for the partition (a fresh id per assignment)
    next_offsets: dict[str, int]  # the input the state covers: next offset per topic, this partition number
    checkpoint: str = ""  # a checkpoint's id, the same in every chunk
    chunk: int = 0
    last: bool = True  # the checkpoint's last chunk
    read_to: int = 0  # a claim: the offset its writer read the partition up to (exclusive)


def encode(header: Header, entries: Iterable[tuple[Key, bytes | None]]) -> bytes:
    head = {
        "format": FORMAT,
        "kind": header.kind,
        "owner": header.owner,
        "next_offsets": dict(sorted(header.next_offsets.items())),
    }
    if header.kind == CHECKPOINT:
        head.update(checkpoint=header.checkpoint, chunk=header.chunk, last=header.last)
    if header.kind == CLAIM:
        head["read_to"] = header.read_to
    packed = pack([(table.encode() + _SEP + key.encode(), value or b"") for (table, key), value in entries])
    return json.dumps(head, separators=(",", ":")).encode() + b"\n" + packed


def decode(value: bytes) -> tuple[Header, list[tuple[Key, bytes | None]]]:
    line, _, body = value.partition(b"\n")
    head = in_format(json.loads(line), FORMAT, "a state record")
    header = Header(
        kind=str(head["kind"]),
        owner=str(head["owner"]),
        next_offsets={str(t): int(n) for t, n in head["next_offsets"].items()},
        checkpoint=str(head.get("checkpoint", "")),
        chunk=int(head.get("chunk", 0)),
        last=bool(head.get("last", True)),
        read_to=int(head.get("read_to", 0)),
    )
    entries: list[tuple[Key, bytes | None]] = []
    for key, entry in unpack(None, body) if body else ():
        table, _, name = (key or b"").partition(_SEP)
        entries.append(((table.decode(), name.decode()), entry or None))
    return header, entries


def _chunks(entries: list[tuple[Key, bytes | None]], limit: int) -> list[list[tuple[Key, bytes | None]]]:
    chunks: list[list[tuple[Key, bytes | None]]] = [[]]
    size = 0
    for (table, key), value in entries:
        entry_size = len(table) + len(key) + len(value or b"") + 9
        if chunks[-1] and size + entry_size > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(((table, key), value))
        size += entry_size
    return chunks


def delta_records(
    owner: str, next_offsets: dict[str, int], entries: list[tuple[Key, bytes | None]], limit: int = PACKED_BYTES_LIMIT
) -> list[bytes]:
    """One delta (or several, each whole values, if over `limit`); at least one, for the offsets."""
    header = Header(DELTA, owner, next_offsets)
    return [encode(header, chunk) for chunk in _chunks(entries, limit)]


def checkpoint_records(
    owner: str,
    checkpoint: str,
    next_offsets: dict[str, int],
    entries: list[tuple[Key, bytes | None]],
    limit: int = PACKED_BYTES_LIMIT,
) -> list[bytes]:
    chunks = _chunks(entries, limit)
    return [
        encode(Header(CHECKPOINT, owner, next_offsets, checkpoint, n, n == len(chunks) - 1), chunk)
        for n, chunk in enumerate(chunks)
    ]


def claim_record(owner: str, next_offsets: dict[str, int], read_to: int) -> bytes:
    return encode(Header(CLAIM, owner, next_offsets, read_to=read_to), [])


@dataclass
class Folded:
    """A state partition read back: its values, the input they cover, and what a writer needs to
    go on (where the last two complete checkpoints start, the delta bytes since the last one)."""

    values: dict[Key, bytes] = field(default_factory=dict)
    next_offsets: dict[str, int] = field(default_factory=dict)
    records: int = 0  # records read, ignored ones included
    checkpoints: list[int] = field(default_factory=list)  # first offsets of complete checkpoints, in order
    delta_bytes: int = 0  # bytes of accepted deltas since the last complete checkpoint

    @property
    def state_bytes(self) -> int:
        return sum(len(t) + len(k) + len(v) + 9 for (t, k), v in self.values.items())


def fold(records: Iterable[tuple[int, bytes]]) -> Folded:
    """Fold one state partition's records (offset, value), in offset order, into its state.

    A complete checkpoint replaces the state (an incomplete one, cut short by a crash, is
    ignored); a delta sets its entries. After a claim only records of the claiming owner count,
    and records between the claim's read-to offset and the claim itself never count: a previous
    owner wrote them while the claimant was reading, unseen by it."""
    read = list(records)
    unseen: list[tuple[int, int]] = []  # [read_to, claim offset): written past what the claimant read
    decoded = []
    for offset, value in read:
        header, entries = decode(value)
        decoded.append((offset, header, entries, len(value)))
        if header.kind == CLAIM:
            unseen.append((header.read_to, offset))
    folded = Folded(records=len(read))
    owner: str | None = None  # before any claim every writer counts
    building: dict[Key, bytes] | None = None
    building_id, building_from, building_next = "", 0, 0
    for offset, header, entries, size in decoded:
        if any(start <= offset < claim for start, claim in unseen):
            continue
        if header.kind == CLAIM:
            owner = header.owner
            building = None
            continue
        if owner is not None and header.owner != owner:
            continue  # a previous owner's record after the partition was claimed
        if header.kind == CHECKPOINT:
            if header.chunk == 0:
                building, building_id, building_from, building_next = {}, header.checkpoint, offset, 1
            elif building is None or header.checkpoint != building_id or header.chunk != building_next:
                building = None  # a chunk out of its sequence: that checkpoint is incomplete
                continue
            else:
                building_next += 1
            building.update((key, value) for key, value in entries if value is not None)
            if header.last:
                folded.values = building
                folded.next_offsets = dict(header.next_offsets)
                folded.checkpoints.append(building_from)
                folded.delta_bytes = 0
                building = None
            continue
        building = None  # a delta between chunks: the checkpoint before it never finished
        for key, entry in entries:
            if entry is None:
                folded.values.pop(key, None)
            else:
                folded.values[key] = entry
        folded.next_offsets.update(header.next_offsets)
        folded.delta_bytes += size
    return folded


def covers(folded_next: dict[str, int], stored_next: dict[str, int]) -> list[str]:
    """Topics whose stored input position is past what the state covers: state was lost."""
    return sorted(t for t, n in stored_next.items() if folded_next.get(t, 0) < n)
