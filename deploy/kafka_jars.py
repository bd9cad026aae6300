"""Fetch the Apache Kafka broker and its runtime jars from Maven Central, once, into a cache.

No tarball and no Docker: Maven resolves `deploy/kafka/pom.xml` and copies the runtime
classpath into `<cache>/kafka-<version>/`. The folder appears only when complete (Maven
writes into a temporary sibling that is renamed at the end), so an interrupted fetch is
retried from scratch instead of leaving a broker that fails at class loading.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ElementTree
from collections import deque
from collections.abc import Callable
from pathlib import Path

KAFKA_FILES = Path(__file__).resolve().parent / "kafka"
POM = KAFKA_FILES / "pom.xml"
MAVEN_CENTRAL = "Maven Central (https://repo.maven.apache.org/maven2)"
MANIFEST = "floorwatch-jars.txt"
_PROGRESS_EVERY_FILES = 25
_DOWNLOADED = re.compile(r"^\[INFO\] Downloaded from [^:]+: (\S+) \((\d+(?:\.\d+)?) (B|kB|MB|GB)")
_UNITS = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}
_NETWORK_SYMPTOMS = (
    "Could not transfer",
    "UnknownHost",
    "Unknown host",
    "Name or service not known",
    "Temporary failure in name resolution",
    "Connection refused",
    "Connect timed out",
    "Read timed out",
    "Network is unreachable",
    "No route to host",
    "PKIX path building failed",
)

Report = Callable[[str], None]


class JarFetchError(RuntimeError):
    """Maven is missing or could not resolve the broker; the message says what to do."""


def pom_kafka_version(pom: Path = POM) -> str:
    """The Kafka release the POM pins (`<kafka.version>`)."""
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    version = ElementTree.parse(pom).getroot().find("m:properties/m:kafka.version", namespace)
    text = (version.text or "").strip() if version is not None else ""
    if not text:
        raise JarFetchError(f"{pom} has no <kafka.version> property")
    return text


def jars_dir(cache_root: Path, version: str) -> Path:
    return cache_root / f"kafka-{version}"


def cached_jars(cache_root: Path, version: str) -> Path | None:
    """The complete jar folder for `version`, or None when it still has to be fetched."""
    folder = jars_dir(cache_root, version)
    return folder if (folder / MANIFEST).is_file() else None


def folder_size_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def ensure_kafka_jars(
    cache_root: Path, *, version: str | None = None, pom: Path = POM, mvn: str = "mvn", report: Report = print
) -> Path:
    """Return the folder holding Kafka's runtime classpath, fetching it with Maven if absent."""
    version = version or pom_kafka_version(pom)
    done = cached_jars(cache_root, version)
    if done is not None:
        return done
    maven = shutil.which(mvn)
    if maven is None:
        raise JarFetchError(
            f"Maven is not installed (no `{mvn}` on PATH); it fetches the Kafka broker from {MAVEN_CENTRAL}. "
            "Install it, e.g. `sudo apt-get install -y maven`."
        )
    cache_root.mkdir(parents=True, exist_ok=True)
    target = jars_dir(cache_root, version)
    with tempfile.TemporaryDirectory(dir=cache_root, prefix=f".kafka-{version}-") as scratch:
        staged = Path(scratch) / "jars"
        report(
            f"fetching Apache Kafka {version} and its runtime jars from {MAVEN_CENTRAL} with Maven "
            f"(once; cached in {target})"
        )
        _run_maven(maven, pom, staged, version, report)
        jar_names = sorted(path.name for path in staged.glob("*.jar"))
        if not any(name.startswith("kafka_2.13-") for name in jar_names):
            raise JarFetchError(f"Maven finished but no kafka_2.13 jar appeared in {staged}; check {pom}")
        (staged / MANIFEST).write_text(f"kafka {version}\n" + "\n".join(jar_names) + "\n")
        _publish(staged, target)
    report(f"Kafka {version} jars ready: {len(jar_names)} jars, {folder_size_bytes(target) / 1e6:.0f} MB in {target}")
    return target


def _publish(staged: Path, target: Path) -> None:
    # A folder without a manifest is debris from an older, interrupted layout: replace it.
    if target.exists() and not (target / MANIFEST).is_file():
        shutil.rmtree(target)
    try:
        os.rename(staged, target)
    except OSError:
        if not (target / MANIFEST).is_file():
            raise
        # Another process finished the same fetch first; its copy is as good as ours.


def _run_maven(maven: str, pom: Path, output_dir: Path, version: str, report: Report) -> None:
    command = [
        maven,
        "-B",
        "-f",
        str(pom),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={output_dir}",
        f"-Dkafka.version={version}",
    ]
    recent: deque[str] = deque(maxlen=40)
    files, total_bytes = 0, 0.0
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    ) as maven_process:
        assert maven_process.stdout is not None
        for line in maven_process.stdout:
            recent.append(line.rstrip())
            downloaded = _DOWNLOADED.match(line)
            if downloaded:
                files += 1
                total_bytes += float(downloaded.group(2)) * _UNITS[downloaded.group(3)]
                if files % _PROGRESS_EVERY_FILES == 0:
                    report(f"  Maven: {files} files downloaded ({total_bytes / 1e6:.1f} MB)")
    if files % _PROGRESS_EVERY_FILES:
        report(f"  Maven: {files} files downloaded ({total_bytes / 1e6:.1f} MB)")
    if maven_process.returncode != 0:
        raise JarFetchError(explain_maven_failure(maven_process.returncode, list(recent), version))


def explain_maven_failure(exit_code: int, output_tail: list[str], version: str) -> str:
    """A message a person can act on, from the tail of Maven's output."""
    symptom = next((line for line in output_tail if any(s in line for s in _NETWORK_SYMPTOMS)), None)
    if symptom is not None:
        return (
            f"Maven could not reach {MAVEN_CENTRAL} to fetch Apache Kafka {version}.\n"
            f"  Maven said: {symptom.strip()}\n"
            "  Check the network or proxy (Maven reads proxies from ~/.m2/settings.xml) and run `make setup` again."
        )
    errors = [line for line in output_tail if line.startswith("[ERROR]")] or output_tail[-15:]
    return f"Maven failed (exit {exit_code}) fetching Apache Kafka {version} from {MAVEN_CENTRAL}:\n" + "\n".join(
        f"  {line}" for line in errors
    )
