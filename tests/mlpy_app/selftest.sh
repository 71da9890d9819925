#!/bin/bash
# selftest.sh - quick self-check of the mlpy test app (see README.md).
#
# For /usr/bin/python3.11 and every pyenv python3.12 / 3.13 (and 3.14 / 3.15
# when installed) it runs each example with `-m mlpy run X.ml --source-map`
# and checks: exit status and output, X.py and X.py.map written, every
# `def NAME` in X.py mapping to `function NAME(` in X.ml, the sandbox script
# seen while hotspots.ml runs (template shape, 8-space paste offset, child
# argv), and the sandbox directory gone afterwards.  Also: exit status of the
# program is propagated, runtime errors and security refusals give 1, the
# prog.py cache is reused, and the bin/mlpy launcher works.
#
# usage: tests/mlpy_app/selftest.sh        (exit status 0 when all checks pass)

set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EXAMPLES="$HERE/examples"
export PYTHONPATH="$HERE"
unset MLPY_PHASE_TIMES

PYENV_ROOT="${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}"
INTERPRETERS=(/usr/bin/python3.11)
for v in 3.12 3.13 3.14 3.15; do
    for py in "$PYENV_ROOT"/versions/"$v"*/bin/python"$v"; do
        [ -x "$py" ] && INTERPRETERS+=("$py")
    done
done

WORK="$(mktemp -d /tmp/mlpy_selftest.XXXXXX)"
export TMPDIR="$WORK/tmp"  # sandbox directories are created here
mkdir -p "$TMPDIR"
trap 'rm -rf "$WORK"' EXIT
CHECKS=0
FAILURES=0

ok()   { CHECKS=$((CHECKS + 1)); }
fail() { CHECKS=$((CHECKS + 1)); FAILURES=$((FAILURES + 1)); echo "  FAIL: $*"; }
check() {  # check DESCRIPTION COMMAND...: the command's output is shown only if it fails
    local what=$1 output
    shift
    if output=$("$@" 2>&1); then ok; else fail "$what"; [ -n "$output" ] && sed 's/^/    /' <<< "$output"; fi
}

clean_generated() {
    rm -f "$EXAMPLES"/*.py "$EXAMPLES"/*.py.map
    rm -rf "$EXAMPLES/__pycache__"
}

sandbox_gone() {  # no mlpy_sandbox_* directory may survive a run
    check "$1: sandbox directory left behind: $(ls "$TMPDIR")" test -z "$(ls -A "$TMPDIR")"
}

run_example() {  # interpreter, example name, patterns the output must contain (grep -E)
    local py=$1 name=$2 pattern rc
    shift 2
    (cd "$EXAMPLES" && exec "$py" -m mlpy run "$name.ml" --source-map) \
        > "$WORK/$name.out" 2> "$WORK/$name.err"
    rc=$?
    check "$name: exit status $rc (stderr: $(tail -3 "$WORK/$name.err"))" test "$rc" -eq 0
    for pattern in "$@"; do
        check "$name: output lacks /$pattern/" grep -Eq "$pattern" "$WORK/$name.out"
    done
    check "$name: $name.py not written" test -f "$EXAMPLES/$name.py"
    check "$name: $name.py.map not written" test -f "$EXAMPLES/$name.py.map"
    check "$name: source map check" "$py" "$HERE/check_sourcemap.py" "$EXAMPLES/$name.ml"
    sandbox_gone "$name"
}

watch_hotspots() {  # run hotspots.ml in the background and look at its sandbox while it runs
    local py=$1 pid script="" child="" i rc
    (cd "$EXAMPLES" && exec "$py" -m mlpy run hotspots.ml --source-map) \
        > "$WORK/hotspots.out" 2> "$WORK/hotspots.err" &
    pid=$!
    for i in $(seq 1000); do
        script=$(ls "$TMPDIR"/mlpy_sandbox_*/sandbox_execution.py 2>/dev/null | head -1)
        if [ -n "$script" ] && cp "$script" "$WORK/sandbox_copy.py" 2>/dev/null; then
            child=$(cat /proc/"$pid"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 .)
            [ -n "$child" ] && tr '\0' '\n' < /proc/"$child"/cmdline > "$WORK/child_argv" 2>/dev/null
            break
        fi
        sleep 0.01
    done
    wait "$pid"
    rc=$?
    check "hotspots: exit status $rc (stderr: $(tail -3 "$WORK/hotspots.err"))" test "$rc" -eq 0
    check "hotspots: sandbox script never seen" test -s "$WORK/sandbox_copy.py"
    check "hotspots: child argv is not [python, $script]" \
        test "$(sed -n 2p "$WORK/child_argv" 2>/dev/null)" = "$script" -a "$(wc -l < "$WORK/child_argv" 2>/dev/null)" -eq 2
    check "hotspots: sandbox script shape / paste offset" \
        "$py" - "$WORK/sandbox_copy.py" "$EXAMPLES/hotspots.py" <<'EOF'
import re, sys
script = open(sys.argv[1]).read().splitlines()
module = open(sys.argv[2]).read().splitlines()
problems = []
for needed in ("CAPABILITY_CONTEXT_DATA = ", "def setup_capabilities():", "def main():", "    try:",
               'if __name__ == "__main__":'):
    if not any(line.startswith(needed) for line in script):
        problems.append("missing " + needed)
doc = '        """Generated Python code from mlpy ML transpiler."""'
offset = script.index(doc) if doc in script else None
if offset is None:
    problems.append("module docstring not pasted with 8 spaces")
else:
    for i, line in enumerate(module):
        if script[offset + i] != ("        " + line if line else "        "):
            problems.append(f"module line {i + 1} not pasted at script line {offset + i + 1}")
            break
    for fn in ("hot_a", "hot_b"):
        py_line = next(i for i, l in enumerate(module, 1) if l.startswith(f"def {fn}("))
        if script[offset + py_line - 1].strip() != module[py_line - 1].strip():
            problems.append(f"def {fn} not at script line {offset + py_line}")
print("\n".join(problems))
sys.exit(1 if problems else 0)
EOF
    check "hotspots: no MLPY_SPLIT line" grep -Eq '^MLPY_SPLIT hot_a=[0-9.]+ hot_b=[0-9.]+$' "$WORK/hotspots.out"
    check "hotspots: hot_a share outside 0.5..0.9: $(grep MLPY_SPLIT "$WORK/hotspots.out")" \
        awk -F'[= ]' '/^MLPY_SPLIT/ { s = $3 / ($3 + $5); exit !(s > 0.5 && s < 0.9) }' "$WORK/hotspots.out"
    check "hotspots: hotspots.py.map missing" test -f "$EXAMPLES/hotspots.py.map"
    check "hotspots: source map check" "$py" "$HERE/check_sourcemap.py" "$EXAMPLES/hotspots.ml"
    sandbox_gone hotspots
}

negative_tests() {  # exit status propagation, runtime errors, security refusal
    local py=$1 rc
    printf 'print("bye");\nexit(7);\n' > "$WORK/exit7.ml"
    printf 'function divide(a, b) {\n    return a / b;\n}\nprint(divide(1, 0));\n' > "$WORK/crash.ml"
    printf 'x = eval("1 + 1");\nprint(x);\n' > "$WORK/evil.ml"
    (cd "$WORK" && "$py" -m mlpy run exit7.ml > exit7.out 2> exit7.err)
    rc=$?
    check "exit(7): status $rc" test "$rc" -eq 7
    check "exit(7): output" grep -q '^bye$' "$WORK/exit7.out"
    (cd "$WORK" && "$py" -m mlpy run crash.ml > crash.out 2> crash.err)
    rc=$?
    check "crash: status $rc" test "$rc" -eq 1
    check "crash: no ZeroDivisionError/ML line in stderr" grep -q '\[ML\] crash.ml:2' "$WORK/crash.err"
    (cd "$WORK" && "$py" -m mlpy run evil.ml > evil.out 2> evil.err)
    rc=$?
    check "evil: status $rc" test "$rc" -eq 1
    check "evil: no security message" grep -q "critical: call of dangerous builtin 'eval'" "$WORK/evil.err"
    check "evil: evil.py written despite refusal" test ! -e "$WORK/evil.py"
    rm -f "$WORK"/*.py "$WORK"/*.out "$WORK"/*.err
    sandbox_gone negative
}

mtime() { /usr/bin/python3.11 -c 'import os, sys; print(os.stat(sys.argv[1]).st_mtime_ns)' "$1"; }

cache_and_launcher() {  # prog.py reused when newer than prog.ml; bin/mlpy console script
    local py=/usr/bin/python3.11 before after
    (cd "$EXAMPLES" && "$py" -m mlpy run small.ml > /dev/null)
    before=$(mtime "$EXAMPLES/small.py")
    (cd "$EXAMPLES" && "$py" -m mlpy run small.ml > /dev/null)
    after=$(mtime "$EXAMPLES/small.py")
    check "cache: small.py rewritten although newer than small.ml" test "$before" = "$after"
    sleep 0.01
    (cd "$EXAMPLES" && "$py" -m mlpy run small.ml --no-cache > /dev/null)
    after=$(mtime "$EXAMPLES/small.py")
    check "cache: --no-cache did not rewrite small.py" test "$before" != "$after"
    (cd "$EXAMPLES" && env -u PYTHONPATH "$py" "$HERE/bin/mlpy" run small.ml > "$WORK/launcher.out" 2>&1)
    check "launcher: bin/mlpy run small.ml failed: $(cat "$WORK/launcher.out")" \
        grep -q '^hello from ML, mlprof!$' "$WORK/launcher.out"
    sandbox_gone launcher
}

for py in "${INTERPRETERS[@]}"; do
    echo "== $py ($("$py" -V 2>&1))"
    failures_before=$FAILURES
    clean_generated
    run_example "$py" small '^hello from ML, mlprof!$' '^triangle\(100\) = 5050$'
    watch_hotspots "$py"
    run_example "$py" recursion '^recursion depth 200 x [0-9]+ descents' '^max ML depth reached: 201 '
    run_example "$py" modules '^primes below 120000: 11301$' '^MODULES total '
    check "modules: math_utils.py / math_utils.py.map not written" \
        test -f "$EXAMPLES/math_utils.py" -a -f "$EXAMPLES/math_utils.py.map"
    check "math_utils: source map check" "$py" "$HERE/check_sourcemap.py" "$EXAMPLES/math_utils.ml"
    negative_tests "$py"
    [ "$FAILURES" -eq "$failures_before" ] && echo "  all checks passed"
done
echo "== cache and launcher (/usr/bin/python3.11)"
failures_before=$FAILURES
cache_and_launcher
[ "$FAILURES" -eq "$failures_before" ] && echo "  all checks passed"

echo "selftest: $CHECKS checks, $FAILURES failed, interpreters: ${INTERPRETERS[*]}"
[ "$FAILURES" -eq 0 ]
