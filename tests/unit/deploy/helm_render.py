"""Render the Helm chart with the pinned Helm (built by `make setup`) and validate what it renders.

Kubernetes objects are checked against the Kubernetes API schemas of `kubernetes-validate`
(offline, strict: an unknown field fails). The Prometheus Operator and KEDA objects are checked
against pydantic models generated from those projects' CRDs (cloudcoil-models-*): a value of
the wrong type or pattern fails, and a field the CRD does not know is caught by comparing the
parsed object with the rendered one.
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from cloudcoil.models.keda import v1alpha1 as keda
from cloudcoil.models.prometheus_operator import v1 as monitoring
from kubernetes_validate.utils import latest_version

from floorwatch.deploy.helm_tool import HELM_VERSION, installed_helm

ROOT = Path(__file__).resolve().parents[3]
CHART = ROOT / "deploy" / "helm" / "floorwatch"
ALL_ON = CHART / "ci" / "all-on-values.yaml"
KUBERNETES_VERSION = latest_version()  # the newest release kubernetes-validate ships schemas for
OLDEST_KUBERNETES = "1.30.0"  # the oldest release still common on managed clusters
CUSTOM_RESOURCES = {
    ("monitoring.coreos.com/v1", "PodMonitor"): monitoring.PodMonitor,
    ("monitoring.coreos.com/v1", "ServiceMonitor"): monitoring.ServiceMonitor,
    ("monitoring.coreos.com/v1", "PrometheusRule"): monitoring.PrometheusRule,
    ("keda.sh/v1alpha1", "ScaledObject"): keda.ScaledObject,
}


def helm() -> Path:
    """The pinned Helm; missing is a failure in CI (setup builds it) and a skip elsewhere."""
    found = _installed()
    if found is None:
        message = f"Helm {HELM_VERSION} is not built: run `make setup` (it builds Helm from its Go module)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@functools.cache
def _installed() -> Path | None:
    return installed_helm()


def run_helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(helm()), *args], capture_output=True, text=True, timeout=120)


def render(*value_files: Path, **values: str) -> list[dict[str, Any]]:
    """`helm template` with these value files and `--set` values; fails the test on an error."""
    result = try_render(*value_files, **values)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def try_render(*value_files: Path, **values: str) -> subprocess.CompletedProcess[str]:
    args = ["template", "fw", str(CHART), "--namespace", "floor"]
    for path in value_files:
        args += ["-f", str(path)]
    for key, value in values.items():
        args += ["--set", f"{key}={value}"]
    return run_helm(*args)


def one(objects: list[dict[str, Any]], kind: str, name_suffix: str = "") -> dict[str, Any]:
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"].endswith(name_suffix)]
    assert len(found) == 1, f"{len(found)} {kind} objects named *{name_suffix}"
    return found[0]


def schema_problems(obj: dict[str, Any], kubernetes_version: str = KUBERNETES_VERSION) -> list[str]:
    """Why `obj` does not match its schema; [] when it does."""
    model = CUSTOM_RESOURCES.get((obj["apiVersion"], obj["kind"]))
    if model is None:
        try:
            kubernetes_validate.validate(obj, kubernetes_version, strict=True)
        except kubernetes_validate.ValidationError as error:
            return [f"{'.'.join(str(p) for p in error.path)}: {error.message}"]
        return []
    try:
        parsed = model.model_validate(obj)
    except ValueError as error:  # pydantic's ValidationError
        return [str(error)]
    kept = parsed.model_dump(by_alias=True, exclude_unset=True, mode="json")
    return [] if kept == obj else [f"fields the CRD does not define were dropped: {_difference(obj, kept)}"]


def _difference(rendered: Any, kept: Any, path: str = "") -> str:
    if isinstance(rendered, dict) and isinstance(kept, dict):
        for key, value in rendered.items():
            if key not in kept:
                return f"{path}.{key}"
            found = _difference(value, kept[key], f"{path}.{key}")
            if found:
                return found
    if isinstance(rendered, list) and isinstance(kept, list):
        for index, (a, b) in enumerate(zip(rendered, kept)):
            found = _difference(a, b, f"{path}[{index}]")
            if found:
                return found
    return "" if rendered == kept else path or "."
