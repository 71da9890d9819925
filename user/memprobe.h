/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Where a target's C library maps memory: the file and the entry points
 * of mmap, mremap and sbrk, for uprobes that only the target's processes
 * hit (see docs/design.md, "Memory"). */
#ifndef MLPROF_MEMPROBE_H
#define MLPROF_MEMPROBE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct elfread;

enum memprobe_fn {
	MEMPROBE_MMAP = 0,
	MEMPROBE_MREMAP,
	MEMPROBE_SBRK,
	MEMPROBE_MUNMAP, /* --memory=live only */
	MEMPROBE_NR,
};

struct memprobe_set {
	char path[PATH_MAX];        /* the library, as the daemon can open it */
	uint64_t off[MEMPROBE_NR];  /* file offsets of the entry points */
};

/* The symbol names looked up for each entry point. */
const char *memprobe_symbol(enum memprobe_fn fn);
/* File offsets of the entry points in a C library. 0, -ENOENT if one is
 * missing, -EINVAL if a symbol is not in an executable segment. */
int memprobe_offsets(struct elfread *ef, uint64_t off[MEMPROBE_NR]);
/* File offset of a function symbol in the ELF file at path. 0 or -errno. */
int memprobe_symbol_offset(const char *path, const char *name, uint64_t *off);
/* The file pid maps under the name `mapped` (as its /proc/PID/maps says),
 * as the daemon can open it (/proc/PID/map_files/...). 0 or -errno. */
int memprobe_mapped_file(int pid, const char *mapped, char *out, size_t outlen);
/* Finds the C library that pid maps (or will map: a process still in the
 * dynamic loader), through /proc/PID/map_files or /proc/PID/root. 0,
 * -ESRCH if pid is gone, -ENOENT if no C library is found (a static
 * binary), other -errno. */
int memprobe_resolve(int pid, struct memprobe_set *set);

#endif
