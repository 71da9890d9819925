// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Opens, attaches and closes the per-task sampling events and, with memory
 * on, the per-task page-fault events; hands the per-process C library
 * uprobes to the memory worker (memworker.c). */
#include <dirent.h>
#include <signal.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bridge.h"
#include "hashmap.h"
#include "memworker.h"
#include "perfbpf.h"
#include "sampler.h"

/* A root target and the events that cover it, per task: the cpu-clock
 * event and (memory) the page-fault event, both counting only that task
 * and inherited by the threads and children it creates. */
struct group {
	int *fds;     /* nkinds per task */
	int *tids;
	size_t n, cap;
};

struct sampler {
	struct sampler_config cfg;
	unsigned nkinds;   /* per-task events: 1, or 2 with memory */
	struct hashmap *groups; /* pid -> struct group */
	unsigned nevents;
	struct memworker *mem;  /* memory uprobes, NULL when memory is off */
	int keep_pid;           /* its probes stay open until the end (0: none) */
	struct bridge *bridge;  /* NULL: none (the tick clock) */
};

struct sampler *sampler__new(const struct sampler_config *cfg)
{
	struct sampler *s = calloc(1, sizeof(*s));

	if (!s || !(s->groups = hashmap__new(NULL, NULL))) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->cfg = *cfg;
	if (!s->cfg.fault_period)
		s->cfg.fault_period = 1;
	/* Per-task events: the timer's (none with --clock tick) and memory's. */
	s->nkinds = (cfg->clock_prog_fd >= 0) + (cfg->fault_prog_fd >= 0);
	if (cfg->bridge_prog_fd >= 0 && cfg->clock_prog_fd >= 0)
		s->bridge = bridge__new(cfg->bridge_prog_fd, cfg->freq_hz);
	if (cfg->uprobe_prog_fd[0] >= 0)
		s->mem = memworker__new(cfg->uprobe_prog_fd, cfg->uretprobe_prog_fd,
					cfg->finalize_prog_fd);
	if ((cfg->uprobe_prog_fd[0] >= 0 && !s->mem) ||
	    (cfg->bridge_prog_fd >= 0 && cfg->clock_prog_fd >= 0 && !s->bridge)) {
		bridge__free(s->bridge);
		memworker__free(s->mem);
		hashmap__free(s->groups);
		free(s);
		s = NULL;
	}
	return s;
}

static void group_free(struct sampler *s, struct group *g)
{
	size_t i;

	for (i = 0; i < g->n * s->nkinds; i++)
		close(g->fds[i]);
	s->nevents -= (unsigned)(g->n * s->nkinds);
	free(g->fds);
	free(g->tids);
	free(g);
}

static int free_group(uint64_t key, void *value, void *ctx)
{
	(void)key;
	group_free(ctx, value);
	return 0;
}

void sampler__free(struct sampler *s)
{
	if (!s)
		return;
	hashmap__for_each(s->groups, free_group, s);
	hashmap__free(s->groups);
	memworker__free(s->mem);
	bridge__free(s->bridge);
	free(s);
}

int sampler__bridge(struct sampler *s, int on)
{
	int err = 0;

	if (!s->bridge)
		err = -EOPNOTSUPP;
	else if (on)
		err = bridge__open(s->bridge);
	else
		bridge__close(s->bridge);
	return err;
}

unsigned long sampler__bridge_opens(const struct sampler *s)
{
	return s->bridge ? bridge__opens(s->bridge) : 0;
}

unsigned long sampler__bridge_failures(const struct sampler *s)
{
	return s->bridge ? bridge__failures(s->bridge) : 0;
}

void sampler__abandon_closes(struct sampler *s)
{
	if (s)
		memworker__abandon(s->mem);
}

/* Opens one inherited event on tid and runs prog_fd on it. fd or -errno. */
static int open_event(struct perf_event_attr *attr, int tid, int prog_fd)
{
	attr->inherit = 1;
	return perfbpf_open(attr, tid, -1, prog_fd);
}

/* Opens the task's events into fds[0..nkinds-1]. 0 or -errno (nothing
 * left open). */
static int open_task(struct sampler *s, int tid, int *fds)
{
	/* A fixed period: each sample stands for exactly 1/freq s of the
	 * task's CPU time, which reports convert samples with. */
	struct perf_event_attr clock = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 1000000000ULL / s->cfg.freq_hz,
	};
	/* Every fault_period-th page fault of the task (its own faults and
	 * the kernel's on its user addresses) runs the fault program. */
	struct perf_event_attr faults = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_PAGE_FAULTS,
		.sample_period = s->cfg.fault_period,
	};
	unsigned k = 0;
	int err = 0;

	if (s->cfg.clock_prog_fd >= 0) {
		fds[k] = open_event(&clock, tid, s->cfg.clock_prog_fd);
		err = fds[k] < 0 ? fds[k] : 0;
		k += !err;
	}
	if (!err && s->cfg.fault_prog_fd >= 0) {
		fds[k] = open_event(&faults, tid, s->cfg.fault_prog_fd);
		err = fds[k] < 0 ? fds[k] : 0;
		if (err && k)
			close(fds[0]);
	}
	return err;
}

int sampler__probe_memory(struct sampler *s, int pid)
{
	if (s->mem)
		memworker__probe(s->mem, pid);
	return 0;
}

void sampler__probe_finalize(struct sampler *s, int pid, const char *path)
{
	if (s->mem && s->cfg.finalize_prog_fd >= 0)
		memworker__probe_finalize(s->mem, pid, path);
}

void sampler__wait_memory(struct sampler *s)
{
	if (s->mem)
		memworker__wait(s->mem);
}

void sampler__keep_memory(struct sampler *s, int pid)
{
	s->keep_pid = pid;
}

void sampler__unprobe_memory(struct sampler *s, int pid)
{
	if (s->mem && pid != s->keep_pid)
		memworker__unprobe(s->mem, pid);
}

static int has_tid(const struct group *g, int tid)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		if (g->tids[i] == tid)
			return 1;
	}
	return 0;
}

static int add_task(struct sampler *s, struct group *g, int tid)
{
	int err, *nf, *nt;
	size_t cap;

	if (has_tid(g, tid))
		return 0;
	if (g->n == g->cap) {
		cap = g->cap ? g->cap * 2 : 4;
		nf = realloc(g->fds, cap * s->nkinds * sizeof(*nf));
		if (nf)
			g->fds = nf;
		nt = nf ? realloc(g->tids, cap * sizeof(*nt)) : NULL;
		if (!nt)
			return -ENOMEM;
		g->tids = nt;
		g->cap = cap;
	}
	err = open_task(s, tid, &g->fds[g->n * s->nkinds]);
	if (err)
		return err == -ESRCH ? 0 : err; /* a thread that just exited */
	g->tids[g->n++] = tid;
	s->nevents += s->nkinds;
	return 0;
}

/* Opens events for the threads of pid not covered yet. */
static int scan_tasks(struct sampler *s, struct group *g, int pid)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	long tid;
	char *end;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while (!err && (de = readdir(d)) != NULL) {
		tid = strtol(de->d_name, &end, 10);
		if (!*end && tid > 0)
			err = add_task(s, g, (int)tid);
	}
	closedir(d);
	return err;
}

int sampler__add_process(struct sampler *s, int pid)
{
	struct group *g;
	int err;

	if (hashmap__find(s->groups, (uint32_t)pid))
		return -EEXIST;
	if (!s->nkinds)
		return kill(pid, 0) && errno == ESRCH ? -ESRCH : 0; /* --clock tick, no memory */
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	/* The main thread first: threads it creates from now on inherit. A
	 * second pass catches threads created while the first ran. */
	err = add_task(s, g, pid);
	if (!err)
		err = scan_tasks(s, g, pid);
	if (!err)
		err = scan_tasks(s, g, pid);
	if (!err && !g->n)
		err = -ESRCH;
	if (!err)
		err = hashmap__set(s->groups, (uint32_t)pid, g, NULL);
	if (err)
		group_free(s, g);
	return err;
}

void sampler__remove_process(struct sampler *s, int pid)
{
	struct group *g = hashmap__delete(s->groups, (uint32_t)pid);

	if (g)
		group_free(s, g);
}

unsigned sampler__events(const struct sampler *s)
{
	return s->nevents + (s->mem ? memworker__events(s->mem) : 0);
}

unsigned sampler__memory_probes(const struct sampler *s)
{
	return s->mem ? memworker__events(s->mem) : 0;
}

unsigned sampler__unprobed(const struct sampler *s)
{
	return s->mem ? memworker__unprobed(s->mem) : 0;
}
