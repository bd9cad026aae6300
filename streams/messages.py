"""Messages as the stream steps see them: plain data, no Kafka client types."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RawMessage:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp: float | None = None  # Kafka's record timestamp, seconds

    @property
    def where(self) -> str:
        """Kafka coordinates for logs: topic[partition]@offset."""
        return f"{self.topic}[{self.partition}]@{self.offset}"


@dataclass(frozen=True, slots=True)
class Send:
    topic: str
    key: bytes | None
    value: bytes | None
    partition: int | None = None  # None: Kafka's default partitioner on the key
    # For the outbox (outbox.py): a later send of the same topic, key and `newest_of` (an agent's
    # id in a team-members value) says all this one says, so only the newest is kept.
    newest_of: str | None = None
