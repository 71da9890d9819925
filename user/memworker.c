// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A request queue and one thread that owns the memory uprobes. */
#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "hashmap.h"
#include "memworker.h"

/* A process's probes. One event per entry point and process, opened on
 * its main thread: the kernel filters uprobe hits by address space, so it
 * covers every thread (one per thread would run the program once per
 * thread on each hit). Not inherited: the kernel would re-read the library
 * path from the daemon's memory in a forked child, and fork fails. */
struct uprobes {
	int fds[MEMPROBE_NR];
	dev_t dev;   /* the library probed */
	ino_t ino;
	uint64_t off[MEMPROBE_NR];
};

struct request {
	int pid;
	int probe; /* 1 probe, 0 unprobe */
};

struct memworker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct request *q;   /* FIFO ring */
	size_t head, n, cap;
	int stop;
	int prog_fd[MEMPROBE_NR];
	int pmu_type;            /* the uprobe PMU */
	struct hashmap *probed;  /* pid -> struct uprobes; worker only */
	int *closing;            /* fds to close when no request waits; worker only */
	size_t nclosing, capclosing;
	unsigned events;         /* atomic */
	unsigned unprobed;       /* atomic */
};

static int read_pmu_type(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "re");
	int type = -ENOENT;

	if (f) {
		if (fscanf(f, "%d", &type) != 1)
			type = -EINVAL;
		fclose(f);
	}
	return type;
}

/* Closing waits for a grace period: queue the fds and close them when no
 * request waits, so new targets are probed first. */
static void close_probes(struct memworker *w, struct uprobes *u)
{
	size_t cap;
	int *nc, i;

	for (i = 0; i < MEMPROBE_NR; i++) {
		if (w->nclosing == w->capclosing) {
			cap = w->capclosing ? w->capclosing * 2 : 64;
			nc = realloc(w->closing, cap * sizeof(*nc));
			if (nc) {
				w->closing = nc;
				w->capclosing = cap;
			}
		}
		if (w->nclosing < w->capclosing)
			w->closing[w->nclosing++] = u->fds[i];
		else
			close(u->fds[i]);
	}
	__atomic_fetch_sub(&w->events, MEMPROBE_NR, __ATOMIC_RELAXED);
	free(u);
}

/* Opens set's entry points for pid. 0 or -errno (none left open). */
static int open_probes(struct memworker *w, struct uprobes *u, int pid,
		       const struct memprobe_set *set)
{
	struct perf_event_attr attr;
	int err = 0, i, n = 0;

	for (i = 0; i < MEMPROBE_NR && !err; i++) {
		memset(&attr, 0, sizeof(attr));
		attr.size = sizeof(attr);
		attr.type = (unsigned)w->pmu_type;
		attr.config1 = (uint64_t)(uintptr_t)set->path; /* uprobe_path */
		attr.config2 = set->off[i];                     /* probe_offset */
		attr.sample_period = 1;
		attr.disabled = 1;
		u->fds[i] = (int)syscall(__NR_perf_event_open, &attr, pid, -1, -1,
					 PERF_FLAG_FD_CLOEXEC);
		if (u->fds[i] < 0)
			err = -errno;
		else if (ioctl(u->fds[i], PERF_EVENT_IOC_SET_BPF, w->prog_fd[i]) ||
			 ioctl(u->fds[i], PERF_EVENT_IOC_ENABLE, 0))
			err = -errno;
		if (u->fds[i] >= 0)
			n++;
	}
	while (err && n > 0)
		close(u->fds[--n]);
	if (!err)
		__atomic_fetch_add(&w->events, MEMPROBE_NR, __ATOMIC_RELAXED);
	return err;
}

static void unprobe(struct memworker *w, int pid)
{
	struct uprobes *u = hashmap__delete(w->probed, (uint32_t)pid);

	if (u)
		close_probes(w, u);
}

static int gone(int pid)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d", pid);
	return access(path, F_OK) != 0;
}

static void probe(struct memworker *w, int pid)
{
	struct memprobe_set set;
	struct uprobes *u;
	struct stat st;
	int err;

	err = memprobe_resolve(pid, &set);
	if (!err && stat(set.path, &st))
		err = -errno;
	u = err ? NULL : hashmap__find(w->probed, (uint32_t)pid);
	/* The same library after an exec: the events follow the task into
	 * its new address space (the kernel filters by the task's mm). */
	if (u && u->dev == st.st_dev && u->ino == st.st_ino &&
	    !memcmp(u->off, set.off, sizeof(set.off)))
		return;
	/* New probes first, then the old ones go (their close is slow). */
	u = err ? NULL : calloc(1, sizeof(*u));
	if (!err && !u)
		err = -ENOMEM;
	if (!err)
		err = open_probes(w, u, pid, &set);
	unprobe(w, pid);
	if (!err) {
		u->dev = st.st_dev;
		u->ino = st.st_ino;
		memcpy(u->off, set.off, sizeof(set.off));
		err = hashmap__set(w->probed, (uint32_t)pid, u, NULL);
		if (err)
			close_probes(w, u);
		u = NULL;
	}
	free(u);
	/* A process that exited before its turn is not a failure. */
	if (err && err != -ESRCH && !gone(pid))
		__atomic_fetch_add(&w->unprobed, 1, __ATOMIC_RELAXED);
}

static void *run(void *arg)
{
	struct memworker *w = arg;
	struct request r;
	int done = 0, have;

	while (!done) {
		pthread_mutex_lock(&w->lock);
		while (!w->n && !w->stop && !w->nclosing)
			pthread_cond_wait(&w->wake, &w->lock);
		have = w->n > 0;
		if (have) {
			r = w->q[w->head];
			w->head = (w->head + 1) % w->cap;
			w->n--;
		}
		done = !have && w->stop;
		pthread_mutex_unlock(&w->lock);
		if (have && r.probe)
			probe(w, r.pid);
		else if (have)
			unprobe(w, r.pid);
		else if (w->nclosing)
			close(w->closing[--w->nclosing]);
	}
	return NULL;
}

struct memworker *memworker__new(const int prog_fd[MEMPROBE_NR])
{
	struct memworker *w = calloc(1, sizeof(*w));
	int err = 0;

	if (!w || !(w->probed = hashmap__new(NULL, NULL))) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(w->prog_fd, prog_fd, sizeof(w->prog_fd));
	w->pmu_type = read_pmu_type();
	if (w->pmu_type < 0)
		err = -w->pmu_type;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (!err)
		err = pthread_create(&w->thread, NULL, run, w);
	if (err) {
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		hashmap__free(w->probed);
		free(w);
		errno = err;
		w = NULL;
	}
	return w;
}

static void enqueue(struct memworker *w, int pid, int is_probe)
{
	struct request *nq;
	size_t cap, i;
	int queued = 0;

	pthread_mutex_lock(&w->lock);
	if (w->n == w->cap) {
		cap = w->cap ? w->cap * 2 : 64;
		nq = malloc(cap * sizeof(*nq));
		if (nq) {
			for (i = 0; i < w->n; i++)
				nq[i] = w->q[(w->head + i) % w->cap];
			free(w->q);
			w->q = nq;
			w->head = 0;
			w->cap = cap;
		}
	}
	if (w->n < w->cap) {
		w->q[(w->head + w->n) % w->cap] = (struct request){ pid, is_probe };
		w->n++;
		queued = 1;
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
	if (!queued && is_probe)
		__atomic_fetch_add(&w->unprobed, 1, __ATOMIC_RELAXED);
}

void memworker__probe(struct memworker *w, int pid)
{
	enqueue(w, pid, 1);
}

void memworker__unprobe(struct memworker *w, int pid)
{
	enqueue(w, pid, 0);
}

unsigned memworker__events(const struct memworker *w)
{
	return __atomic_load_n(&w->events, __ATOMIC_RELAXED);
}

unsigned memworker__unprobed(const struct memworker *w)
{
	return __atomic_load_n(&w->unprobed, __ATOMIC_RELAXED);
}

static int free_probes(uint64_t key, void *value, void *ctx)
{
	(void)key;
	close_probes(ctx, value);
	return 0;
}

void memworker__free(struct memworker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	hashmap__for_each(w->probed, free_probes, w);
	hashmap__free(w->probed);
	while (w->nclosing)
		close(w->closing[--w->nclosing]);
	free(w->closing);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w->q);
	free(w);
}
