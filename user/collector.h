/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Turns ring-buffer events into the profile store: follows processes,
 * inspects interpreters, names code objects, adds samples. */
#ifndef MLPROF_COLLECTOR_H
#define MLPROF_COLLECTOR_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct bpf_ctx;
struct inspector;

enum target_mode {
	TARGET_NONE = 0,   /* only --pid and the one-shot command */
	TARGET_MLPY,       /* mlpy runs and their descendants */
	TARGET_PYTHON,     /* every CPython process */
};

struct collector;

/* verbose: log process events and inspections to stderr. */
struct collector *collector__new(struct store *st, struct inspector *in, int mode, int verbose);
void collector__free(struct collector *c);
struct sampler;

/* The BPF side is created after the collector (it needs the event
 * callback); attach it here before events flow. */
void collector__set_bpf(struct collector *c, struct bpf_ctx *b, struct sampler *smp);
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
/* Retries pending inspections that are due; returns the delay in ns until
 * the next one is due, or 0 if none is pending. */
uint64_t collector__tick(struct collector *c, uint64_t now_ns);
/* Reads the kernel's peak RSS and anonymous resident memory of every
 * running process into its record (before a snapshot): peaks while
 * running, exact where the fault samples only see every Nth page. */
void collector__read_peaks(struct collector *c);
/* Number of events of each kind handled (status). */
void collector__counts(const struct collector *c, uint64_t *events, uint64_t *bad_events);

#endif
