/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the ML and developer reports show, computed once from a snapshot:
 * each sample belongs to one category (the innermost frame that is not
 * Python stdlib, interpreter or unclassified owns it), ML time belongs to
 * the innermost ML function, and runs are process trees. */
#ifndef MLPROF_VIEW_H
#define MLPROF_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include "analysis.h"
#include "classify.h"
#include "snapshot.h"

struct ml_func {
	uint32_t func;
	uint64_t samples;        /* samples owned by this ML function */
	uint64_t own;            /* ... running its own code */
	uint64_t in_stdlib;      /* ... in Python stdlib/builtins it called */
	uint64_t in_bridges;     /* ... in ML stdlib bridges it called */
	uint64_t in_runtime;     /* ... in mlpy runtime checks on its behalf */
	uint64_t total;          /* samples with it anywhere (once each) */
	int32_t hot_line;        /* ML line with most owned samples, -1 */
	uint64_t hot_line_samples;
	uint64_t alloc_bytes;    /* memory mapped while it was the innermost ML
				  * function (its own code and everything it
				  * called: bridges, builtins, runtime) */
	uint64_t resident_bytes; /* memory made resident the same way */
	/* Of samples: under a where leaf (user/where.h) in native code and
	 * in the kernel (at any depth below it), and the leaf with the most
	 * of them (UINT32_MAX none). */
	uint64_t in_native, in_kernel;
	uint32_t top_leaf;
	uint64_t top_leaf_samples;
	uint64_t direct_leaf;    /* of own: under a leaf right below it */
};

struct ml_file {
	const char *file;
	uint64_t samples;
	uint64_t alloc_bytes;
	size_t nfuncs;
};

struct cat_func {
	uint32_t func;
	uint64_t samples;        /* samples of the category owned by it */
	uint64_t alloc_bytes;    /* memory of the category it mapped */
};

struct view {
	const struct snap *s;
	uint64_t total;               /* all samples in scope */
	uint64_t cat[CAT_NR];         /* samples per category */
	uint64_t cat_alloc[CAT_NR];   /* bytes mapped per category */
	uint64_t cat_resident[CAT_NR];
	uint64_t alloc_total, resident_total;
	uint64_t ml_alloc, ml_resident; /* with an ML function on the stack */
	int memory;                   /* memory was measured */
	uint8_t *func_cat;            /* per function (enum category) */
	struct func_stat *funcs;      /* self/total per function */
	size_t nfuncs;
	struct ml_func *ml;           /* by samples, descending: every ML
				       * function on a sampled stack */
	struct ml_func **ml_by_total; /* the same, by total, descending */
	size_t nml;
	struct ml_file *files;        /* by samples, descending */
	size_t nfiles;
	struct cat_func *by_cat[CAT_NR]; /* functions owning each category */
	size_t nby_cat[CAT_NR];
	size_t nruns, nruns_mlpy;
	double wall_s;                /* sum of run wall times (mlpy runs if any) */
	uint64_t peak_rss_kb;         /* largest peak RSS of a process in scope */
	uint64_t peak_heap_kb;        /* largest anonymous resident memory of one */
	uint64_t shutdown, gc;        /* samples under <interpreter shutdown>, of
				       * <garbage collection> (user/pyphase.h) */
	uint8_t *where_kind;          /* per function: enum where_kind */
	uint64_t wait;                /* of total: --mode wall waiting (off-CPU) */
};

int view_build(const struct snap *s, struct view *v);
void view_free(struct view *v);
double view_secs(const struct view *v, uint64_t samples);
double view_pct(uint64_t part, uint64_t whole);
/* Bytes as "12.3 MB" (MiB, one decimal), or "-" when memory was not measured. */
const char *view_mb(const struct view *v, uint64_t bytes, char *buf, size_t len);
/* "name (file.ml:line)" for an ML function, "qualname (file:line)" else. */
void view_func_label(const struct view *v, uint32_t func, char *buf, size_t len);
uint64_t view_overhead(const struct view *v); /* samples in mlpy's own categories */
/* The category of each function (s->nfuncs entries, enum category),
 * malloc'd; NULL on ENOMEM. */
uint8_t *view_func_cats(const struct snap *s);
/* The category that owns a stack's samples (as view_build counts them). */
enum category view_stack_cat(const uint8_t *func_cat, const struct snap_stack *st);

#endif
