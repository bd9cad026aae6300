"""The Dockerfile the chart runs: a build stage, and a final image with the runtime and the
virtual environment only, running as the unprivileged user the chart's pods name.

No Docker engine runs here, so these read the file; docs/operations.md says how to build it."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
BUILD_TOOLS = ("gcc", "g++", "build-essential", "make ", "git ", "curl ", "wget ")


def stages() -> list[list[str]]:
    found: list[list[str]] = []
    logical = DOCKERFILE.replace("\\\n", " ")
    for line in logical.splitlines():
        if line.startswith("FROM "):
            found.append([])
        if found and line.strip() and not line.startswith("#"):
            found[-1].append(line)
    return found


def test_the_final_stage_copies_the_built_environment_and_installs_nothing():
    build, final = stages()
    final_text = "\n".join(final)

    assert build[0].endswith(" AS build")
    assert "COPY --from=build /opt/floorwatch /opt/floorwatch" in final
    assert "pip install" not in final_text and "apt-get install" not in final_text
    assert not any(tool in final_text for tool in BUILD_TOOLS)
    assert "pip uninstall --yes --root-user-action=ignore pip setuptools wheel" in final_text
    assert "pip uninstall --yes pip setuptools wheel" in "\n".join(build)  # out of the copied environment too


def test_the_image_user_is_the_numeric_uid_the_chart_runs_as():
    users = [line.split()[1] for line in stages()[-1] if line.startswith("USER ")]
    values = yaml.safe_load((ROOT / "deploy" / "helm" / "floorwatch" / "values.yaml").read_text())
    context = values["podSecurityContext"]

    assert users == [f"{context['runAsUser']}:{context['runAsGroup']}"]
    assert context["runAsUser"] != 0
