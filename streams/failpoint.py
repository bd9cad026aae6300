"""Faults the fault suite injects on purpose, once per data directory (a restarted worker runs
clean); off unless FLOORWATCH_FAILPOINT is set, which only tests do (docs/reliability.md):

- `after_batch:N`: an exception after the Nth batch's outputs and state were written but
  before its positions were (the worst moment to fail);
- `skip_after_batch:N`: after the Nth batch, the consumer jumps 25 offsets ahead on one
  partition, as Faust's consumer does in the defects the input audit exists for."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


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

    def skip_due(self) -> bool:
        """True once, after the Nth batch: the caller makes its consumer jump ahead."""
        return self._due("skip_after_batch")
