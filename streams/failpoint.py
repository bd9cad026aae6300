"""A fault the fault suite injects on purpose: an exception after the Nth batch's outputs and
state were written but before its positions were (the worst moment to fail).

Off unless FLOORWATCH_FAILPOINT=after_batch:N is set; it fires once per data directory, so
the restarted worker runs clean. Only tests set it (docs/reliability.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class InjectedFault(RuntimeError):
    pass


@dataclass
class Failpoint:
    after_batches: int | None
    marker: Path
    batches: int = 0

    @classmethod
    def from_environment(cls, data_dir: Path) -> Failpoint:
        spec = os.environ.get("FLOORWATCH_FAILPOINT", "")
        name, _, count = spec.partition(":")
        after = int(count) if name == "after_batch" and count.isdigit() else None
        return cls(after, Path(data_dir) / "failpoint-fired")

    def maybe_fail(self) -> None:
        if self.after_batches is None:
            return
        self.batches += 1
        if self.batches == self.after_batches and not self.marker.exists():
            self.marker.parent.mkdir(parents=True, exist_ok=True)
            self.marker.write_text("fired\n")
            raise InjectedFault(f"injected fault after batch {self.batches} (FLOORWATCH_FAILPOINT)")
