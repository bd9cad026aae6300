"""What the stream tables hold, and how each value is encoded (stored packed in the state log).

Values are JSON of the core's frozen dataclasses (read by pydantic, which validates them), so
nothing executable (pickle) is ever loaded from a topic. An agent's value is that JSON, written
by msgspec, compressed with Zstandard at level 1 (a third of the bytes in the table, the state
log and the team-members copy; `zstd -d` reads one). How a value is compressed is told by its
first bytes, so values written before read too: zlib-compressed ones (until this round) and
plain JSON ones (before that). Every value carries `format`: a value of an older format is
migrated when it is read, one of an unknown format is refused with what to do.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import msgspec
import zstandard
from pydantic import BaseModel, TypeAdapter, ValidationError

from floorwatch.core.agent import AgentTrack
from floorwatch.core.queue import QueueTrack
from floorwatch.streams.audit import unreadable

# 0: before formats were written (no `format`, no `revision`); 1: before the break track of
# issue 19 and the stress model of issue 20. The stress state changed shape and cannot be
# carried over, so values of format 0 and 1 are refused with what to do (reset and rebuild).
AGENT_FORMAT = 2
# Queue format 2 (issue 18) adds the abandoned callers' waiting time to every count; a format-1
# value is migrated on read with that time 0 (patience is then estimated from newer contacts only).
QUEUE_FORMAT = 2


@dataclass(frozen=True, slots=True)
class StoredAgent:
    """An agent's track, plus the input offsets already folded into it.

    At-least-once delivery replays messages after a crash; a message at or below the
    stored offset of its topic was applied before the crash and is skipped."""

    track: AgentTrack
    applied_offsets: tuple[tuple[str, int], ...]  # (topic, offset of the newest applied message)
    revision: int  # +1 on every stored change: the team roll-up keeps only an agent's newest
    format: int = AGENT_FORMAT

    def already_applied(self, topic: str, offset: int) -> bool:
        for applied_topic, applied_offset in self.applied_offsets:
            if applied_topic == topic:
                return offset <= applied_offset
        return False

    def with_applied(self, topic: str, offset: int) -> tuple[tuple[str, int], ...]:
        others = tuple(pair for pair in self.applied_offsets if pair[0] != topic)
        return others + ((topic, offset),)


@dataclass(frozen=True, slots=True)
class StoredQueue:
    track: QueueTrack
    handled_ids: tuple[str, ...]  # contacts whose handle time is counted, newest last (bounded)
    format: int = QUEUE_FORMAT


T = TypeVar("T")


@dataclass
class DecodedCache(Generic[T]):
    """Decoded table values by key, decoded again only when the stored bytes are other bytes.

    The table hands back the very bytes object that was stored, so an identity check is
    enough, and decoding a track (a few KB of JSON) once per write, not per read, is the
    difference between the worker keeping up or not."""

    load: Callable[[bytes], T]
    decoded: dict[str, tuple[bytes, T]] = field(default_factory=dict)

    def get(self, key: str, raw: bytes) -> T:
        held = self.decoded.get(key)
        if held is not None and held[0] is raw:
            return held[1]
        value = self.load(raw)
        self.decoded[key] = (raw, value)
        return value

    def put(self, key: str, raw: bytes, value: T) -> None:
        self.decoded[key] = (raw, value)

    def forget(self, key: str) -> None:
        self.decoded.pop(key, None)

    def forget_missing(self, present: set[str]) -> None:
        for key in [k for k in self.decoded if k not in present]:
            del self.decoded[key]


_AGENT = TypeAdapter(StoredAgent)
_QUEUE = TypeAdapter(StoredQueue)


# Zstandard at level 1: a fifth of zlib level 6's CPU for an end-of-shift value (17 against
# 85 us) at 3 % more bytes; encoding a changed agent's value was a fifth of the worker's CPU.
AGENT_COMPRESSION_LEVEL = 1
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # every Zstandard frame starts so; JSON with "{", zlib with 0x78
# One of each for the process: building them per value costs more than compressing a small one.
# The worker's batch path and tick run on one thread, the only users.
_COMPRESSOR = zstandard.ZstdCompressor(level=AGENT_COMPRESSION_LEVEL, write_checksum=False)
_DECOMPRESSOR = zstandard.ZstdDecompressor()


@dataclass
class _EventJson:
    """The events inside a track (an agent's published schedule) are pydantic models: their own
    JSON, kept per model object. A track keeps its schedule object until a new one is published,
    so each is written once, not on every change of its agent (a quarter of the encoding's CPU)."""

    held: dict[int, tuple[BaseModel, msgspec.Raw]] = field(default_factory=dict)
    limit: int = 65_536  # models held at most (about an agent's schedule each); then started afresh

    def __call__(self, value: Any) -> msgspec.Raw:
        if not isinstance(value, BaseModel):
            raise NotImplementedError(f"cannot store a {type(value).__name__}")
        found = self.held.get(id(value))
        if found is not None and found[0] is value:  # the object is held, so its id is not reused
            return found[1]
        if len(self.held) >= self.limit:
            self.held.clear()
        raw = msgspec.Raw(value.__pydantic_serializer__.to_json(value))
        self.held[id(value)] = (value, raw)
        return raw


# The JSON pydantic's dump_json writes for a StoredAgent (a unit test compares them byte for byte
# on folded tracks), at about three quarters of its cost; pydantic still reads and validates it.
# Floats from 1e16 on are written `1e16` where pydantic writes `1e+16`: the same value read back.
_AGENT_JSON = msgspec.json.Encoder(enc_hook=_EventJson())


def dump_agent(stored: StoredAgent) -> bytes:
    return _COMPRESSOR.compress(_AGENT_JSON.encode(stored))


def agent_json(raw: bytes) -> bytes:
    """A stored agent value as its JSON: Zstandard now, zlib until this round, plain JSON before that."""
    if raw[:1] == b"{":
        return raw
    try:
        if raw[:4] == ZSTD_MAGIC:
            return _DECOMPRESSOR.decompress(raw)
        return zlib.decompress(raw)
    except (zlib.error, zstandard.ZstdError) as problem:
        raise unreadable("stored agent value", None, AGENT_FORMAT) from problem


def load_agent(raw: bytes) -> StoredAgent:
    raw = agent_json(raw)
    try:
        stored = _AGENT.validate_json(raw)
    except ValidationError as problem:
        raise unreadable("stored agent value", _format_of(raw), AGENT_FORMAT) from problem
    if stored.format != AGENT_FORMAT:
        raise unreadable("stored agent value", stored.format, AGENT_FORMAT)
    return stored


def _format_of(raw: bytes) -> object:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value.get("format", 0) if isinstance(value, dict) else None


def dump_queue(stored: StoredQueue) -> bytes:
    return _QUEUE.dump_json(stored)


def load_queue(raw: bytes) -> StoredQueue:
    found = _format_of(raw)
    try:
        stored = _QUEUE.validate_json(raw) if found != 1 else _QUEUE.validate_python(_queue_from_format_1(raw))
    except (ValidationError, KeyError, TypeError, ValueError) as problem:
        raise unreadable("stored queue value", found, QUEUE_FORMAT) from problem
    if stored.format != QUEUE_FORMAT:
        raise unreadable("stored queue value", stored.format, QUEUE_FORMAT)
    return stored


def _queue_from_format_1(raw: bytes) -> dict:
    value = json.loads(raw)
    track = value["track"]
    track["totals"] = [*track["totals"], 0.0]
    track["buckets"] = [[start, [*counts, 0.0]] for start, counts in track["buckets"]]
    value["format"] = QUEUE_FORMAT
    return dict(value)
