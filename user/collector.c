// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Event handling and process lifetimes. Events arrive in the order BPF
 * produced them (one ring buffer), so a code event precedes the samples
 * that use it and an exec precedes the samples of the new image. What
 * mlpy support adds is in mlpyattr.c, target selection and scans in
 * targets.c; everything outside the process goes through the ops
 * (collector_sys.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/types.h>
#include "mlprof_abi.h"
#include "cmdline.h"
#include "sclock.h"
#include "collector.h"
#include "evtimer.h"
#include "inspect.h"
#include "mlpyattr.h"
#include "procstatus.h"
#include "pyphase.h"
#include "pyunicode.h"
#include "hashmap.h"
#include "livemem.h"
#include "store.h"
#include "symtab.h"
#include "targets.h"
#include "tfguard.h"
#include "where.h"
#include "offcpu.h"

/* Inspection retries while ld.so has not mapped libpython yet. */
#define RETRY_FIRST_NS (1000ULL * 1000)
#define RETRY_MAX_NS (50ULL * 1000 * 1000)
#define RETRY_GIVE_UP_NS (5ULL * 1000 * 1000 * 1000)
#define MAX_PENDING 1024
/* How often live records are checked against the processes that exist. */
#define SWEEP_NS (10ULL * 1000 * 1000 * 1000)

struct pending {
	int pid;
	uint32_t exec_seq;
	uint64_t first_ns, next_ns, delay_ns;
};

struct collector {
	struct store *st;
	struct collector_ops ops;
	struct target_trees *trees;
	enum target_mode mode;
	int verbose;
	struct pending pending[MAX_PENDING];
	size_t npending;
	uint64_t events, bad_events;
	/* On the loop's timers: the earliest pending retry, the sweep, and
	 * the bridge's close. */
	struct ev_timers *timers;
	struct ev_timer retry_timer, sweep_timer, bridge_timer;
	int bridge_on;         /* the bridge's events are open (bridge.h) */
	struct livemem *live;  /* --memory=live, else NULL */
	/* A walk's frames, then at most: <unreadable frame>, <truncated
	 * stack>, <garbage collection> and (--mode wall) a <wait: ...> leaf. */
	struct frame_ref frames[MLPROF_MAX_FRAMES + 4];
	struct offcpu *off;    /* --mode wall: open off-CPU intervals */
	struct tfguard *tfg;   /* users whose files stalled a read */
};

static void on_retry_timer(struct ev_timer *t, uint64_t now);
static void on_sweep_timer(struct ev_timer *t, uint64_t now);
static void on_bridge_timer(struct ev_timer *t, uint64_t now);

struct collector *collector__new(struct store *st, const struct collector_ops *ops,
				 struct ev_timers *timers, enum target_mode mode, int verbose)
{
	struct collector *c = calloc(1, sizeof(*c));

	if (!c || !(c->trees = targets__trees_new()) || !(c->tfg = tfguard__new())) {
		if (c)
			targets__trees_free(c->trees);
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->st = st;
	c->ops = *ops;
	c->mode = mode;
	c->verbose = verbose;
	c->timers = timers;
	c->retry_timer.fn = on_retry_timer;
	c->sweep_timer.fn = on_sweep_timer;
	c->bridge_timer.fn = on_bridge_timer;
	/* The first sweep on the loop's first turn, then every SWEEP_NS. */
	evtimer_arm(timers, &c->sweep_timer, 0, SWEEP_NS);
	return c;
}

void collector__free(struct collector *c)
{
	if (c && (c->off || c->live))
		store__set_holders(c->st, NULL, NULL);
	if (c) {
		evtimer_cancel(c->timers, &c->retry_timer);
		evtimer_cancel(c->timers, &c->sweep_timer);
		evtimer_cancel(c->timers, &c->bridge_timer);
		offcpu__free(c->off);
		targets__trees_free(c->trees);
		livemem__free(c->live);
		tfguard__free(c->tfg);
	}
	free(c);
}

static void held_funcs(void *ctx, store_mark_fn mark, void *mark_ctx);

int collector__set_live(struct collector *c)
{
	c->live = c->live ? c->live : livemem__new(c->st);
	if (c->live)
		store__set_holders(c->st, held_funcs, c);
	return c->live ? 0 : -ENOMEM;
}

/* ---- --mode wall (user/offcpu.c) ---- */

static void charge_wait(void *ctx, uint32_t proc_id, const struct frame_ref *frames, uint32_t n,
			uint64_t samples, uint64_t ts_ns)
{
	struct collector *c = ctx;
	struct proc_rec *p = store__proc_by_id(c->st, proc_id);
	struct stack_counts add = { .samples = samples };

	if (p)
		store__add_sample(c->st, p, frames, n, &add, ts_ns);
	else
		store__stats(c->st)->lost_samples += samples;
}

/* The store keeps the functions of stacks still to be charged: a wait
 * interval's (its leaf is in no stored stack before its first charge) and
 * live memory's (given back after the bucket that recorded its mapping
 * may have expired). Freed, their ids would go to other functions and the
 * charge with them. */
static void held_funcs(void *ctx, store_mark_fn mark, void *mark_ctx)
{
	const struct collector *c = ctx;

	if (c->off)
		offcpu__for_each_func(c->off, mark, mark_ctx);
	livemem__for_each_func(c->live, mark, mark_ctx);
}

int collector__set_wall(struct collector *c, unsigned freq_hz)
{
	c->off = c->off ? c->off : offcpu__new(freq_hz, charge_wait, c);
	if (c->off)
		store__set_holders(c->st, held_funcs, c);
	return c->off ? 0 : -ENOMEM;
}

const struct offcpu_counts *collector__wall_counts(const struct collector *c)
{
	return c->off ? offcpu__counts(c->off) : NULL;
}

void collector__wall_flush(struct collector *c, uint64_t now_ns)
{
	if (c->off)
		offcpu__flush(c->off, now_ns);
}

/* A target thread blocked here: its stack waits for the interval's end. */
static void wall_begin(struct collector *c, const struct mlprof_sample *ev, struct proc_rec *p,
		       uint32_t n)
{
	char name[96];

	memmove(c->frames + 1, c->frames, n * sizeof(c->frames[0]));
	where_wait_name(ev->value, ev->syscall, name, sizeof(name));
	c->frames[0].func = store__func(c->st, "~", name, name, 0, FUNC_PSEUDO, "", 0);
	c->frames[0].line = -1;
	if (c->off && offcpu__begin(c->off, (int)ev->hdr.tid, p->id, c->frames, n + 1,
				    ev->hdr.ts_ns))
		store__stats(c->st)->lost_samples++;
}

/* ...and runs again: its image named for an end that comes before its
 * start. */
static void wall_end(struct collector *c, const struct mlprof_offcpu_end *ev)
{
	const struct proc_rec *p = store__proc(c->st, (int)ev->hdr.pid);
	uint32_t proc_id = p && p->exec_seq == ev->hdr.exec_seq ? p->id : 0;

	offcpu__end(c->off, (int)ev->hdr.tid, proc_id, ev->start_ns, ev->hdr.ts_ns);
}

/* Live mode: tell the worker to probe the interpreter's Py_FinalizeEx
 * (binary: the file as the process's maps name it). */
static void probe_finalize(struct collector *c, int pid, const char *binary)
{
	if (binary[0])
		c->ops.probe_finalize(c->ops.ctx, pid, binary);
}

static void on_memop(struct collector *c, const struct mlprof_memop_event *ev)
{
	struct proc_rec *p = store__proc(c->st, (int)ev->hdr.pid);

	if (c->live && p && livemem__memop(c->live, p, ev) == -EINVAL)
		c->bad_events++;
}

/* ---- target trees: a root's perf events live while any member does ---- */

static void tree_join(struct collector *c, int root)
{
	targets__tree_join(c->trees, root); /* ENOMEM: its events stay a while longer */
}

static void tree_leave(struct collector *c, int root)
{
	if (targets__tree_leave(c->trees, root))
		c->ops.remove_process(c->ops.ctx, root);
}

void collector__counts(const struct collector *c, uint64_t *events, uint64_t *bad_events)
{
	*events = c->events;
	*bad_events = c->bad_events;
}

/* ---- inspection ---- */

static void pending_remove(struct collector *c, int pid)
{
	size_t i;

	for (i = 0; i < c->npending; i++) {
		if (c->pending[i].pid == pid) {
			c->pending[i] = c->pending[--c->npending];
			break;
		}
	}
	if (!c->npending)
		evtimer_cancel(c->timers, &c->retry_timer);
}

static struct pending *pending_find(struct collector *c, int pid)
{
	size_t i;

	for (i = 0; i < c->npending; i++) {
		if (c->pending[i].pid == pid)
			return &c->pending[i];
	}
	return NULL;
}

static void pending_add(struct collector *c, int pid, uint32_t exec_seq, uint64_t now)
{
	struct pending *p = pending_find(c, pid);

	if (p && p->exec_seq == exec_seq)
		return; /* already retrying this image */
	if (!p && c->npending < MAX_PENDING)
		p = &c->pending[c->npending++];
	if (!p)
		return; /* stays "pending" with no retry; shown in status */
	p->pid = pid;
	p->exec_seq = exec_seq;
	p->first_ns = now;
	p->delay_ns = RETRY_FIRST_NS;
	p->next_ns = now + p->delay_ns;
	if (!c->retry_timer.armed || p->next_ns < c->retry_timer.deadline_ns)
		evtimer_arm(c->timers, &c->retry_timer, p->next_ns, 0);
}

/* Reads the command line, cwd and executable into the record. */
static void describe_proc(struct collector *c, struct proc_rec *p)
{
	struct procstatus ps;
	struct cmdline cl;

	free(p->container);
	p->container = c->ops.container(c->ops.ctx, p->pid);
	/* A root added from /proc (--pid, a scan) had no exec event to say
	 * its pid inside its namespace. */
	memset(&ps, 0, sizeof(ps));
	c->ops.read_status(c->ops.ctx, p->pid, &ps);
	if (!p->ns_pid && ps.ns_pid > 0)
		p->ns_pid = ps.ns_pid;
	free(p->cwd);
	p->cwd = c->ops.read_link(c->ops.ctx, p->pid, "cwd");
	free(p->exe);
	p->exe = c->ops.read_link(c->ops.ctx, p->pid, "exe");
	if (!c->ops.read_cmdline(c->ops.ctx, p->pid, &cl)) {
		free(p->cmdline);
		p->cmdline = cmdline_join(&cl);
		mlpyattr__describe(c->st, c->tfg, p, &cl);
		cmdline_free(&cl);
	}
}

/* Inspects p's interpreter and, when found, lets BPF walk it. */
static void inspect_proc(struct collector *c, struct proc_rec *p, uint64_t now)
{
	struct inspect_result res;
	struct mlprof_target t;
	uint32_t layout_id;
	int err;

	c->ops.inspect(c->ops.ctx, p->pid, &res);
	if (c->verbose)
		fprintf(stderr, "mlprofd: inspect pid %d (exec %u): %s %s %s runtime=0x%llx %s\n",
			p->pid, p->exec_seq, inspect_status_str(res.status), res.version, res.binary,
			(unsigned long long)res.runtime, res.message);
	p->inspect_status = res.status;
	snprintf(p->message, sizeof(p->message), "%s", res.message);
	if (res.version[0])
		snprintf(p->python, sizeof(p->python), "%s", res.version);
	if (res.status == INSPECT_NOT_READY) {
		pending_add(c, p->pid, p->exec_seq, now);
		return;
	}
	pending_remove(c, p->pid);
	if (res.status != INSPECT_OK)
		return;
	if (c->live)
		probe_finalize(c, p->pid, res.binary);
	err = c->ops.layout_id(c->ops.ctx, &res.layout, &layout_id);
	if (!err)
		err = c->ops.get_target(c->ops.ctx, p->pid, &t);
	if (!err && t.exec_seq != p->exec_seq)
		err = -ESTALE; /* it exec'd again meanwhile; that exec is handled next */
	if (!err) {
		t.layout_id = layout_id;
		t.runtime = res.runtime;
		t.code_type = res.code_type;
		t.text_lo = res.text_lo;
		t.text_hi = res.text_hi;
		err = c->ops.set_target(c->ops.ctx, p->pid, &t, BPF_EXIST);
	}
	if (err && err != -ESTALE) {
		p->inspect_status = INSPECT_ERROR;
		snprintf(p->message, sizeof(p->message), "cannot hand the layout to BPF: %s",
			 strerror(-err));
	}
}

struct sweep_ctx {
	struct collector *c;
	uint64_t now;
};

/* Ends a live record whose process is gone: its exit event was lost, or
 * never sent. Otherwise it would be kept forever. */
static void end_if_gone(struct proc_rec *p, void *ctx)
{
	struct sweep_ctx *sc = ctx;

	if (!sc->c->ops.gone(sc->c->ops.ctx, p->pid))
		return;
	if (!p->message[0])
		snprintf(p->message, sizeof(p->message), "exit not seen: ended when found gone");
	store__proc_end(sc->c->st, p, PROC_EXITED, sc->now);
	tree_leave(sc->c, p->root_pid);
}

static void on_sweep_timer(struct ev_timer *t, uint64_t now)
{
	struct collector *c = (struct collector *)((char *)t - offsetof(struct collector, sweep_timer));
	struct sweep_ctx sc = { c, now };

	store__for_each_live(c->st, end_if_gone, &sc);
}

/* Retries the pending inspections that are due, then waits for the
 * earliest of the others. */
static void on_retry_timer(struct ev_timer *t, uint64_t now)
{
	struct collector *c = (struct collector *)((char *)t - offsetof(struct collector, retry_timer));
	struct proc_rec *p;
	uint64_t next = UINT64_MAX;
	size_t i = 0;

	while (i < c->npending) {
		struct pending *pd = &c->pending[i];

		if (pd->next_ns > now) {
			i++;
			continue;
		}
		p = store__proc(c->st, pd->pid);
		if (!p || p->exec_seq != pd->exec_seq || now - pd->first_ns > RETRY_GIVE_UP_NS) {
			if (p && p->exec_seq == pd->exec_seq &&
			    p->inspect_status == INSPECT_NOT_READY) {
				p->inspect_status = INSPECT_ERROR;
				snprintf(p->message, sizeof(p->message),
					 "interpreter did not become inspectable within 5 s");
			}
			c->pending[i] = c->pending[--c->npending];
			continue;
		}
		pd->delay_ns = pd->delay_ns * 2 > RETRY_MAX_NS ? RETRY_MAX_NS : pd->delay_ns * 2;
		pd->next_ns = now + pd->delay_ns;
		inspect_proc(c, p, now); /* may remove pd: re-examine slot i */
	}
	for (i = 0; i < c->npending; i++)
		next = c->pending[i].next_ns < next ? c->pending[i].next_ns : next;
	if (c->npending)
		evtimer_arm(c->timers, &c->retry_timer, next, 0);
	else
		evtimer_cancel(c->timers, &c->retry_timer);
}

/* ---- targets ---- */

static int wanted_by_mode(const struct collector *c, int pid)
{
	struct cmdline cl;
	int want;

	if (c->mode == TARGET_NONE || c->ops.read_cmdline(c->ops.ctx, pid, &cl))
		return 0;
	want = targets__wanted(c->mode, &cl);
	cmdline_free(&cl);
	return want;
}

/* How long the bridge stays open after a set-up: the forks it saw are
 * read from the ring buffer (forced wake-up) right after the set-up, and
 * each one of a child that inherited no event (own_events()) keeps it
 * open as long again. */
#define BRIDGE_LINGER_NS 100000000ull

/* The bridge on for a set-up: children forked meanwhile from threads not
 * covered yet inherit no event; it samples them until they have their
 * own (docs/design.md decision 34). Without one (tick clock, or it could
 * not open) such a child is unsampled until then. */
static void bridge_hold(struct collector *c)
{
	int err;

	if (c->bridge_on || !c->ops.bridge)
		return;
	err = c->ops.bridge(c->ops.ctx, 1);
	c->bridge_on = !err;
	if (err && err != -EOPNOTSUPP && c->verbose)
		fprintf(stderr, "mlprofd: the bridge's events: %s\n", strerror(-err));
}

static void bridge_linger(struct collector *c)
{
	if (c->bridge_on)
		evtimer_arm(c->timers, &c->bridge_timer,
			    c->ops.now_ns(c->ops.ctx) + BRIDGE_LINGER_NS, 0);
}

static void on_bridge_timer(struct ev_timer *t, uint64_t now)
{
	struct collector *c = (struct collector *)((char *)t - offsetof(struct collector, bridge_timer));

	(void)now;
	if (c->bridge_on)
		c->ops.bridge(c->ops.ctx, 0);
	c->bridge_on = 0;
}

/* A new target: its BPF entry, perf events of its own and its image (of
 * parent, or a root), all or nothing. The image, or NULL with *err set:
 * -EEXIST if it is a target already. */
static struct proc_rec *add_target(struct collector *c, int pid, const struct mlprof_target *t,
				   const struct proc_rec *parent, uint64_t now, int *err)
{
	struct proc_rec *p = NULL;
	int added;

	bridge_hold(c);
	*err = c->ops.set_target(c->ops.ctx, pid, t, BPF_NOEXIST);
	added = !*err;
	if (added) {
		*err = c->ops.add_process(c->ops.ctx, pid);
		p = *err ? NULL : store__proc_start(c->st, pid, 0, now, parent);
	}
	bridge_linger(c);
	if (added && !p) {
		if (!*err)
			c->ops.remove_process(c->ops.ctx, pid);
		c->ops.del_target(c->ops.ctx, pid);
		*err = *err ? *err : -ENOMEM;
	}
	return p;
}

int collector__add_root(struct collector *c, int pid, uint64_t now, int inspect)
{
	const struct mlprof_target t = { .flags = MLPROF_TF_ROOT };
	struct proc_rec *p;
	int err;

	p = add_target(c, pid, &t, NULL, now, &err);
	if (!p)
		return err == -EEXIST ? 0 : err;
	p->root_pid = pid;
	tree_join(c, pid);
	c->ops.probe_memory(c->ops.ctx, pid);
	describe_proc(c, p);
	if (inspect) {
		inspect_proc(c, p, now);
	} else {
		p->inspect_status = INSPECT_NOT_PYTHON;
		snprintf(p->message, sizeof(p->message), "waiting to exec the command");
	}
	return 0;
}

static void consider(struct collector *c, int pid, uint64_t now)
{
	struct inspect_result res;

	if (!wanted_by_mode(c, pid))
		return;
	if (c->mode == TARGET_PYTHON) {
		/* Keep the process only if it is a CPython. */
		c->ops.inspect(c->ops.ctx, pid, &res);
		if (!targets__is_python(&res))
			return;
	}
	collector__add_root(c, pid, now, 1);
}

/* A process that was already running under a target when the daemon
 * started (a restarted daemon finds an mlpy run's sandbox child this way):
 * a target of the same run, with perf events of its own, since the kernel
 * made no inherited ones for it. */
static int add_existing_child(struct collector *c, const struct proc_rec *parent, int pid,
			      uint64_t now)
{
	const struct mlprof_target t = { .flags = MLPROF_TF_INHERITED };
	struct proc_rec *p;
	int err;

	p = add_target(c, pid, &t, parent, now, &err);
	if (p) {
		p->root_pid = parent->root_pid;
		tree_join(c, p->root_pid);
		p->ppid = parent->pid;
		p->in_mlpy = parent->in_mlpy;
		describe_proc(c, p);
		inspect_proc(c, p, now);
	}
	return err == -EEXIST ? 0 : err;
}

struct scan_ctx {
	struct collector *c;
	uint64_t now;
};

static int scan_is_target(void *arg, int pid)
{
	struct scan_ctx *sc = arg;

	return store__proc(sc->c->st, pid) != NULL;
}

static int scan_add_child(void *arg, int ppid, int pid)
{
	struct scan_ctx *sc = arg;
	const struct proc_rec *parent = store__proc(sc->c->st, ppid);

	return parent && !parent->ended && !add_existing_child(sc->c, parent, pid, sc->now) &&
	       store__proc(sc->c->st, pid);
}

static void scan_consider(void *arg, int pid)
{
	struct scan_ctx *sc = arg;

	consider(sc->c, pid, sc->now);
}

void collector__scan_existing(struct collector *c, uint64_t now)
{
	struct scan_ctx sc = { c, now };

	c->ops.for_each_pid(c->ops.ctx, scan_consider, &sc);
	/* In python mode every CPython is a root already. */
	if (c->mode != TARGET_PYTHON)
		targets__scan_descendants(&c->ops, scan_is_target, scan_add_child, &sc);
}

/* ---- events ---- */

/* A child that inherited no perf event (MLPROF_TF_BRIDGE: forked from a
 * thread whose events were not open yet, while its parent became a
 * target): events of its own, then cover set to it, which ends the
 * bridge's samples of it (docs/design.md decision 34). Between the two,
 * for the microseconds of the open, both count. */
static void own_events(struct collector *c, struct proc_rec *p)
{
	struct mlprof_target t = { 0 };
	int err;

	bridge_hold(c);
	err = c->ops.add_process(c->ops.ctx, p->pid);
	if (!err)
		err = c->ops.get_target(c->ops.ctx, p->pid, &t);
	if (!err) {
		t.cover = (uint32_t)p->pid;
		err = c->ops.set_target(c->ops.ctx, p->pid, &t, BPF_EXIST);
	}
	bridge_linger(c);
	if (err && err != -ENOENT && err != -ESRCH) /* gone: nothing to sample */
		snprintf(p->message, sizeof(p->message),
			 "forked while its parent became a target: no events of its own: %s",
			 strerror(-err));
	if (c->verbose)
		fprintf(stderr, "mlprofd: pid %d inherited no event: own events: %s\n", p->pid,
			err ? strerror(-err) : "ok");
}

/* An exec that came between the read and the write of own_events() had
 * its reset of the BPF entry undone: the entry's exec_seq is behind this
 * image's. Redo the reset (the inspection that follows fills the rest). */
static void redo_exec_reset(struct collector *c, const struct proc_rec *p)
{
	struct mlprof_target t;

	if (c->ops.get_target(c->ops.ctx, p->pid, &t) || t.exec_seq >= p->exec_seq)
		return;
	t.exec_seq = p->exec_seq;
	t.layout_id = 0;
	t.runtime = 0;
	t.code_type = 0;
	t.text_lo = 0;
	t.text_hi = 0;
	c->ops.set_target(c->ops.ctx, p->pid, &t, BPF_EXIST);
}

static void on_exec(struct collector *c, const struct mlprof_proc_event *ev)
{
	struct proc_rec *prev, *p;
	int pid = (int)ev->hdr.pid;

	if (!ev->is_target) {
		consider(c, pid, ev->hdr.ts_ns);
		return;
	}
	prev = store__proc(c->st, pid);
	if (prev && c->off)
		offcpu__proc_end(c->off, prev->id, ev->hdr.ts_ns); /* its threads are gone */
	/* The new image may bring another C library (a chroot). */
	c->ops.probe_memory(c->ops.ctx, pid);
	livemem__forget(c->live, pid);
	p = store__proc_start(c->st, pid, ev->hdr.exec_seq, ev->hdr.ts_ns, prev);
	if (!p)
		return;
	p->root_pid = prev ? prev->root_pid : 0; /* same process, same tree */
	p->in_mlpy = prev ? prev->in_mlpy : 0;
	redo_exec_reset(c, p);
	p->ppid = (int32_t)ev->ppid;
	p->ns_pid = (int32_t)ev->ns_pid;
	snprintf(p->comm, sizeof(p->comm), "%.*s", (int)sizeof(ev->comm), ev->comm);
	describe_proc(c, p);
	if (!p->cmdline)
		p->cmdline = strndup(ev->filename, sizeof(ev->filename));
	inspect_proc(c, p, ev->hdr.ts_ns);
}

static void on_fork(struct collector *c, const struct mlprof_proc_event *ev)
{
	struct proc_rec *parent = store__proc(c->st, (int)ev->ppid), *p;

	if (c->verbose)
		fprintf(stderr, "mlprofd: fork %u -> %u at %llu%s\n", ev->ppid, ev->hdr.pid,
			(unsigned long long)ev->hdr.ts_ns,
			store__proc(c->st, (int)ev->hdr.pid) ? " (known)" : "");
	c->ops.probe_memory(c->ops.ctx, (int)ev->hdr.pid);
	p = store__proc_start(c->st, (int)ev->hdr.pid, ev->hdr.exec_seq, ev->hdr.ts_ns, parent);
	if (!p)
		return;
	p->root_pid = parent ? parent->root_pid : 0;
	tree_join(c, p->root_pid);
	p->ppid = (int32_t)ev->ppid;
	p->ns_pid = (int32_t)ev->ns_pid;
	snprintf(p->comm, sizeof(p->comm), "%.*s", (int)sizeof(ev->comm), ev->comm);
	if (parent) {
		/* Same program until it execs: same interpreter and layout. */
		p->cmdline = parent->cmdline ? strdup(parent->cmdline) : NULL;
		p->exe = parent->exe ? strdup(parent->exe) : NULL;
		memcpy(p->python, parent->python, sizeof(p->python));
		p->inspect_status = parent->inspect_status;
		memcpy(p->message, parent->message, sizeof(p->message));
		mlpyattr__fork(c->tfg, p, parent);
	} else {
		describe_proc(c, p);
		inspect_proc(c, p, ev->hdr.ts_ns);
	}
	if (ev->uncovered)
		own_events(c, p);
}

static void on_proc_exit(struct collector *c, const struct mlprof_proc_event *ev)
{
	struct proc_rec *p = store__proc(c->st, (int)ev->hdr.pid);

	pending_remove(c, (int)ev->hdr.pid);
	c->ops.unprobe_memory(c->ops.ctx, (int)ev->hdr.pid);
	livemem__forget(c->live, (int)ev->hdr.pid);
	if (!p)
		return;
	p->exit_code = ev->exit_code;
	if (ev->maxrss_kb > p->maxrss_kb)
		p->maxrss_kb = ev->maxrss_kb;
	if (c->off)
		offcpu__proc_end(c->off, p->id, ev->hdr.ts_ns);
	store__proc_end(c->st, p, PROC_EXITED, ev->hdr.ts_ns);
	tree_leave(c, p->root_pid);
	/* Perf events of its own if it was found running at start
	 * (add_existing_child); a no-op for forked children. */
	if (p->pid != p->root_pid)
		c->ops.remove_process(c->ops.ctx, p->pid);
}

static char *decode(const uint8_t *data, size_t len, unsigned kind)
{
	char *s = kind ? pyunicode_to_utf8(data, len, kind) : NULL;

	return s ? s : strdup("?");
}

static void on_code(struct collector *c, const struct mlprof_code *ev, size_t size)
{
	struct proc_rec *p = store__proc(c->st, (int)ev->hdr.pid);
	size_t need = offsetof(struct mlprof_code, data);
	const uint8_t *d = ev->data;
	struct code_info *ci;
	struct ml_code ml;
	char *file, *name, *qual;
	uint32_t func;

	need += (size_t)ev->filename_len + ev->name_len + ev->qualname_len + ev->linetable_len;
	if (size < need) {
		c->bad_events++;
		return;
	}
	if (!p || p->exec_seq != ev->hdr.exec_seq)
		p = store__proc_ended(c->st, (int)ev->hdr.pid, ev->hdr.exec_seq);
	if (!p || !p->syms)
		return;
	file = decode(d, ev->filename_len, ev->filename_kind);
	d += ev->filename_len;
	name = decode(d, ev->name_len, ev->name_kind);
	d += ev->name_len;
	qual = decode(d, ev->qualname_len, ev->qualname_kind);
	d += ev->qualname_len;
	if (file && name && qual) {
		func = mlpyattr__intern(c->st, p, file, name, ev->firstlineno, &ml);
		if (func == UINT32_MAX)
			func = store__func(c->st, file, name, qual, ev->firstlineno, FUNC_PYTHON,
					   NULL, 0);
		ci = symtab__add(p->syms, ev->code, func, d, ev->linetable_len, ev->firstlineno);
		if (ci) {
			ci->ml = ml.mod;
			ci->ml_offset = ml.offset;
			ci->ml_preamble = ml.preamble;
			ci->ml_template = ml.tmpl;
		}
	}
	free(file);
	free(name);
	free(qual);
}

/* The pseudo function for a sample with no Python frame. */
static uint32_t pseudo_for(const struct collector *c, const struct proc_rec *p, uint32_t flags)
{
	return store__pseudo(c->st, pyphase_pseudo(flags, p->inspect_status));
}

/* Resident memory read where a fault was sampled: the peaks so far while
 * the process runs (the kernel's own peak replaces it at exit). */
static void note_rss(struct proc_rec *p, const struct mlprof_sample *ev)
{
	uint64_t page_kb = (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
	uint64_t rss = ev->rss_pages * page_kb, anon = ev->anon_pages * page_kb;

	if (rss > p->maxrss_kb)
		p->maxrss_kb = rss;
	if (anon > p->peak_heap_kb)
		p->peak_heap_kb = anon;
}

static void on_sample(struct collector *c, const struct mlprof_sample *ev, size_t size)
{
	struct proc_rec *p = store__proc(c->st, (int)ev->hdr.pid), *ended;
	struct snap_stats *stats = store__stats(c->st);
	struct stack_counts add = { 0 };
	const struct code_info *ci;
	uint32_t i, n = 0;

	if (ev->nframes > MLPROF_MAX_FRAMES ||
	    size < offsetof(struct mlprof_sample, frames) + ev->nframes * sizeof(ev->frames[0])) {
		c->bad_events++;
		return;
	}
	if (!p || p->exec_seq != ev->hdr.exec_seq) {
		/* A sample taken while its process exits (or just before it
		 * execs) can follow the event that ended its image: it belongs
		 * to that image, whose symbols are kept a moment for it. */
		ended = store__proc_ended(c->st, (int)ev->hdr.pid, ev->hdr.exec_seq);
		p = ended ? ended : p;
	}
	if (!p) {
		/* A target whose exec/fork event was lost: keep its samples. */
		p = store__proc_start(c->st, (int)ev->hdr.pid, ev->hdr.exec_seq, ev->hdr.ts_ns, NULL);
		if (!p) {
			stats->lost_samples++;
			return;
		}
		describe_proc(c, p);
		inspect_proc(c, p, ev->hdr.ts_ns);
	}
	for (i = 0; i < ev->nframes; i++) {
		ci = p->syms ? symtab__find(p->syms, ev->frames[i].code) : NULL;
		if (ci) {
			c->frames[n].func = ci->func;
			c->frames[n].line = linetable_line(&ci->lines, ev->frames[i].lasti);
			if (ci->ml)
				mlpyattr__frame_line(ci, &c->frames[n], stats);
		} else {
			c->frames[n].func = store__pseudo(c->st, PSEUDO_UNKNOWN_CODE);
			c->frames[n].line = -1;
			stats->unresolved_frames++;
		}
		n++;
	}
	if (ev->flags & MLPROF_SF_READ_ERR && n) {
		c->frames[n].func = store__pseudo(c->st, PSEUDO_READ_ERROR);
		c->frames[n++].line = -1;
	}
	if (ev->flags & MLPROF_SF_TRUNCATED) {
		c->frames[n].func = store__pseudo(c->st, PSEUDO_TRUNCATED);
		c->frames[n++].line = -1;
	}
	if ((ev->kind == MLPROF_MK_CPU || ev->kind == MLPROF_MK_CPU_NS) && n)
		where_add_leaf(c->st, ev->where, ev->syscall, ev->obj, c->frames, &n);
	if (!n) {
		c->frames[0].func = pseudo_for(c, p, ev->flags);
		c->frames[0].line = -1;
		n = 1;
		if (ev->flags & MLPROF_SF_NO_LAYOUT && p->inspect_status == INSPECT_NOT_READY)
			inspect_proc(c, p, ev->hdr.ts_ns);
	}
	if (ev->flags & MLPROF_SF_GC)
		n = pyphase_push_gc(c->frames, n, sizeof(c->frames) / sizeof(c->frames[0]),
				    store__pseudo(c->st, PSEUDO_GC));
	switch (ev->kind) {
	case MLPROF_MK_OFFCPU:
		wall_begin(c, ev, p, n);
		return;
	case MLPROF_MK_ALLOC:
		add.alloc_bytes = ev->value;
		add.alloc_count = 1;
		if (c->live && (ev->flags & (MLPROF_SF_ADDR | MLPROF_SF_HEAP)))
			add.live_bytes = (int64_t)ev->value;
		break;
	case MLPROF_MK_FAULT:
		add.resident_bytes = ev->value;
		if (ev->flags & MLPROF_SF_RSS)
			note_rss(p, ev);
		break;
	case MLPROF_MK_CPU_NS:
		/* --clock tick: CPU time in SCLOCK_TICK_UNIT_HZ units. */
		add.samples = sclock_tick_units(ev->value);
		if (!add.samples)
			return; /* under half a microsecond */
		break;
	default:
		add.samples = 1;
	}
	if (add.live_bytes && livemem__mapped(c->live, p, ev, c->frames, n))
		add.live_bytes = 0;
	store__add_sample(c->st, p, c->frames, n, &add, ev->hdr.ts_ns);
}

int collector__on_event(void *ctx, void *data, size_t size)
{
	struct collector *c = ctx;
	const struct mlprof_ev_hdr *h = data;

	c->events++;
	if (size < sizeof(*h)) {
		c->bad_events++;
		return 0;
	}
	switch (h->type) {
	case MLPROF_EV_SAMPLE:
		on_sample(c, data, size);
		break;
	case MLPROF_EV_CODE:
		on_code(c, data, size);
		break;
	case MLPROF_EV_OFFCPU_END:
		if (size < sizeof(struct mlprof_offcpu_end))
			c->bad_events++;
		else if (c->off)
			wall_end(c, data);
		break;
	case MLPROF_EV_MEMOP:
		if (size < sizeof(struct mlprof_memop_event))
			c->bad_events++;
		else
			on_memop(c, data);
		break;
	case MLPROF_EV_EXEC:
	case MLPROF_EV_FORK:
	case MLPROF_EV_EXIT:
		if (size < sizeof(struct mlprof_proc_event)) {
			c->bad_events++;
			break;
		}
		if (h->type == MLPROF_EV_EXEC)
			on_exec(c, data);
		else if (h->type == MLPROF_EV_FORK)
			on_fork(c, data);
		else
			on_proc_exit(c, data);
		break;
	default:
		c->bad_events++;
	}
	return 0;
}

static void read_peak(struct proc_rec *p, void *ctx)
{
	const struct collector *c = ctx;
	struct procstatus ps;

	if (c->ops.read_status(c->ops.ctx, p->pid, &ps))
		return; /* gone: its exit event brings the kernel's peak */
	if (ps.hwm_kb > p->maxrss_kb)
		p->maxrss_kb = ps.hwm_kb;
	if (ps.anon_kb > p->peak_heap_kb)
		p->peak_heap_kb = ps.anon_kb;
}

void collector__read_peaks(struct collector *c)
{
	store__for_each_live(c->st, read_peak, c);
}
