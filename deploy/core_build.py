"""`python -m floorwatch.deploy.core_build`: compile the metric core's hot modules with mypyc.

Run by `floorwatch setup`. The build is named by a hash of the core's sources
(`floorwatch.core.native`), so it is made once per version of the core and never used for
other sources. It compiles a snapshot of the sources, so an edit during the build cannot end up
in a build named for other bytes. Without a C compiler or the Python headers it says so and
succeeds: the pure-Python modules run, with the same figures, more slowly.

The key covers the core's sources, not this file: when you change how the core is compiled here
(options, the mypy pin, what is recorded beside the modules), raise `native.BUILD_RECIPE`.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from floorwatch.core import native

REPO_ROOT = Path(__file__).resolve().parent.parent
KEPT_BUILDS = 8  # other worktrees and branches may still use an older core (about 4 MB each)


def missing_toolchain(compiler: str | None = None) -> str | None:
    """What is missing to compile C extensions for this interpreter, or None."""
    compiler = compiler or (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler})"
    if not (Path(sysconfig.get_paths()["include"]) / "Python.h").is_file():
        return f"no Python headers (Python.h in {sysconfig.get_paths()['include']})"
    return None


def ensure_built(core_dir: Path = native.CORE_DIR, compiler: str | None = None) -> tuple[str, Path | None]:
    """Build the compiled core for these sources unless it exists. Returns (what happened, build or None)."""
    missing = missing_toolchain(compiler)
    if missing:
        return f"not built: {missing}; the core runs as pure Python (same figures, slower)", None
    with tempfile.TemporaryDirectory(prefix="floorwatch-core-build-") as scratch:
        snapshot = Path(scratch) / "src"
        shutil.copytree(core_dir, snapshot / "floorwatch" / "core", ignore=shutil.ignore_patterns("__pycache__"))
        (snapshot / "floorwatch" / "__init__.py").write_text("")
        key = native.source_key(snapshot / "floorwatch" / "core")
        folder = native.build_dir(key)
        if (folder / "BUILT").is_file():
            return "cached", folder
        began = time.monotonic()
        folder.parent.mkdir(parents=True, exist_ok=True)
        # Unique, so two setups building at once never mix their files; the first to finish wins.
        partial = Path(tempfile.mkdtemp(prefix=f"{folder.name}.partial-", dir=folder.parent))
        command = [sys.executable, "-c", _BUILD, str(partial), str(Path(scratch) / "work")]
        done = subprocess.run(command, cwd=snapshot, capture_output=True, text=True)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            shutil.rmtree(partial, ignore_errors=True)
            raise RuntimeError(f"compiling the core with mypyc failed:\n{tail}")
        # The snapshot's own modules, not an installed copy: its folder comes first on the path.
        subprocess.run([sys.executable, "-c", _ANNOTATIONS, str(partial)], cwd=snapshot, check=True)
        (partial / "BUILT").write_text(f"{key}\n")
        try:
            partial.rename(folder)
        except OSError:  # built meanwhile by another setup (or a leftover without BUILT): keep one
            shutil.rmtree(folder if not (folder / "BUILT").is_file() else partial, ignore_errors=True)
            if partial.exists():
                partial.rename(folder)
        _prune(folder)
        return f"built in {time.monotonic() - began:.0f} s", folder


# The compilation itself, in a child whose working folder is the snapshot (mypy reads its
# configuration there: none, so mypyc's defaults; the pydantic classes stay Python classes).
_BUILD = f"""
import sys
from setuptools import setup
from mypyc.build import mypycify
out, work = sys.argv[1], sys.argv[2]
paths = [f"floorwatch/core/{{name}}.py" for name in {native.COMPILED!r}]
sys.argv = ["setup", "--quiet", "build_ext", "--build-lib", out, "--build-temp", work + "/temp"]
setup(name="floorwatch-core-compiled", ext_modules=mypycify(paths, opt_level="3", target_dir=work + "/c"))
"""

# The pure modules' class annotations, for the loader to put back (native.source_annotations).
_ANNOTATIONS = f"""
import importlib, json, os, sys
os.environ["{native.MODE_VARIABLE}"] = "pure"
from floorwatch.core import native
names = ["floorwatch.core." + name.replace("/", ".") for name in native.COMPILED]
found = {{name: native.source_annotations(importlib.import_module(name)) for name in names}}
with open(os.path.join(sys.argv[1], native.ANNOTATIONS_FILE), "w") as out:
    json.dump(found, out, indent=1)  # in the order the source declares them
"""


def _prune(keep: Path) -> None:
    builds = [p for p in keep.parent.iterdir() if p.is_dir() and ".partial-" not in p.name]
    builds.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in builds if p != keep][KEPT_BUILDS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m floorwatch.deploy.core_build", description=__doc__.split("\n")[0])
    parser.parse_args(argv)
    try:
        outcome, folder = ensure_built()
    except RuntimeError as problem:
        print(f"{problem}\nThe core runs as pure Python until this is fixed (same figures, slower).", file=sys.stderr)
        return 1
    print(f"compiled core: {outcome}" + (f" ({folder})" if folder else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
