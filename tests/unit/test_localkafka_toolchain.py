"""Finding Java and the Debian programs, with messages that say exactly what to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from floorwatch.deploy.toolchain import ToolchainError, find_java, java_major


@pytest.mark.parametrize(("version", "major"), [("17.0.15", 17), ("21", 21), ("1.8.0_392", 8), ("11.0.2-ea", 11)])
def test_java_major_versions_read_both_numbering_schemes(version: str, major: int) -> None:
    assert java_major(version) == major


def _fake_java(tmp_path: Path, version_line: str) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    java = bin_dir / "java"
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    java.chmod(0o755)
    return bin_dir


def test_a_java_older_than_17_is_refused_with_the_package_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(_fake_java(tmp_path, 'openjdk version "11.0.2" 2019-01-15')))

    with pytest.raises(ToolchainError, match=r"too old.*apt-get install -y openjdk-17-jre-headless"):
        find_java()


def test_java_17_is_accepted_with_its_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(_fake_java(tmp_path, 'openjdk version "17.0.15" 2025-04-15')))

    java = find_java()

    assert (java.version, java.major, java.path) == ("17.0.15", 17, tmp_path / "bin" / "java")


def test_no_java_on_path_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(ToolchainError, match=r"Java is not installed.*openjdk-17"):
        find_java()


def test_setup_asks_debian_for_chromium_and_its_driver_only_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from floorwatch.deploy import toolchain

    present: set[str] = set()
    monkeypatch.setattr(toolchain, "find_program", lambda name: tmp_path / name if name in present else None)
    assert toolchain.missing_debian_packages(["chromium", "chromedriver"]) == ["chromium", "chromium-driver"]
    present.add("chromium")
    assert toolchain.missing_debian_packages(["chromium", "chromedriver"]) == ["chromium-driver"]
    present.add("chromedriver")
    assert toolchain.missing_debian_packages(["chromium", "chromedriver"]) == []
