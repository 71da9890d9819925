/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A profile snapshot: everything a report or export is rendered from. The
 * daemon builds one from its store; mlprofctl receives it as JSON (or loads
 * a saved one) and renders it. Reports are pure functions of a snapshot.
 * The JSON form is documented in docs/snapshot.md. */
#ifndef MLPROF_SNAPSHOT_H
#define MLPROF_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#define SNAP_FORMAT_VERSION 1

enum snap_func_kind {
	FUNC_PYTHON = 0,  /* a Python code object */
	FUNC_PSEUDO = 1,  /* time with no Python frame: start-up, native threads */
	FUNC_UNKNOWN = 2, /* a code object whose names never arrived */
	FUNC_ML = 3,      /* user ML code: file is the .ml, line the ML line */
};

struct snap_func {
	char *name;
	char *qualname;
	char *file;
	int32_t line;   /* co_firstlineno; for FUNC_ML the ML definition line */
	uint8_t kind;
	char *py_file;  /* FUNC_ML: the Python file it runs from, else "" */
	int32_t py_line;
};

struct snap_proc {
	uint32_t id;     /* index in procs[] */
	int32_t pid, ppid, ns_pid;
	int32_t parent;  /* index of the image that forked or exec'd it, -1 */
	int32_t root;    /* index of the run's first image (itself for roots) */
	uint32_t exec_seq;
	char *comm;
	char *cmdline;
	char *exe;
	char *python;    /* version, "" if none */
	char *status;    /* inspect_status_str() */
	char *message;   /* why it is not profiled, "" if it is */
	int32_t mlpy;    /* 1: an mlpy CLI run, 2: an mlpy sandbox child, 0 */
	char *ml_file;   /* the .ml program of an mlpy run, "" */
	char *ml_note;   /* what went wrong mapping to .ml files, "" */
	char *ml_lines;  /* where ML lines come from (mlmap__lines_from), "" */
	char *container; /* "" on the host, else "root=DIR pidns=INODE" */
	uint64_t start_ns, end_ns; /* CLOCK_MONOTONIC; end_ns 0 while running */
	int32_t ended;   /* 1 exited, 2 replaced by exec */
	int32_t exit_code;
	uint64_t maxrss_kb;    /* peak RSS (so far, if running) */
	uint64_t peak_heap_kb; /* largest anonymous resident memory seen, 0 unknown */
	uint64_t samples;
	uint64_t alloc_bytes;
	uint64_t resident_bytes;
	int64_t live_bytes;  /* --memory=live: held at the end (now if running) */
};

struct snap_frame {
	uint32_t func;
	int32_t line; /* line of the sampled instruction (ML line for FUNC_ML), -1 unknown */
};

struct snap_stack {
	uint32_t proc;
	uint32_t nframes; /* frames[0] is the innermost */
	uint64_t samples;
	uint64_t alloc_bytes;    /* memory mapped (anon mmap, mremap, brk growth) */
	uint64_t alloc_count;    /* mapping events */
	uint64_t resident_bytes; /* made resident (sampled user page faults) */
	int64_t live_bytes;      /* --memory=live: mapped minus given back */
	uint64_t t;              /* start of its time bucket (CLOCK_MONOTONIC ns);
				  * 0: not bucketed (the whole profile) */
	struct snap_frame *frames;
};

struct snap_stats {
	uint64_t samples;          /* samples of target threads seen by BPF */
	uint64_t sample_drops;     /* lost: ring buffer full */
	uint64_t code_drops;       /* code events lost (retried) */
	uint64_t proc_drops;       /* process events lost */
	uint64_t truncated;        /* stacks deeper than the walk */
	uint64_t read_errors;      /* walks cut by an unreadable address */
	uint64_t stack_overflow;   /* samples folded: stack table full */
	uint64_t evicted_procs;    /* process records dropped: table full */
	uint64_t evicted_samples;  /* their samples */
	uint64_t unresolved_frames;
	uint64_t ml_lines_unmapped; /* ML frames whose .ml line is unknown */
	uint64_t lost_samples;     /* samples not stored: tables full */
	uint64_t lost_alloc_bytes; /* allocated bytes not stored: tables full */
	uint64_t mem_events;       /* memory stack events */
	uint64_t mem_drops;        /* memory stack events lost: ring buffer full */
	uint64_t memop_drops;      /* live: unmap/remap/shrink events lost (bytes stay live) */
	uint64_t live_untracked_bytes; /* live: mapped bytes whose address could not be kept */
	/* Bounded history (docs/snapshot.md): what left the store. */
	uint64_t evicted_buckets;      /* time buckets dropped (aged out or a cap) */
	uint64_t cap_evicted_buckets;  /* of those, dropped before the retention: a table was full */
	uint64_t evicted_bucket_samples;     /* the samples they held */
	uint64_t evicted_bucket_alloc_bytes; /* the mapped bytes they held */
	uint64_t expired_stacks;   /* stack records freed: no bucket used them */
	uint64_t expired_procs;    /* ended process records freed: nothing left in retention */
	uint64_t expired_funcs;    /* functions freed: no stack or live process used them */
};

struct snap {
	uint32_t freq_hz;
	uint32_t memory;     /* 1 if memory was measured */
	uint32_t fault_period;
	char *host;
	uint64_t start_ns;   /* daemon start (or reset), CLOCK_MONOTONIC */
	uint64_t now_ns;
	int64_t mono_to_real_ns; /* add to a CLOCK_MONOTONIC time for wall clock */
	uint64_t bucket_ns;      /* time bucket length; 0: stacks are not bucketed */
	uint64_t retention_ns;   /* how long buckets are kept; 0: unknown */
	/* Set by a time-range filter: the range covered, rounded to buckets
	 * (CLOCK_MONOTONIC ns); both 0 when no range was asked for. */
	uint64_t range_from_ns, range_to_ns;
	struct snap_stats stats;
	struct snap_func *funcs;
	size_t nfuncs;
	struct snap_proc *procs;
	size_t nprocs;
	struct snap_stack *stacks;
	size_t nstacks;
	int32_t clock;       /* enum sample_clock (sclock.h); tick: freq_hz counts microseconds */
};

/* What part of a profile a report covers. */
struct snap_scope {
	int32_t pid;        /* 0: all */
	uint64_t since_ns;  /* samples at or after this time (CLOCK_MONOTONIC); 0: from the start */
	uint64_t until_ns;  /* samples before this time; 0: up to now */
	int32_t run;        /* index of a run's root image + 1; 0: all */
};

struct cJSON;

void snap_free(struct snap *s);
/* JSON form (the "snapshot" object of the protocol). NULL on ENOMEM. */
struct cJSON *snap_to_json(const struct snap *s);
/* Parses and validates; on error returns -EINVAL and a message in err. */
int snap_from_json(const struct cJSON *obj, struct snap *s, char *err, size_t errlen);
/* The same from a snapshot's JSON text (a bare snapshot object or one
 * wrapped as {"snapshot": {...}}, as saved), parsing one function,
 * process and stack at a time: memory stays about the size of the text
 * plus the snapshot, where parsing the text whole costs 15-17 times the
 * text. 0 or -errno with the reason in err. */
int snap_from_text(const char *text, size_t len, struct snap *s, char *err, size_t errlen);
/* Keeps only what the scope selects (processes, and the stacks and
 * functions they use). A time range (since_ns/until_ns) keeps the stacks of
 * time buckets that overlap it (stacks without a bucket: those of processes
 * alive in it), the processes alive in it or with samples in it (their
 * counts recomputed from the stacks kept), and sets range_from_ns and
 * range_to_ns. 0 or -ENOMEM. */
int snap_filter(struct snap *s, const struct snap_scope *scope);
/* The root index of the most recent run (process tree) that ran mlpy and
 * has finished, or -1. */
int32_t snap_last_mlpy_run(const struct snap *s);
/* Samples of the stacks kept (what reports add up). */
uint64_t snap_total_samples(const struct snap *s);

#endif
