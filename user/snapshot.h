/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A profile snapshot: everything a report or export is rendered from. The
 * daemon builds one from its store; mlprofctl receives it as JSON (or loads
 * a saved one) and renders it. Reports are pure functions of a snapshot.
 * The JSON form is documented in docs/snapshot.md. */
#ifndef MLPROF_SNAPSHOT_H
#define MLPROF_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include "sclock.h"
#include "snapstats.h"

#define SNAP_FORMAT_VERSION 1

enum snap_func_kind {
	FUNC_PYTHON = 0,  /* a Python code object */
	FUNC_PSEUDO = 1,  /* time with no Python frame: start-up, native threads */
	FUNC_UNKNOWN = 2, /* a code object whose names never arrived */
	FUNC_ML = 3,      /* user ML code: file is the .ml, line the ML line */
};

/* What a profile measured besides time (--no-memory, --memory,
 * --memory=live); the JSON "memory" number. */
enum snap_memory {
	SNAP_MEM_OFF = 0,  /* time only */
	SNAP_MEM_ON = 1,   /* bytes mapped and made resident */
	SNAP_MEM_LIVE = 2, /* also bytes still held */
};

/* How a process image ended; the JSON "ended" number. */
enum proc_end {
	PROC_RUNNING = 0,
	PROC_EXITED = 1,
	PROC_EXECED = 2, /* replaced by an exec (the next image goes on) */
};

/* A process's part in an mlpy run; the JSON "mlpy" number. */
enum mlpy_role {
	MLPY_NONE = 0,
	MLPY_CLI = 1,     /* the mlpy command-line process */
	MLPY_SANDBOX = 2, /* the sandbox child that runs the user's code */
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

/* Every field of a process image in a snapshot, declared once: struct
 * snap_proc, its JSON (both ways), freeing, copying, the store's copy of
 * its live record (struct proc_rec) and deltas are made from this table.
 *
 * X(field, ctype, kind, json, flags, lo, hi, rec):
 *   kind   SP_NUM (an integer or enum, a JSON number) or SP_STR (owned
 *          char *, never NULL once parsed; a JSON string)
 *   json   its key in the snapshot JSON
 *   flags  SP_REQ: required in a snapshot (else absent reads as 0 or "");
 *          SP_OMIT0: written only when not 0; SP_DELTA: a delta keeps its
 *          growth (snapdelta.c)
 *   lo, hi the range a parsed number must be in (hi may use nprocs, the
 *          number of processes); unused for strings
 *   rec    SP_REC: copied from the member of the same name of the live
 *          record, struct proc_rec (store.c); SP_OWN: the store sets it
 * The line order is the JSON order (keep it); add new fields at the end. */
#define SNAP_PROC_FIELDS(X)                                                                     \
	X(pid, int32_t, SP_NUM, "pid", SP_REQ, 0, SP_I32MAX, SP_REC)                            \
	X(ppid, int32_t, SP_NUM, "ppid", SP_REQ, 0, SP_I32MAX, SP_REC)                          \
	X(ns_pid, int32_t, SP_NUM, "ns_pid", SP_REQ, 0, SP_I32MAX, SP_REC)                      \
	/* index of the image that forked or exec'd it, -1 */                                   \
	X(parent, int32_t, SP_NUM, "parent", SP_REQ, -1, (double)nprocs - 1, SP_OWN)            \
	/* index of the run's first image (itself for roots) */                                 \
	X(root, int32_t, SP_NUM, "root", SP_REQ, 0, (double)nprocs - 1, SP_OWN)                 \
	X(exec_seq, uint32_t, SP_NUM, "exec_seq", SP_REQ, 0, 4294967295.0, SP_REC)              \
	X(comm, char *, SP_STR, "comm", SP_REQ, 0, 0, SP_REC)                                   \
	X(cmdline, char *, SP_STR, "cmdline", SP_REQ, 0, 0, SP_REC)                             \
	X(exe, char *, SP_STR, "exe", SP_REQ, 0, 0, SP_REC)                                     \
	/* version, "" if none */                                                               \
	X(python, char *, SP_STR, "python", SP_REQ, 0, 0, SP_REC)                               \
	/* inspect_status_str() */                                                              \
	X(status, char *, SP_STR, "status", SP_REQ, 0, 0, SP_OWN)                               \
	/* why it is not profiled, "" if it is */                                               \
	X(message, char *, SP_STR, "message", SP_REQ, 0, 0, SP_REC)                             \
	X(mlpy, enum mlpy_role, SP_NUM, "mlpy", 0, MLPY_NONE, MLPY_SANDBOX, SP_REC)             \
	/* the .ml program of an mlpy run, "" */                                                \
	X(ml_file, char *, SP_STR, "ml_file", 0, 0, 0, SP_REC)                                  \
	/* what went wrong mapping to .ml files, "" */                                          \
	X(ml_note, char *, SP_STR, "ml_note", 0, 0, 0, SP_REC)                                  \
	/* where ML lines come from (mlmap__lines_from), "" */                                  \
	X(ml_lines, char *, SP_STR, "ml_lines", 0, 0, 0, SP_REC)                                \
	/* "" on the host, else "root=DIR pidns=INODE" */                                       \
	X(container, char *, SP_STR, "container", 0, 0, 0, SP_REC)                              \
	/* CLOCK_MONOTONIC; end_ns 0 while running */                                           \
	X(start_ns, uint64_t, SP_NUM, "start_ns", SP_REQ, 0, SP_U64MAX, SP_REC)                 \
	X(end_ns, uint64_t, SP_NUM, "end_ns", SP_REQ, 0, SP_U64MAX, SP_REC)                     \
	X(ended, enum proc_end, SP_NUM, "ended", SP_REQ, PROC_RUNNING, PROC_EXECED, SP_REC)     \
	X(exit_code, int32_t, SP_NUM, "exit_code", SP_REQ, SP_I32MIN, SP_I32MAX, SP_REC)        \
	/* peak RSS (so far, if running) */                                                     \
	X(maxrss_kb, uint64_t, SP_NUM, "maxrss_kb", SP_REQ, 0, SP_U64MAX, SP_REC)               \
	/* largest anonymous resident memory seen, 0 unknown */                                 \
	X(peak_heap_kb, uint64_t, SP_NUM, "heap_kb", SP_OMIT0, 0, SP_U64MAX, SP_REC)            \
	X(samples, uint64_t, SP_NUM, "samples", SP_REQ | SP_DELTA, 0, SP_U64MAX, SP_REC)        \
	X(alloc_bytes, uint64_t, SP_NUM, "alloc_bytes", 0, 0, SP_U64MAX, SP_REC)                \
	X(resident_bytes, uint64_t, SP_NUM, "resident_bytes", 0, 0, SP_U64MAX, SP_REC)          \
	/* --memory=live: held at the end (now if running) */                                   \
	X(live_bytes, int64_t, SP_NUM, "live_bytes", SP_OMIT0, -9e18, 9e18, SP_REC)

enum snap_proc_flags {
	SP_REQ = 1 << 0,
	SP_OMIT0 = 1 << 1,
	SP_DELTA = 1 << 2,
};

#define SP_U64MAX 18446744073709551615.0
#define SP_I32MIN -2147483648.0
#define SP_I32MAX 2147483647.0

struct snap_proc {
	uint32_t id;     /* index in procs[] */
#define SNAP_PROC_MEMBER(field, ctype, ...) ctype field;
	SNAP_PROC_FIELDS(SNAP_PROC_MEMBER)
#undef SNAP_PROC_MEMBER
};

/* Helpers for code generated from SNAP_PROC_FIELDS: SP_IF_STR(kind, x)
 * is x for a string field, nothing for a number; SP_IF_NUM likewise;
 * SP_IF_REC(rec, x) is x for a field copied from struct proc_rec. */
#define SP_IF_STR(kind, x) SP_IF_STR_##kind(x)
#define SP_IF_STR_SP_STR(x) x
#define SP_IF_STR_SP_NUM(x)
#define SP_IF_NUM(kind, x) SP_IF_NUM_##kind(x)
#define SP_IF_NUM_SP_STR(x)
#define SP_IF_NUM_SP_NUM(x) x
#define SP_IF_REC(rec, x) SP_IF_REC_##rec(x)
#define SP_IF_REC_SP_REC(x) x
#define SP_IF_REC_SP_OWN(x)


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

struct snap {
	uint32_t freq_hz;
	enum snap_memory memory;
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
	enum sample_clock clock; /* tick: freq_hz counts microseconds */
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
