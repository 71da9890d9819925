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
#include "inspect.h"
#include "procstatus.h"
#include "store.h"

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
	/* inspector: not_ready answers before `status` */
	int not_ready[NPID];
	enum inspect_status status[NPID];
	int inspected[NPID];
	/* /proc */
	int exists[NPID];
	int gone[NPID];
	int ppid[NPID];
	const char *cmdline[NPID]; /* arguments separated by '|' */
	const char *cwd[NPID];
};

static struct fake fk;
static struct store *st;
static struct collector *col;

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

static const struct collector_ops fake_ops = {
	.ctx = &fk,
	.get_target = f_get_target,
	.set_target = f_set_target,
	.del_target = f_del_target,
	.layout_id = f_layout_id,
	.add_process = f_add_process,
	.remove_process = f_remove_process,
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
};

static void start(enum target_mode mode)
{
	struct store_limits lim = STORE_DEFAULT_LIMITS;

	memset(&fk, 0, sizeof(fk));
	st = store__new(&lim, 1);
	cr_assert_not_null(st);
	col = collector__new(st, &fake_ops, mode, 0);
	cr_assert_not_null(col);
}

static void stop(void)
{
	collector__free(col);
	store__free(st);
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
	snprintf(ev.comm, sizeof(ev.comm), "python3");
	snprintf(ev.filename, sizeof(ev.filename), "/usr/bin/python3");
	cr_assert_eq(collector__on_event(col, &ev, sizeof(ev)), 0);
}

/* What BPF does on a fork of a target: the child is a target too. */
static void fork_ev(int parent, int child, uint64_t ts)
{
	struct mlprof_target t = { .flags = MLPROF_TF_INHERITED };

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
 * then handed to BPF. */
Test(collector, retry_schedule)
{
	uint64_t now = 1000 * MS, next, want = 1 * MS;
	int tries = 0;

	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	fk.not_ready[100] = 8;
	cr_assert_eq(collector__add_root(col, 100, now, 1), 0);
	cr_assert_eq(store__proc(st, 100)->inspect_status, INSPECT_NOT_READY);
	cr_assert_eq(fk.target[100].layout_id, 0);
	next = collector__tick(col, now);
	while (next) {
		cr_assert_eq(next, want, "retry %d after %llu ns, want %llu", tries,
			     (unsigned long long)next, (unsigned long long)want);
		/* Not due a nanosecond early. */
		cr_assert_eq(collector__tick(col, now + next - 1), 1);
		now += next;
		next = collector__tick(col, now);
		tries++;
		want = want * 2 > 50 * MS ? 50 * MS : want * 2;
	}
	cr_assert_eq(tries, 8);
	cr_assert_eq(fk.inspected[100], 9);
	cr_assert_eq(store__proc(st, 100)->inspect_status, INSPECT_OK);
	cr_assert_eq(fk.target[100].layout_id, 7 + 0xf0);
	stop();
}

/* Never inspectable: given up after 5 s, with the reason. */
Test(collector, retry_gives_up)
{
	uint64_t t0 = 1000 * MS, now = t0, next;
	struct proc_rec *p;

	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	fk.not_ready[100] = 1000000;
	cr_assert_eq(collector__add_root(col, 100, now, 1), 0);
	while ((next = collector__tick(col, now)) != 0)
		now += next;
	p = store__proc(st, 100);
	cr_assert_eq(p->inspect_status, INSPECT_ERROR);
	cr_assert_str_eq(p->message, "interpreter did not become inspectable within 5 s");
	cr_assert(now - t0 > 5 * SEC && now - t0 < 5 * SEC + 100 * MS);
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
	cr_assert_eq(collector__tick(col, 30 * SEC), 0);
	cr_assert_eq(store__proc(st, 100)->inspect_status, INSPECT_NOT_PYTHON);
	stop();
}

/* A process whose exit was never seen is ended by the sweep. */
Test(collector, sweep_ends_gone_processes)
{
	struct proc_rec *p;

	start(TARGET_NONE);
	proc(100, 1, PY, INSPECT_OK);
	cr_assert_eq(collector__add_root(col, 100, 10, 1), 0);
	fk.gone[100] = 1;
	collector__tick(col, 20 * SEC);
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
