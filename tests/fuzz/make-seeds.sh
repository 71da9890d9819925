#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Writes ELF seeds for fuzz_elf into DIR: small real ELF files made here
# (committing binaries would bloat the repository).
#   tests/fuzz/make-seeds.sh build/fuzz/corpus/elf
set -eu
dir=${1:?usage: make-seeds.sh DIR}
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dir"

# A stand-in for libpython: a .PyRuntime section, Py_Version and the
# symbols the inspector looks up, and a soname to be NEEDED by.
cat > "$tmp/fakepy.c" <<'SRC'
__attribute__((section(".PyRuntime"))) char _PyRuntime[64] = "xdebugpy";
const unsigned long Py_Version = 0x030d00f0;
char PyCode_Type[208];
SRC
"$cc" -shared -fPIC -nostdlib -Wl,-soname,libpython3.99.so.1.0 -Wl,-z,max-page-size=4096 \
	-o "$tmp/libpython3.99.so.1.0" "$tmp/fakepy.c"
cp "$tmp/libpython3.99.so.1.0" "$dir/fakepy.so"
strip -o "$dir/fakepy-stripped.so" "$tmp/libpython3.99.so.1.0"

# An executable that needs it, non-PIE and PIE.
echo 'int main(void) { return 0; }' > "$tmp/main.c"
"$cc" -no-pie -Wl,-z,max-page-size=4096 -o "$tmp/exe" "$tmp/main.c" \
	-L"$tmp" -Wl,--no-as-needed -l:libpython3.99.so.1.0
strip -o "$dir/exe-nopie" "$tmp/exe"
"$cc" -pie -fPIE -Wl,-z,max-page-size=4096 -o "$tmp/exe-pie" "$tmp/main.c" -s
cp "$tmp/exe-pie" "$dir/exe-pie"

# The start of a real system binary (headers, no segments in range).
head -c 8192 /bin/true > "$dir/true-8k"
