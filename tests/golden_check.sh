#!/bin/sh
# Render every report, export and diff of a saved snapshot and compare them
# byte for byte with earlier renderings (a behaviour-preserving refactoring
# must not change one byte of output).
#   tests/golden_check.sh SNAP DIR          compare with DIR (exit 1 on a difference)
#   tests/golden_check.sh --write SNAP DIR  (re)write DIR
# CTL (default build/mlprofctl) is the mlprofctl to use.
set -u
write=0
if [ "${1:-}" = "--write" ]; then write=1; shift; fi
if [ $# -ne 2 ]; then echo "usage: $0 [--write] SNAP DIR" >&2; exit 2; fi
snap=$1
dir=$2
ctl=${CTL:-build/mlprofctl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
render() { # NAME ARGS...
	name=$1; shift
	"$ctl" "$@" -o "$tmp/$name" >/dev/null 2>"$tmp/$name.err"
	echo "$?" >"$tmp/$name.rc"
	sed "s|$tmp/||g" "$tmp/$name.err" >>"$tmp/$name.rc"
	for f in "$name" "$name.rc"; do
		n=$((n + 1))
		if [ $write -eq 1 ]; then
			cp "$tmp/$f" "$dir/$f" 2>/dev/null || : >"$dir/$f"
		elif ! cmp -s "$tmp/$f" "$dir/$f" 2>/dev/null && \
		     ! { [ ! -e "$tmp/$f" ] && [ ! -s "$dir/$f" ]; }; then
			echo "DIFFERS: $f" >&2
			fail=1
		fi
	done
}
[ $write -eq 1 ] && mkdir -p "$dir"
for r in ml-summary ml-details dev-summary dev-details raw all; do
	for f in text json; do
		render "report-$r.$f" report "$r" -f "$f" -i "$snap"
	done
done
render "report.html" report -f html -i "$snap"
for e in collapsed speedscope pprof; do
	render "export-$e" export "$e" -i "$snap"
done
for f in text json html; do
	render "diff.$f" diff "$snap" "$snap" -f "$f"
done
if [ $write -eq 1 ]; then
	echo "wrote $n files to $dir"
elif [ $fail -eq 0 ]; then
	echo "identical: $n files"
fi
exit $fail
