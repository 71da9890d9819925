// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Finds a target's C library and the file offsets of its memory-mapping
 * entry points. The library is controlled by the target (a container may
 * ship its own): every value comes through elfread's checked accessors. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "elfread.h"
#include "memprobe.h"
#include "procmaps.h"

/* glibc's malloc, pymalloc's arenas and mmap(2) callers all reach these
 * (the internal aliases __mmap and __brk share the same code). */
static const char *const symbols[MEMPROBE_NR] = { "mmap", "mremap", "sbrk", "munmap" };

const char *memprobe_symbol(enum memprobe_fn fn)
{
	return (unsigned)fn < MEMPROBE_NR ? symbols[fn] : "?";
}

/* The file offset of a link-time address inside an executable segment. */
static int vaddr_to_offset(const struct elfread_load *loads, size_t n, uint64_t vaddr,
			   uint64_t *off)
{
	int err = -EINVAL;
	size_t i;

	for (i = 0; i < n && err; i++) {
		if (!(loads[i].flags & PF_X) || vaddr < loads[i].vaddr ||
		    vaddr - loads[i].vaddr >= loads[i].filesz)
			continue;
		*off = vaddr - loads[i].vaddr + loads[i].offset;
		err = 0;
	}
	return err;
}

int memprobe_offsets(struct elfread *ef, uint64_t off[MEMPROBE_NR])
{
	const struct elfread_load *loads;
	uint64_t value, size;
	size_t n = elfread_loads(ef, &loads);
	int err = 0, i;

	for (i = 0; i < MEMPROBE_NR && !err; i++) {
		err = elfread_symbol(ef, symbols[i], &value, &size);
		if (!err)
			err = vaddr_to_offset(loads, n, value, &off[i]);
	}
	return err;
}

int memprobe_symbol_offset(const char *path, const char *name, uint64_t *off)
{
	const struct elfread_load *loads;
	struct elfread *ef = elfread_open(path);
	uint64_t value, size;
	size_t n;
	int err;

	if (!ef)
		return -errno;
	n = elfread_loads(ef, &loads);
	err = elfread_symbol(ef, name, &value, &size);
	if (!err)
		err = vaddr_to_offset(loads, n, value, off);
	elfread_close(ef);
	return err;
}

int memprobe_mapped_file(int pid, const char *mapped, char *out, size_t outlen)
{
	struct mapping *maps = NULL;
	size_t n = 0, i;
	int err = procmaps_read(pid, &maps, &n);

	if (!err)
		err = -ENOENT;
	for (i = 0; i < n && err == -ENOENT; i++) {
		if (strcmp(maps[i].path, mapped))
			continue;
		snprintf(out, outlen, "/proc/%d/map_files/%llx-%llx", pid,
			 (unsigned long long)maps[i].start, (unsigned long long)maps[i].end);
		err = 0;
	}
	procmaps_free(maps, n);
	return err;
}

static int is_libc(const char *path)
{
	const char *base = procmaps_basename(path);

	return !strncmp(base, "libc.so", 7) || !strncmp(base, "libc-2.", 7);
}

/* Tries one candidate file: 0 and set filled, or -errno. */
static int try_file(const char *path, struct memprobe_set *set)
{
	struct elfread *ef;
	int err;

	if (snprintf(set->path, sizeof(set->path), "%s", path) >= (int)sizeof(set->path))
		return -ENAMETOOLONG;
	ef = elfread_open(set->path);
	if (!ef)
		return -errno;
	err = memprobe_offsets(ef, set->off);
	elfread_close(ef);
	return err;
}

/* The C library in pid's mappings, opened through map_files (the file the
 * process really has, in whatever mount namespace). */
static int from_maps(int pid, struct memprobe_set *set)
{
	struct mapping *maps = NULL;
	size_t n = 0, i;
	char path[96];
	int err;

	err = procmaps_read(pid, &maps, &n);
	if (!err)
		err = -ENOENT;
	for (i = 0; i < n && err && err != -ESRCH; i++) {
		if (!maps[i].path[0] || !is_libc(maps[i].path))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", pid,
			 (unsigned long long)maps[i].start, (unsigned long long)maps[i].end);
		err = try_file(path, set);
	}
	procmaps_free(maps, n);
	return err;
}

/* A process still in the dynamic loader has not mapped its C library
 * yet: look where Debian-like systems keep it, inside its root. */
static int from_root(int pid, struct memprobe_set *set)
{
	static const char *const dirs[] = {
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
		"/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
	};
	char path[PATH_MAX];
	size_t i;
	int err = -ENOENT;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && err; i++) {
		snprintf(path, sizeof(path), "/proc/%d/root%s/libc.so.6", pid, dirs[i]);
		if (access(path, R_OK))
			continue;
		err = try_file(path, set);
	}
	return err;
}

int memprobe_resolve(int pid, struct memprobe_set *set)
{
	int err = from_maps(pid, set);

	if (err == -ENOENT)
		err = from_root(pid, set);
	return err;
}
