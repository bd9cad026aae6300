"""The dead-letter file of an ingest run: every skipped record, with its position and reason.

The run report lists only the first `SKIPPED_KEPT` skipped records; this file has them all,
one JSON object per line, so a person can fix the feed or replay the records once the
adapter learns their shape. It holds the records as read (agent ids included): the file
is created readable by its owner only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO


class RejectsFile:
    def __init__(self, path: Path):
        self.path = path
        self.written = 0
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._stream: TextIO = os.fdopen(descriptor, "w", encoding="utf-8")

    def write(self, position: str, reason: str, record: Any) -> None:
        line = {"position": position, "reason": reason, "record": record}
        self._stream.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
        self.written += 1

    def close(self) -> None:
        self._stream.close()
