// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Names of the where leaf frames: system calls, shared objects. */
#include <errno.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mlprof_abi.h"
#include "procmaps.h"
#include "store.h"
#include "where.h"

/* x86-64 system call names, generated at build time from the kernel
 * headers (scripts/gen_syscalls.sh); empty elsewhere. */
static const char *const syscall_names[] = {
#include "syscall_names.h"
	NULL,
};

#define NSYSCALLS (sizeof(syscall_names) / sizeof(syscall_names[0]))

const char *where_syscall_name(int nr, char *buf, size_t len)
{
	if (nr < 0)
		snprintf(buf, len, "fault/irq");
	else if ((size_t)nr < NSYSCALLS && syscall_names[nr])
		snprintf(buf, len, "%s", syscall_names[nr]);
	else
		snprintf(buf, len, "syscall %d", nr);
	return buf;
}

/* Where the version and ABI suffixes of a shared object's name begin. */
static size_t stem_len(const char *base)
{
	static const char *const cuts[] = { ".so", ".cpython-", ".abi3", ".pypy" };
	size_t n = strlen(base), i;
	const char *p;

	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		p = strstr(base, cuts[i]);
		if (p && p > base && (size_t)(p - base) < n)
			n = (size_t)(p - base);
	}
	return n;
}

const char *where_obj_name(const char *file, char *buf, size_t len)
{
	const char *base = procmaps_basename(file ? file : "");
	size_t n = stem_len(base), i;

	if (len && n >= len)
		n = len - 1;
	for (i = 0; i < n; i++)
		buf[i] = base[i] > 0x20 && base[i] < 0x7f ? base[i] : '?';
	if (len && n)
		buf[n] = 0;
	else if (len)
		snprintf(buf, len, "?");
	return buf;
}

enum where_kind where_leaf_name(uint32_t where, int32_t syscall, const char *obj, char *buf,
				size_t len)
{
	char name[MLPROF_OBJ_NAME + 1];
	enum where_kind k = WHERE_NONE;

	if (where == MLPROF_WH_NATIVE) {
		/* obj comes from the target's file names: bounded here. */
		snprintf(name, sizeof(name), "%.*s", MLPROF_OBJ_NAME, obj);
		where_obj_name(name, name, sizeof(name));
		snprintf(buf, len, "<native: %s>", name);
		k = WHERE_NATIVE;
	} else if (where == MLPROF_WH_KERNEL) {
		where_syscall_name(syscall, name, sizeof(name));
		snprintf(buf, len, "<kernel: %s>", name);
		k = WHERE_KERNEL;
	}
	return k;
}

enum where_kind where_func_kind(const struct snap_func *f)
{
	enum where_kind k = WHERE_NONE;

	if (f->kind != FUNC_PSEUDO || !f->name)
		k = WHERE_NONE;
	else if (!strncmp(f->name, "<native: ", 9))
		k = WHERE_NATIVE;
	else if (!strncmp(f->name, "<kernel: ", 9))
		k = WHERE_KERNEL;
	else if (!strncmp(f->name, "<wait: ", 7))
		k = WHERE_WAIT;
	return k;
}

uint8_t *where_func_kinds(const struct snap *s)
{
	uint8_t *k = calloc(s->nfuncs + 1, 1);
	size_t i;

	for (i = 0; k && i < s->nfuncs; i++)
		k[i] = (uint8_t)where_func_kind(&s->funcs[i]);
	return k;
}

int where_text_range(const struct mapping *maps, size_t n, const struct mapping *m,
		     uint64_t *lo, uint64_t *hi)
{
	size_t i;

	*lo = 0;
	*hi = 0;
	for (i = 0; i < n; i++) {
		if (maps[i].inode != m->inode || maps[i].dev_major != m->dev_major ||
		    maps[i].dev_minor != m->dev_minor || maps[i].perms[2] != 'x')
			continue;
		if (!*hi || maps[i].start < *lo)
			*lo = maps[i].start;
		if (maps[i].end > *hi)
			*hi = maps[i].end;
	}
	return *hi ? 0 : -ENOENT;
}

enum where_kind where_add_leaf(struct store *st, uint32_t where, int32_t syscall,
			       const char *obj, struct frame_ref *frames, uint32_t *n)
{
	char name[MLPROF_OBJ_NAME + 32];
	enum where_kind k = where_leaf_name(where, syscall, obj, name, sizeof(name));

	if (k != WHERE_NONE) {
		memmove(frames + 1, frames, *n * sizeof(*frames));
		frames[0].func = store__func(st, "~", name, name, 0, FUNC_PSEUDO, "", 0);
		frames[0].line = -1;
		(*n)++;
	}
	return k;
}

static int cmp_pair(const void *a, const void *b)
{
	const struct where_row *x = a, *y = b;

	if (x->func != y->func)
		return (x->func > y->func) - (x->func < y->func);
	return (x->leaf > y->leaf) - (x->leaf < y->leaf);
}

static int cmp_samples(const void *a, const void *b)
{
	const struct where_row *x = a, *y = b;

	if (x->samples != y->samples)
		return (x->samples < y->samples) - (x->samples > y->samples);
	return cmp_pair(a, b);
}

int where_rows(const struct snap *s, struct where_row **rows, size_t *n)
{
	uint8_t *wk = where_func_kinds(s);
	struct where_row *r = calloc(s->nstacks + 1, sizeof(*r));
	size_t i, k = 0, m = 0;
	int err = 0;

	*rows = NULL;
	*n = 0;
	if (!wk || !r) {
		err = -ENOMEM;
		free(r);
		goto out;
	}
	for (i = 0; i < s->nstacks; i++) {
		const struct snap_stack *st = &s->stacks[i];

		if (st->nframes > 1 && wk[st->frames[0].func] != WHERE_NONE && st->samples)
			r[k++] = (struct where_row){ st->frames[1].func, st->frames[0].func,
						     st->samples };
	}
	qsort(r, k, sizeof(*r), cmp_pair);
	for (i = 0; i < k; i++) {
		if (m && !cmp_pair(&r[m - 1], &r[i]))
			r[m - 1].samples += r[i].samples;
		else
			r[m++] = r[i];
	}
	qsort(r, m, sizeof(*r), cmp_samples);
	*rows = r;
	*n = m;
out:
	free(wk);
	return err;
}

/* Reasons by system call name (x86-64 names; elsewhere they print as
 * numbers and fall to the state). */
static const struct {
	const char *reason;
	const char *const *calls;
} wait_reasons[] = {
	{ "sleep", (const char *const[]){ "nanosleep", "clock_nanosleep", "pause", "alarm",
					  "rt_sigsuspend", "rt_sigtimedwait", NULL } },
	{ "lock", (const char *const[]){ "futex", "futex_waitv", "flock", "semop", "semtimedop",
					 NULL } },
	{ "child wait", (const char *const[]){ "wait4", "waitid", NULL } },
	{ "I/O", (const char *const[]){ "read", "write", "readv", "writev", "pread64", "pwrite64",
					"preadv", "pwritev", "preadv2", "pwritev2", "recvfrom",
					"recvmsg", "recvmmsg", "sendto", "sendmsg", "sendmmsg",
					"accept", "accept4", "connect", "poll", "ppoll", "select",
					"pselect6", "epoll_wait", "epoll_pwait", "epoll_pwait2",
					"io_uring_enter", "io_getevents", "fsync", "fdatasync",
					"sync_file_range", "openat", "open", "close", "splice",
					"sendfile", "copy_file_range", "msync", NULL } },
};

const char *where_wait_name(uint64_t state, int32_t syscall, char *buf, size_t len)
{
	const char *reason = NULL;
	char name[48];
	size_t i, k;

	where_syscall_name(syscall, name, sizeof(name));
	for (i = 0; !reason && syscall >= 0 && i < sizeof(wait_reasons) / sizeof(wait_reasons[0]);
	     i++) {
		for (k = 0; !reason && wait_reasons[i].calls[k]; k++) {
			if (!strcmp(name, wait_reasons[i].calls[k]))
				reason = wait_reasons[i].reason;
		}
	}
	if (!reason && syscall < 0)
		reason = "page fault";
	else if (!reason && (state & 0x2)) /* TASK_UNINTERRUPTIBLE: the kernel waits on a device */
		reason = "I/O";
	else if (!reason)
		reason = "other";
	if (syscall < 0)
		snprintf(buf, len, "<wait: %s>", reason);
	else
		snprintf(buf, len, "<wait: %s (%s)>", reason, name);
	return buf;
}

uint64_t where_wait_samples(const struct snap *s)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < s->nstacks; i++) {
		if (s->stacks[i].nframes &&
		    where_func_kind(&s->funcs[s->stacks[i].frames[0].func]) == WHERE_WAIT)
			n += s->stacks[i].samples;
	}
	return n;
}
