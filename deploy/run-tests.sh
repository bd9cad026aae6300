#!/usr/bin/env bash
# Runs the test tiers in order. pytest exits 5 when a tier collects no tests:
# that is reported and allowed for one tier, but a run where no tier ran a test fails.
set -uo pipefail
PY=${1:?usage: run-tests.sh PYTHON [tier...]}
shift
tiers=("$@")
[ ${#tiers[@]} -eq 0 ] && tiers=(unit integration)
ran_any=0
for tier in "${tiers[@]}"; do
  echo "==> tests/$tier"
  # The slowest integration tests are named in every log: the suite must stay well under 20 minutes.
  extra=()
  [ "$tier" = integration ] && extra=(--durations=12)
  "$PY" -m pytest "tests/$tier" "${extra[@]}"
  rc=$?
  case $rc in
    0) ran_any=1 ;;
    5) echo "==> tests/$tier: no tests collected (pytest exit 5); continuing" ;;
    *) echo "==> tests/$tier failed (pytest exit $rc)"; exit $rc ;;
  esac
  # The core is tested both ways: the pass above ran the compiled modules when `make setup`
  # built them for these sources; the pure-Python reference gets its own pass (seconds).
  if [ "$tier" = unit ]; then
    if "$PY" -c 'import sys, floorwatch.core as c; sys.exit(0 if c.IMPLEMENTATION.compiled else 1)'; then
      echo "==> tests/unit/core again with FLOORWATCH_CORE=pure (the pass above ran the compiled core)"
      FLOORWATCH_CORE=pure "$PY" -m pytest tests/unit/core -q || { echo "==> pure-Python core failed"; exit 1; }
    else
      echo "==> the compiled core is not in use (\`make setup\` builds it for these sources): only the pure-Python core was tested"
    fi
  fi
done
if [ $ran_any -eq 0 ]; then
  echo "==> no tier ran any test: that is a broken suite, not a pass" >&2
  exit 1
fi
