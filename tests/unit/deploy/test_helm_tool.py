"""Installing the pinned Helm (deploy/helm_tool.py) with a stand-in `go` on PATH: built once,
found again at the pinned version, rebuilt when the binary is another version, and a clear
error without Go."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from floorwatch.deploy.helm_tool import HELM_VERSION, HelmInstallError, helm_path, install_helm, installed_helm

FAKE_GO = """#!/bin/sh
# `go install MODULE@VERSION` writes $GOBIN/helm; `go version -m FILE` prints the version inside it.
if [ "$1" = install ]; then
  echo "$2" >> "{log}"
  echo "${{2##*@}}" > "$GOBIN/helm"; chmod +x "$GOBIN/helm"
elif [ "$1" = version ]; then
  printf '%s: go1.26\\n\\tpath\\thelm.sh/helm/v3/cmd/helm\\n\\tmod\\thelm.sh/helm/v3\\t%s\\th1:x=\\n' "$3" "$(cat "$3")"
fi
"""


@pytest.fixture
def fake_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    go = bin_dir / "go"
    log = tmp_path / "go-install.log"
    go.write_text(FAKE_GO.format(log=log))
    go.chmod(go.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return log


def test_helm_is_built_once_then_found_at_the_pinned_version(tmp_path, fake_go):
    tools = tmp_path / "tools"

    first = install_helm(report=lambda line: None, tools_dir=tools)
    again = install_helm(report=lambda line: None, tools_dir=tools)

    assert first == again == helm_path(tools) == tools / f"helm-{HELM_VERSION}" / "helm"
    assert fake_go.read_text().splitlines() == [f"helm.sh/helm/v3/cmd/helm@{HELM_VERSION}"]


def test_a_binary_of_another_version_is_not_taken_for_the_pinned_one(tmp_path, fake_go):
    tools = tmp_path / "tools"
    binary = helm_path(tools)
    binary.parent.mkdir(parents=True)
    binary.write_text("v3.18.4\n")

    assert installed_helm(tools) is None
    install_helm(report=lambda line: None, tools_dir=tools)
    assert installed_helm(tools) == binary


def test_without_go_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(HelmInstallError, match="Go is not installed"):
        install_helm(report=lambda line: None, tools_dir=tmp_path / "tools")
