/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Turns ring-buffer events into the profile store: follows processes,
 * inspects interpreters, names code objects, adds samples. */
#ifndef MLPROF_COLLECTOR_H
#define MLPROF_COLLECTOR_H

#include <stddef.h>
#include <stdint.h>
#include "opts.h"

struct store;
struct bpf_ctx;
struct cmdline;
struct inspect_result;
struct mlprof_layout;
struct mlprof_target;
struct procstatus;

/* What the collector asks of the world, so that it can be driven by
 * tests with fakes: the BPF target map (bpfload__*), the sampler's perf
 * events and probes (sampler__*), the interpreter inspector and /proc.
 * collector_sys.c has the real ones. */
struct collector_ops {
	void *ctx;
	/* The BPF target map and layouts; 0 or -errno. */
	int (*get_target)(void *ctx, int pid, struct mlprof_target *t);
	int (*set_target)(void *ctx, int pid, const struct mlprof_target *t, uint64_t flags);
	int (*del_target)(void *ctx, int pid);
	int (*layout_id)(void *ctx, const struct mlprof_layout *l, uint32_t *id);
	/* Perf events of a root (its children inherit them); 0 or -errno. */
	int (*add_process)(void *ctx, int pid);
	void (*remove_process)(void *ctx, int pid);
	/* The bridge (bridge.h) on or off while add_process runs and a little
	 * after: 0, or -errno (-EOPNOTSUPP: none, the tick clock). NULL:
	 * none. */
	int (*bridge)(void *ctx, int on);
	/* Memory probes of a target's C library, and (--memory=live) of its
	 * interpreter's Py_FinalizeEx in the file `binary`. */
	void (*probe_memory)(void *ctx, int pid);
	void (*unprobe_memory)(void *ctx, int pid);
	void (*probe_finalize)(void *ctx, int pid, const char *binary);
	/* The interpreter of a process. */
	void (*inspect)(void *ctx, int pid, struct inspect_result *res);
	/* /proc: the command line (0 or -errno), a link ("cwd", "exe";
	 * malloc'd or NULL), the status (0 or -errno), the container it
	 * runs in (malloc'd; "" on the host), the parent pid (0 unknown),
	 * whether it is gone, and every process but the daemon. */
	int (*read_cmdline)(void *ctx, int pid, struct cmdline *cl);
	char *(*read_link)(void *ctx, int pid, const char *what);
	int (*read_status)(void *ctx, int pid, struct procstatus *ps);
	char *(*container)(void *ctx, int pid);
	int (*read_ppid)(void *ctx, int pid);
	int (*gone)(void *ctx, int pid);
	void (*for_each_pid)(void *ctx, void (*fn)(void *arg, int pid), void *arg);
	/* CLOCK_MONOTONIC in ns: the clock of the events' times. */
	uint64_t (*now_ns)(void *ctx);
};

struct collector;
struct ev_timers;

/* ops is copied. timers: the loop's (user/evtimer.h), which run the
 * inspection retries when due and, every 10 s, the sweep that ends
 * records of processes found gone; the collector's timers leave them in
 * collector__free. verbose: log process events and inspections to
 * stderr. */
struct collector *collector__new(struct store *st, const struct collector_ops *ops,
				 struct ev_timers *timers, enum target_mode mode, int verbose);
void collector__free(struct collector *c);

/* --memory=live: keep each target's mappings to charge memory given back
 * to the stack that mapped it. 0 or -ENOMEM. */
int collector__set_live(struct collector *c);
/* --mode wall: off-CPU intervals charged at freq_hz samples a second.
 * 0 or -ENOMEM. */
int collector__set_wall(struct collector *c, unsigned freq_hz);
/* Charges the intervals of threads still blocked up to now_ns (before a
 * profile is taken). */
void collector__wall_flush(struct collector *c, uint64_t now_ns);
struct offcpu_counts;
/* --mode wall: intervals charged and not (NULL in CPU mode). */
const struct offcpu_counts *collector__wall_counts(const struct collector *c);
/* Ring-buffer callback (bpf_event_fn). */
int collector__on_event(void *ctx, void *data, size_t size);

/* Makes pid a root target: a running process (inspect = 1), or a one-shot
 * child that has not exec'd yet (inspect = 0: its exec is inspected).
 * 0 or -errno. */
int collector__add_root(struct collector *c, int pid, uint64_t now_ns, int inspect);
/* Profiles every running process the mode selects, and the running
 * descendants of targets (outside python mode, where each is a root). */
void collector__scan_existing(struct collector *c, uint64_t now_ns);
/* Reads the kernel's peak RSS and anonymous resident memory of every
 * running process into its record (before a snapshot): peaks while
 * running, exact where the fault samples only see every Nth page. */
void collector__read_peaks(struct collector *c);
/* Number of events of each kind handled (status). */
void collector__counts(const struct collector *c, uint64_t *events, uint64_t *bad_events);

#endif
