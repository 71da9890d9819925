/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Every counter of a profile, declared once. struct snap_stats, the
 * snapshot JSON (both ways), deltas, the status reply, the Prometheus
 * metrics and the reports' data notes are all made from SNAP_STATS, so
 * adding a counter is adding one X(...) entry here (plus its enum
 * mlprof_stat slot if BPF counts it, and counting it where it happens).
 *
 * X(field, bpf, flags, metric, help, note):
 *   field   member of struct snap_stats; its key in snapshot and status JSON
 *   bpf     the enum mlprof_stat slot it is read from (the BPF per-CPU
 *           array, summed), or STAT_USER: counted in user space
 *   flags   SS_REQ: present in every snapshot (format 1); without it an
 *           absent key reads as 0 (counters added later). SS_DROP: a loss,
 *           one kind of mlprofd_dropped_total
 *   metric  Prometheus counter name, the kind label of
 *           mlprofd_dropped_total for SS_DROP, or NULL: not exported
 *   help    what it counts (the metric's HELP text when exported)
 *   note    the reports' data note when it is not 0: SS_NO_NOTE, or
 *           SS_NOTE(rank, fmt): fmt has one %s, the count; rank orders the
 *           notes (1 first); SS_NOTE_AND(rank, fmt, other): a second %s, the
 *           count `other`; SS_NOTE_LESS(rank, fmt, minus, other): the count
 *           less `minus` (shown when that is above 0), and `other`.
 * The line order is the JSON order (keep it: snapshot files compare byte
 * for byte); add new counters at the end.
 */
#ifndef MLPROF_SNAPSTATS_H
#define MLPROF_SNAPSTATS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "mlprof_abi.h"

#define SNAP_STATS(X)                                                                           \
	X(samples, MLPROF_STAT_SAMPLES, SS_REQ, "mlprofd_samples_total",                        \
	  "Stack samples of target threads taken in the kernel.", SS_NO_NOTE)                   \
	X(sample_drops, MLPROF_STAT_SAMPLE_DROPS, SS_REQ | SS_DROP, "ring_buffer_samples",      \
	  "Samples lost: the ring buffer was full.",                                            \
	  SS_NOTE(1, "%s samples dropped: the ring buffer was full (raise --ringbuf-mb)"))      \
	X(code_drops, MLPROF_STAT_CODE_DROPS, SS_REQ | SS_DROP, "ring_buffer_code",             \
	  "Code-name events lost (resent later).",                                              \
	  SS_NOTE(8, "%s code-name events were dropped and resent later"))                      \
	X(proc_drops, MLPROF_STAT_PROC_DROPS, SS_REQ | SS_DROP, "ring_buffer_process",          \
	  "Process (exec, fork, exit) events lost.",                                            \
	  SS_NOTE(9, "%s process events dropped: process lifetimes may be approximate"))        \
	X(truncated, MLPROF_STAT_TRUNCATED, SS_REQ, "mlprofd_truncated_stacks_total",           \
	  "Samples whose stack was deeper than the walk.",                                      \
	  SS_NOTE(4, "%s samples had stacks deeper than the walk limit (outer frames cut, "     \
		  "shown as <truncated stack>)"))                                               \
	X(read_errors, MLPROF_STAT_READ_ERRORS, SS_REQ, "mlprofd_read_errors_total",            \
	  "Stack walks cut by unreadable target memory.",                                       \
	  SS_NOTE(5, "%s samples stopped at unreadable target memory"))                         \
	X(stack_overflow, STAT_USER, SS_REQ | SS_DROP, "stack_table_folded",                    \
	  "Samples kept only by their innermost function: the stack table was full.",           \
	  SS_NOTE(3, "%s samples kept only by their innermost function: stack table full"))     \
	X(evicted_procs, STAT_USER, SS_REQ, "mlprofd_evicted_processes_total",                  \
	  "Finished process records evicted because the process table was full.",               \
	  SS_NOTE_AND(12, "%s finished processes (%s samples) evicted: process table full",     \
		   evicted_samples))                                                            \
	X(evicted_samples, STAT_USER, SS_REQ, "mlprofd_evicted_samples_total",                  \
	  "Samples of the evicted process records.", SS_NO_NOTE)                                \
	X(unresolved_frames, STAT_USER, SS_REQ, "mlprofd_unresolved_frames_total",              \
	  "Frames whose code names never arrived.",                                             \
	  SS_NOTE(6, "%s frames could not be named (code object names lost)"))                  \
	X(ml_lines_unmapped, STAT_USER, SS_REQ, "mlprofd_ml_lines_unmapped_total",              \
	  "ML frames whose .ml line is unknown (counted for the function only).",               \
	  SS_NOTE(7, "%s ML frames have no known .ml line (no source map and the generated "    \
		  "Python could not be aligned with the .ml): their samples count for the "     \
		  "function only"))                                                             \
	X(lost_samples, STAT_USER, SS_REQ | SS_DROP, "table_full_samples",                      \
	  "Samples not stored: profile tables full.",                                           \
	  SS_NOTE(2, "%s samples not stored: profile tables full"))                             \
	X(lost_alloc_bytes, STAT_USER, 0, NULL,                                                 \
	  "Mapped bytes not stored: profile tables full.",                                      \
	  SS_NOTE(11, "%s bytes of mapped memory not stored: profile tables full"))             \
	X(memop_drops, MLPROF_STAT_MEMOP_DROPS, SS_DROP, "ring_buffer_memory_release",          \
	  "--memory=live: unmap/remap/shrink events lost (their bytes stay live).", SS_NO_NOTE) \
	X(live_untracked_bytes, STAT_USER, 0, NULL,                                             \
	  "--memory=live: mapped bytes whose address could not be kept.", SS_NO_NOTE)           \
	X(mem_events, MLPROF_STAT_MEM_EVENTS, 0, "mlprofd_memory_events_total",                 \
	  "Memory events (mappings, sampled page faults) sent by the kernel.", SS_NO_NOTE)      \
	X(mem_drops, MLPROF_STAT_MEM_DROPS, SS_DROP, "ring_buffer_memory",                      \
	  "Memory stack events lost: the ring buffer was full.",                                \
	  SS_NOTE(10, "%s memory events dropped: the ring buffer was full (memory undercounted)")) \
	X(evicted_buckets, STAT_USER, 0, "mlprofd_evicted_buckets_total",                       \
	  "Time buckets dropped: older than the retention, or a table was full.",               \
	  SS_NOTE_LESS(13, "%s time buckets older than the retention (%s samples) dropped",     \
		    cap_evicted_buckets, evicted_bucket_samples))                               \
	X(cap_evicted_buckets, STAT_USER, 0, "mlprofd_evicted_buckets_early_total",             \
	  "Of those, dropped before the retention because a table was full.",                   \
	  SS_NOTE(14, "%s time buckets dropped before the retention: stack or count table full " \
		   "(raise --max-stacks/--max-entries)"))                                       \
	X(evicted_bucket_samples, STAT_USER, 0, "mlprofd_evicted_bucket_samples_total",         \
	  "Samples the dropped buckets held.", SS_NO_NOTE)                                      \
	X(evicted_bucket_alloc_bytes, STAT_USER, 0, NULL, "Mapped bytes the dropped buckets held.", \
	  SS_NOTE(15, "%s bytes of mapped memory dropped with old buckets"))                    \
	X(expired_stacks, STAT_USER, 0, "mlprofd_expired_stacks_total",                         \
	  "Stack records freed: no bucket used them.", SS_NO_NOTE)                              \
	X(expired_procs, STAT_USER, 0, "mlprofd_expired_processes_total",                       \
	  "Ended process records freed: nothing of them left in the retention.", SS_NO_NOTE)    \
	X(expired_funcs, STAT_USER, 0, "mlprofd_expired_functions_total",                       \
	  "Function records freed: no stack or running process used them.", SS_NO_NOTE)

/* Not read from BPF: counted by the daemon. */
#define STAT_USER (-1)

enum snap_stat_flags {
	SS_REQ = 1 << 0,  /* required in snapshot JSON */
	SS_DROP = 1 << 1, /* a loss: a kind of mlprofd_dropped_total */
};

/* SNAP_STAT_samples, ...: indices into snap_stat_table and
 * snap_stats.v[]. */
enum snap_stat_id {
#define SNAP_STAT_ID(field, ...) SNAP_STAT_##field,
	SNAP_STATS(SNAP_STAT_ID)
#undef SNAP_STAT_ID
	SNAP_STAT_NR,
};

/* The counters: named members over an array, so code that counts one names
 * it (st->lost_samples++) and code that handles all loops over v[]. */
struct snap_stats {
	union {
		struct {
#define SNAP_STAT_FIELD(field, ...) uint64_t field;
			SNAP_STATS(SNAP_STAT_FIELD)
#undef SNAP_STAT_FIELD
		};
		uint64_t v[SNAP_STAT_NR];
	};
};

struct snap_stat_note {
	int rank;        /* 0: no note */
	const char *fmt;
	int minus;       /* a counter subtracted first, or SNAP_STAT_NR */
	int other;       /* the counter of the second %s, or SNAP_STAT_NR */
};

struct snap_stat_desc {
	const char *name;   /* field and JSON key */
	int bpf;            /* enum mlprof_stat, or STAT_USER */
	unsigned flags;     /* enum snap_stat_flags */
	const char *metric; /* or NULL */
	const char *help;
	struct snap_stat_note note;
};

#define SS_NO_NOTE { 0, NULL, SNAP_STAT_NR, SNAP_STAT_NR }
#define SS_NOTE(rank, fmt) { rank, fmt, SNAP_STAT_NR, SNAP_STAT_NR }
#define SS_NOTE_AND(rank, fmt, other) { rank, fmt, SNAP_STAT_NR, SNAP_STAT_##other }
#define SS_NOTE_LESS(rank, fmt, minus, other) { rank, fmt, SNAP_STAT_##minus, SNAP_STAT_##other }

/* SNAP_STAT_NR entries, in SNAP_STATS order. */
extern const struct snap_stat_desc snap_stat_table[SNAP_STAT_NR];

#endif
