"""The compiled core is used only for the sources it was built from, and looks like the pure one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import floorwatch.core as core
from floorwatch.core import native

REPO_ROOT = Path(__file__).parents[3]


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, env={**os.environ, **env}
    )


def test_the_build_name_changes_when_any_core_source_changes(tmp_path):
    copy = tmp_path / "core"
    shutil.copytree(native.CORE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert native.source_key(copy) == native.source_key()
    agent_py = copy / "agent.py"
    agent_py.write_text(agent_py.read_text() + "\n# edited\n")
    edited = native.source_key(copy)
    assert edited != native.source_key()
    (copy / "stress" / "new.py").write_text("")
    assert native.source_key(copy) not in (edited, native.source_key())


def test_without_a_build_for_these_sources_the_pure_modules_run(tmp_path):
    shown = _python(
        "import floorwatch.core as c; from floorwatch.core import agent\n"
        "print(c.IMPLEMENTATION.describe(), agent.__file__)",
        FLOORWATCH_CACHE=str(tmp_path),
        FLOORWATCH_CORE="auto",
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("pure Python: no build for these sources")
    assert shown.stdout.strip().endswith("agent.py")


def test_insisting_on_the_compiled_core_without_a_build_fails_at_import_saying_what_to_do(tmp_path):
    shown = _python("import floorwatch.core", FLOORWATCH_CACHE=str(tmp_path), FLOORWATCH_CORE="compiled")
    assert shown.returncode != 0
    assert "no compiled core for these sources" in shown.stderr
    assert "floorwatch setup" in shown.stderr


def test_the_command_line_says_the_same_in_one_line_without_a_traceback(tmp_path):
    shown = subprocess.run(
        [sys.executable, "-m", "floorwatch.cli", "replay", "events.jsonl"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "FLOORWATCH_CACHE": str(tmp_path), "FLOORWATCH_CORE": "compiled"},
    )
    assert shown.returncode == 2
    assert shown.stderr.startswith("floorwatch: FLOORWATCH_CORE=compiled but there is no compiled core")
    assert "Traceback" not in shown.stderr


def test_an_unknown_choice_of_core_is_refused_with_the_choices():
    shown = _python("import floorwatch.core", FLOORWATCH_CORE="fast")
    assert shown.returncode != 0
    assert "auto, pure, compiled" in shown.stderr


@pytest.mark.skipif(not core.IMPLEMENTATION.compiled, reason="the compiled core is not in use (`make setup` builds it)")
def test_the_compiled_classes_carry_the_annotations_and_fields_of_the_pure_ones():
    import dataclasses
    import importlib

    dump = (
        "import dataclasses, importlib, json\n"
        "from floorwatch.core import native\n"
        "out = {}\n"
        "for name in native.COMPILED:\n"
        "    module = importlib.import_module('floorwatch.core.' + name.replace('/', '.'))\n"
        "    for cls_name, cls in sorted(vars(module).items()):\n"
        "        if isinstance(cls, type) and cls.__module__ == module.__name__:\n"
        "            dc = dataclasses.is_dataclass(cls)\n"
        "            fields = [(f.name, repr(f.type)) for f in dataclasses.fields(cls)] if dc else []\n"
        "            out[module.__name__ + '.' + cls_name] = [repr(vars(cls).get('__annotations__')), fields]\n"
        "print(json.dumps(out))\n"
    )
    # Classes with annotations; mypyc also gives a compiled enum annotations of its members, which nothing reads.
    dumped = json.loads(_python(dump, FLOORWATCH_CORE="pure").stdout)
    pure = {key: value for key, value in dumped.items() if value[0] != "None"}
    compiled: dict[str, list[object]] = {}
    for key in pure:
        module_name, cls_name = key.rsplit(".", 1)
        cls = getattr(importlib.import_module(module_name), cls_name)
        ours = [(f.name, repr(f.type)) for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else []
        compiled[key] = [repr(vars(cls).get("__annotations__")), [list(pair) for pair in ours]]
    assert "floorwatch.core.agent.AgentTrack" in pure
    assert compiled == pure
