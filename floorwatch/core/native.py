"""The compiled core: the same modules built with mypyc, used only for the exact sources they came from.

`floorwatch setup` compiles the hot modules of this package (`COMPILED`) into a folder of the
user's cache named by a hash of every `.py` file in `floorwatch/core` (`source_key`). At
import, `floorwatch.core` hashes its own sources and, if that folder exists, puts a finder in
front of Python's that loads those modules from it. Edit any core file and the hash no longer
matches: the pure-Python modules run until the next `floorwatch setup`, so a stale build can
never shadow edited code. The pure-Python modules are the reference; both give the same figures.

`FLOORWATCH_CORE` chooses: `auto` (default: compiled if built for these sources, else pure),
`pure` (never load the build), `compiled` (fail at import if there is no build for these sources).
This module is never compiled itself and imports nothing from the core.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import ForwardRef

CORE_DIR = Path(__file__).resolve().parent
MODE_VARIABLE = "FLOORWATCH_CORE"
MODES = ("auto", "pure", "compiled")

# This file's bytes are part of the build's key (it lives in the core), so raising this number
# retires every existing build. Raise it when `deploy/core_build.py` changes how the core is
# compiled (its options, the mypy version it uses, what it records beside the modules).
BUILD_RECIPE = 1

# The modules the fold, the view and the report run through. Not compiled: the pydantic
# events and codec (pydantic validates in its own compiled code), configuration and the
# reports by day or shift, which run once per report, and this module and the package files.
# The stress settings are compiled: the fold reads them several dozen times per event, and a
# native class's attribute is a C field, not a lookup through the type (7-8 % of the fold).
COMPILED = (
    "agent",
    "occupancy",
    "queue",
    "replay",
    "rollup",
    "routing",
    "track",
    "breaks/adherence",
    "breaks/adherence_model",
    "breaks/adherence_view",
    "breaks/figures",
    "breaks/hooks",
    "breaks/parsing",
    "breaks/policy",
    "breaks/profiles",
    "breaks/progress",
    "breaks/rules",
    "breaks/track",
    "stress/config",
    "stress/contacts",
    "stress/curve",
    "stress/difficulty",
    "stress/dynamics",
    "stress/figures",
    "stress/history",
    "stress/hooks",
    "stress/work",
    "stress/state",
)


class CompiledCoreMissing(ImportError):
    """FLOORWATCH_CORE=compiled, but no build matches these sources."""


@dataclass(frozen=True)
class Implementation:
    compiled: bool
    detail: str  # where the build is, or why the pure-Python modules run

    def describe(self) -> str:
        kind = "compiled (mypyc)" if self.compiled else "pure Python"
        return f"{kind}: {self.detail}"


def cache_root() -> Path:
    """Where builds live: outside the source tree, so `git clean` or a checkout never leaves one behind."""
    base = os.environ.get("FLOORWATCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "floorwatch"
    )
    return Path(base).expanduser() / "core-compiled"


def source_key(core_dir: Path = CORE_DIR) -> str:
    """A hash of every core source file (path and bytes) and the interpreter's ABI: the build's name."""
    digest = hashlib.sha256(sys.implementation.cache_tag.encode())
    for path in sorted(core_dir.rglob("*.py")):
        digest.update(path.relative_to(core_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def build_dir(key: str) -> Path:
    return cache_root() / key


ANNOTATIONS_FILE = "annotations.json"


def source_annotations(module: ModuleType) -> dict[str, dict[str, str]]:
    """The annotations of the classes a pure-Python module defines, as the source spells them.

    mypyc keeps a class's annotations only where they name one class (`str | None` becomes
    `type`), and pydantic, which stores the tracks in the stream tables, reads them; the build
    records the pure module's and the loader puts them back, so both kinds are the same to a reader.
    A NamedTuple holds its annotations as ForwardRefs: those are spelled with FORWARD in front."""
    found: dict[str, dict[str, str]] = {}
    for name, value in vars(module).items():
        if isinstance(value, type) and value.__module__ == module.__name__ and "__annotations__" in vars(value):
            where = f"{module.__name__}.{name}"
            found[name] = {field: _spelled(where, hint) for field, hint in value.__annotations__.items()}
    return found


FORWARD = "ForwardRef:"


def _spelled(where: str, hint: object) -> str:
    if isinstance(hint, str):
        return hint
    if isinstance(hint, ForwardRef):
        return FORWARD + hint.__forward_arg__
    raise TypeError(f"{where}: annotation {hint!r} is not text; core modules need `from __future__ import annotations`")


def _hint(spelled: str) -> str | ForwardRef:
    if spelled.startswith(FORWARD):
        return ForwardRef(spelled.removeprefix(FORWARD))  # as typing.NamedTuple makes them: no module
    return spelled


class _RestoringLoader(importlib.machinery.ExtensionFileLoader):
    """Loads a compiled module, then gives the classes of every compiled module loaded so far
    the pure module's annotations back. Every one: a compiled module imports the others of its
    build directly (mypyc's runtime), past this loader, while its own import is under way."""

    def __init__(self, name: str, path: str, finder: _BuildFinder) -> None:
        super().__init__(name, path)
        self.finder = finder

    def exec_module(self, module: ModuleType) -> None:
        super().exec_module(module)
        self.finder.restore_loaded()


class _BuildFinder:
    """Finds the compiled modules (and mypyc's shared library, named `<hash>__mypyc`) in one build."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
        self.annotations: dict[str, dict[str, dict[str, str]]] = json.loads((folder / ANNOTATIONS_FILE).read_text())
        self.restored: set[str] = set()

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not (name.startswith("floorwatch.core.") or name.endswith("__mypyc")):
            return None
        candidate = self.folder / (name.replace(".", "/") + self.suffix)
        if not candidate.is_file():
            return None
        loader = _RestoringLoader(name, str(candidate), self)
        return importlib.util.spec_from_file_location(name, candidate, loader=loader)

    def restore_loaded(self) -> None:
        for name, classes in self.annotations.items():
            module = sys.modules.get(name)
            # A module still being initialised (an import cycle) is restored by a later call.
            if module is not None and name not in self.restored and all(hasattr(module, c) for c in classes):
                _restore(module, classes)
                self.restored.add(name)


def _restore(module: ModuleType, classes: dict[str, dict[str, str]]) -> None:
    for class_name, spelled in classes.items():
        cls = getattr(module, class_name)
        hints = {field: _hint(text) for field, text in spelled.items()}
        cls.__annotations__ = hints
        fields = getattr(cls, "__dataclass_fields__", {})
        for field in fields.values():
            field.type = hints.get(field.name, field.type)
        if fields and "__mypyc_attrs__" in vars(cls) and "__slots__" not in vars(cls):
            # A compiled (native) class keeps its fields in C slots, with no __dict__: say so
            # as a slots dataclass does, which is how pydantic knows to read them one by one.
            cls.__slots__ = tuple(fields)


def install() -> Implementation:
    """Called once by `floorwatch.core/__init__`: load the build for these sources if asked and present."""
    mode = os.environ.get(MODE_VARIABLE, "auto").strip().lower() or "auto"
    if mode not in MODES:
        raise CompiledCoreMissing(f"{MODE_VARIABLE}={mode!r} is not one of {', '.join(MODES)}; unset it for auto")
    if mode == "pure":
        return Implementation(False, f"{MODE_VARIABLE}=pure")
    folder = build_dir(source_key())
    if not (folder / "BUILT").is_file():
        if mode == "compiled":
            raise CompiledCoreMissing(
                f"{MODE_VARIABLE}=compiled but there is no compiled core for these sources (looked in {folder}): "
                "run `floorwatch setup` (or `make setup`) to build it, or unset the variable to run pure Python"
            )
        return Implementation(False, "no build for these sources (`floorwatch setup` builds one)")
    sys.meta_path.insert(0, _BuildFinder(folder))
    return Implementation(True, str(folder))
