"""Faults the fault suite injects on purpose, once per data directory (a restarted worker runs
clean); off unless FLOORWATCH_FAILPOINT is set, which only tests do (docs/reliability.md):

- `after_batch:N`: an exception after the Nth batch's outputs were sent and its state set
  (in memory; its packed state record goes with the next positions) but before its positions
  were written (the worst moment to fail);
- `skip_after_batch:N`: from the Nth batch on, the first batch that holds more than 25
  consecutive records of one partition at its expected offset loses the first 25 of them
  before the worker sees them: what a consumer that jumped ahead delivers, as Faust's does in
  the defects the input audit exists for. Withholding them from a batch (rather than moving the
  consumer) puts the jump inside records known to exist, whatever the consumer has buffered."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from floorwatch.streams.messages import RawMessage

log = logging.getLogger("floorwatch.streams")


class InjectedFault(RuntimeError):
    pass


SKIP_OFFSETS = 25


@dataclass
class Failpoint:
    after_batches: int | None
    marker: Path
    kind: str = "after_batch"
    batches: int = 0

    @classmethod
    def from_environment(cls, data_dir: Path) -> Failpoint:
        spec = os.environ.get("FLOORWATCH_FAILPOINT", "")
        name, _, count = spec.partition(":")
        known = name in ("after_batch", "skip_after_batch") and count.isdigit()
        return cls(int(count) if known else None, Path(data_dir) / "failpoint-fired", name)

    def _due(self, kind: str) -> bool:
        if self.after_batches is None or self.kind != kind:
            return False
        self.batches += 1
        if self.batches != self.after_batches or self.marker.exists():
            return False
        self.marker.parent.mkdir(parents=True, exist_ok=True)
        self.marker.write_text("fired\n")
        return True

    def maybe_fail(self) -> None:
        if self._due("after_batch"):
            raise InjectedFault(f"injected fault after batch {self.batches} (FLOORWATCH_FAILPOINT)")

    def withhold(self, messages: list[RawMessage], next_offsets: Mapping[tuple[str, int], int]) -> list[RawMessage]:
        """`messages` as a consumer that jumped SKIP_OFFSETS ahead would deliver them: once, from
        the Nth batch on, at the first partition whose run of consecutive offsets from its
        expected next offset is longer than the jump (so a record past the jump arrives).
        Not armed (every real worker): the very list handed in, neither copied nor looked at."""
        if self.after_batches is None or self.kind != "skip_after_batch" or self.marker.exists():
            return messages
        self.batches += 1
        if self.batches < self.after_batches:
            return messages
        offsets: dict[tuple[str, int], set[int]] = {}
        for message in messages:
            offsets.setdefault((message.topic, message.partition), set()).add(message.offset)
        for where, present in offsets.items():
            first = next_offsets.get(where)
            if first is None or not all(first + step in present for step in range(SKIP_OFFSETS + 1)):
                continue
            self.marker.parent.mkdir(parents=True, exist_ok=True)
            self.marker.write_text("fired\n")
            skipped = range(first, first + SKIP_OFFSETS)
            log.warning("FLOORWATCH_FAILPOINT: %s[%d]@%d..%d withheld", *where, first, first + SKIP_OFFSETS - 1)
            return [m for m in messages if (m.topic, m.partition) != where or m.offset not in skipped]
        return messages
