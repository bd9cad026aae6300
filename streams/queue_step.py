"""Queue figures, after the repartition by queue_id: contact events and handled contacts."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from floorwatch.core import queue
from floorwatch.core.codec import InvalidEvent, decode
from floorwatch.core.occupancy import ContactHandled
from floorwatch.core.queue import QueueConfig
from floorwatch.streams.messages import RawMessage
from floorwatch.streams.records import HANDLED_PREFIX
from floorwatch.streams.state import StoredQueue

HANDLED_MEMORY = 2048  # contact ids per queue; a redelivered "handled" is recognised within these


@dataclass
class QueueBatch:
    stored: dict[str, tuple[StoredQueue, RawMessage]] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class QueueStep:
    config: QueueConfig

    def run(self, batch: Iterable[RawMessage], load: Callable[[str], StoredQueue | None]) -> QueueBatch:
        result = QueueBatch()
        for message in batch:
            queue_id = message.key.decode() if message.key else None
            if queue_id is None or message.value is None:
                result.counts["queue_skipped", "no key or value"] += 1
                continue
            held = result.stored.get(queue_id)
            stored = held[0] if held is not None else load(queue_id)
            updated = self._one(stored, message.value, result)
            if updated is not None:
                result.stored[queue_id] = (updated, message)
        return result

    def _one(self, stored: StoredQueue | None, value: bytes, result: QueueBatch) -> StoredQueue | None:
        track = stored.track if stored is not None else None
        handled_ids = stored.handled_ids if stored is not None else ()
        if value.startswith(HANDLED_PREFIX):
            body = json.loads(value)
            if body["contact_id"] in handled_ids:
                result.counts["queue_verdict", "duplicate"] += 1
                return None
            done = ContactHandled(
                contact_id=body["contact_id"],
                queue_id=body["queue_id"],
                answered_seconds=body["answered_seconds"],
                wrapped_seconds=body["wrapped_seconds"],
                handle_seconds=body["handle_seconds"],
            )
            track = queue.on_handled(track, done, self.config)
            handled_ids = (handled_ids + (done.contact_id,))[-HANDLED_MEMORY:]
            result.counts["queue_verdict", "handled"] += 1
            return StoredQueue(track=track, handled_ids=handled_ids)
        try:
            event = decode(value)
        except InvalidEvent:  # the agent worker validated it before forwarding; count, never crash
            result.counts["queue_skipped", "undecodable"] += 1
            return None
        applied = queue.apply(track, event, self.config)
        result.counts["queue_verdict", applied.verdict] += 1
        if applied.verdict != "accepted":
            return None
        return StoredQueue(track=applied.track, handled_ids=handled_ids)
