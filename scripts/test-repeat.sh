#!/usr/bin/env bash
# Flake hunting (as root): runs the privileged e2e tests N times, optionally
# beside stress-ng --cpu <ncpu>, and prints each test's pass count, median
# and slowest wall time. Not part of `make test`.
#   scripts/test-repeat.sh [-n N] [--hog] [--json FILE] [--logs DIR] [TEST ...]
# TEST: a module (test_churn) or a test id (test_service.ServiceTests.test_x).
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
export MLPROF_SID_ROOT="${MLPROF_SID_ROOT:-/var/cache/mlprof/sid-root}"
export MLPROF_REQUIRE_SID="${MLPROF_REQUIRE_SID:-1}"
exec "${E2E_PYTHON:-/usr/bin/python3}" "$top/tests/e2e/repeat.py" "$@"
