"""The programs floorwatch runs on (Java, Maven, Prometheus, promtool, docker-compose): find or install them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

MIN_JAVA_MAJOR = 17  # Kafka 4 brokers need Java 17+
# Program -> the Debian package that ships it.
DEBIAN_PACKAGES = {
    "prometheus": "prometheus",
    "promtool": "prometheus",
    "docker-compose": "docker-compose",
    "amtool": "prometheus-alertmanager",  # checks the Alertmanager routing in the tests
    "chromium": "chromium",  # opens the shift report in the browser test and for its screenshots
    "chromedriver": "chromium-driver",  # lets Selenium drive that chromium (same Debian version)
}
JAVA_HINT = "sudo apt-get install -y openjdk-17-jre-headless"


class ToolchainError(RuntimeError):
    pass


@dataclass(frozen=True)
class Java:
    path: Path
    version: str

    @property
    def major(self) -> int:
        return java_major(self.version)


def java_major(version: str) -> int:
    """17 from "17.0.15", 8 from the old "1.8.0_392" scheme."""
    parts = version.split(".")
    if parts[0] == "1" and len(parts) > 1:
        return int(parts[1])
    major = re.match(r"\d+", parts[0])
    if major is None:
        raise ValueError(f"not a Java version: {version!r}")
    return int(major.group())


def find_java() -> Java:
    """The `java` on PATH, at least MIN_JAVA_MAJOR, or ToolchainError saying what to install."""
    found = shutil.which("java")
    if found is None:
        raise ToolchainError(f"Java is not installed; the Kafka broker needs Java {MIN_JAVA_MAJOR}+: `{JAVA_HINT}`")
    result = subprocess.run([found, "-version"], capture_output=True, text=True, timeout=60)
    match = re.search(r'version "([^"]+)"', result.stderr + result.stdout)
    if match is None:
        raise ToolchainError(f"could not read the Java version from `{found} -version`: {result.stderr.strip()[:200]}")
    java = Java(Path(found), match.group(1))
    if java.major < MIN_JAVA_MAJOR:
        raise ToolchainError(
            f"Java {java.version} at {found} is too old; Kafka 4 needs Java {MIN_JAVA_MAJOR}+: `{JAVA_HINT}`"
        )
    return java


def find_program(name: str) -> Path | None:
    found = shutil.which(name)
    if found is not None:
        return Path(found)
    # Debian installs into /usr/bin; a trimmed PATH may miss it.
    fallback = Path("/usr/bin") / name
    return fallback if fallback.is_file() else None


def missing_debian_packages(programs: Sequence[str]) -> list[str]:
    """The Debian packages to install so that every program in `programs` exists (in a stable order)."""
    packages = [DEBIAN_PACKAGES[program] for program in programs if find_program(program) is None]
    return list(dict.fromkeys(packages))


def can_install_with_apt() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def apt_install(packages: Sequence[str], report: Callable[[str], None]) -> None:
    """`apt-get update` then install `packages` without recommends; output goes to the terminal."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", *packages]):
        report("$ " + " ".join(command))
        if subprocess.run(command, env=env).returncode != 0:
            raise ToolchainError(
                f"`{' '.join(command)}` failed; install by hand: `sudo apt-get install -y {' '.join(packages)}`"
            )


def program_version(path: Path) -> str:
    """The first line of `PROGRAM --version` (Prometheus prints it on stdout or stderr depending on version)."""
    result = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=60)
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[0] if lines else "unknown version"
