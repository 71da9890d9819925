/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The daemon's profile store: functions, process images and stacks with
 * their counts per time bucket. Bounded: buckets older than the retention
 * are dropped, and then the stacks, ended processes and functions nothing
 * uses any more; when a table is full the oldest bucket goes first (then
 * the oldest finished process); everything dropped or not stored is
 * counted. */
#ifndef MLPROF_STORE_H
#define MLPROF_STORE_H

#include <stdint.h>
#include "inspect.h"
#include "snapshot.h"

struct symtab;

struct store_limits {
	uint32_t max_procs;    /* process images kept */
	uint32_t max_stacks;   /* distinct stacks kept */
	uint32_t max_funcs;    /* distinct functions kept */
	uint32_t max_entries;  /* (stack, bucket) counts kept */
	uint64_t bucket_ns;    /* time bucket length */
	uint64_t retention_ns; /* buckets are dropped when they end this long ago */
};

#define STORE_DEFAULT_LIMITS \
	{ 4096, 500000, 200000, 2000000, 60ULL * 1000000000, 24ULL * 3600 * 1000000000 }

/* A process image: a pid between two execs (or fork and exec, or exec and
 * exit). */
struct proc_rec {
	uint32_t id;        /* stable while the record lives, never 0 */
	int32_t pid, ppid, ns_pid;
	uint32_t exec_seq;
	uint32_t parent_id; /* id of the image that forked/exec'd it, 0 none */
	int32_t root_pid;   /* pid of the target tree's root, 0 unknown */
	char comm[16];
	char *cmdline;
	char *exe;
	char python[24];
	enum inspect_status inspect_status;
	char message[192];
	uint64_t start_ns, end_ns;
	enum proc_end ended;
	int exit_code;
	uint64_t maxrss_kb;   /* peak RSS: the kernel's at exit, seen so far while running */
	uint64_t peak_heap_kb; /* largest anonymous resident memory seen */
	uint64_t samples;
	uint64_t alloc_bytes, alloc_count, resident_bytes;
	int64_t live_bytes;  /* --memory=live: held now (at the end once ended) */
	struct symtab *syms; /* freed when the image ends */
	char *cwd;
	char *container;    /* "" on the host; else its root and PID namespace */
	enum mlpy_role mlpy;
	int in_mlpy;        /* this image or an ancestor is an mlpy run */
	char *ml_file;      /* the .ml program (mlpy CLI and its sandbox) */
	char ml_note[256];
	const char *ml_lines; /* mlmap__lines_from(), static; NULL: none */
	struct mlmap *ml;   /* ML attribution; freed when the image ends */
	/* Frees ml: set with it by mlpy support (mlpyattr), so the store
	 * frees a record's ML attribution without knowing what it is. */
	void (*ml_free)(struct mlmap *ml);
};

struct frame_ref {
	uint32_t func;
	int32_t line;
};

/* Pseudo functions for samples with no Python frame. */
enum store_pseudo {
	PSEUDO_STARTUP = 0,  /* interpreter not inspected or not initialised */
	PSEUDO_NATIVE,       /* a thread with no PyThreadState */
	PSEUDO_NO_FRAME,     /* a Python thread running no Python code */
	PSEUDO_TRUNCATED,    /* stands for the frames beyond the walk limit */
	PSEUDO_UNKNOWN_CODE, /* a code object whose names never arrived */
	PSEUDO_READ_ERROR,   /* the walk hit unreadable memory here */
	PSEUDO_FUNCS_FULL,   /* the function table was full */
	PSEUDO_NOT_PYTHON,   /* a target that is not a walkable CPython */
	PSEUDO_SHUTDOWN,     /* the finalizing thread, no Python frame */
	PSEUDO_GC,           /* on top of a stack: the cyclic GC runs */
	PSEUDO_NR,
};

struct store;

struct store *store__new(const struct store_limits *lim, uint64_t now_ns);
void store__free(struct store *st);
/* Forgets every profile (processes that still run keep their records and
 * symbols, with their counts cleared). */
void store__reset(struct store *st, uint64_t now_ns);

uint32_t store__pseudo(const struct store *st, enum store_pseudo which);
/* Interns a function; returns its id (PSEUDO_FUNCS_FULL's when full).
 * py_file/py_line: for FUNC_ML, where it runs from (not part of its
 * identity: an ML function is the same across runs). */
uint32_t store__func(struct store *st, const char *file, const char *name,
		     const char *qualname, int32_t line, int kind, const char *py_file,
		     int32_t py_line);
/* The image with this id (live or ended), or NULL. */
struct proc_rec *store__proc_by_id(struct store *st, uint32_t id);

/* The most recent image of pid with this exec_seq that has ended, or NULL
 * (a sample can arrive after the exit event of its process). */
struct proc_rec *store__proc_ended(struct store *st, int32_t pid, uint32_t exec_seq);
/* The live image of pid, or NULL. */
struct proc_rec *store__proc(struct store *st, int32_t pid);
/* Starts a new image for pid, child of `parent` (NULL for a root). A live
 * previous image of pid is ended as replaced by exec. NULL (and counted)
 * when the table is full of live processes, or on ENOMEM. */
struct proc_rec *store__proc_start(struct store *st, int32_t pid, uint32_t exec_seq,
				   uint64_t ts_ns, const struct proc_rec *parent);
/* Marks the image ended (exited or replaced by exec) and frees its symbols. */
void store__proc_end(struct store *st, struct proc_rec *p, enum proc_end how, uint64_t ts_ns);
size_t store__proc_count(const struct store *st);
size_t store__stack_count(const struct store *st);
size_t store__func_count(const struct store *st);
size_t store__bucket_count(const struct store *st);
size_t store__entry_count(const struct store *st);
/* Drops the buckets that ended more than the retention before now, then
 * frees the stacks, ended processes and functions that nothing kept uses
 * (at most once a bucket when no bucket was dropped). Counted in the
 * stats. */
void store__expire(struct store *st, uint64_t now_ns);
/* Function ids held outside the store until they are charged (the stacks of
 * off-CPU intervals still open): whenever unused functions are freed (expiry,
 * reset), fn(ctx, mark, mark_ctx) calls mark(id, mark_ctx) for each id it
 * holds, and those stay. Without it such an id could be freed and given to
 * another function, which would then be charged. fn NULL: none. */
typedef void (*store_mark_fn)(uint32_t func, void *mark_ctx);
typedef void (*store_holders_fn)(void *ctx, store_mark_fn mark, void *mark_ctx);
void store__set_holders(struct store *st, store_holders_fn fn, void *ctx);
/* Calls fn on every live (not ended) image. */
void store__for_each_live(struct store *st, void (*fn)(struct proc_rec *p, void *ctx),
			  void *ctx);

/* What one stack event adds. */
struct stack_counts {
	uint64_t samples;
	uint64_t alloc_bytes;
	uint64_t alloc_count;
	uint64_t resident_bytes;
	int64_t live_bytes; /* --memory=live: mapped (+) and given back (-) */
};

/* Adds an event's counts to a stack (frames[0] innermost) of p, in the
 * time bucket of ts_ns (CLOCK_MONOTONIC). */
void store__add_sample(struct store *st, struct proc_rec *p, const struct frame_ref *frames,
		       uint32_t n, const struct stack_counts *add, uint64_t ts_ns);

/* Counters kept by the collector and reported in snapshots. */
struct snap_stats *store__stats(struct store *st);

/* A copy of everything, in snapshot form: one stack entry per (stack,
 * bucket), with bucket_ns and retention_ns set. 0 or -ENOMEM. */
int store__snapshot(const struct store *st, struct snap *out);
/* The same without the stack entries of buckets that ended before
 * since_ns (0: all): what a snapshot scoped to since_ns keeps anyway, not
 * copied (the HTTP and push windows ask only for their last seconds). */
int store__snapshot_since(const struct store *st, uint64_t since_ns, struct snap *out);

#endif
