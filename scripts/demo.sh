#!/usr/bin/env bash
# The main job on a fresh machine (as root): install dependencies, build,
# start mlprofd as a daemon, run a bundled mlpy program, print the report
# that mlprofctl gets from the daemon, stop the daemon.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh >/dev/null
make -s
PY=${PYTHON:-/usr/bin/python3.11}
SOCK=$(mktemp -u /tmp/mlprofd-demo.XXXXXX.sock)
LOG=$(mktemp /tmp/mlprofd-demo.XXXXXX.log)

build/mlprofd --target mlpy --socket "$SOCK" >"$LOG" 2>&1 &
DAEMON=$!
trap 'kill -TERM $DAEMON 2>/dev/null; wait $DAEMON 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { cat "$LOG"; exit 1; }

echo "== running: $PY tests/mlpy_app/bin/mlpy run tests/mlpy_app/examples/hotspots.ml"
"$PY" tests/mlpy_app/bin/mlpy run --no-cache tests/mlpy_app/examples/hotspots.ml | tail -n 1
echo
echo "== mlprofctl report ${REPORT:-ml-summary} (first lines)"
build/mlprofctl -s "$SOCK" report "${REPORT:-ml-summary}" | head -n "${LINES_SHOWN:-70}"
