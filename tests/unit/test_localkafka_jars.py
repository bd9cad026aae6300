"""Fetching the broker jars: cached once, published atomically, and failures that say what to do.

A small executable stands in for `mvn` with Maven's command-line contract (it writes jars into
-DoutputDirectory, or fails printing what Maven prints), so the fetch code runs for real.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from floorwatch.deploy.kafka_jars import (
    MANIFEST,
    JarFetchError,
    ensure_kafka_jars,
    explain_maven_failure,
    pom_kafka_version,
)

_SUCCEEDS = """
import sys
from pathlib import Path
Path(sys.argv[-1]).open("a").write("called\\n")
out = Path(next(a for a in sys.argv if a.startswith("-DoutputDirectory=")).split("=", 1)[1])
version = next(a for a in sys.argv if a.startswith("-Dkafka.version=")).split("=", 1)[1]
out.mkdir(parents=True)
for name in (f"kafka_2.13-{version}.jar", f"kafka-clients-{version}.jar", "log4j-core-2.24.3.jar"):
    (out / name).write_bytes(b"PK" + bytes(1000))
print("[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/x.jar (1.0 kB at 1 MB/s)")
"""

_UNREACHABLE = """
import sys
print("[INFO] Scanning for projects...")
print("[ERROR] Failed to execute goal on project floorwatch-local-kafka: Could not resolve dependencies: "
      "Could not transfer artifact org.apache.kafka:kafka_2.13:jar:4.1.1 from/to central "
      "(https://repo.maven.apache.org/maven2): repo.maven.apache.org: Temporary failure in name resolution")
sys.exit(1)
"""

_NO_KAFKA_JAR = """
import sys
from pathlib import Path
out = Path(next(a for a in sys.argv if a.startswith("-DoutputDirectory=")).split("=", 1)[1])
out.mkdir(parents=True)
(out / "slf4j-api-1.7.36.jar").write_bytes(b"PK")
"""


def _fake_maven(tmp_path: Path, body: str, calls: Path | None = None) -> str:
    script = tmp_path / "bin" / "mvn"
    script.parent.mkdir(exist_ok=True)
    # The wrapper appends the calls file as the last argument so the stand-in can count runs.
    suffix = f' "{calls}"' if calls else ""
    (tmp_path / "bin" / "fake_maven.py").write_text(body)
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{tmp_path / "bin" / "fake_maven.py"}" "$@"{suffix}\n')
    script.chmod(0o755)
    return str(script)


def test_jars_are_fetched_once_and_then_served_from_the_cache(tmp_path: Path) -> None:
    calls = tmp_path / "calls.txt"
    maven = _fake_maven(tmp_path, _SUCCEEDS, calls)
    reports: list[str] = []

    first = ensure_kafka_jars(tmp_path / "cache", version="9.9.9", mvn=maven, report=reports.append)
    second = ensure_kafka_jars(tmp_path / "cache", version="9.9.9", mvn=maven, report=reports.append)

    assert first == second == tmp_path / "cache" / "kafka-9.9.9"
    assert sorted(p.name for p in first.glob("*.jar")) == [
        "kafka-clients-9.9.9.jar",
        "kafka_2.13-9.9.9.jar",
        "log4j-core-2.24.3.jar",
    ]
    assert "kafka_2.13-9.9.9.jar" in (first / MANIFEST).read_text()
    assert calls.read_text().count("called") == 1
    assert any("Maven: 1 files downloaded" in line for line in reports)


def test_an_unreachable_maven_central_is_named_and_leaves_no_partial_cache(tmp_path: Path) -> None:
    maven = _fake_maven(tmp_path, _UNREACHABLE)

    with pytest.raises(JarFetchError) as failure:
        ensure_kafka_jars(tmp_path / "cache", version="4.1.1", mvn=maven, report=lambda _: None)

    message = str(failure.value)
    assert "could not reach Maven Central (https://repo.maven.apache.org/maven2)" in message
    assert "Temporary failure in name resolution" in message
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_maven_run_without_the_kafka_jar_is_an_error_and_nothing_is_published(tmp_path: Path) -> None:
    maven = _fake_maven(tmp_path, _NO_KAFKA_JAR)

    with pytest.raises(JarFetchError, match=r"no kafka_2\.13 jar"):
        ensure_kafka_jars(tmp_path / "cache", version="4.1.1", mvn=maven, report=lambda _: None)

    assert list((tmp_path / "cache").iterdir()) == []


def test_a_missing_maven_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(JarFetchError, match=r"apt-get install -y maven"):
        ensure_kafka_jars(tmp_path / "cache", version="4.1.1", mvn=str(tmp_path / "no-such-mvn"), report=lambda _: None)


def test_a_folder_left_without_a_manifest_is_refetched_not_trusted(tmp_path: Path) -> None:
    debris = tmp_path / "cache" / "kafka-9.9.9"
    debris.mkdir(parents=True)
    (debris / "half-written.jar").write_bytes(b"PK")

    folder = ensure_kafka_jars(
        tmp_path / "cache",
        version="9.9.9",
        mvn=_fake_maven(tmp_path, _SUCCEEDS, tmp_path / "calls"),
        report=lambda _: None,
    )

    assert not (folder / "half-written.jar").exists()
    assert (folder / MANIFEST).is_file()


def test_other_maven_failures_quote_its_error_lines() -> None:
    tail = ["[INFO] Building floorwatch-local-kafka 1", "[ERROR] Non-resolvable parent POM", "[ERROR] -> [Help 1]"]

    message = explain_maven_failure(1, tail, "4.1.1")

    assert message.startswith("Maven failed (exit 1) fetching Apache Kafka 4.1.1 from Maven Central")
    assert "[ERROR] Non-resolvable parent POM" in message
    assert "Building" not in message


def test_the_pom_pins_a_kraft_only_kafka_release() -> None:
    major = int(pom_kafka_version().split(".")[0])

    assert major >= 4  # Kafka 4 is KRaft-only; the integration tests prove the client pairing on it
