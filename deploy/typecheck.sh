#!/usr/bin/env bash
# mypy over the whole project as Python imports it. The top-level folders streams/, services/,
# dashboards/ and deploy/ are installed as subpackages of `floorwatch` (pyproject.toml's
# package-dir), a mapping mypy cannot follow; so this builds a tree of symbolic links laid out
# as the installed package and checks that (messages name the files under floorwatch/<folder>/).
set -euo pipefail
PY=${1:?usage: typecheck.sh PYTHON}
# A relative interpreter path (`make check` passes .venv/bin/python) must survive the cd below.
case $PY in */*) PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")" ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
tree="$root/.run/typecheck"
rm -rf "$tree" && mkdir -p "$tree/floorwatch"
for entry in "$root"/floorwatch/*; do ln -s "$entry" "$tree/floorwatch/"; done
for folder in streams services dashboards deploy; do ln -s "$root/$folder" "$tree/floorwatch/$folder"; done
for folder in tests bench; do ln -s "$root/$folder" "$tree/$folder"; done
ln -s "$root/pyproject.toml" "$tree/pyproject.toml"
cd "$tree" && exec "$PY" -m mypy --cache-dir "$root/.run/mypy-cache"
