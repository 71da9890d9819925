// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Opens, attaches and closes the per-task sampling events, and with memory
 * on the per-task page-fault events and the per-process C library uprobes. */
#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fdcloser.h"
#include "hashmap.h"
#include "sampler.h"

/* A root target and the events that cover it, per task: the cpu-clock
 * event and (memory) the page-fault event, both counting only that task
 * and inherited by the threads and children it creates. */
struct group {
	int *fds;     /* nkinds per task */
	int *tids;
	size_t n, cap;
};

/* A process's C library uprobes (memory). Opened per process, not per
 * thread: the kernel filters uprobe hits by address space, so one event
 * covers every thread (one per thread would run the program once per
 * thread on each hit). They cannot be inherited (the kernel would re-read
 * the library path from the daemon's memory in the child), so children
 * get their own when their fork or exec is seen. */
struct uprobes {
	int fds[MEMPROBE_NR];
	dev_t dev;   /* the library probed */
	ino_t ino;
	uint64_t off[MEMPROBE_NR];
};

struct sampler {
	struct sampler_config cfg;
	unsigned nkinds;   /* per-task events: 1, or 2 with memory */
	int uprobe_type;   /* the uprobe PMU, -1 if memory is off or missing */
	struct hashmap *groups; /* pid -> struct group */
	struct hashmap *probed; /* pid -> struct uprobes */
	unsigned nevents;
	unsigned unprobed;
	struct fdcloser *closer; /* uprobe fds close slowly: off the loop */
};

static int read_pmu_type(const char *path)
{
	FILE *f = fopen(path, "re");
	int type = -1;

	if (f) {
		if (fscanf(f, "%d", &type) != 1)
			type = -1;
		fclose(f);
	}
	return type;
}

struct sampler *sampler__new(const struct sampler_config *cfg)
{
	struct sampler *s = calloc(1, sizeof(*s));

	if (!s || !(s->groups = hashmap__new(NULL, NULL)) ||
	    !(s->probed = hashmap__new(NULL, NULL)) || !(s->closer = fdcloser__new())) {
		if (s) {
			hashmap__free(s->groups);
			hashmap__free(s->probed);
		}
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->cfg = *cfg;
	if (!s->cfg.fault_period)
		s->cfg.fault_period = 1;
	s->nkinds = cfg->fault_prog_fd >= 0 ? 2 : 1;
	s->uprobe_type = cfg->uprobe_prog_fd[0] >= 0
		? read_pmu_type("/sys/bus/event_source/devices/uprobe/type") : -1;
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

static void uprobes_free(struct sampler *s, struct uprobes *u)
{
	int i;

	for (i = 0; i < MEMPROBE_NR; i++) {
		fdcloser__close(s->closer, u->fds[i]);
		s->nevents--;
	}
	free(u);
}

static int free_uprobes(uint64_t key, void *value, void *ctx)
{
	(void)key;
	uprobes_free(ctx, value);
	return 0;
}

void sampler__free(struct sampler *s)
{
	if (!s)
		return;
	hashmap__for_each(s->groups, free_group, s);
	hashmap__free(s->groups);
	hashmap__for_each(s->probed, free_uprobes, s);
	hashmap__free(s->probed);
	fdcloser__free(s->closer);
	free(s);
}

/* Opens one inherited event on tid and runs prog_fd on it. fd or -errno. */
static int open_event(struct perf_event_attr *attr, int tid, int prog_fd)
{
	int fd, err = 0;

	attr->size = sizeof(*attr);
	attr->inherit = 1;
	attr->disabled = 1;
	fd = (int)syscall(__NR_perf_event_open, attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) || ioctl(fd, PERF_EVENT_IOC_ENABLE, 0))
		err = -errno;
	if (err) {
		close(fd);
		fd = err;
	}
	return fd;
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
	int err = 0;

	fds[0] = open_event(&clock, tid, s->cfg.clock_prog_fd);
	if (fds[0] < 0)
		err = fds[0];
	if (!err && s->nkinds > 1) {
		fds[1] = open_event(&faults, tid, s->cfg.fault_prog_fd);
		if (fds[1] < 0) {
			err = fds[1];
			close(fds[0]);
		}
	}
	return err;
}

/* Opens uprobes on set's entry points for pid. 0 or -errno (none left
 * open). */
static int open_uprobes(struct sampler *s, struct uprobes *u, int pid,
			const struct memprobe_set *set)
{
	struct perf_event_attr attr;
	int err = 0, i, n = 0;

	for (i = 0; i < MEMPROBE_NR && !err; i++) {
		memset(&attr, 0, sizeof(attr));
		attr.size = sizeof(attr);
		attr.type = (unsigned)s->uprobe_type;
		attr.config1 = (uint64_t)(uintptr_t)set->path; /* uprobe_path */
		attr.config2 = set->off[i];                     /* probe_offset */
		attr.sample_period = 1;
		attr.disabled = 1;
		u->fds[i] = (int)syscall(__NR_perf_event_open, &attr, pid, -1, -1,
					 PERF_FLAG_FD_CLOEXEC);
		if (u->fds[i] < 0)
			err = -errno;
		else if (ioctl(u->fds[i], PERF_EVENT_IOC_SET_BPF, s->cfg.uprobe_prog_fd[i]) ||
			 ioctl(u->fds[i], PERF_EVENT_IOC_ENABLE, 0))
			err = -errno;
		if (u->fds[i] >= 0)
			n++;
	}
	while (err && n > 0)
		fdcloser__close(s->closer, u->fds[--n]);
	if (!err)
		s->nevents += MEMPROBE_NR;
	return err;
}

int sampler__probe_memory(struct sampler *s, int pid)
{
	struct memprobe_set set;
	struct uprobes *u;
	struct stat st;
	int err;

	if (s->uprobe_type < 0)
		return 0;
	err = memprobe_resolve(pid, &set);
	if (!err && stat(set.path, &st))
		err = -errno;
	u = err ? NULL : hashmap__find(s->probed, (uint32_t)pid);
	/* The same library after an exec: the events follow the task into
	 * its new address space (the kernel filters by the task's mm). */
	if (u && u->dev == st.st_dev && u->ino == st.st_ino &&
	    !memcmp(u->off, set.off, sizeof(set.off)))
		return 0;
	sampler__unprobe_memory(s, pid);
	u = err ? NULL : calloc(1, sizeof(*u));
	if (!err && !u)
		err = -ENOMEM;
	if (!err)
		err = open_uprobes(s, u, pid, &set);
	if (!err) {
		u->dev = st.st_dev;
		u->ino = st.st_ino;
		memcpy(u->off, set.off, sizeof(set.off));
		err = hashmap__set(s->probed, (uint32_t)pid, u, NULL);
		if (err)
			uprobes_free(s, u);
		u = NULL;
	}
	free(u);
	if (err && err != -ESRCH)
		s->unprobed++;
	return err;
}

void sampler__unprobe_memory(struct sampler *s, int pid)
{
	struct uprobes *u = hashmap__delete(s->probed, (uint32_t)pid);

	if (u)
		uprobes_free(s, u);
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
	return s->nevents;
}

unsigned sampler__unprobed(const struct sampler *s)
{
	return s->unprobed;
}
