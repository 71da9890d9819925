// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* mlprofd: loads the sampler, follows target processes, keeps profiles and
 * answers mlprofctl; or, with -- COMMAND, profiles one command and prints
 * its report. One epoll loop: ring buffer, control socket, signals. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "export.h"
#include "safefile.h"
#include "bpfload.h"
#include "btfcache.h"
#include "collector.h"
#include "collector_sys.h"
#include "offcpu.h"
#include "control.h"
#include "evloop.h"
#include "evtimer.h"
#include "inspect.h"
#include "oneshot.h"
#include "sclock.h"
#include "opts.h"
#include "report.h"
#include "sampler.h"
#include "serve.h"
#include "service.h"
#include "store.h"

struct daemon;

/* SIGINT/SIGTERM: a one-shot daemon waits for its command (which got the
 * terminal's signal too) unless a second one comes; a daemon stops. */
enum daemon_stop {
	STOP_NO,
	STOP_AFTER_COMMAND,
	STOP_NOW,
};

struct handler {
	struct ev_handler h;
	struct daemon *d;
};

struct daemon {
	struct opts o;
	int epfd, sigfd;
	struct ev_timers timers; /* the loop's (user/evtimer.h) */
	struct handler h_rb, h_sig;
	struct bpf_ctx *bpf;
	struct sampler *smp;
	struct store *st;
	struct inspector *in;
	struct collector *col;
	struct collector_sys sys; /* what the collector uses of the world */
	struct control *ctl;
	struct serve *srv; /* --http, --push-url */
	struct service *svc; /* --log, --snapshot-dir (user/service.c) */
	struct oneshot child;
	int child_status;
	int child_done;
	enum daemon_stop stop;
	uint64_t start_ns;
	uint64_t stats_base[MLPROF_STAT_NR]; /* BPF counters at the last reset */
	char host[64];
	struct btfkey btf_key; /* the one-shot's BTF cache key (decision 30) */
	int btf_make;          /* not in the cache: make it after the run */
};

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static const char *mode_name(enum target_mode mode)
{
	return mode == TARGET_MLPY ? "mlpy" : mode == TARGET_PYTHON ? "python" : "pids";
}

/* ---- snapshots and replies ---- */

/* What a profile's sample counts are per second of CPU time: the timer's
 * frequency, or the tick clock's microseconds. */
static uint32_t units_hz(const struct daemon *d)
{
	return d->o.clock == SCLOCK_TICK ? SCLOCK_TICK_UNIT_HZ : d->o.freq_hz;
}

static void fill_bpf_stats(struct daemon *d, struct snap_stats *st)
{
	uint64_t v[MLPROF_STAT_NR] = { 0 };
	int k;

	if (bpfload__stats(d->bpf, v))
		return;
	for (k = 0; k < MLPROF_STAT_NR; k++)
		v[k] = v[k] >= d->stats_base[k] ? v[k] - d->stats_base[k] : 0;
	for (k = 0; k < SNAP_STAT_NR; k++) {
		if (snap_stat_table[k].bpf != STAT_USER)
			st->v[k] = v[snap_stat_table[k].bpf];
	}
	/* --mode wall: a lost off-CPU stack or end loses that wait */
	st->sample_drops += v[MLPROF_STAT_OFFCPU_DROPS];
}

/* --mode wall: off-CPU intervals charged, and not charged (an end or a
 * start lost; a thread table full). */
static void wall_status(const struct daemon *d, cJSON *dm)
{
	const struct offcpu_counts *w = collector__wall_counts(d->col);
	cJSON *o = w ? cJSON_AddObjectToObject(dm, "wall") : NULL;

	if (o) {
		cJSON_AddNumberToObject(o, "intervals", (double)w->intervals);
		cJSON_AddNumberToObject(o, "unpaired", (double)w->unpaired);
		cJSON_AddNumberToObject(o, "threads_full", (double)w->full);
	}
}

/* One-shot --mode wall: the pairing's counts, so that a profile that looks
 * wrong says whether waits went uncharged. */
static void wall_summary(const struct daemon *d)
{
	const struct offcpu_counts *w = collector__wall_counts(d->col);

	if (w)
		fprintf(stderr,
			"mlprofd: wall: %llu off-CPU intervals charged, %llu unpaired (not charged), "
			"%llu not followed (thread table full)\n",
			(unsigned long long)w->intervals, (unsigned long long)w->unpaired,
			(unsigned long long)w->full);
}

static int make_snapshot(struct daemon *d, const struct snap_scope *scope, struct snap *s)
{
	int err;

	store__expire(d->st, now_ns(CLOCK_MONOTONIC)); /* nothing past the retention */
	collector__read_peaks(d->col);
	collector__wall_flush(d->col, now_ns(CLOCK_MONOTONIC));
	err = store__snapshot_since(d->st, scope->since_ns, s);

	if (err)
		return err;
	fill_bpf_stats(d, &s->stats);
	s->freq_hz = units_hz(d);
	s->clock = d->o.clock;
	s->memory = d->o.memory;
	s->fault_period = d->o.fault_period;
	s->host = strdup(d->host);
	s->now_ns = now_ns(CLOCK_MONOTONIC);
	s->mono_to_real_ns = (int64_t)(now_ns(CLOCK_REALTIME) - s->now_ns);
	err = s->host ? snap_filter(s, scope) : -ENOMEM;
	if (err)
		snap_free(s);
	return err;
}

static void rusage_of_self(double *cpu_s, long *rss_kb)
{
	struct rusage ru;
	char line[256];
	FILE *f;

	*cpu_s = 0;
	*rss_kb = 0;
	if (!getrusage(RUSAGE_SELF, &ru))
		*cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			 (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	f = fopen("/proc/self/status", "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "VmRSS:", 6))
			*rss_kb = strtol(line + 6, NULL, 10);
	}
	if (f)
		fclose(f);
}

struct live_ctx {
	cJSON *arr;
};

static void add_live(struct proc_rec *p, void *ctx)
{
	struct live_ctx *lc = ctx;
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return;
	cJSON_AddNumberToObject(o, "pid", p->pid);
	cJSON_AddNumberToObject(o, "ppid", p->ppid);
	cJSON_AddStringToObject(o, "comm", p->comm);
	cJSON_AddStringToObject(o, "command", p->cmdline ? p->cmdline : "");
	cJSON_AddStringToObject(o, "python", p->python);
	cJSON_AddStringToObject(o, "status", inspect_status_str(p->inspect_status));
	cJSON_AddStringToObject(o, "message", p->message);
	cJSON_AddNumberToObject(o, "samples", (double)p->samples);
	cJSON_AddItemToArray(lc->arr, o);
}

static cJSON *status_json(struct daemon *d)
{
	cJSON *o = cJSON_CreateObject(), *dm, *tg, *bp;
	struct snap_stats st = *store__stats(d->st);
	struct live_ctx lc;
	uint64_t events, bad, v[MLPROF_STAT_NR];
	double cpu;
	long rss;
	int k;

	if (!o)
		return NULL;
	store__expire(d->st, now_ns(CLOCK_MONOTONIC));
	st = *store__stats(d->st);
	fill_bpf_stats(d, &st);
	rusage_of_self(&cpu, &rss);
	collector__counts(d->col, &events, &bad);
	dm = cJSON_AddObjectToObject(o, "daemon");
	cJSON_AddNumberToObject(dm, "pid", getpid());
	cJSON_AddStringToObject(dm, "mode", mode_name(d->o.mode));
	cJSON_AddNumberToObject(dm, "freq_hz", d->o.clock == SCLOCK_TICK ? 0 : d->o.freq_hz);
	cJSON_AddStringToObject(dm, "clock", sclock_name(d->o.clock));
	if (!bpfload__stats(d->bpf, v)) {
		/* Tick clock: events of other tasks (each returned at once) and
		 * of targets updated from another CPU (their time carried on). */
		cJSON_AddNumberToObject(dm, "tick_other", (double)v[MLPROF_STAT_TICK_OTHER]);
		cJSON_AddNumberToObject(dm, "tick_remote", (double)v[MLPROF_STAT_TICK_REMOTE]);
		/* Samples of an event a process inherited beside its own,
		 * not counted (mlprof_target.cover). */
		cJSON_AddNumberToObject(dm, "dup_samples", (double)v[MLPROF_STAT_DUP_SAMPLES]);
		/* Samples of children that inherited no event, taken by the
		 * bridge until their own events opened (bridge.h). */
		cJSON_AddNumberToObject(dm, "bridge_samples",
					(double)v[MLPROF_STAT_BRIDGE_SAMPLES]);
	}
	cJSON_AddNumberToObject(dm, "bridge_opens", (double)sampler__bridge_opens(d->smp));
	cJSON_AddNumberToObject(dm, "bridge_open_failures",
				(double)sampler__bridge_failures(d->smp));
	if (d->o.pieces_off) /* a benchmark's daemon says what it left out */
		cJSON_AddNumberToObject(dm, "pieces_off", d->o.pieces_off);
	cJSON_AddNumberToObject(dm, "uptime_s", (double)(now_ns(CLOCK_MONOTONIC) - d->start_ns) / 1e9);
	cJSON_AddNumberToObject(dm, "cpu_s", cpu);
	cJSON_AddNumberToObject(dm, "rss_kb", (double)rss);
	cJSON_AddNumberToObject(dm, "cpus", bpfload__ncpus(d->bpf));
	cJSON_AddNumberToObject(dm, "events", (double)events);
	cJSON_AddNumberToObject(dm, "bad_events", (double)bad);
	wall_status(d, dm);
	cJSON_AddNumberToObject(dm, "processes_kept", (double)store__proc_count(d->st));
	cJSON_AddNumberToObject(dm, "stacks_kept", (double)store__stack_count(d->st));
	cJSON_AddNumberToObject(dm, "functions_kept", (double)store__func_count(d->st));
	cJSON_AddNumberToObject(dm, "buckets_kept", (double)store__bucket_count(d->st));
	cJSON_AddNumberToObject(dm, "entries_kept", (double)store__entry_count(d->st));
	cJSON_AddNumberToObject(dm, "bucket_s", (double)d->o.limits.bucket_ns / 1e9);
	cJSON_AddNumberToObject(dm, "retention_s", (double)d->o.limits.retention_ns / 1e9);
	cJSON_AddNumberToObject(dm, "bpf_targets", bpfload__target_count(d->bpf));
	cJSON_AddNumberToObject(dm, "perf_events", sampler__events(d->smp));
	cJSON_AddBoolToObject(dm, "memory", d->o.memory != SNAP_MEM_OFF);
	/* Target processes whose C library could not be probed (memory). */
	cJSON_AddNumberToObject(dm, "memory_unprobed", sampler__unprobed(d->smp));
	/* Memory probe events open now (in perf_events too): they open on a
	 * worker a moment after their process becomes a target. */
	cJSON_AddNumberToObject(dm, "memory_probes", sampler__memory_probes(d->smp));
	bp = cJSON_AddObjectToObject(o, "counters");
	for (k = 0; k < SNAP_STAT_NR; k++)
		cJSON_AddNumberToObject(bp, snap_stat_table[k].name, (double)st.v[k]);
	if (d->ctl) {
		const struct control_stats *cs = control__stats(d->ctl);

		cJSON_AddNumberToObject(bp, "ctl_clients", control__clients(d->ctl));
		cJSON_AddNumberToObject(bp, "ctl_cut_idle", (double)cs->cut_idle);
		cJSON_AddNumberToObject(bp, "ctl_cut_unread", (double)cs->cut_unread);
		cJSON_AddNumberToObject(bp, "ctl_evicted", (double)cs->evicted);
	}
	tg = cJSON_AddArrayToObject(o, "targets");
	lc.arr = tg;
	store__for_each_live(d->st, add_live, &lc);
	serve__status(d->srv, o);
	service__status(d->svc, o);
	return o;
}

/* ---- serving and pushing (serve.c) ---- */

static int serve_snapshot(void *ctx, uint64_t since_ns, struct snap *out)
{
	struct daemon *d = ctx;
	struct snap_scope recent = { .since_ns = since_ns };

	bpfload__consume(d->bpf);
	return make_snapshot(d, &recent, out);
}

static void count_live(struct proc_rec *p, void *ctx)
{
	(void)p;
	(*(uint32_t *)ctx)++;
}

static void serve_metrics(void *ctx, struct metrics_in *m)
{
	struct daemon *d = ctx;
	long rss;

	m->st = *store__stats(d->st);
	fill_bpf_stats(d, &m->st);
	collector__counts(d->col, &m->events, &m->bad_events);
	store__for_each_live(d->st, count_live, &m->targets);
	m->procs_kept = store__proc_count(d->st);
	m->stacks_kept = store__stack_count(d->st);
	m->funcs_kept = store__func_count(d->st);
	m->freq_hz = d->o.clock == SCLOCK_TICK ? 0 : d->o.freq_hz;
	m->uptime_s = (double)(now_ns(CLOCK_MONOTONIC) - d->start_ns) / 1e9;
	rusage_of_self(&m->cpu_s, &rss);
	m->rss_bytes = (uint64_t)rss * 1024;
}

static char *handle_request(void *ctx, const struct proto_request *req)
{
	struct daemon *d = ctx;
	struct snap_scope scope = { 0 };
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	struct snap s;
	cJSON *o;
	char *line;

	switch (req->cmd) {
	case PROTO_STATUS:
		return proto_ok_line("status", status_json(d));
	case PROTO_RESET:
		bpfload__consume(d->bpf); /* what happened before the reset goes too */
		bpfload__stats(d->bpf, d->stats_base);
		store__reset(d->st, now);
		o = cJSON_CreateObject();
		if (o)
			cJSON_AddStringToObject(o, "message", "profiles cleared");
		return proto_ok_line("reset", o);
	case PROTO_SNAPSHOT:
		/* Include everything BPF produced before the request. */
		bpfload__consume(d->bpf);
		scope.pid = req->pid;
		/* Time range: the buckets of [now - since_s, now - until_s). */
		if (req->since_s > 0)
			scope.since_ns = now > req->since_s * 1e9 ? now - (uint64_t)(req->since_s * 1e9) : 1;
		if (req->until_s > 0)
			scope.until_ns = now > req->until_s * 1e9 ? now - (uint64_t)(req->until_s * 1e9) : 1;
		if (make_snapshot(d, &scope, &s))
			return proto_error_line("internal", "out of memory building the snapshot");
		line = proto_ok_line("snapshot", snap_to_json(&s));
		snap_free(&s);
		return line;
	default:
		return proto_error_line("unknown_command", "unknown command");
	}
}

/* A snapshot of everything, for the snapshot directory. */
static int snapshot_all(void *ctx, struct snap *s)
{
	struct daemon *d = ctx;
	struct snap_scope all = { 0 };

	bpfload__consume(d->bpf);
	return make_snapshot(d, &all, s);
}

/* ---- event handlers ---- */

static void on_ringbuf(struct ev_handler *h, uint32_t events)
{
	struct daemon *d = ((struct handler *)h)->d;

	(void)events;
	bpfload__consume(d->bpf);
}

static void reap_child(struct daemon *d)
{
	int st;
	pid_t r;

	if (d->child.pid <= 0 || d->child_done)
		return;
	r = waitpid(d->child.pid, &st, WNOHANG);
	if (r == d->child.pid) {
		d->child_status = st;
		d->child_done = 1;
	}
}

static void on_signal(struct ev_handler *h, uint32_t events)
{
	struct daemon *d = ((struct handler *)h)->d;
	struct signalfd_siginfo si;

	(void)events;
	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap_child(d);
		} else if (si.ssi_signo == SIGHUP) {
			service__reload(d->svc);
		} else if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM) {
			if (d->o.command && d->child.pid > 0 && !d->child_done) {
				/* The command got the terminal's signal too; wait
				 * for it, but a second signal stops us. */
				d->stop = d->stop == STOP_NO ? STOP_AFTER_COMMAND : STOP_NOW;
				kill(d->child.pid, (int)si.ssi_signo);
			} else {
				d->stop = STOP_NOW;
			}
		}
	}
}

/* ---- setup ---- */

static int setup_loop(struct daemon *d)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	sigdelset(&mask, SIGPIPE);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->epfd < 0 || d->sigfd < 0)
		return -errno;
	d->h_sig.h.fn = on_signal;
	d->h_sig.d = d;
	d->h_rb.h.fn = on_ringbuf;
	d->h_rb.d = d;
	return evloop_add(d->epfd, d->sigfd, EPOLLIN, &d->h_sig.h);
}

/* A one-shot's minimized kernel BTF from the cache (decision 30): a memfd
 * with its /proc path in path, or -errno (the kernel's BTF is used then,
 * and unless the key could not be made the cache file is made after the
 * run). */
static int cached_btf(struct daemon *d, char *path, size_t cap)
{
	const void *obj;
	size_t n = 0;
	int fd = -ENOENT, err = 0;

	if (d->o.command && d->o.btf_cache) {
		obj = bpfload__object(&n);
		err = btfcache_key(obj, n, &d->btf_key);
		fd = err ? err : btfcache_load(d->o.btf_cache, &d->btf_key);
		if (fd >= 0)
			snprintf(path, cap, "/proc/self/fd/%d", fd);
		d->btf_make = !err && fd < 0;
		if (d->o.verbose && fd >= 0)
			fprintf(stderr, "mlprofd: kernel BTF from the cache in %s\n", d->o.btf_cache);
		else if (d->o.verbose)
			fprintf(stderr, "mlprofd: BTF cache in %s: %s; the kernel's BTF is used\n",
				d->o.btf_cache, err ? strerror(-err) : btfcache_strerror(fd));
	}
	return fd;
}

/* After a one-shot, in a process of its own that no one waits for. */
static void make_btf_cache(void *arg)
{
	struct daemon *d = arg;
	const void *obj;
	size_t n = 0;

	obj = bpfload__object(&n);
	(void)btfcache_make(d->o.btf_cache, &d->btf_key, obj, n);
}

static int setup(struct daemon *d)
{
	struct bpf_config cfg = {
		.freq_hz = d->o.freq_hz,
		.ringbuf_mb = d->o.ringbuf_mb,
		.exec_all = d->o.mode != TARGET_NONE,
		.memory = d->o.memory != SNAP_MEM_OFF,
		.live = d->o.memory == SNAP_MEM_LIVE,
		.fault_period = d->o.fault_period,
		.wall = d->o.wall != 0,
		.tick = d->o.clock == SCLOCK_TICK,
		.oneshot = d->o.command != NULL,
		.pieces_off = d->o.pieces_off,
		.verbose = d->o.verbose != 0,
	};
	char btf_path[32];
	int btf_fd;
	struct sampler_config scfg;
	struct collector_ops ops;
	int err, i;

	d->start_ns = now_ns(CLOCK_MONOTONIC);
	if (gethostname(d->host, sizeof(d->host) - 1))
		snprintf(d->host, sizeof(d->host), "unknown");
	err = setup_loop(d);
	if (err) {
		fprintf(stderr, "mlprofd: event loop setup failed: %s\n", strerror(-err));
		return err;
	}
	d->st = store__new(&d->o.limits, d->start_ns);
	d->in = inspector__new();
	d->sys.in = d->in;
	collector_sys_ops(&d->sys, &ops);
	d->col = d->st && d->in ? collector__new(d->st, &ops, &d->timers, d->o.mode, d->o.verbose) : NULL;
	if (!d->col) {
		fprintf(stderr, "mlprofd: out of memory\n");
		return -ENOMEM;
	}
	btf_fd = cached_btf(d, btf_path, sizeof(btf_path));
	if (btf_fd >= 0)
		cfg.btf_path = btf_path;
	d->bpf = bpfload__open(&cfg, collector__on_event, d->col);
	if (btf_fd >= 0)
		close(btf_fd); /* parsed at the load */
	if (!d->bpf)
		return -errno;
	bpfload__sampler_config(d->bpf, &scfg);
	scfg.freq_hz = d->o.freq_hz;
	scfg.fault_period = d->o.fault_period;
	d->smp = sampler__new(&scfg);
	if (!d->smp)
		return -errno;
	d->sys.bpf = d->bpf;
	d->sys.smp = d->smp;
	if ((d->o.memory == SNAP_MEM_LIVE && collector__set_live(d->col)) ||
	    (d->o.wall && collector__set_wall(d->col, d->o.freq_hz))) {
		fprintf(stderr, "mlprofd: out of memory\n");
		return -ENOMEM;
	}
	err = evloop_add(d->epfd, bpfload__ringbuf_fd(d->bpf), EPOLLIN, &d->h_rb.h);
	if (err)
		return err;
	if (!d->o.command || d->o.socket_given) {
		d->ctl = control__new(d->epfd, &d->timers, d->o.socket_path, d->o.socket_group, handle_request, d);
		if (!d->ctl) {
			err = -errno;
			fprintf(stderr, "mlprofd: control socket %s: %s%s\n", d->o.socket_path,
				strerror(errno),
				errno == EADDRINUSE ? " (another mlprofd is running; use --socket)" : "");
			return err;
		}
	}
	if (d->o.http || d->o.push_url) {
		struct serve_ops sops = { d, serve_snapshot, serve_metrics };

		d->srv = serve__new(d->epfd, &d->timers, &d->o, &sops);
		if (!d->srv)
			return -errno;
	}
	if (!d->o.command) {
		d->svc = service__new(&d->timers, &d->o, snapshot_all, d);
		if (!d->svc)
			return -errno;
	}
	for (i = 0; i < d->o.npids; i++) {
		err = kill(d->o.pids[i], 0) && errno == ESRCH ? -ESRCH : 0;
		if (!err)
			err = collector__add_root(d->col, d->o.pids[i], d->start_ns, 1);
		if (err) {
			fprintf(stderr, "mlprofd: cannot profile pid %d: %s\n", d->o.pids[i],
				strerror(-err));
			return err;
		}
	}
	/* Running targets, and running descendants of --pid targets. */
	collector__scan_existing(d->col, d->start_ns);
	return 0;
}

/* The sockets and files others see: closed (and the control socket's
 * path removed) by mlprofd itself, never left to a detached child. */
static void close_endpoints(struct daemon *d)
{
	serve__free(d->srv);
	service__free(d->svc);
	control__free(d->ctl);
	d->srv = NULL;
	d->svc = NULL;
	d->ctl = NULL;
}

static void teardown(struct daemon *d)
{
	close_endpoints(d);
	sampler__free(d->smp);
	bpfload__close(d->bpf);
	collector__free(d->col);
	inspector__free(d->in);
	store__free(d->st);
	if (d->sigfd >= 0)
		close(d->sigfd);
	if (d->epfd >= 0)
		close(d->epfd);
}

/* ---- one-shot ---- */

static int start_command(struct daemon *d)
{
	int err = oneshot_spawn(&d->child, d->o.command);

	if (!err) {
		sampler__keep_memory(d->smp, d->child.pid);
		err = collector__add_root(d->col, d->child.pid, now_ns(CLOCK_MONOTONIC), 0);
	}
	if (!err)
		sampler__wait_memory(d->smp); /* its memory probes before it runs */
	if (err) {
		fprintf(stderr, "mlprofd: cannot start %s: %s\n", d->o.command[0], strerror(-err));
		return err;
	}
	err = oneshot_release(&d->child);
	if (err)
		fprintf(stderr, "mlprofd: cannot run %s: %s\n", d->o.command[0], strerror(-err));
	return err;
}

static int save_snapshot(const struct snap *s, const char *path)
{
	cJSON *j = snap_to_json(s);
	char *txt = j ? cJSON_PrintUnformatted(j) : NULL;
	FILE *f = txt ? safefile_fopen(path, 0) : NULL;
	int err = 0;

	if (!txt)
		err = -ENOMEM;
	else if (!f)
		err = -errno;
	else if (fputs(txt, f) == EOF || fputc('\n', f) == EOF)
		err = -EIO;
	if (f && fclose(f) && !err)
		err = -EIO;
	if (err)
		fprintf(stderr, "mlprofd: cannot save the snapshot to %s: %s\n", path, strerror(-err));
	else
		fprintf(stderr, "mlprofd: snapshot saved to %s\n", path);
	free(txt);
	cJSON_Delete(j);
	return err;
}

static int print_reports(struct daemon *d)
{
	struct snap_scope scope = { 0 };
	struct strbuf out = STRBUF_INIT;
	char err[256];
	struct snap s;
	FILE *f = stdout;
	int ret;

	ret = make_snapshot(d, &scope, &s);
	if (!ret && d->o.save)
		save_snapshot(&s, d->o.save);
	if (!ret && d->o.html) {
		ret = export_html(&s, &out); /* every report is on the page */
		if (ret == -EINVAL)
			fprintf(stderr, "mlprofd: the profile cannot be written as a page\n");
	} else if (!ret) {
		const char *def = snap_last_mlpy_run(&s) >= 0 ? "ml-summary" : "raw";

		/* No --report: ml-summary for an mlpy run, raw otherwise. */
		ret = report_render_many(&s, d->o.nreports ? d->o.reports : &def,
					 d->o.nreports ? (size_t)d->o.nreports : 1, d->o.format, &out,
					 err, sizeof(err));
		if (ret == -EINVAL)
			fprintf(stderr, "mlprofd: %s\n", err);
	}
	if (!ret && d->o.output) {
		f = safefile_fopen(d->o.output, 0);
		if (!f) {
			fprintf(stderr, "mlprofd: cannot write %s: %s; report follows on stdout\n",
				d->o.output, strerror(errno));
			f = stdout;
		}
	}
	if (!ret && out.buf && (fputs(out.buf, f) == EOF || fflush(f)))
		ret = -EIO;
	if (f != stdout) {
		if (fclose(f))
			ret = -EIO;
		else if (!ret)
			fprintf(stderr, "mlprofd: report written to %s\n", d->o.output);
	}
	if (ret == -ENOMEM)
		fprintf(stderr, "mlprofd: out of memory rendering the report\n");
	strbuf_free(&out);
	snap_free(&s);
	return ret;
}

static void run_loop(struct daemon *d)
{
	int timeout;

	while (d->stop != STOP_NOW) {
		store__expire(d->st, now_ns(CLOCK_MONOTONIC));
		/* Every wake-up a module needs is a timer (the collector's
		 * retries and sweep, idle control clients, HTTP, pushes,
		 * snapshots); samples do not wake us, so the ring is read at
		 * least every MLPROF_RB_POLL_MS. */
		timeout = evtimer_timeout_ms(&d->timers, now_ns(CLOCK_MONOTONIC), MLPROF_RB_POLL_MS);
		evloop_run_once(d->epfd, timeout);
		evtimer_run(&d->timers, now_ns(CLOCK_MONOTONIC));
		bpfload__consume(d->bpf); /* samples do not wake us up */
		if (d->o.command && d->child_done)
			break;
		if (!d->o.command && d->stop != STOP_NO)
			break;
	}
	/* Everything BPF produced before the exit is in the ring already. */
	bpfload__consume(d->bpf);
}

int main(int argc, char **argv)
{
	struct daemon d = { .epfd = -1, .sigfd = -1, .child = { .pid = -1 } };
	int err, code = 1;

	err = opts_parse(argc, argv, &d.o, stdout, stderr);
	if (!err)
		err = opts_bench_off(getenv("MLPROF_BENCH_OFF"), &d.o.pieces_off, stderr);
	if (err) {
		opts_free(&d.o);
		return err > 0 ? 0 : 2;
	}
	if (d.o.log && (err = service_log_open(d.o.log))) {
		fprintf(stderr, "mlprofd: cannot open the log %s: %s\n", d.o.log, strerror(-err));
		opts_free(&d.o);
		return 1;
	}
	if (geteuid() != 0)
		fprintf(stderr, "mlprofd: warning: not running as root; loading BPF will likely "
				"fail (try sudo)\n");
	err = setup(&d);
	if (!err && d.o.command)
		err = start_command(&d);
	if (!err) {
		if (!d.o.command)
			fprintf(stderr, "mlprofd: profiling (%s targets, %s clock); control socket %s\n",
				mode_name(d.o.mode), sclock_name(d.o.clock), d.o.socket_path);
		run_loop(&d);
		/* A last snapshot, before the probes go; exit 1 if it is lost. */
		code = service__final(d.svc) ? 1 : 0;
		serve__final_push(d.srv);
		if (d.o.command) {
			reap_child(&d);
			code = d.child_done ? oneshot_exit_code(d.child_status) : 1;
			if (print_reports(&d))
				code = code ? code : 1;
			wall_summary(&d);
		}
	} else if (d.child.pid > 0) {
		kill(d.child.pid, SIGKILL);
		waitpid(d.child.pid, NULL, 0);
	}
	/* The report is out and the exit code known: the kernel's teardown is
	 * not the user's wait (decision 30); memory is the kernel's to free. */
	if (!err && d.o.command) {
		close_endpoints(&d);
		sampler__abandon_closes(d.smp);
	}
	if (!err && d.o.command && !oneshot_detach_teardown(d.btf_make ? make_btf_cache : NULL, &d)) {
		opts_free(&d.o);
		return code;
	}
	teardown(&d);
	opts_free(&d.o);
	return err ? 1 : code;
}
