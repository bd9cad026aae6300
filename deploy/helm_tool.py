"""Helm, pinned, built from the Go module proxy into the project's own tools folder.

Helm is a Go module; `go install helm.sh/helm/v3/cmd/helm@<version>` builds it with the
machine's Go, so no prebuilt binary is downloaded. The binary lives in
`.run/tools/helm-<version>/helm` (ignored by git); `floorwatch setup` builds it once and
skips the build when that binary already reports the pinned module version.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

HELM_VERSION = "v3.22.0"
HELM_MODULE = "helm.sh/helm/v3"
ROOT = Path(__file__).resolve().parents[1]
TOOLS_DIR = ROOT / ".run" / "tools"
GO_HINT = "install Go 1.24 or newer (https://go.dev/doc/install, or Debian's golang-go where recent enough)"


class HelmInstallError(RuntimeError):
    pass


def helm_path(tools_dir: Path = TOOLS_DIR, version: str = HELM_VERSION) -> Path:
    return tools_dir / f"helm-{version}" / "helm"


def built_version(binary: Path) -> str | None:
    """The helm module version a binary was built from (`go version -m`), or None."""
    go = shutil.which("go")
    if go is None or not binary.is_file():
        return None
    result = subprocess.run([go, "version", "-m", str(binary)], capture_output=True, text=True, timeout=60)
    match = re.search(rf"^\s*mod\s+{re.escape(HELM_MODULE)}\s+(\S+)", result.stdout, re.MULTILINE)
    return match.group(1) if match else None


def installed_helm(tools_dir: Path = TOOLS_DIR, version: str = HELM_VERSION) -> Path | None:
    """The pinned Helm if it is built; the binary alone counts when Go is gone (it was built pinned)."""
    binary = helm_path(tools_dir, version)
    if not binary.is_file():
        return None
    found = built_version(binary)
    return binary if found in (version, None) else None


def install_helm(report: Callable[[str], None], tools_dir: Path = TOOLS_DIR, version: str = HELM_VERSION) -> Path:
    """Build Helm `version` unless it is already there; returns the binary."""
    existing = installed_helm(tools_dir, version)
    if existing is not None:
        return existing
    go = shutil.which("go")
    if go is None:
        raise HelmInstallError(f"Go is not installed; Helm {version} is built from its Go module: {GO_HINT}")
    binary = helm_path(tools_dir, version)
    binary.parent.mkdir(parents=True, exist_ok=True)
    command = [go, "install", f"{HELM_MODULE}/cmd/helm@{version}"]
    report(f"building Helm {version} from the Go module proxy (a few minutes once): {' '.join(command)}")
    result = subprocess.run(command, env={**os.environ, "GOBIN": str(binary.parent)}, timeout=1800)
    if result.returncode != 0 or built_version(binary) != version:
        raise HelmInstallError(f"`{' '.join(command)}` failed (exit {result.returncode}); see the output above")
    return binary
