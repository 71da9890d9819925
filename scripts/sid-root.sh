#!/usr/bin/env bash
# Build (or reuse) a Debian sid root holding python3.13, python3.14 and
# python3.15, the interpreters mlprof is tested against.  See usage().
set -euo pipefail

readonly PROG=sid-root
# The Debian mirror the host's apt already uses (first deb URI found).
host_mirror() {
    local uri
    uri=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
        2>/dev/null | grep -v security | awk '/^URIs:/ {print $2; exit} /^deb / {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}')
    printf '%s\n' "${uri%/}"
}
MIRROR=${MLPROF_DEBIAN_MIRROR:-$(host_mirror)}
readonly MIRROR
readonly SUITE=sid
readonly PYTHONS=(python3.13 python3.14 python3.15)
readonly MARKER_NAME=.mlprof-sid-root-complete

usage() {
    cat <<USAGE
usage: $0 [DIR]

Build a Debian sid root with debootstrap (minbase + ${PYTHONS[*]}) in DIR,
or reuse it if a complete one is already there.  DIR defaults to
\$MLPROF_SID_ROOT, else /var/cache/mlprof/sid-root.  Must run as root.

  -h, --help  show this help

Debian sid ships no free-threaded (python3.1Xt / -nogil) interpreter, so
there is no option for one.

The root's /proc is mounted (once) so its interpreters run under chroot.
Unmount with: umount DIR/proc.  Later apt calls inside the root need
  chroot DIR apt-get -o Acquire::Check-Valid-Until=false update
USAGE
}

log() { printf '%s: %s\n' "$PROG" "$*"; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
on_err() { printf '%s: error: command failed (exit %s) at line %s: %s\n' "$PROG" "$1" "$2" "$3" >&2; }
trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
set -E  # the ERR trap also fires inside functions
trap 'die "interrupted; rerun to rebuild the root from scratch"' INT TERM

dir_arg=
while (($#)); do
    case $1 in
        -h|--help) usage; exit 0 ;;
        --) shift; break ;;
        -*) usage >&2; die "unknown option: $1" ;;
        *) [[ -z $dir_arg ]] || die "only one DIR may be given"; dir_arg=$1 ;;
    esac
    shift
done
if (($#)); then
    [[ -z $dir_arg && $# -eq 1 ]] || die "only one DIR may be given"
    dir_arg=$1
fi

ROOT=${dir_arg:-${MLPROF_SID_ROOT:-/var/cache/mlprof/sid-root}}
[[ -n $ROOT ]] || die "empty root directory"
((EUID == 0)) || die "must run as root (debootstrap, chroot and mount need it)"
mkdir -p -- "$(dirname -- "$ROOT")"
ROOT=$(realpath -m -- "$ROOT")
[[ $ROOT != / ]] || die "refusing to use / as the root directory"
MARKER=$ROOT/$MARKER_NAME

# Serialise concurrent runs on the same root.
exec 9>"$ROOT.lock"
if ! flock -n 9; then
    log "another run holds $ROOT.lock; waiting"
    flock 9
fi

# ---- helpers -------------------------------------------------------------

# Unmount everything mounted below $ROOT (e.g. its /proc), deepest first.
unmount_all() {
    local m
    findmnt -rn -o TARGET | awk -v r="$ROOT" 'index($0, r "/") == 1' |
        sort -r | while IFS= read -r m; do
            log "unmounting $m"
            umount "$m" || umount -l "$m"
        done
}

complete_root() {
    local p
    [[ -f $MARKER ]] || return 1
    for p in "${PYTHONS[@]}"; do
        [[ -x $ROOT/usr/bin/$p ]] || return 1
    done
}

ensure_debootstrap() {
    local need=()
    command -v debootstrap >/dev/null || need+=(debootstrap)
    [[ -f /usr/share/keyrings/debian-archive-keyring.gpg ]] || need+=(debian-archive-keyring)
    ((${#need[@]})) || return 0
    log "installing on the host: ${need[*]}"
    local pkg
    for pkg in "${need[@]}"; do
        if ! apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [^(]'; then
            log "apt has no candidate for $pkg: running apt-get update"
            apt-get update -q || die "apt-get update failed on the host"
            break
        fi
    done
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" ||
        die "could not install ${need[*]} on the host"
    command -v debootstrap >/dev/null ||
        die "debootstrap is installed but not on PATH ($PATH); add /usr/sbin"
}

mount_proc() {
    mkdir -p "$ROOT/proc"
    if mountpoint -q "$ROOT/proc"; then
        log "$ROOT/proc already mounted"
    else
        mount -t proc proc "$ROOT/proc" || die "could not mount proc on $ROOT/proc"
        log "mounted proc on $ROOT/proc"
    fi
}

# ---- build or reuse ------------------------------------------------------

if complete_root; then
    log "reusing the complete sid root at $ROOT (built $(head -n1 "$MARKER"))"
else
    if [[ -e $ROOT ]]; then
        [[ -d $ROOT ]] || die "$ROOT exists and is not a directory"
        if [[ -n $(ls -A -- "$ROOT") ]]; then
            # Only wipe what looks like an earlier (partial) debootstrap.
            if [[ ! -e $ROOT/debootstrap && ! -d $ROOT/var/lib/dpkg && ! -e $MARKER ]]; then
                die "$ROOT is not empty and does not look like a debootstrap root; refusing to delete it"
            fi
            log "removing the incomplete root at $ROOT"
            unmount_all
            rm -rf --one-file-system -- "$ROOT"
        fi
    fi
    ensure_debootstrap
    mkdir -p "$ROOT"
    log_file=$(mktemp "/tmp/$PROG.XXXXXX.log")
    log "debootstrap $SUITE into $ROOT from $MIRROR (log: $log_file)"
    start=$SECONDS
    includes=$(IFS=,; echo "${PYTHONS[*]}")
    if ! debootstrap --variant=minbase --include="$includes" \
            "$SUITE" "$ROOT" "$MIRROR" >"$log_file" 2>&1; then
        tail -n 25 "$log_file" >&2
        unmount_all
        die "debootstrap failed (full log: $log_file); rerun to retry from scratch"
    fi
    rm -f -- "$log_file"
    for p in "${PYTHONS[@]}"; do
        [[ -x $ROOT/usr/bin/$p ]] || die "debootstrap finished but $ROOT/usr/bin/$p is missing"
    done
    printf '%s\n%s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SUITE" "$MIRROR" "${PYTHONS[*]}" >"$MARKER"
    log "built $ROOT in $((SECONDS - start)) s, size $(du -sh --one-file-system "$ROOT" | cut -f1)"
fi

mount_proc

log "interpreters in $ROOT:"
for p in "${PYTHONS[@]}"; do
    v=$(chroot "$ROOT" "/usr/bin/$p" -c 'import sys; print(sys.version.replace("\n", " "))') ||
        die "$ROOT/usr/bin/$p does not run"
    printf '  /usr/bin/%-12s %s\n' "$p" "$v"
done
