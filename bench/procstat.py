"""CPU time and memory of another process, read from /proc (psutil is not a dependency)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class ProcSample:
    cpu_seconds: float  # user + system, this process only
    rss_bytes: int


def sample(pid: int) -> ProcSample:
    # The command name (field 2) may hold spaces; every later field follows its closing paren.
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    utime, stime, rss_pages = int(fields[11]), int(fields[12]), int(fields[21])
    return ProcSample((utime + stime) / _TICKS_PER_SECOND, rss_pages * _PAGE_BYTES)


def cpu_seconds_of_self() -> float:
    return sample(os.getpid()).cpu_seconds
