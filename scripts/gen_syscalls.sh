#!/bin/sh
# Prints the x86-64 system call names as C array initialisers
# ([0] = "read",) from the kernel's UAPI header, for user/where.c; nothing
# when the header is missing (names then print as "syscall N").
hdr=${1:-/usr/include/x86_64-linux-gnu/asm/unistd_64.h}
[ -r "$hdr" ] || exit 0
awk '$1 == "#define" && $2 ~ /^__NR_[a-z0-9_]+$/ && $3 ~ /^[0-9]+$/ {
	printf "[%d] = \"%s\",\n", $3, substr($2, 6)
}' "$hdr"
