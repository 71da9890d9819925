// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The collector driven with fake dependencies (struct collector_ops): a
 * fake BPF target map, sampler, inspector and /proc. Target trees (fork,
 * exec, exit of roots and children), the inspection retry schedule,
 * process images, start-up scans, mlpy attribution. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/types.h>
#include "mlprof_abi.h"
#include "cmdline.h"
#include "collector.h"
#include "evtimer.h"
#include "inspect.h"
#include "procstatus.h"
#include "store.h"
#include "offcpu.h"
#include "where.h"

#define NPID 1024
#define MS (1000ULL * 1000)
#define SEC (1000ULL * MS)

struct fake {
	/* BPF target map */
	int has_target[NPID];
	struct mlprof_target target[NPID];
	int set_target_err;        /* the map is full */
	int dels;
	/* sampler */
	int events[NPID];          /* perf events of their own (add - remove) */
	int removed[NPID];
	int add_process_err;
	int mem_probed[NPID];
	/* the bridge: open now, times opened, the error an open returns */
	int bridge_on, bridge_opens, bridge_err;
	/* forks: the child inherited no perf event */
	int uncovered[NPID];
	/* inspector: not_ready answers before `status` */
	int not_ready[NPID];
	enum inspect_status status[NPID];
	int inspected[NPID];
	uint64_t inspected_at[NPID][16]; /* fake time of the first 16 */
	/* /proc */
	int exists[NPID];
	int gone[NPID];
	int ppid[NPID];
	const char *cmdline[NPID]; /* arguments separated by '|' */
	const char *cwd[NPID];
	uint64_t now;              /* the clock */
};

static struct fake fk;
static struct store *st;
static struct collector *col;
/* The loop's timers, and the loop's time as the tests move it. */
static struct ev_timers timers;
static uint64_t fake_now;

static int f_get_target(void *ctx, int pid, struct mlprof_target *t)
{
	(void)ctx;
	if (!fk.has_target[pid])
		return -ENOENT;
	*t = fk.target[pid];
	return 0;
}

static int f_set_target(void *ctx, int pid, const struct mlprof_target *t, uint64_t flags)
{
	(void)ctx;
	if (fk.set_target_err)
		return fk.set_target_err;
	if (flags == BPF_NOEXIST && fk.has_target[pid])
		return -EEXIST;
	if (flags == BPF_EXIST && !fk.has_target[pid])
		return -ENOENT;
	fk.has_target[pid] = 1;
	fk.target[pid] = *t;
	return 0;
}

static int f_del_target(void *ctx, int pid)
{
	(void)ctx;
	fk.has_target[pid] = 0;
	fk.dels++;
	return 0;
}

static int f_layout_id(void *ctx, const struct mlprof_layout *l, uint32_t *id)
{
	(void)ctx;
	*id = 7 + (l->version_hex & 0xff);
	return 0;
}

static int f_add_process(void *ctx, int pid)
{
	(void)ctx;
	if (fk.add_process_err)
		return fk.add_process_err;
	fk.events[pid]++;
	return 0;
}

static int f_bridge(void *ctx, int on)
{
	(void)ctx;
	if (on && fk.bridge_err)
		return fk.bridge_err;
	fk.bridge_opens += on && !fk.bridge_on;
	fk.bridge_on = on;
	return 0;
}

static void f_remove_process(void *ctx, int pid)
{
	(void)ctx;
	fk.removed[pid]++;
	if (fk.events[pid])
		fk.events[pid]--;
}

static void f_probe_memory(void *ctx, int pid)
{
	(void)ctx;
	fk.mem_probed[pid]++;
}

static void f_unprobe_memory(void *ctx, int pid)
{
	(void)ctx;
	fk.mem_probed[pid] = 0;
}

static void f_probe_finalize(void *ctx, int pid, const char *binary)
{
	(void)ctx;
	(void)pid;
	(void)binary;
}

static void f_inspect(void *ctx, int pid, struct inspect_result *res)
{
	(void)ctx;
	memset(res, 0, sizeof(*res));
	if (fk.inspected[pid] < 16)
		fk.inspected_at[pid][fk.inspected[pid]] = fake_now;
	fk.inspected[pid]++;
	if (fk.not_ready[pid] > 0) {
		fk.not_ready[pid]--;
		res->status = INSPECT_NOT_READY;
		snprintf(res->message, sizeof(res->message), "libpython not mapped yet");
		return;
	}
	res->status = fk.status[pid];
	if (res->status == INSPECT_OK) {
		snprintf(res->version, sizeof(res->version), "3.12.1");
		res->layout.version_hex = 0x030c01f0;
		res->runtime = 0x1000 + (uint64_t)pid;
		res->code_type = 0x2000;
	} else if (res->status == INSPECT_NOT_PYTHON) {
		snprintf(res->message, sizeof(res->message), "not a Python");
	}
}

static int f_read_cmdline(void *ctx, int pid, struct cmdline *cl)
{
	char buf[512];
	size_t n, i;

	(void)ctx;
	if (!fk.exists[pid] || !fk.cmdline[pid])
		return -ESRCH;
	n = strlen(fk.cmdline[pid]);
	memcpy(buf, fk.cmdline[pid], n + 1);
	for (i = 0; i < n; i++)
		buf[i] = buf[i] == '|' ? '\0' : buf[i];
	return cmdline_parse(cl, buf, n + 1);
}

static char *f_read_link(void *ctx, int pid, const char *what)
{
	(void)ctx;
	if (!fk.exists[pid])
		return NULL;
	if (!strcmp(what, "cwd"))
		return fk.cwd[pid] ? strdup(fk.cwd[pid]) : NULL;
	return strdup("/usr/bin/python3.12");
}

static int f_read_status(void *ctx, int pid, struct procstatus *ps)
{
	(void)ctx;
	if (!fk.exists[pid])
		return -ESRCH;
	memset(ps, 0, sizeof(*ps));
	ps->ns_pid = pid;
	ps->hwm_kb = 1000 + (uint64_t)pid;
	return 0;
}

static char *f_container(void *ctx, int pid)
{
	(void)ctx;
	return strdup(pid >= 900 ? "root=/var/lib/c1 pidns=4026532001" : "");
}

static int f_read_ppid(void *ctx, int pid)
{
	(void)ctx;
	return fk.exists[pid] ? fk.ppid[pid] : 0;
}

static int f_gone(void *ctx, int pid)
{
	(void)ctx;
	return fk.gone[pid];
}

static void f_for_each_pid(void *ctx, void (*fn)(void *arg, int pid), void *arg)
{
	int pid;

	(void)ctx;
	for (pid = 1; pid < NPID; pid++) {
		if (fk.exists[pid] && !fk.gone[pid])
			fn(arg, pid);
	}
}

static uint64_t f_now_ns(void *ctx)
{
	(void)ctx;
	return fk.now;
}

static const struct collector_ops fake_ops = {
	.ctx = &fk,
	.get_target = f_get_target,
	.set_target = f_set_target,
	.del_target = f_del_target,
	.layout_id = f_layout_id,
	.add_process = f_add_process,
	.remove_process = f_remove_process,
	.bridge = f_bridge,
	.probe_memory = f_probe_memory,
	.unprobe_memory = f_unprobe_memory,
	.probe_finalize = f_probe_finalize,
	.inspect = f_inspect,
	.read_cmdline = f_read_cmdline,
	.read_link = f_read_link,
	.read_status = f_read_status,
	.container = f_container,
	.read_ppid = f_read_ppid,
	.gone = f_gone,
	.for_each_pid = f_for_each_pid,
	.now_ns = f_now_ns,
};

static void start(enum target_mode mode)
{
	struct store_limits lim = STORE_DEFAULT_LIMITS;

	memset(&fk, 0, sizeof(fk));
	fk.now = 1;
	fk.bridge_err = -EOPNOTSUPP; /* the tests of the bridge have one */
	memset(&timers, 0, sizeof(timers));
	fake_now = 0;
	st = store__new(&lim, 1);
	cr_assert_not_null(st);
	col = collector__new(st, &fake_ops, &timers, mode, 0);
	cr_assert_not_null(col);
}

static void stop(void)
{
	collector__free(col);
	cr_assert_null(timers.head, "the collector left a timer armed");
	store__free(st);
}

/* The loop from fake_now to UNTIL: wakes at each deadline on the way, as
 * mlprofd does, and runs the timers due. Returns the callbacks run. */
static size_t run_until(uint64_t until)
{
	size_t ran = 0;

	while (timers.head && timers.head->deadline_ns <= until) {
		if (timers.head->deadline_ns > fake_now)
			fake_now = timers.head->deadline_ns;
		ran += evtimer_run(&timers, fake_now);
	}
	fake_now = until > fake_now ? until : fake_now;
	return ran;
}

/* A running process in the fake /proc. */
static void proc(int pid, int ppid, const char *cmdline, enum inspect_status status)
{
	fk.exists[pid] = 1;
	fk.ppid[pid] = ppid;
	fk.cmdline[pid] = cmdline;
	fk.cwd[pid] = "/home/u";
	fk.status[pid] = status;
}

static void proc_event(uint32_t type, int pid, int ppid, uint32_t exec_seq, uint64_t ts,
		       int exit_code)
{
	struct mlprof_proc_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = type;
	ev.hdr.pid = (uint32_t)pid;
	ev.hdr.tid = (uint32_t)pid;
	ev.hdr.exec_seq = exec_seq;
	ev.hdr.ts_ns = ts;
	ev.ppid = (uint32_t)ppid;
	ev.ns_pid = (uint32_t)pid;
	ev.exit_code = exit_code;
	ev.is_target = fk.has_target[pid];
	ev.uncovered = type == MLPROF_EV_FORK && fk.uncovered[pid];
	snprintf(ev.comm, sizeof(ev.comm), "python3");
	snprintf(ev.filename, sizeof(ev.filename), "/usr/bin/python3");
	cr_assert_eq(collector__on_event(col, &ev, sizeof(ev)), 0);
}

/* What BPF does on a fork of a target: the child is a target too, with a
 * copy of its parent's entry. */
static void fork_ev(int parent, int child, uint64_t ts)
{
	struct mlprof_target t = fk.target[parent];

	t.flags = MLPROF_TF_INHERITED;
	if (fk.uncovered[child]) {
		t.flags |= MLPROF_TF_BRIDGE;
		t.cover = 0;
	}
	fk.has_target[child] = 1;
	fk.target[child] = t;
	proc(child, parent, fk.cmdline[parent], fk.status[parent]);
	proc_event(MLPROF_EV_FORK, child, parent, 0, ts, 0);
}

/* What BPF does on an exec of a target: a new exec_seq, layout unknown. */
static void exec_ev(int pid, uint32_t exec_seq, const char *cmdline,
		    enum inspect_status status, uint64_t ts)
{
	fk.target[pid].exec_seq = exec_seq;
	fk.target[pid].layout_id = 0;
	fk.cmdline[pid] = cmdline;
	fk.status[pid] = status;
	proc_event(MLPROF_EV_EXEC, pid, fk.ppid[pid], exec_seq, ts, 0);
}

static void exit_ev(int pid, uint64_t ts)
{
	fk.gone[pid] = 1;
	proc_event(MLPROF_EV_EXIT, pid, fk.ppid[pid], fk.target[pid].exec_seq, ts, 0);
	fk.has_target[pid] = 0; /* BPF drops it */
}

#define PY "python3|app.py"
#define MLPY_CLI_CMD "python3|-m|mlpy|run|prog.ml"
#define SANDBOX_CMD "python3|/tmp/mlpy_sandbox_ab12/sandbox_execution.py"

Test(collector, root_is_inspected_and_handed_to_bpf)
{
	struct proc_rec *p;

	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	cr_assert_eq(collector__add_root(col, 100, 10, 1), 0);
	p = store__proc(st, 100);
	cr_assert_not_null(p);
	cr_assert_eq(p->root_pid, 100);
	cr_assert_eq(p->inspect_status, INSPECT_OK);
	cr_assert_str_eq(p->python, "3.12.1");
	cr_assert_str_eq(p->cmdline, "python3 app.py");
	cr_assert_str_eq(p->exe, "/usr/bin/python3.12");
	cr_assert_str_eq(p->container, "");
	cr_assert_eq(fk.target[100].flags, MLPROF_TF_ROOT);
	cr_assert_eq(fk.target[100].layout_id, 7 + 0xf0);
	cr_assert_eq(fk.target[100].runtime, 0x1000 + 100);
	cr_assert_eq(fk.events[100], 1);
	cr_assert_eq(fk.mem_probed[100], 1);
	/* Adding it again is not an error and changes nothing. */
	cr_assert_eq(collector__add_root(col, 100, 20, 1), 0);
	cr_assert_eq(fk.events[100], 1);
	stop();
}

/* set target, add, start: all or nothing. */
Test(collector, add_root_rolls_back)
{
	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	fk.add_process_err = -EMFILE;
	cr_assert_eq(collector__add_root(col, 100, 10, 1), -EMFILE);
	cr_assert_eq(fk.has_target[100], 0);
	cr_assert_null(store__proc(st, 100));
	cr_assert_eq(fk.events[100], 0);
	cr_assert_eq(fk.dels, 1);
	fk.add_process_err = 0;
	/* The target map full: nothing was added, nothing to undo. */
	fk.set_target_err = -E2BIG;
	cr_assert_eq(collector__add_root(col, 100, 10, 1), -E2BIG);
	cr_assert_eq(fk.dels, 1);
	cr_assert_eq(fk.events[100], 0);
	fk.set_target_err = 0;
	cr_assert_eq(collector__add_root(col, 100, 10, 1), 0);
	cr_assert_eq(fk.has_target[100], 1);
	stop();
}

/* A one-shot command: not inspected before its exec. */
Test(collector, oneshot_root_waits_for_exec)
{
	struct proc_rec *p, *old;

	start(TARGET_NONE);
	proc(100, 1, "mlprofd", INSPECT_NOT_PYTHON);
	cr_assert_eq(collector__add_root(col, 100, 10, 0), 0);
	cr_assert_eq(fk.inspected[100], 0);
	p = store__proc(st, 100);
	cr_assert_str_eq(p->message, "waiting to exec the command");
	exec_ev(100, 1, PY, INSPECT_OK, 20);
	p = store__proc(st, 100);
	cr_assert_eq(p->exec_seq, 1);
	cr_assert_eq(p->inspect_status, INSPECT_OK);
	cr_assert_eq(p->root_pid, 100);
	cr_assert_eq(fk.target[100].layout_id, 7 + 0xf0);
	old = store__proc_ended(st, 100, 0);
	cr_assert_not_null(old);
	cr_assert_eq(old->ended, PROC_EXECED);
	cr_assert_eq(old->end_ns, 20);
	stop();
}

/* A root's perf events go when the last process of its tree ends, not
 * before. */
Test(collector, tree_lives_while_a_member_does)
{
	struct proc_rec *c2;

	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	cr_assert_eq(collector__add_root(col, 100, 10, 1), 0);
	fork_ev(100, 101, 20);
	fork_ev(101, 102, 30);
	c2 = store__proc(st, 102);
	cr_assert_eq(c2->root_pid, 100);
	cr_assert_eq(c2->ppid, 101);
	cr_assert_eq(c2->inspect_status, INSPECT_OK); /* same program as its parent */
	cr_assert_str_eq(c2->python, "3.12.1");
	exit_ev(100, 40);
	exit_ev(101, 50);
	cr_assert_eq(fk.removed[100], 0, "events removed with a member alive");
	cr_assert_eq(store__proc_ended(st, 100, 0)->ended, PROC_EXITED);
	exit_ev(102, 60);
	cr_assert_eq(fk.removed[100], 1);
	cr_assert_eq(fk.events[100], 0);
	cr_assert_null(store__proc(st, 102));
	stop();
}

/* A fork of a child that inherited no perf event (BPF says so: forked
 * from a thread not covered yet while its parent became a target)
 * during SETUP. */
static void fork_uncovered(int parent, int child, uint64_t ts)
{
	fk.uncovered[child] = 1;
	fork_ev(parent, child, ts);
}

/* A child that inherited no event gets its own, then cover (the bridge's
 * samples of it end); one that inherited counts those, and so do its own
 * children. The bridge is open for each set-up and BRIDGE_LINGER after
 * the last. */
Test(collector, uncovered_child_gets_own_events)
{
	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	fk.bridge_err = 0;
	fk.now = 10 * SEC;
	fake_now = 10 * SEC;
	cr_assert_eq(collector__add_root(col, 100, 10 * SEC, 1), 0);
	cr_assert_eq(fk.bridge_on, 1, "no bridge for the set-up");
	cr_assert_eq(fk.target[100].cover, 0);
	fork_uncovered(100, 101, 10 * SEC);
	cr_assert_eq(fk.events[101], 1, "no events of its own");
	cr_assert_eq(fk.target[101].cover, 101);
	cr_assert_eq(fk.target[101].flags, MLPROF_TF_INHERITED | MLPROF_TF_BRIDGE);
	fork_ev(100, 102, 10 * SEC + MS); /* inherited its events */
	cr_assert_eq(fk.events[102], 0);
	cr_assert_eq(fk.target[102].cover, 0);
	/* 101's children: inherited its own events (its cover) */
	fork_ev(101, 104, 10 * SEC + 2 * MS);
	cr_assert_eq(fk.events[104], 0);
	cr_assert_eq(fk.target[104].cover, 101, "cover not handed down");
	/* a gone child: nothing opened, no note */
	fk.add_process_err = -ESRCH;
	fork_uncovered(100, 107, 10 * SEC + 3 * MS);
	cr_assert_eq(fk.events[107], 0);
	cr_assert_eq(fk.target[107].cover, 0);
	cr_assert_str_eq(store__proc(st, 107)->message, store__proc(st, 100)->message);
	fk.add_process_err = -EMFILE;
	fork_uncovered(100, 108, 10 * SEC + 4 * MS);
	cr_assert_eq(fk.target[108].cover, 0);
	cr_assert(strstr(store__proc(st, 108)->message, "no events of its own"));
	fk.add_process_err = 0;
	/* the bridge stays while forks are read, then closes */
	cr_assert_eq(fk.bridge_opens, 1);
	run_until(10 * SEC + 50 * MS);
	cr_assert_eq(fk.bridge_on, 1, "closed before the linger");
	run_until(10 * SEC + 200 * MS);
	cr_assert_eq(fk.bridge_on, 0, "the bridge left open");
	/* a later uncovered fork opens it again, for the linger */
	fk.now = 11 * SEC;
	fork_uncovered(100, 109, 11 * SEC);
	cr_assert_eq(fk.bridge_on, 1);
	cr_assert_eq(fk.bridge_opens, 2);
	cr_assert_eq(fk.events[109], 1);
	run_until(12 * SEC);
	cr_assert_eq(fk.bridge_on, 0);
	/* its own events go at its exit */
	exit_ev(101, 13 * SEC);
	cr_assert_eq(fk.removed[101], 1);
	cr_assert_eq(fk.events[101], 0);
	stop();
}

/* No bridge (--clock tick: -EOPNOTSUPP) or one that cannot open: the
 * set-up goes on, nothing is left armed, an uncovered child still gets
 * events of its own. */
Test(collector, setup_without_a_bridge)
{
	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	fk.bridge_err = -EOPNOTSUPP;
	cr_assert_eq(collector__add_root(col, 100, 10, 1), 0);
	cr_assert_eq(fk.bridge_on, 0);
	cr_assert_null(timers.head->next, "a bridge timer armed with no bridge");
	fk.bridge_err = -EMFILE;
	fork_uncovered(100, 101, 20);
	cr_assert_eq(fk.events[101], 1);
	cr_assert_eq(fk.target[101].cover, 101);
	cr_assert_eq(fk.bridge_opens, 0);
	stop();
}

/* An exec between own_events()'s read and write of the BPF entry had its
 * reset undone (exec_seq behind the image): the exec event redoes it. */
Test(collector, exec_reset_redone_after_a_lost_race)
{
	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	fk.now = 10 * SEC;
	cr_assert_eq(collector__add_root(col, 100, 10 * SEC, 1), 0);
	fork_uncovered(100, 101, 10 * SEC);
	cr_assert_eq(fk.target[101].cover, 101);
	cr_assert_neq(fk.target[101].layout_id, 0);
	/* BPF's exec reset, then undone by a stale write */
	fk.target[101].exec_seq = 0;
	fk.status[101] = INSPECT_NOT_READY;
	fk.not_ready[101] = 1000;
	proc_event(MLPROF_EV_EXEC, 101, 100, 1, 11 * SEC, 0);
	cr_assert_eq(fk.target[101].exec_seq, 1);
	cr_assert_eq(fk.target[101].layout_id, 0, "the old image's layout kept");
	cr_assert_eq(fk.target[101].cover, 101);
	stop();
}

/* An exec inside the tree is the same process: the tree does not shrink. */
Test(collector, exec_keeps_the_tree)
{
	struct proc_rec *p;

	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	cr_assert_eq(collector__add_root(col, 100, 10, 1), 0);
	fork_ev(100, 101, 20);
	exec_ev(101, 1, "bash|-c|true", INSPECT_NOT_PYTHON, 30);
	p = store__proc(st, 101);
	cr_assert_eq(p->inspect_status, INSPECT_NOT_PYTHON);
	cr_assert_eq(p->root_pid, 100);
	cr_assert_eq(store__proc_ended(st, 101, 0)->ended, PROC_EXECED);
	exit_ev(100, 40);
	cr_assert_eq(fk.removed[100], 0);
	exit_ev(101, 50);
	cr_assert_eq(fk.removed[100], 1);
	stop();
}

/* libpython not mapped yet: retried after 1, 2, 4 ... ms (at most 50),
 * each on the loop's timers at its due time, then handed to BPF. */
Test(collector, retry_schedule)
{
	const uint64_t t0 = 1000 * MS;
	uint64_t want = t0, gap = 1 * MS;
	int i;

	start(TARGET_NONE);
	run_until(t0); /* the first sweep, due at once */
	proc(100, 1, PY, INSPECT_OK);
	fk.not_ready[100] = 8;
	cr_assert_eq(collector__add_root(col, 100, t0, 1), 0);
	cr_assert_eq(store__proc(st, 100)->inspect_status, INSPECT_NOT_READY);
	cr_assert_eq(fk.target[100].layout_id, 0);
	cr_assert_eq(evtimer_timeout_ms(&timers, t0, 1000), 1, "the loop wakes in 1 ms");
	run_until(t0 + 2 * SEC);
	cr_assert_eq(fk.inspected[100], 9);
	for (i = 0; i < 9; i++) {
		cr_assert_eq(fk.inspected_at[100][i], want, "try %d at %llu ns, want %llu", i,
			     (unsigned long long)fk.inspected_at[100][i], (unsigned long long)want);
		want += gap;
		gap = gap * 2 > 50 * MS ? 50 * MS : gap * 2;
	}
	cr_assert_eq(store__proc(st, 100)->inspect_status, INSPECT_OK);
	cr_assert_eq(fk.target[100].layout_id, 7 + 0xf0);
	stop();
}

/* Not a nanosecond early: the loop waking just before a retry is due
 * runs none. */
Test(collector, retry_not_early)
{
	const uint64_t t0 = 1000 * MS;

	start(TARGET_NONE);
	run_until(t0);
	proc(100, 1, PY, INSPECT_OK);
	fk.not_ready[100] = 2;
	cr_assert_eq(collector__add_root(col, 100, t0, 1), 0);
	cr_assert_eq(evtimer_run(&timers, t0 + 1 * MS - 1), 0);
	cr_assert_eq(fk.inspected[100], 1);
	cr_assert_eq(evtimer_run(&timers, t0 + 1 * MS), 1);
	cr_assert_eq(fk.inspected[100], 2);
	cr_assert_eq(evtimer_run(&timers, t0 + 3 * MS - 1), 0);
	cr_assert_eq(evtimer_run(&timers, t0 + 3 * MS), 1);
	cr_assert_eq(fk.inspected[100], 3);
	cr_assert_eq(store__proc(st, 100)->inspect_status, INSPECT_OK);
	stop();
}

/* Two processes waiting: each on its own schedule, the timer at the
 * earlier of the two; once both are inspected nothing wakes the loop but
 * the sweep. */
Test(collector, retry_two_schedules)
{
	const uint64_t t0 = 1000 * MS;

	start(TARGET_NONE);
	run_until(t0);
	proc(100, 1, PY, INSPECT_OK);
	proc(200, 1, PY, INSPECT_OK);
	fk.not_ready[100] = 3; /* tries at t0, +1, +3, +7 ms */
	fk.not_ready[200] = 1; /* tries at t0 + 2, +3 ms */
	cr_assert_eq(collector__add_root(col, 100, t0, 1), 0);
	run_until(t0 + 2 * MS);
	cr_assert_eq(collector__add_root(col, 200, t0 + 2 * MS, 1), 0);
	run_until(t0 + 100 * MS);
	cr_assert_eq(fk.inspected[100], 4);
	cr_assert_eq(fk.inspected_at[100][1], t0 + 1 * MS);
	cr_assert_eq(fk.inspected_at[100][2], t0 + 3 * MS);
	cr_assert_eq(fk.inspected_at[100][3], t0 + 7 * MS);
	cr_assert_eq(fk.inspected[200], 2);
	cr_assert_eq(fk.inspected_at[200][1], t0 + 3 * MS);
	cr_assert_eq(store__proc(st, 100)->inspect_status, INSPECT_OK);
	cr_assert_eq(store__proc(st, 200)->inspect_status, INSPECT_OK);
	/* Only the sweep is left, 10 s apart. */
	cr_assert_not_null(timers.head);
	cr_assert_null(timers.head->next);
	cr_assert_eq(timers.head->period_ns, 10 * SEC);
	stop();
}

/* Never inspectable: given up after 5 s, with the reason; no timer of
 * the retries left. */
Test(collector, retry_gives_up)
{
	const uint64_t t0 = 1000 * MS;
	struct proc_rec *p;
	int n;

	start(TARGET_NONE);
	run_until(t0);
	proc(100, 1, PY, INSPECT_OK);
	fk.not_ready[100] = 1000000;
	cr_assert_eq(collector__add_root(col, 100, t0, 1), 0);
	run_until(t0 + 5 * SEC + 100 * MS);
	p = store__proc(st, 100);
	cr_assert_eq(p->inspect_status, INSPECT_ERROR);
	cr_assert_str_eq(p->message, "interpreter did not become inspectable within 5 s");
	/* 1+2+...+32 ms, then every 50 ms up to 5 s: 7 + 98 tries, then
	 * the one that gives up tries no more. */
	n = fk.inspected[100];
	cr_assert(n >= 100 && n <= 110, "%d tries", n);
	cr_assert_null(timers.head->next, "a retry timer left beside the sweep");
	run_until(t0 + 9 * SEC);
	cr_assert_eq(fk.inspected[100], n);
	stop();
}

/* A retry of an image that exec'd meanwhile is dropped. */
Test(collector, retry_dropped_after_exec)
{
	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	fk.not_ready[100] = 100;
	cr_assert_eq(collector__add_root(col, 100, 10, 1), 0);
	fk.not_ready[100] = 0;
	exec_ev(100, 1, PY, INSPECT_NOT_PYTHON, 20);
	run_until(30 * SEC);
	cr_assert_eq(fk.inspected[100], 2);
	cr_assert_eq(store__proc(st, 100)->inspect_status, INSPECT_NOT_PYTHON);
	stop();
}

/* A process whose exit was never seen is ended by the sweep: on the
 * loop's first turn, then every 10 s. */
Test(collector, sweep_ends_gone_processes)
{
	struct proc_rec *p;

	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	cr_assert_eq(collector__add_root(col, 100, 10, 1), 0);
	cr_assert_eq(run_until(1 * SEC), 1, "the first sweep");
	fk.gone[100] = 1;
	run_until(10 * SEC - 1);
	cr_assert_not_null(store__proc(st, 100), "swept before its 10 s");
	cr_assert_eq(run_until(10 * SEC), 1);
	cr_assert_null(store__proc(st, 100));
	p = store__proc_ended(st, 100, 0);
	cr_assert_not_null(p);
	cr_assert_str_eq(p->message, "exit not seen: ended when found gone");
	cr_assert_eq(fk.removed[100], 1);
	stop();
}

/* mlpy mode at start-up: the running mlpy runs and their descendants,
 * each descendant with perf events of its own; other processes not. */
Test(collector, scan_finds_mlpy_runs_and_descendants)
{
	struct proc_rec *p;

	start(TARGET_MLPY);
	proc(200, 1, MLPY_CLI_CMD, INSPECT_OK);
	proc(201, 200, SANDBOX_CMD, INSPECT_OK);
	proc(202, 201, PY, INSPECT_NOT_PYTHON);
	proc(300, 1, PY, INSPECT_OK);
	collector__scan_existing(col, 10);
	cr_assert_eq(fk.target[200].flags, MLPROF_TF_ROOT);
	cr_assert_eq(fk.target[201].flags, MLPROF_TF_INHERITED);
	cr_assert_eq(fk.target[202].flags, MLPROF_TF_INHERITED);
	cr_assert_eq(fk.has_target[300], 0);
	cr_assert_eq(fk.events[201], 1);
	cr_assert_eq(fk.events[202], 1);
	p = store__proc(st, 202);
	cr_assert_eq(p->root_pid, 200);
	cr_assert_eq(p->ppid, 201);
	cr_assert(p->in_mlpy);
	/* The tree's events go when its last member ends; a child's own
	 * events go with it. */
	exit_ev(202, 20);
	cr_assert_eq(fk.events[202], 0);
	exit_ev(201, 30);
	exit_ev(200, 40);
	cr_assert_eq(fk.removed[200], 1);
	stop();
}

/* python mode: every CPython is a root; a process that is not one is
 * not a target. */
Test(collector, scan_python_mode)
{
	start(TARGET_PYTHON);
	proc(300, 1, PY, INSPECT_OK);
	proc(301, 300, "bash", INSPECT_NOT_PYTHON);
	proc(302, 1, PY, INSPECT_UNSUPPORTED);
	collector__scan_existing(col, 10);
	cr_assert_eq(fk.target[300].flags, MLPROF_TF_ROOT);
	cr_assert_eq(fk.has_target[301], 0);
	cr_assert_eq(fk.target[302].flags, MLPROF_TF_ROOT); /* shown with its reason */
	stop();
}

/* An exec of a process that is not a target: selected by the mode. */
Test(collector, exec_selects_by_mode)
{
	start(TARGET_MLPY);
	proc(400, 1, PY, INSPECT_OK);
	proc_event(MLPROF_EV_EXEC, 400, 1, 1, 10, 0);
	cr_assert_eq(fk.has_target[400], 0);
	proc(401, 1, MLPY_CLI_CMD, INSPECT_OK);
	proc_event(MLPROF_EV_EXEC, 401, 1, 1, 20, 0);
	cr_assert_eq(fk.has_target[401], 1);
	cr_assert_eq(store__proc(st, 401)->mlpy, MLPY_CLI);
	stop();
}

/* mlpy attribution: the CLI names the program (against its cwd); its
 * sandbox child is marked and inherits it; other children of the run are
 * in the run. */
Test(collector, mlpy_attribution)
{
	struct proc_rec *cli, *sb, *other;

	start(TARGET_NONE);
	proc(500, 1, "mlprofd", INSPECT_NOT_PYTHON);
	cr_assert_eq(collector__add_root(col, 500, 10, 0), 0);
	exec_ev(500, 1, MLPY_CLI_CMD, INSPECT_OK, 20);
	cli = store__proc(st, 500);
	cr_assert_eq(cli->mlpy, MLPY_CLI);
	cr_assert(cli->in_mlpy);
	cr_assert_str_eq(cli->ml_file, "/home/u/prog.ml");
	fork_ev(500, 501, 30);
	cr_assert(store__proc(st, 501)->in_mlpy);
	exec_ev(501, 1, SANDBOX_CMD, INSPECT_OK, 40);
	sb = store__proc(st, 501);
	cr_assert_eq(sb->mlpy, MLPY_SANDBOX);
	cr_assert_str_eq(sb->ml_file, "/home/u/prog.ml");
	cr_assert_not_null(sb->ml);
	fork_ev(500, 502, 50);
	exec_ev(502, 1, PY, INSPECT_OK, 60);
	other = store__proc(st, 502);
	cr_assert_eq(other->mlpy, MLPY_NONE);
	cr_assert(other->in_mlpy);
	cr_assert_null(other->ml_file);
	stop();
}

/* A process in a container is named by its root and PID namespace. */
Test(collector, container_named)
{
	start(TARGET_NONE);
	proc(900, 1, PY, INSPECT_OK);
	cr_assert_eq(collector__add_root(col, 900, 10, 1), 0);
	cr_assert_str_eq(store__proc(st, 900)->container, "root=/var/lib/c1 pidns=4026532001");
	stop();
}

/* Peaks are read from /proc of the running processes only. */
Test(collector, read_peaks)
{
	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	cr_assert_eq(collector__add_root(col, 100, 10, 1), 0);
	collector__read_peaks(col);
	cr_assert_eq(store__proc(st, 100)->maxrss_kb, 1100);
	stop();
}

/* Samples of an image with no frames while it is not inspectable yet are
 * start-up; each event is counted, a short one is bad. */
Test(collector, samples_and_bad_events)
{
	struct mlprof_sample *ev = calloc(1, sizeof(*ev));
	uint64_t events, bad;
	struct snap s;
	size_t i;
	int found = 0;

	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	fk.not_ready[100] = 5;
	cr_assert_eq(collector__add_root(col, 100, 10, 1), 0);
	ev->hdr.type = MLPROF_EV_SAMPLE;
	ev->hdr.pid = 100;
	ev->hdr.ts_ns = 20;
	ev->flags = MLPROF_SF_NO_LAYOUT;
	ev->kind = MLPROF_MK_CPU;
	collector__on_event(col, ev, offsetof(struct mlprof_sample, frames));
	collector__on_event(col, ev, 4);
	collector__counts(col, &events, &bad);
	cr_assert_eq(events, 2);
	cr_assert_eq(bad, 1);
	cr_assert_eq(fk.inspected[100], 2, "a start-up sample retries the inspection");
	cr_assert_eq(store__proc(st, 100)->samples, 1);
	cr_assert_eq(store__snapshot(st, &s), 0);
	for (i = 0; i < s.nstacks; i++)
		found |= s.stacks[i].nframes == 1 &&
			 !strcmp(s.funcs[s.stacks[i].frames[0].func].name, "<interpreter start-up>");
	cr_assert(found);
	snap_free(&s);
	free(ev);
	stop();
}

static void sample_ev(struct mlprof_sample *ev, int pid, uint32_t kind, uint32_t flags,
		      uint64_t value, uint64_t addr, uint64_t ts)
{
	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = MLPROF_EV_SAMPLE;
	ev->hdr.pid = (uint32_t)pid;
	ev->hdr.ts_ns = ts;
	ev->kind = kind;
	ev->flags = flags;
	ev->value = value;
	ev->addr = addr;
	collector__on_event(col, ev, offsetof(struct mlprof_sample, frames));
}

static void memop_ev(int pid, uint32_t op, uint64_t addr, uint64_t len, uint64_t ts)
{
	struct mlprof_memop_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = MLPROF_EV_MEMOP;
	ev.hdr.pid = (uint32_t)pid;
	ev.hdr.ts_ns = ts;
	ev.op = op;
	ev.addr = addr;
	ev.len = len;
	collector__on_event(col, &ev, sizeof(ev));
}

/* --memory=live: a mapping is live until it is unmapped; after the
 * program finalises, its unmaps no longer count; an unknown operation is
 * a bad event. */
Test(collector, live_memory)
{
	struct mlprof_sample *ev = calloc(1, sizeof(*ev));
	uint64_t events, bad;
	struct proc_rec *p;

	start(TARGET_NONE);
	cr_assert_eq(collector__set_live(col), 0);
	proc(100, 1, PY, INSPECT_OK);
	cr_assert_eq(collector__add_root(col, 100, 10, 1), 0);
	sample_ev(ev, 100, MLPROF_MK_ALLOC, MLPROF_SF_ADDR, 1 << 20, 0x10000000, 20);
	sample_ev(ev, 100, MLPROF_MK_ALLOC, MLPROF_SF_ADDR, 1 << 20, 0x20000000, 30);
	p = store__proc(st, 100);
	cr_assert_eq(p->alloc_bytes, 2 << 20);
	cr_assert_eq(p->live_bytes, 2 << 20);
	memop_ev(100, MLPROF_MO_UNMAP, 0x10000000, 1 << 20, 40);
	cr_assert_eq(p->live_bytes, 1 << 20);
	memop_ev(100, MLPROF_MO_FINALIZE, 0, 0, 50);
	memop_ev(100, MLPROF_MO_UNMAP, 0x20000000, 1 << 20, 60);
	cr_assert_eq(p->live_bytes, 1 << 20, "held at its end");
	collector__counts(col, &events, &bad);
	cr_assert_eq(bad, 0);
	memop_ev(100, 99, 0, 0, 70);
	exit_ev(100, 80);
	collector__counts(col, &events, &bad);
	cr_assert_eq(bad, 0, "after finalising nothing is examined");
	proc(101, 1, PY, INSPECT_OK);
	cr_assert_eq(collector__add_root(col, 101, 90, 1), 0);
	sample_ev(ev, 101, MLPROF_MK_ALLOC, MLPROF_SF_ADDR, 4096, 0x30000000, 100);
	memop_ev(101, 99, 0, 0, 110);
	collector__counts(col, &events, &bad);
	cr_assert_eq(bad, 1);
	free(ev);
	stop();
}

/* --mode wall: thread tid of pid blocks (an off-CPU stack, no Python frame
 * here: start-up) in system call nr at ts... */
static void offcpu_start_ev(int pid, int tid, int32_t nr, uint64_t ts)
{
	struct mlprof_sample ev;

	memset(&ev, 0, offsetof(struct mlprof_sample, frames));
	ev.hdr.type = MLPROF_EV_SAMPLE;
	ev.hdr.pid = (uint32_t)pid;
	ev.hdr.tid = (uint32_t)tid;
	ev.hdr.exec_seq = fk.target[pid].exec_seq;
	ev.hdr.ts_ns = ts;
	ev.kind = MLPROF_MK_OFFCPU;
	ev.flags = MLPROF_SF_NO_LAYOUT;
	ev.value = 1;   /* TASK_INTERRUPTIBLE */
	ev.syscall = nr;
	collector__on_event(col, &ev, offsetof(struct mlprof_sample, frames));
}

/* ...and runs again at end. */
static void offcpu_end_ev(int pid, int tid, uint64_t start, uint64_t end)
{
	struct mlprof_offcpu_end ev;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = MLPROF_EV_OFFCPU_END;
	ev.hdr.pid = (uint32_t)pid;
	ev.hdr.tid = (uint32_t)tid;
	ev.hdr.exec_seq = fk.target[pid].exec_seq;
	ev.hdr.ts_ns = end;
	ev.start_ns = start;
	collector__on_event(col, &ev, sizeof(ev));
}

/* The samples of the stacks whose innermost frame is named name. */
static uint64_t leaf_samples(const char *name)
{
	uint64_t n = 0;
	struct snap s;
	size_t i;

	cr_assert_eq(store__snapshot(st, &s), 0);
	for (i = 0; i < s.nstacks; i++) {
		if (!strcmp(s.funcs[s.stacks[i].frames[0].func].name, name))
			n += s.stacks[i].samples;
	}
	snap_free(&s);
	return n;
}

/* The wall-mode flake of test_where.test_wall_mode: a wait leaf is in no
 * stored stack until its interval is first charged, so the store's expiry
 * (once a second) freed it while the thread slept, and gave its id to the
 * next new function; the 0.5 s wait was then charged to that function
 * (`computer < sleeper`, 499 samples, no <wait: ...> leaf). The open
 * interval's functions are kept until it is charged. */
Test(collector, wall_wait_leaf_survives_expiry_mid_interval)
{
	char wait[96], wait2[96];
	uint32_t other;

	where_wait_name(1, 230, wait, sizeof(wait));
	where_wait_name(1, 35, wait2, sizeof(wait2));
	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	cr_assert_eq(collector__add_root(col, 100, 10, 1), 0);
	cr_assert_eq(collector__set_wall(col, 1000), 0);
	offcpu_start_ev(100, 101, 230, 2 * SEC);
	store__expire(st, 100 * SEC); /* a minute after the last: functions are freed */
	other = store__func(st, "/app.py", "computer", "computer", 14, FUNC_PYTHON, NULL, 0);
	offcpu_end_ev(100, 101, 2 * SEC, 2 * SEC + 500 * MS);
	cr_assert_eq(leaf_samples(wait), 500, "0.5 s at 1000 Hz under %s", wait);
	cr_assert_eq(leaf_samples("computer"), 0, "function %u took nothing", other);
	cr_assert_eq(store__stats(st)->expired_funcs, 0, "the wait leaf is still held");
	cr_assert_eq(collector__wall_counts(col)->intervals, 1);
	/* Once charged, the leaf is in a stack: it stays on that account. */
	store__expire(st, 200 * SEC);
	cr_assert_eq(leaf_samples(wait), 500);
	/* An interval (a new leaf) still open when its process ends is
	 * charged up to the end, under its own leaf too. */
	offcpu_start_ev(100, 101, 35, 201 * SEC);
	store__expire(st, 300 * SEC);
	store__func(st, "/app.py", "later", "later", 20, FUNC_PYTHON, NULL, 0);
	exit_ev(100, 201 * SEC + 250 * MS);
	cr_assert_eq(leaf_samples(wait2), 250, "%s", wait2);
	cr_assert_eq(leaf_samples(wait), 500);
	cr_assert_eq(leaf_samples("later"), 0);
	stop();
}
