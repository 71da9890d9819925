#!/usr/bin/env bash
# Build (or reuse) a Debian trixie root holding python3.13 and Austin (the
# frame stack sampler packaged as `austin`), for the benchmark rows that
# compare mlprof with Austin (tests/bench/).  See usage().
set -euo pipefail

readonly PROG=trixie-root
# The Debian mirror the host's apt already uses (first deb URI found).
host_mirror() {
    local uri
    uri=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
        2>/dev/null | grep -v security | awk '/^URIs:/ {print $2; exit} /^deb / {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}')
    printf '%s\n' "${uri%/}"
}
MIRROR=${MLPROF_DEBIAN_MIRROR:-$(host_mirror)}
readonly MIRROR
readonly SUITE=trixie
readonly PACKAGES=(python3.13 austin)
readonly MARKER_NAME=.mlprof-trixie-root-complete

usage() {
    cat <<USAGE
usage: $0 [DIR]

Build a Debian trixie root with debootstrap (minbase + ${PACKAGES[*]}) in DIR,
or reuse it if a complete one is already there.  DIR defaults to
\$MLPROF_TRIXIE_ROOT, else /var/cache/mlprof/trixie-root.  Must run as root.

  -h, --help  show this help

The root's /proc is mounted (once) so its programs run under chroot.
Unmount with: umount DIR/proc.
USAGE
}

log() { printf '%s: %s\n' "$PROG" "$*"; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

dir_arg=
while (($#)); do
    case $1 in
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; die "unknown option: $1" ;;
        *) [[ -z $dir_arg ]] || die "only one DIR may be given"; dir_arg=$1 ;;
    esac
    shift
done

ROOT=${dir_arg:-${MLPROF_TRIXIE_ROOT:-/var/cache/mlprof/trixie-root}}
((EUID == 0)) || die "must run as root (debootstrap, chroot and mount need it)"
mkdir -p -- "$(dirname -- "$ROOT")"
ROOT=$(realpath -m -- "$ROOT")
[[ $ROOT != / ]] || die "refusing to use / as the root directory"
MARKER=$ROOT/$MARKER_NAME

exec 9>"$ROOT.lock"
if ! flock -n 9; then
    log "another run holds $ROOT.lock; waiting"
    flock 9
fi

unmount_all() {
    local m
    findmnt -rn -o TARGET | awk -v r="$ROOT" 'index($0, r "/") == 1' |
        sort -r | while IFS= read -r m; do umount "$m" || umount -l "$m"; done
}

complete_root() {
    [[ -f $MARKER && -x $ROOT/usr/bin/python3.13 && -x $ROOT/usr/bin/austin ]]
}

if complete_root; then
    log "reusing the complete trixie root at $ROOT (built $(head -n1 "$MARKER"))"
else
    if [[ -e $ROOT ]]; then
        [[ -d $ROOT ]] || die "$ROOT exists and is not a directory"
        if [[ -n $(ls -A -- "$ROOT") ]]; then
            if [[ ! -e $ROOT/debootstrap && ! -d $ROOT/var/lib/dpkg && ! -e $MARKER ]]; then
                die "$ROOT is not empty and does not look like a debootstrap root; refusing to delete it"
            fi
            log "removing the incomplete root at $ROOT"
            unmount_all
            rm -rf --one-file-system -- "$ROOT"
        fi
    fi
    command -v debootstrap >/dev/null ||
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap debian-archive-keyring ||
        die "could not install debootstrap on the host"
    mkdir -p "$ROOT"
    log_file=$(mktemp "/tmp/$PROG.XXXXXX.log")
    log "debootstrap $SUITE into $ROOT from $MIRROR (log: $log_file)"
    start=$SECONDS
    includes=$(IFS=,; echo "${PACKAGES[*]}")
    if ! debootstrap --variant=minbase --include="$includes" \
            "$SUITE" "$ROOT" "$MIRROR" >"$log_file" 2>&1; then
        tail -n 25 "$log_file" >&2
        unmount_all
        die "debootstrap failed (full log: $log_file); rerun to retry from scratch"
    fi
    rm -f -- "$log_file"
    [[ -x $ROOT/usr/bin/austin ]] || die "debootstrap finished but $ROOT/usr/bin/austin is missing"
    printf '%s\n%s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SUITE" "$MIRROR" "${PACKAGES[*]}" >"$MARKER"
    log "built $ROOT in $((SECONDS - start)) s"
fi

mkdir -p "$ROOT/proc"
mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc" || die "could not mount proc on $ROOT/proc"

log "$(chroot "$ROOT" /usr/bin/python3.13 -c 'import sys; print("python", sys.version.split()[0])')," \
    "$(chroot "$ROOT" /usr/bin/austin --version 2>&1 | head -n1)"
