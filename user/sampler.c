// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Opens, attaches and closes the per-task sampling events. */
#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "hashmap.h"
#include "sampler.h"

struct group {
	int *fds;
	int *tids;
	size_t n, cap;
};

struct sampler {
	int prog_fd;
	unsigned freq_hz;
	struct hashmap *groups; /* pid -> struct group */
	unsigned nevents;
};

struct sampler *sampler__new(int prog_fd, unsigned freq_hz)
{
	struct sampler *s = calloc(1, sizeof(*s));

	if (!s || !(s->groups = hashmap__new(NULL, NULL))) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->prog_fd = prog_fd;
	s->freq_hz = freq_hz;
	return s;
}

static void group_free(struct sampler *s, struct group *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		close(g->fds[i]);
	s->nevents -= (unsigned)g->n;
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
	free(s);
}

static int open_task(struct sampler *s, int tid)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		/* A fixed period: each sample stands for exactly 1/freq s of
		 * the task's CPU time, which reports convert samples with. */
		.sample_period = 1000000000ULL / s->freq_hz,
		.inherit = 1,
		.disabled = 1,
	};
	int fd, err = 0;

	fd = (int)syscall(__NR_perf_event_open, &attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, s->prog_fd) || ioctl(fd, PERF_EVENT_IOC_ENABLE, 0))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
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
	int fd, *nf, *nt;
	size_t cap;

	if (has_tid(g, tid))
		return 0;
	if (g->n == g->cap) {
		cap = g->cap ? g->cap * 2 : 4;
		nf = realloc(g->fds, cap * sizeof(*nf));
		if (nf)
			g->fds = nf;
		nt = nf ? realloc(g->tids, cap * sizeof(*nt)) : NULL;
		if (!nt)
			return -ENOMEM;
		g->tids = nt;
		g->cap = cap;
	}
	fd = open_task(s, tid);
	if (fd < 0)
		return fd == -ESRCH ? 0 : fd; /* a thread that just exited */
	g->fds[g->n] = fd;
	g->tids[g->n++] = tid;
	s->nevents++;
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
