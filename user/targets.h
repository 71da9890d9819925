/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Which processes become targets (the --target mode), the running ones a
 * start-up scan finds, and the target trees: a root's perf events live as
 * long as any process of its tree does. */
#ifndef MLPROF_TARGETS_H
#define MLPROF_TARGETS_H

#include "opts.h"

struct cmdline;
struct collector_ops;
struct inspect_result;

/* 1 if the mode selects a process with this command line (in python mode
 * every process is a candidate: targets__is_python decides). */
int targets__wanted(enum target_mode mode, const struct cmdline *cl);
/* Python mode: 1 if the inspection says it is a CPython (one not walkable
 * yet, or not supported, is kept too: it is shown with the reason). */
int targets__is_python(const struct inspect_result *res);

/* Start-up scan of the running descendants of targets: passes over every
 * process (ops->for_each_pid), each one generation deeper (at most 16);
 * for a process that is not a target (is_target) but whose parent (its
 * ppid) is, add_child(arg, ppid, pid) returns 1 if it made it one.
 * Returns how many were added. */
int targets__scan_descendants(const struct collector_ops *ops, int (*is_target)(void *arg, int pid),
			      int (*add_child)(void *arg, int ppid, int pid), void *arg);

/* Target trees: root pid -> its live members. */
struct target_trees;

struct target_trees *targets__trees_new(void);
void targets__trees_free(struct target_trees *t);
/* A member of root's tree started (root 0: none, ignored). 0 or -ENOMEM. */
int targets__tree_join(struct target_trees *t, int root);
/* A member ended; 1 if it was the tree's last (the root's perf events can
 * go), else 0. */
int targets__tree_leave(struct target_trees *t, int root);
/* Live members of root's tree (tests, status). */
unsigned targets__tree_members(const struct target_trees *t, int root);

#endif
