#!/usr/bin/env bash
# Installs what building and testing mlprof needs on Debian 12 (as root):
# the toolchain, libbpf/libelf/zlib/cJSON/Criterion headers, bpftool, and
# mounts tracefs if it is missing. Safe to run again.
set -euo pipefail

PACKAGES=(
    make gcc clang llvm libclang-rt-14-dev pkg-config binutils util-linux
    libbpf-dev bpftool libelf-dev zlib1g-dev libcjson-dev libcriterion-dev
    python3 debootstrap
    libprotobuf-c-dev protobuf-c-compiler golang-go
    libmicrohttpd-dev libcurl4-openssl-dev
    xxd chromium fonts-dejavu-core
    stress-ng  # make test-repeat HOG=1: a CPU hog on every CPU
    openssl    # test_security: a certificate for the HTTPS test
)

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: run as root (sudo $0)" >&2
    exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "install-deps: all packages present"
fi

# Tracepoints are attached through tracefs.
if [ ! -d /sys/kernel/tracing/events ]; then
    mkdir -p /sys/kernel/tracing
    mount -t tracefs nodev /sys/kernel/tracing
    echo "install-deps: mounted tracefs at /sys/kernel/tracing"
fi
if [ ! -r /sys/kernel/btf/vmlinux ]; then
    echo "install-deps: warning: /sys/kernel/btf/vmlinux is missing; CO-RE needs a kernel with BTF" >&2
fi
