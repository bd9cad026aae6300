"""What the stream tables hold, and how it is written to their changelog topics.

Values are JSON produced from the core's frozen dataclasses by pydantic, so a
changelog is readable with any Kafka tool and nothing executable (pickle) is ever
loaded from a topic.
"""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import TypeAdapter

from floorwatch.core.agent import AgentTrack
from floorwatch.core.queue import QueueTrack


@dataclass(frozen=True, slots=True)
class StoredAgent:
    """An agent's track, plus the input offsets already folded into it.

    At-least-once delivery replays messages after a crash; a message at or below the
    stored offset of its topic was applied before the crash and is skipped."""

    track: AgentTrack
    applied_offsets: tuple[tuple[str, int], ...]  # (topic, offset of the newest applied message)

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


_AGENT = TypeAdapter(StoredAgent)
_QUEUE = TypeAdapter(StoredQueue)
_TRACK = TypeAdapter(AgentTrack)


def dump_agent(stored: StoredAgent) -> bytes:
    return _AGENT.dump_json(stored)


def load_agent(raw: bytes) -> StoredAgent:
    return _AGENT.validate_json(raw)


def dump_track(track: AgentTrack) -> bytes:
    return _TRACK.dump_json(track)


def load_track(raw: bytes) -> AgentTrack:
    return _TRACK.validate_json(raw)


def dump_queue(stored: StoredQueue) -> bytes:
    return _QUEUE.dump_json(stored)


def load_queue(raw: bytes) -> StoredQueue:
    return _QUEUE.validate_json(raw)
