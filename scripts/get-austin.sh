#!/bin/sh
# Unpacks Debian sid's austin (3.7) into the sid chroot at /opt/austin for
# tests/bench/peers_bench.py. It cannot be installed there (it depends on
# python3 < 3.14, sid has 3.14), but its binary needs only the C library.
# Debian 12's own austin 1.0.1 does not find Python 3.11+ interpreters.
# usage: scripts/get-austin.sh [SID_ROOT]   (root; network to Debian's mirror)
set -eu
root=${1:-${MLPROF_SID_ROOT:-/var/cache/mlprof/sid-root}}
[ -x "$root/usr/bin/python3.13" ] || { echo "get-austin: no sid chroot at $root (make sid-root)" >&2; exit 1; }
chroot "$root" sh -c 'set -e; cd /tmp; rm -f austin_*.deb; apt-get download austin;
  rm -rf /opt/austin; mkdir -p /opt/austin; dpkg -x /tmp/austin_*.deb /opt/austin; rm -f /tmp/austin_*.deb'
chroot "$root" /opt/austin/usr/bin/austin --version
