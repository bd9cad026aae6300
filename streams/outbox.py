"""Records for floorwatch's own repartition topics, packed: one Kafka record per destination
partition per save instead of one per queue event or changed team member.

At live rates the `agent-events` batches held a few events, and each sent its queue events and
its changed agents' values as records of their own (0.44 and 0.42 records per input event at
10,000 agents), each read back through Faust at the cost of an input event. The outbox keeps
them until the worker next saves its state (`delivery.write_positions`, at most once a second),
which sends them first, awaited, then the table values that produced them, then the positions:
the order a batch used to keep by sending them itself. A crash before the save loses the
outbox with the unsaved values and positions, and the input since is read again.

An entry whose send names what it is the newest of (`Send.newest_of`: the agent of a
team-members value or leave) replaces the one held for the same destination, key and agent, in
its place: the team's reader keeps only each member's newest revision anyway, so the older
value would be read, parsed and dropped. In a backlog an agent changes in several batches a
second; this sends it to its team once per save.

A packed value is `MAGIC` then, per entry, the key and the value, each preceded by its length
(4 bytes, big-endian). A value without `MAGIC` is one entry under the record's own key, so
records written before packing still read.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from aiokafka.partitioner import DefaultPartitioner

from floorwatch.streams.messages import RawMessage, Send

MAGIC = b"\x00fwpack1\n"  # JSON (what an unpacked record holds) never starts with a NUL byte
PACKED_BYTES_LIMIT = 256 * 1024  # under the producer's batch size and Kafka's 1 MB message default
_LENGTH = struct.Struct(">I")
_partitioner = DefaultPartitioner()


@lru_cache(maxsize=65_536)  # a few thousand team and queue ids; murmur2 is pure Python in aiokafka
def partition_for(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner gives `key`: where a keyed record would go."""
    every = list(range(partitions))
    return int(_partitioner(key, every, every))


def pack(entries: list[tuple[bytes, bytes]]) -> bytes:
    parts = [MAGIC]
    for key, value in entries:
        parts += (_LENGTH.pack(len(key)), key, _LENGTH.pack(len(value)), value)
    return b"".join(parts)


def unpack(key: bytes | None, value: bytes | None) -> Iterator[tuple[bytes | None, bytes | None]]:
    """The (key, value) entries of one record: several if packed, else the record itself."""
    if value is None or not value.startswith(MAGIC):
        yield key, value
        return
    at, end = len(MAGIC), len(value)
    while at < end:
        (size,) = _LENGTH.unpack_from(value, at)
        entry_key = value[at + 4 : at + 4 + size]
        at += 4 + size
        (size,) = _LENGTH.unpack_from(value, at)
        entry_value = value[at + 4 : at + 4 + size]
        at += 4 + size
        yield entry_key, entry_value


def entries_of(message: RawMessage) -> list[RawMessage]:
    """A message as the steps read it: one per packed entry, at the record's coordinates."""
    if message.value is None or not message.value.startswith(MAGIC):
        return [message]
    return [
        RawMessage(message.topic, message.partition, message.offset, k, v, message.timestamp)
        for k, v in unpack(message.key, message.value)
    ]


@dataclass
class Outbox:
    """Sends to the repartition topics, held until the next save, in the order they were added."""

    partitions: int
    held: dict[tuple[str, int], list[tuple[bytes, bytes]]] = field(default_factory=dict)
    # (topic, partition, key, newest_of) -> where that entry is held in its partition's list
    newest: dict[tuple[str, int, bytes, str], int] = field(default_factory=dict)

    def add(self, send: Send) -> None:
        if send.key is None or send.value is None:
            raise ValueError(f"a record for {send.topic} needs a key and a value")
        partition = partition_for(send.key, self.partitions)
        entries = self.held.setdefault((send.topic, partition), [])
        if send.newest_of is None:
            entries.append((send.key, send.value))
            return
        identity = (send.topic, partition, send.key, send.newest_of)
        at = self.newest.get(identity)
        if at is None:
            self.newest[identity] = len(entries)
            entries.append((send.key, send.value))
        else:
            entries[at] = (send.key, send.value)

    def add_to(self, topic: str, partition: int, key: bytes, value: bytes) -> None:
        """An entry for one named partition (a marker every partition must read)."""
        self.held.setdefault((topic, partition), []).append((key, value))

    def __len__(self) -> int:
        return sum(len(entries) for entries in self.held.values())

    def take(self) -> list[Send]:
        """The held entries as packed records, at most PACKED_BYTES_LIMIT each, and empty the box."""
        held, self.held = self.held, {}
        self.newest.clear()
        sends = []
        for (topic, partition), entries in held.items():
            chunk: list[tuple[bytes, bytes]] = []
            size = 0
            for key, value in entries:
                entry_size = len(key) + len(value) + 8
                if chunk and size + entry_size > PACKED_BYTES_LIMIT:
                    sends.append(Send(topic, None, pack(chunk), partition))
                    chunk, size = [], 0
                chunk.append((key, value))
                size += entry_size
            if chunk:
                sends.append(Send(topic, None, pack(chunk), partition))
        return sends
