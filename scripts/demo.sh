#!/usr/bin/env bash
# The main job on a fresh machine (as root): install dependencies, build,
# start mlprofd as a daemon, run a bundled ML program with the real mlpy
# (or, without it, the look-alike in tests/mlpy_app), print the report
# that mlprofctl gets from the daemon, stop the daemon.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh >/dev/null
make -s
PY=${PYTHON:-/usr/bin/python3.11}
SOCK=$(mktemp -u /tmp/mlprofd-demo.XXXXXX.sock)
LOG=$(mktemp /tmp/mlprofd-demo.XXXXXX.log)
# mlpy writes the transpiled prog.py beside prog.ml: run a copy, keep the
# clone clean.
WORK=$(mktemp -d /tmp/mlprof-demo.XXXXXX)

build/mlprofd --target mlpy --socket "$SOCK" >"$LOG" 2>&1 &
DAEMON=$!
trap 'kill -TERM $DAEMON 2>/dev/null; wait $DAEMON 2>/dev/null || true; rm -f "$LOG"; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { cat "$LOG"; exit 1; }

# The real mlpy when it is beside the repository (../shared/mlpy, or
# MLPY_SRC): made importable by scripts/mlpy-real.sh (host only if there is
# no sid root), then `python3 -m mlpy run` of a bundled ML program. Else
# the look-alike in tests/mlpy_app, which runs anywhere.
if scripts/mlpy-real.sh >/dev/null && "$PY" -c 'import mlpy' 2>/dev/null; then
    cp tests/workloads/ml/split.ml "$WORK/"
    echo "== running the real mlpy: $PY -m mlpy run split.ml (tests/workloads/ml, copied to $WORK)"
    (cd "$WORK" && "$PY" -m mlpy run split.ml) | grep -E 'split|Success' | head -n 3 || true
else
    echo "== the real mlpy is not importable by $PY (set MLPY_SRC to its src folder); the look-alike instead:"
    echo "== running: $PY tests/mlpy_app/bin/mlpy run tests/mlpy_app/examples/hotspots.ml"
    "$PY" tests/mlpy_app/bin/mlpy run --no-cache tests/mlpy_app/examples/hotspots.ml | tail -n 1
fi
echo
echo "== mlprofctl report ${REPORT:-ml-summary} (first lines)"
build/mlprofctl -s "$SOCK" report "${REPORT:-ml-summary}" | head -n "${LINES_SHOWN:-70}"
