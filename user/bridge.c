// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Per-CPU cpu-clock events for the bridge (bridge.h). */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "bridge.h"
#include "perfbpf.h"

struct bridge {
	int prog_fd;
	unsigned freq_hz;
	int *fds;        /* per possible CPU; -1: none */
	int ncpus;
	int open;
	unsigned long opens, failures;
};

struct bridge *bridge__new(int prog_fd, unsigned freq_hz)
{
	struct bridge *b = calloc(1, sizeof(*b));
	int n = libbpf_num_possible_cpus(), i;

	if (b && n > 0)
		b->fds = calloc((size_t)n, sizeof(*b->fds));
	if (!b || n <= 0 || !b->fds || !freq_hz || prog_fd < 0) {
		if (b)
			free(b->fds);
		free(b);
		errno = n <= 0 ? -n : (!freq_hz || prog_fd < 0) ? EINVAL : ENOMEM;
		return NULL;
	}
	b->prog_fd = prog_fd;
	b->freq_hz = freq_hz;
	b->ncpus = n;
	for (i = 0; i < n; i++)
		b->fds[i] = -1;
	return b;
}

void bridge__free(struct bridge *b)
{
	if (b) {
		bridge__close(b);
		free(b->fds);
	}
	free(b);
}

/* The CPU's event, running the program: fd or -errno. */
static int open_cpu(const struct bridge *b, int cpu)
{
	/* The per-task events' period: a sample stands for the same CPU time. */
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 1000000000ULL / b->freq_hz,
	};

	return perfbpf_open(&attr, -1, cpu, b->prog_fd);
}

int bridge__open(struct bridge *b)
{
	int i, fd, err = -ENODEV, any = 0;

	if (b->open)
		return 0;
	for (i = 0; i < b->ncpus; i++) {
		fd = open_cpu(b, i);
		b->fds[i] = fd < 0 ? -1 : fd;
		any |= fd >= 0;
		/* An offline CPU has no event (ENODEV); the first other error
		 * is the one to tell. */
		if (fd < 0 && err == -ENODEV)
			err = fd;
	}
	b->open = any;
	b->opens += (unsigned long)any;
	b->failures += (unsigned long)!any;
	return any ? 0 : err;
}

void bridge__close(struct bridge *b)
{
	int i;

	for (i = 0; i < b->ncpus; i++) {
		if (b->fds[i] >= 0)
			close(b->fds[i]);
		b->fds[i] = -1;
	}
	b->open = 0;
}

int bridge__is_open(const struct bridge *b)
{
	return b->open;
}

unsigned long bridge__opens(const struct bridge *b)
{
	return b->opens;
}

unsigned long bridge__failures(const struct bridge *b)
{
	return b->failures;
}
