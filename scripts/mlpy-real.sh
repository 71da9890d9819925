#!/usr/bin/env bash
# Make the real mlpy importable (idempotent), on the host's Debian python3 and
# in the Debian sid root, for the tests that run `python3 -m mlpy run`.
#   MLPY_SRC        mlpy's src folder (default: ../shared/mlpy/src beside the
#                   repository top, resolved from the repository, not the cwd)
#   MLPROF_SID_ROOT the sid root (default /var/cache/mlprof/sid-root); skipped
#                   if it does not exist.
# The sandbox child mlpy starts drops PYTHONPATH, so a .pth file in each
# interpreter's dist-packages is what makes mlpy importable there.
set -euo pipefail

readonly PROG=mlpy-real
readonly PKGS=(python3-lark python3-click python3-rich python3-pygments
               python3-psutil python3-typing-extensions python3-yaml)
readonly PTH_NAME=mlprof-mlpy.pth
readonly ROOT_SRC=/opt/mlprof-mlpy/src

log() { printf '%s: %s\n' "$PROG" "$*"; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=${MLPY_SRC:-$top/../shared/mlpy/src}
[[ $src = /* ]] || src=$top/$src
if [[ ! -f $src/mlpy/__init__.py ]]; then
    msg="no mlpy package at $src/mlpy: set MLPY_SRC to the src folder of an mlpy checkout (e.g. MLPY_SRC=/path/to/mlpy/src)"
    # Under CI the real-mlpy tests must run: missing is an error there;
    # elsewhere they skip with the same line.
    [[ ${CI:-} = true ]] && die "$msg"
    log "$msg; the real-mlpy tests will skip"
    exit 0
fi
src=$(cd "$src" && pwd -P)
[[ $(id -u) = 0 ]] || die "must run as root (apt-get, dist-packages)"

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    log "host: installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
fi
for d in /usr/local/lib/python3.*/dist-packages; do
    [[ -d $d ]] || continue
    if [[ $(cat "$d/$PTH_NAME" 2>/dev/null) != "$src" ]]; then
        printf '%s\n' "$src" > "$d/$PTH_NAME"
        log "host: $d/$PTH_NAME -> $src"
    fi
done

root=${MLPROF_SID_ROOT:-/var/cache/mlprof/sid-root}
if [[ ! -x $root/usr/bin/apt-get ]]; then
    log "no sid root at $root: host only"
    exit 0
fi
missing=()
for p in "${PKGS[@]}"; do
    chroot "$root" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    log "sid root: installing ${missing[*]}"
    if ! DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -q "${missing[@]}" >/dev/null; then
        chroot "$root" apt-get -o Acquire::Check-Valid-Until=false update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -q "${missing[@]}" >/dev/null
    fi
fi
# The copy inside the root, refreshed when the source changes.
mkdir -p "$root$ROOT_SRC"
if ! diff -rq -x __pycache__ "$src/mlpy" "$root$ROOT_SRC/mlpy" >/dev/null 2>&1; then
    rm -rf "$root$ROOT_SRC/mlpy"
    cp -a "$src/mlpy" "$root$ROOT_SRC/mlpy"
    find "$root$ROOT_SRC" -name __pycache__ -prune -exec rm -rf {} +
    log "sid root: copied $src/mlpy to $ROOT_SRC"
fi
mkdir -p "$root/usr/local/lib/python3/dist-packages"
for d in "$root"/usr/lib/python3/dist-packages "$root"/usr/local/lib/python3*/dist-packages; do
    [[ -d $d ]] || continue
    if [[ $(cat "$d/$PTH_NAME" 2>/dev/null) != "$ROOT_SRC" ]]; then
        printf '%s\n' "$ROOT_SRC" > "$d/$PTH_NAME"
        log "sid root: ${d#"$root"}/$PTH_NAME -> $ROOT_SRC"
    fi
done
log "ready: mlpy from $src"
