// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A request queue and one thread that owns the memory uprobes. */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hashmap.h"
#include "memworker.h"
#include "perfbpf.h"

/* A process's probes. One event per entry point and process, opened on
 * its main thread: the kernel filters uprobe hits by address space, so it
 * covers every thread (one per thread would run the program once per
 * thread on each hit). Not inherited: the kernel would re-read the library
 * path from the daemon's memory in a forked child, and fork fails. */
#define MAX_PROBES (2 * MEMPROBE_NR + 1) /* entries, returns, Py_FinalizeEx */

struct uprobes {
	int fds[MAX_PROBES];
	int n;
	/* The set of the library the process ran before an exec into another
	 * (a container's): kept until the process exits. Closing it at the
	 * exec held the probing of its first child 0.2-0.3 s on this VM (the
	 * kernel serializes uprobe set-up behind teardown), and its probes
	 * cannot fire in an address space without that library. */
	struct uprobes *prev;
	dev_t dev;   /* the library probed */
	ino_t ino;
	uint64_t off[MEMPROBE_NR];
};

enum req_kind { REQ_UNPROBE = 0, REQ_PROBE, REQ_FINALIZE };

struct request {
	int pid;
	enum req_kind kind;
	char *path; /* REQ_FINALIZE: the interpreter file (owned) */
};

struct memworker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_cond_t idle;     /* signalled when the queue is done */
	int busy;                /* a request is being handled */
	struct request *q;   /* FIFO ring */
	size_t head, n, cap;
	int stop;
	int prog_fd[MEMPROBE_NR];
	int ret_fd[MEMPROBE_NR];
	int finalize_fd;
	int nprobes;             /* probes per process */
	int pmu_type;            /* the uprobe PMU */
	int ret_bit;             /* the PMU's retprobe config bit */
	struct hashmap *probed;  /* pid -> struct uprobes; worker only */
	/* The closer threads: closing waits for a grace period, so it never
	 * delays the probing of a new target. */
#define CLOSERS 8
	pthread_t closer[CLOSERS];
	int nclosers;
	pthread_mutex_t clock_;
	pthread_cond_t cwake;
	int *closing;            /* FIFO ring: oldest first */
	size_t chead, nclosing, capclosing;
	int cstop;               /* close what is queued, then stop */
	int abandon;             /* stop, leave what is queued open */
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

/* The config bit that makes a uprobe a return probe ("config:0"). */
static int read_ret_bit(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/format/retprobe", "re");
	int bit = 0;

	if (f) {
		if (fscanf(f, "config:%d", &bit) != 1)
			bit = 0;
		fclose(f);
	}
	return bit;
}

/* Room for one more descriptor in the closing ring; 0 if there is none. */
static int closing_room(struct memworker *w)
{
	size_t cap, i;
	int *nc;

	if (w->nclosing < w->capclosing)
		return 1;
	cap = w->capclosing ? w->capclosing * 2 : 64;
	nc = malloc(cap * sizeof(*nc));
	if (!nc)
		return 0;
	for (i = 0; i < w->nclosing; i++)
		nc[i] = w->closing[(w->chead + i) % w->capclosing];
	free(w->closing);
	w->closing = nc;
	w->chead = 0;
	w->capclosing = cap;
	return 1;
}

/* Hands fds to the closer threads. */
static void queue_closes(struct memworker *w, const int *fds, int n)
{
	int i;

	pthread_mutex_lock(&w->clock_);
	for (i = 0; i < n; i++) {
		if (closing_room(w))
			w->closing[(w->chead + w->nclosing++) % w->capclosing] = fds[i];
		else
			close(fds[i]);
	}
	pthread_cond_broadcast(&w->cwake);
	pthread_mutex_unlock(&w->clock_);
}

/* A process's probes go (every set it had): closed by the closers,
 * counted out now. */
static void close_probes(struct memworker *w, struct uprobes *u)
{
	struct uprobes *prev;

	for (; u; u = prev) {
		prev = u->prev;
		queue_closes(w, u->fds, u->n);
		__atomic_fetch_sub(&w->events, (unsigned)u->n, __ATOMIC_RELAXED);
		free(u);
	}
}

static int open_one(struct memworker *w, int pid, const struct memprobe_set *set, int i,
		    int ret, int prog_fd)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.type = (unsigned)w->pmu_type;
	attr.config = ret ? 1ULL << w->ret_bit : 0;
	attr.config1 = (uint64_t)(uintptr_t)set->path; /* uprobe_path */
	attr.config2 = set->off[i];                     /* probe_offset */
	attr.sample_period = 1;
	return perfbpf_open(&attr, pid, -1, prog_fd);
}

/* Opens set's entry (and return) probes for pid. 0 or -errno (none left
 * open). */
static int open_probes(struct memworker *w, struct uprobes *u, int pid,
		       const struct memprobe_set *set)
{
	int err = 0, i, ret, fd, prog;

	u->n = 0;
	for (i = 0; i < MEMPROBE_NR && !err; i++) {
		for (ret = 0; ret < 2 && !err; ret++) {
			prog = ret ? w->ret_fd[i] : w->prog_fd[i];
			if (prog < 0)
				continue;
			fd = open_one(w, pid, set, i, ret, prog);
			if (fd < 0)
				err = fd;
			else
				u->fds[u->n++] = fd;
		}
	}
	/* A set that failed half-way is closed by the closers: a close here
	 * would hold the probing of the next process for a grace period or
	 * more (this is how a child's probes came ~110 ms late). */
	if (err) {
		queue_closes(w, u->fds, u->n);
		u->n = 0;
	}
	if (!err)
		__atomic_fetch_add(&w->events, (unsigned)u->n, __ATOMIC_RELAXED);
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

/* Points set->path at the file through a descriptor of ours (returned,
 * -errno): a /proc/PID/map_files path goes away when pid execs, which
 * made a set opened at fork fail half-way through (docs/design.md
 * decision 11). */
static int pin_path(struct memprobe_set *set, struct stat *st)
{
	int fd = open(set->path, O_PATH | O_CLOEXEC);

	if (fd < 0 || fstat(fd, st)) {
		fd = fd < 0 ? -errno : (close(fd), -errno);
	} else if (snprintf(set->path, sizeof(set->path), "/proc/self/fd/%d", fd) >=
		   (int)sizeof(set->path)) {
		close(fd);
		fd = -ENAMETOOLONG;
	}
	return fd;
}

/* 1 if one of the sets in chain u probes the library in set (st). */
static int probes_library(const struct uprobes *u, const struct memprobe_set *set,
			  const struct stat *st)
{
	int found = 0;

	for (; u && !found; u = u->prev)
		found = u->dev == st->st_dev && u->ino == st->st_ino &&
			!memcmp(u->off, set->off, sizeof(set->off));
	return found;
}

static void probe(struct memworker *w, int pid)
{
	struct memprobe_set set;
	struct uprobes *u = NULL;
	struct stat st;
	int err, pin = -1, same = 0;

	err = memprobe_resolve(pid, &set);
	if (!err && (pin = pin_path(&set, &st)) < 0)
		err = pin;
	/* A library it has probes on already (the same after an exec): the
	 * events follow the task into its new address space (the kernel
	 * filters by the task's mm). */
	if (!err)
		same = probes_library(hashmap__find(w->probed, (uint32_t)pid), &set, &st);
	u = err || same ? NULL : calloc(1, sizeof(*u));
	if (!err && !same && !u)
		err = -ENOMEM;
	if (u)
		err = open_probes(w, u, pid, &set);
	/* Old probes are closed at the process's exit only (a one-shot's
	 * command: never, sampler__keep_memory): closing them here when the
	 * process could not be resolved again (it was gone: its exit had
	 * been seen) held the daemon's own exit 0.25 s. */
	if (u && !err) {
		u->prev = hashmap__delete(w->probed, (uint32_t)pid);
		u->dev = st.st_dev;
		u->ino = st.st_ino;
		memcpy(u->off, set.off, sizeof(set.off));
		err = hashmap__set(w->probed, (uint32_t)pid, u, NULL);
		if (err)
			close_probes(w, u);
		u = NULL;
	}
	free(u);
	if (pin >= 0)
		close(pin); /* each probe holds the file now */
	/* A process that exited before its turn is not a failure. */
	if (err && err != -ESRCH && !gone(pid))
		__atomic_fetch_add(&w->unprobed, 1, __ATOMIC_RELAXED);
}

/* Adds a Py_FinalizeEx probe to pid's probes (live mode); path is the
 * interpreter file as pid's maps name it. */
static void probe_finalize(struct memworker *w, int pid, const char *path)
{
	struct uprobes *u = hashmap__find(w->probed, (uint32_t)pid);
	struct memprobe_set set;
	int fd = -ENOENT, err;

	if (u && u->n < MAX_PROBES) {
		err = memprobe_mapped_file(pid, path, set.path, sizeof(set.path));
		if (!err)
			err = memprobe_symbol_offset(set.path, "Py_FinalizeEx", &set.off[0]);
		fd = err ? err : open_one(w, pid, &set, 0, 0, w->finalize_fd);
	}
	if (fd >= 0) {
		u->fds[u->n++] = fd;
		__atomic_fetch_add(&w->events, 1, __ATOMIC_RELAXED);
	} else if (fd != -ESRCH && !gone(pid)) {
		__atomic_fetch_add(&w->unprobed, 1, __ATOMIC_RELAXED);
	}
}

static void *run(void *arg)
{
	struct memworker *w = arg;
	struct request r;
	int done = 0, have;

	while (!done) {
		pthread_mutex_lock(&w->lock);
		w->busy = 0;
		if (!w->n)
			pthread_cond_broadcast(&w->idle);
		while (!w->n && !w->stop)
			pthread_cond_wait(&w->wake, &w->lock);
		have = w->n > 0;
		if (have) {
			r = w->q[w->head];
			w->head = (w->head + 1) % w->cap;
			w->n--;
		}
		done = !have && w->stop;
		w->busy = have;
		pthread_mutex_unlock(&w->lock);
		if (have && r.kind == REQ_PROBE)
			probe(w, r.pid);
		else if (have && r.kind == REQ_FINALIZE)
			probe_finalize(w, r.pid, r.path);
		else if (have)
			unprobe(w, r.pid);
		if (have)
			free(r.path);
	}
	return NULL;
}

static void *run_closer(void *arg)
{
	struct memworker *w = arg;
	int fd, done = 0;

	while (!done) {
		pthread_mutex_lock(&w->clock_);
		while (!w->nclosing && !w->cstop && !w->abandon)
			pthread_cond_wait(&w->cwake, &w->clock_);
		fd = -1;
		if (!w->abandon && w->nclosing) {
			fd = w->closing[w->chead];
			w->chead = (w->chead + 1) % w->capclosing;
			w->nclosing--;
		}
		done = fd < 0;
		pthread_mutex_unlock(&w->clock_);
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

/* Lets the closers finish what is queued, and joins them. */
static void stop_closers(struct memworker *w)
{
	pthread_mutex_lock(&w->clock_);
	w->cstop = 1;
	pthread_cond_broadcast(&w->cwake);
	pthread_mutex_unlock(&w->clock_);
	while (w->nclosers)
		pthread_join(w->closer[--w->nclosers], NULL);
}

static void destroy_sync(struct memworker *w)
{
	pthread_cond_destroy(&w->cwake);
	pthread_mutex_destroy(&w->clock_);
	pthread_cond_destroy(&w->idle);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
}

struct memworker *memworker__new(const int prog_fd[MEMPROBE_NR], const int ret_fd[MEMPROBE_NR],
				 int finalize_fd)
{
	struct memworker *w = calloc(1, sizeof(*w));
	int err = 0;

	if (!w || !(w->probed = hashmap__new(NULL, NULL))) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(w->prog_fd, prog_fd, sizeof(w->prog_fd));
	memcpy(w->ret_fd, ret_fd, sizeof(w->ret_fd));
	w->finalize_fd = finalize_fd;
	w->pmu_type = read_pmu_type();
	w->ret_bit = read_ret_bit();
	if (w->pmu_type < 0)
		err = -w->pmu_type;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->idle, NULL);
	pthread_mutex_init(&w->clock_, NULL);
	pthread_cond_init(&w->cwake, NULL);
	/* Several closers: concurrent waits share grace periods, so a busy
	 * machine's exits (3-5 descriptors each) do not pile up. */
	while (!err && w->nclosers < CLOSERS) {
		err = pthread_create(&w->closer[w->nclosers], NULL, run_closer, w);
		if (!err)
			w->nclosers++;
	}
	if (w->nclosers)
		err = 0;
	if (!err)
		err = pthread_create(&w->thread, NULL, run, w);
	if (err) {
		stop_closers(w);
	}
	if (err) {
		destroy_sync(w);
		hashmap__free(w->probed);
		free(w);
		errno = err;
		w = NULL;
	}
	return w;
}

static void enqueue(struct memworker *w, int pid, int kind, char *path)
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
		w->q[(w->head + w->n) % w->cap] = (struct request){ pid, kind, path };
		w->n++;
		queued = 1;
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
	if (!queued) {
		free(path);
		if (kind != REQ_UNPROBE)
			__atomic_fetch_add(&w->unprobed, 1, __ATOMIC_RELAXED);
	}
}

void memworker__probe(struct memworker *w, int pid)
{
	enqueue(w, pid, REQ_PROBE, NULL);
}

void memworker__unprobe(struct memworker *w, int pid)
{
	enqueue(w, pid, REQ_UNPROBE, NULL);
}

void memworker__wait(struct memworker *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->n || w->busy)
		pthread_cond_wait(&w->idle, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

void memworker__probe_finalize(struct memworker *w, int pid, const char *path)
{
	char *p = strdup(path);

	if (p)
		enqueue(w, pid, REQ_FINALIZE, p);
	else
		__atomic_fetch_add(&w->unprobed, 1, __ATOMIC_RELAXED);
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

void memworker__abandon(struct memworker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->clock_);
	w->abandon = 1;
	pthread_cond_broadcast(&w->cwake);
	pthread_mutex_unlock(&w->clock_);
	while (w->nclosers)
		pthread_join(w->closer[--w->nclosers], NULL);
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
	stop_closers(w);
	free(w->closing);
	destroy_sync(w);
	free(w->q);
	free(w);
}
