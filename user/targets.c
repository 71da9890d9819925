// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Target selection, start-up scans and target trees (see targets.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "cmdline.h"
#include "collector.h"
#include "hashmap.h"
#include "inspect.h"
#include "mlpyattr.h"
#include "targets.h"

/* Generations of descendants a start-up scan follows. */
#define SCAN_PASSES 16

int targets__wanted(enum target_mode mode, const struct cmdline *cl)
{
	int want = 0;

	if (mode == TARGET_MLPY)
		want = mlpyattr_is_cli(cl);
	else if (mode == TARGET_PYTHON)
		want = 1; /* decided by inspection */
	return want;
}

int targets__is_python(const struct inspect_result *res)
{
	return res->status == INSPECT_OK || res->status == INSPECT_NOT_READY ||
	       res->status == INSPECT_UNSUPPORTED;
}

struct scan {
	const struct collector_ops *ops;
	int (*is_target)(void *arg, int pid);
	int (*add_child)(void *arg, int ppid, int pid);
	void *arg;
	int added, more;
};

static void scan_one(void *ctx, int pid)
{
	struct scan *sc = ctx;
	int ppid;

	if (sc->is_target(sc->arg, pid))
		return;
	ppid = sc->ops->read_ppid(sc->ops->ctx, pid);
	if (ppid > 0 && sc->is_target(sc->arg, ppid) && sc->add_child(sc->arg, ppid, pid)) {
		sc->added++;
		sc->more = 1;
	}
}

int targets__scan_descendants(const struct collector_ops *ops, int (*is_target)(void *arg, int pid),
			      int (*add_child)(void *arg, int ppid, int pid), void *arg)
{
	struct scan sc = { ops, is_target, add_child, arg, 0, 1 };
	int pass;

	for (pass = 0; pass < SCAN_PASSES && sc.more; pass++) {
		sc.more = 0;
		ops->for_each_pid(ops->ctx, scan_one, &sc);
	}
	return sc.added;
}

struct target_trees {
	struct hashmap *n; /* root pid -> live members */
};

struct target_trees *targets__trees_new(void)
{
	struct target_trees *t = calloc(1, sizeof(*t));

	if (t && !(t->n = hashmap__new(NULL, NULL))) {
		free(t);
		t = NULL;
	}
	return t;
}

void targets__trees_free(struct target_trees *t)
{
	if (t)
		hashmap__free(t->n);
	free(t);
}

unsigned targets__tree_members(const struct target_trees *t, int root)
{
	return (unsigned)(uintptr_t)hashmap__find(t->n, (uint32_t)root);
}

int targets__tree_join(struct target_trees *t, int root)
{
	uintptr_t n = (uintptr_t)hashmap__find(t->n, (uint32_t)root);

	return root ? hashmap__set(t->n, (uint32_t)root, (void *)(n + 1), NULL) : 0;
}

int targets__tree_leave(struct target_trees *t, int root)
{
	uintptr_t n = (uintptr_t)hashmap__find(t->n, (uint32_t)root);
	int last = 0;

	if (root && n > 1) {
		hashmap__set(t->n, (uint32_t)root, (void *)(n - 1), NULL);
	} else if (root && n) {
		hashmap__delete(t->n, (uint32_t)root);
		last = 1;
	}
	return last;
}
