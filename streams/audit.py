"""The worker's own account of its input: which offset of every input partition comes next.

Faust's acknowledgements and commits are not trusted to say what was applied (docs/reliability.md
lists the upstream defects). Instead every input partition's next offset is stored in the
worker's own changelog-backed table, written after the batch's state and outputs, and:

- a message below the next offset was applied before (a redelivery after a crash): skipped;
- a message at the next offset is applied, and the next offset moves past it;
- a message beyond the next offset leaves a gap. Compaction and transaction markers make gaps
  that hold no records; any other gap means the consumer skipped input, and the worker stops
  before applying anything past it (see `GapCheck`).

No Faust and no Kafka here: plain bookkeeping, tested by feeding offsets.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from floorwatch.streams.messages import RawMessage

FORMAT_VERSION = 1
Partition = tuple[str, int]  # (topic, partition)


@dataclass(frozen=True, slots=True)
class Gap:
    """Offsets `first`..`last` of a partition that came with no message."""

    topic: str
    partition: int
    first: int
    last: int

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def __str__(self) -> str:
        return f"{self.topic}[{self.partition}] offsets {self.first}..{self.last}"


@dataclass
class BatchPlan:
    """What to do with one batch, judged against the stored next offsets."""

    to_apply: list[RawMessage] = field(default_factory=list)
    redelivered: list[RawMessage] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    rewinding: list[RawMessage] = field(default_factory=list)  # fetched ahead while a seek back is under way
    # Partitions with no next offset known (never resumed from stored positions): nothing of
    # theirs is applied; the worker looks their position up and goes back for them.
    unknown: list[Partition] = field(default_factory=list)
    unplaced: list[RawMessage] = field(default_factory=list)
    next_offsets: dict[Partition, int] = field(default_factory=dict)  # after the batch is applied

    def cut_at(self, gap: Gap) -> None:
        """Apply nothing of the gap's partition from the gap on: the consumer goes back for it."""
        where = (gap.topic, gap.partition)
        self.to_apply = [m for m in self.to_apply if (m.topic, m.partition) != where or m.offset < gap.first]
        self.gaps = [g for g in self.gaps if (g.topic, g.partition) != where or g.first < gap.first]
        self.next_offsets[where] = gap.first


@dataclass
class InputAudit:
    """Next offset to apply per input partition; changed only once a batch is stored."""

    next_offsets: dict[Partition, int] = field(default_factory=dict)
    rewinds: dict[Partition, float] = field(default_factory=dict)  # partition -> when its seek back began
    moved_at: dict[Partition, float] = field(default_factory=dict)  # partition -> when its next offset last moved

    def plan(self, batch: Iterable[RawMessage]) -> BatchPlan:
        plan = BatchPlan()
        expected = dict(self.next_offsets)
        rewinding = set(self.rewinds)
        for message in batch:
            where = (message.topic, message.partition)
            nxt = expected.get(where)
            if nxt is None:
                if where not in plan.unknown:
                    plan.unknown.append(where)
                plan.unplaced.append(message)
                continue
            if message.offset < nxt:
                plan.redelivered.append(message)
                continue
            if message.offset > nxt and where in rewinding:
                plan.rewinding.append(message)
                continue
            rewinding.discard(where)
            if message.offset > nxt:
                plan.gaps.append(Gap(message.topic, message.partition, nxt, message.offset - 1))
            plan.to_apply.append(message)
            expected[where] = message.offset + 1
            plan.next_offsets[where] = message.offset + 1
        return plan

    def stored(self, plan: BatchPlan, now_seconds: float = 0.0) -> None:
        """The batch's positions reached Kafka: they are now what a restart resumes from."""
        for where, nxt in plan.next_offsets.items():
            if self.next_offsets.get(where) != nxt:
                self.moved_at[where] = now_seconds
        self.next_offsets.update(plan.next_offsets)
        for message in plan.to_apply:
            self.rewinds.pop((message.topic, message.partition), None)

    def adopt(self, where: Partition, next_offset: int, now_seconds: float) -> None:
        """Start a partition nobody resumed at `next_offset` (its stored position), going back to it."""
        self.next_offsets[where] = next_offset
        self.moved_at[where] = now_seconds
        self.rewinds.setdefault(where, now_seconds)

    def rewind(self, gap: Gap, now_seconds: float) -> None:
        """The consumer skipped `gap` and is sent back to its first offset."""
        self.rewinds.setdefault((gap.topic, gap.partition), now_seconds)

    def stuck(self, behind: dict[Partition, int], now_seconds: float, after_seconds: float) -> list[Partition]:
        """Partitions with input waiting whose next offset has not moved for `after_seconds`:
        the consumer is not bringing them (upstream reports of consumers that stop fetching a
        partition without an error). Their clock restarts, so each is reported once a period."""
        found = []
        for where, waiting in behind.items():
            if waiting > 0 and now_seconds - self.moved_at.setdefault(where, now_seconds) > after_seconds:
                found.append(where)
                self.moved_at[where] = now_seconds
        return found

    def longest_rewind_seconds(self, now_seconds: float) -> float:
        return max((now_seconds - began for began in self.rewinds.values()), default=0.0)

    def forget(self, keep: Iterable[Partition]) -> None:
        """Partitions that moved to another worker: their positions are that worker's now."""
        kept = set(keep)
        for where in [w for w in self.next_offsets if w not in kept]:
            del self.next_offsets[where]
        for where in [w for w in self.rewinds if w not in kept]:
            del self.rewinds[where]
        for where in [w for w in self.moved_at if w not in kept]:
            del self.moved_at[where]


@dataclass
class OwedPositions:
    """Next offsets of batches whose effects are stored but whose positions are not written yet.

    Positions are written at most every so often, not after every batch: at live rates a batch
    holds a few events and each wrote a record per input partition it touched. Anything applied
    past the stored positions is read again after a restart and recognised per key (an agent's
    `applied_offsets`, a queue's event ids, a member's revision), as a crash between a batch's
    state and its positions always was; so owed positions may also be dropped (on assignment)."""

    owed: dict[Partition, int] = field(default_factory=dict)
    written_at: float = -math.inf

    def due(self, now_seconds: float, every_seconds: float) -> bool:
        return bool(self.owed) and now_seconds - self.written_at >= every_seconds

    def take(self, now_seconds: float) -> dict[Partition, int]:
        owed, self.owed, self.written_at = self.owed, {}, now_seconds
        return owed


@dataclass
class Unsaved:
    """Table keys set in memory whose changelog records are not written yet.

    A batch sets its table values in memory only; their changelog records are written together
    just before the positions that cover them (`delivery.write_positions`), so a key changed by
    several batches in a second costs one record, and a batch waits for Kafka once (its outputs),
    not three times. Until then the values are as unsaved as positions not yet written: a crash
    loses both, and the input since is read again and recognised per key, as after a crash
    between a batch's state and its positions."""

    keys: dict[str, dict[str, int]] = field(default_factory=dict)  # table -> key -> partition

    def mark(self, table: str, key: str, partition: int) -> None:
        self.keys.setdefault(table, {})[key] = partition

    def take(self) -> dict[str, dict[str, int]]:
        keys, self.keys = self.keys, {}
        return keys

    def drop_unowned(self, owned: set[int]) -> dict[str, list[str]]:
        """Forget keys of partitions this worker no longer owns (their new owner reads the input
        again from the stored positions); returns them per table, for the caller to clear."""
        dropped: dict[str, list[str]] = {}
        for table, keys in self.keys.items():
            gone = [key for key, partition in keys.items() if partition not in owned]
            for key in gone:
                del keys[key]
            if gone:
                dropped[table] = gone
        return dropped


def position_key(topic: str, partition: int) -> bytes:
    return f"{topic}/{partition}".encode()  # Kafka topic names cannot contain '/'


def parse_position_key(key: bytes) -> Partition:
    topic, _, partition = key.decode().rpartition("/")
    return topic, int(partition)


def dump_position(next_offset: int) -> bytes:
    return json.dumps({"format": FORMAT_VERSION, "next_offset": next_offset}).encode()


class StoredFormatError(ValueError):
    """A stored value this version cannot read; the message says what to do."""


def unreadable(what: str, found: object, reads: int) -> StoredFormatError:
    """The one message for a stored value of a format this worker does not read."""
    return StoredFormatError(
        f"{what} stored in format {found!r}; this worker reads format {reads}. Run the floorwatch "
        "version that wrote it, or reset the application (docs/runbook.md, 'Resetting state') to "
        "rebuild state from the input topics."
    )


def in_format(value: object, reads: int, what: str) -> dict[str, Any]:
    """`value` (decoded JSON) when it is an object in format `reads`; otherwise what to do."""
    found = value.get("format") if isinstance(value, dict) else None
    if found != reads or not isinstance(value, dict):
        raise unreadable(what, found, reads)
    return value


def load_position(raw: bytes) -> int:
    value = in_format(json.loads(raw), FORMAT_VERSION, "input position")
    return int(value["next_offset"])
