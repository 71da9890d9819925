// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Event handling. Events arrive in the order BPF produced them (one ring
 * buffer), so a code event precedes the samples that use it and an exec
 * precedes the samples of the new image. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "bpfload.h"
#include "cmdline.h"
#include "sclock.h"
#include "collector.h"
#include "inspect.h"
#include "mlmap.h"
#include "procmaps.h"
#include "procstatus.h"
#include "pyunicode.h"
#include "sampler.h"
#include "hashmap.h"
#include "liveset.h"
#include "store.h"
#include "symbols.h"

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
	struct inspector *in;
	struct bpf_ctx *bpf;
	struct sampler *smp;
	struct hashmap *trees; /* root pid -> live processes in its tree */
	int mode;
	int verbose;
	struct pending pending[MAX_PENDING];
	size_t npending;
	uint64_t events, bad_events;
	uint64_t last_sweep_ns;
	struct hashmap *live;  /* --memory=live: pid -> struct liveset */
	struct frame_ref frames[MLPROF_MAX_FRAMES + 2];
};

struct collector *collector__new(struct store *st, struct inspector *in, int mode, int verbose)
{
	struct collector *c = calloc(1, sizeof(*c));

	if (!c || !(c->trees = hashmap__new(NULL, NULL))) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->st = st;
	c->in = in;
	c->mode = mode;
	c->verbose = verbose;
	return c;
}

static int free_liveset(uint64_t key, void *value, void *ctx)
{
	(void)key;
	(void)ctx;
	liveset__free(value);
	return 0;
}

void collector__free(struct collector *c)
{
	if (c) {
		hashmap__free(c->trees);
		if (c->live)
			hashmap__for_each(c->live, free_liveset, NULL);
		hashmap__free(c->live);
	}
	free(c);
}

int collector__set_live(struct collector *c)
{
	c->live = c->live ? c->live : hashmap__new(NULL, NULL);
	return c->live ? 0 : -ENOMEM;
}

/* ---- --memory=live ---- */

/* A process image's memory is gone (exec, exit): what it held stays
 * counted as held at its end. */
static void live_forget(struct collector *c, int pid)
{
	if (c->live)
		liveset__free(hashmap__delete(c->live, (uint32_t)pid));
}

static struct liveset *live_of(struct collector *c, int pid)
{
	struct liveset *ls = hashmap__find(c->live, (uint32_t)pid);

	if (!ls) {
		ls = liveset__new();
		if (ls && hashmap__set(c->live, (uint32_t)pid, ls, NULL)) {
			liveset__free(ls);
			ls = NULL;
		}
	}
	return ls;
}

struct release_ctx {
	struct collector *c;
	struct proc_rec *p;
	uint64_t ts_ns;
};

/* Memory given back: taken off the live bytes of the stack that mapped
 * it, in the bucket of the moment it went. */
static void live_release(void *ctx, const struct frame_ref *frames, uint32_t n, uint64_t bytes)
{
	struct release_ctx *r = ctx;
	struct stack_counts add = { .live_bytes = -(int64_t)bytes };

	store__add_sample(r->c->st, r->p, frames, n, &add, r->ts_ns);
}

/* An ALLOC event of live mode: the mapping it made, by its stack. 0, or
 * -ENOMEM (counted: those bytes are not counted live). */
static int live_mapped(struct collector *c, struct proc_rec *p, const struct mlprof_sample *ev,
			uint32_t n)
{
	struct release_ctx rc = { c, p, ev->hdr.ts_ns };
	struct liveset *ls = live_of(c, p->pid);
	int err = -ENOMEM;

	if (ls && liveset__frozen(ls))
		return -EALREADY; /* finalisation: not the program's memory */
	if (ls && (ev->flags & MLPROF_SF_HEAP))
		err = liveset__heap_grow(ls, ev->value, c->frames, n);
	else if (ls)
		err = liveset__map(ls, ev->addr, ev->value, c->frames, n, live_release, &rc);
	if (err && err != -EALREADY)
		store__stats(c->st)->live_untracked_bytes += ev->value;
	return err;
}

/* Live mode: tell the worker to probe the interpreter's Py_FinalizeEx
 * (binary: the file as the process's maps name it). */
static void probe_finalize(struct collector *c, int pid, const char *binary)
{
	if (binary[0])
		sampler__probe_finalize(c->smp, pid, binary);
}

static void on_memop(struct collector *c, const struct mlprof_memop_event *ev)
{
	struct proc_rec *p = store__proc(c->st, (int)ev->hdr.pid);
	struct release_ctx rc = { c, p, ev->hdr.ts_ns };
	struct liveset *ls = c->live && p ? hashmap__find(c->live, (uint32_t)p->pid) : NULL;

	if (!ls && c->live && p && ev->op == MLPROF_MO_FINALIZE)
		ls = live_of(c, p->pid); /* mapped nothing so far: still freeze */
	if (!ls || p->exec_seq != ev->hdr.exec_seq || liveset__frozen(ls))
		return; /* nothing recorded for this image, or it is done */
	switch (ev->op) {
	case MLPROF_MO_UNMAP:
		liveset__unmap(ls, ev->addr, ev->len, live_release, &rc);
		break;
	case MLPROF_MO_REMAP:
		if (liveset__remap(ls, ev->old_addr, ev->old_len, ev->addr, ev->len, live_release,
				   &rc) == -ENOMEM)
			store__stats(c->st)->live_untracked_bytes += ev->old_len;
		break;
	case MLPROF_MO_HEAP_SHRINK:
		liveset__heap_shrink(ls, ev->len, live_release, &rc);
		break;
	case MLPROF_MO_FINALIZE:
		liveset__freeze(ls);
		break;
	default:
		c->bad_events++;
	}
}

void collector__set_bpf(struct collector *c, struct bpf_ctx *b, struct sampler *smp)
{
	c->bpf = b;
	c->smp = smp;
}

/* ---- target trees: a root's perf events live while any member does ---- */

static void tree_join(struct collector *c, int root)
{
	uintptr_t n = (uintptr_t)hashmap__find(c->trees, (uint32_t)root);

	if (root)
		hashmap__set(c->trees, (uint32_t)root, (void *)(n + 1), NULL);
}

static void tree_leave(struct collector *c, int root)
{
	uintptr_t n = (uintptr_t)hashmap__find(c->trees, (uint32_t)root);

	if (!root || !n)
		return;
	if (n > 1) {
		hashmap__set(c->trees, (uint32_t)root, (void *)(n - 1), NULL);
	} else {
		hashmap__delete(c->trees, (uint32_t)root);
		sampler__remove_process(c->smp, root);
	}
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
			return;
		}
	}
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
}

static char *read_link(int pid, const char *what)
{
	char path[64], buf[4096];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

/* CLOCK_REALTIME ns of a CLOCK_MONOTONIC time stamp (0 stays 0). */
static int64_t real_time_of(uint64_t mono_ns)
{
	struct timespec r, m;
	int64_t now_r, now_m;

	if (!mono_ns || clock_gettime(CLOCK_REALTIME, &r) || clock_gettime(CLOCK_MONOTONIC, &m))
		return 0;
	now_r = (int64_t)r.tv_sec * 1000000000 + r.tv_nsec;
	now_m = (int64_t)m.tv_sec * 1000000000 + m.tv_nsec;
	return now_r - (now_m - (int64_t)mono_ns);
}

static char *join_path(const char *dir, const char *path)
{
	char *out;

	if (path[0] == '/' || !dir)
		return strdup(path);
	if (asprintf(&out, "%s/%s", dir, path) < 0)
		return NULL;
	return out;
}

/* The .ml program of `mlpy run prog.ml`: the first argument after the
 * mlpy entry that ends in .ml, resolved against the process's cwd. */
static char *ml_program(const struct cmdline *cl, const char *cwd)
{
	int is_module, next, i;
	size_t n;

	if (!cmdline_python_target(cl, &is_module, &next))
		return NULL;
	for (i = next; i < cl->argc; i++) {
		n = strlen(cl->argv[i]);
		if (n > 3 && !strcmp(cl->argv[i] + n - 3, ".ml"))
			return join_path(cwd, cl->argv[i]);
	}
	return NULL;
}

/* The sandbox script of an mlpy sandbox child: python <tmp>/mlpy_sandbox_*
 * /sandbox_execution.py. */
static const char *sandbox_script(const struct cmdline *cl)
{
	int is_module, next;
	const char *t = cmdline_python_target(cl, &is_module, &next), *dir;

	if (!t || is_module || strcmp(path_basename(t), "sandbox_execution.py"))
		return NULL;
	dir = strstr(t, "/mlpy_sandbox_");
	return dir && strchr(dir + 1, '/') == strrchr(t, '/') ? t : NULL;
}

/* Sets up ML attribution for an image of an mlpy run. */
static void describe_mlpy(struct collector *c, struct proc_rec *p, const struct cmdline *cl)
{
	const struct proc_rec *a;
	const char *script;
	char *path;

	if (cmdline_is_mlpy(cl)) {
		p->mlpy = 1;
		p->in_mlpy = 1;
		free(p->ml_file);
		p->ml_file = ml_program(cl, p->cwd);
	}
	if (!p->in_mlpy)
		return;
	mlmap__free(p->ml);
	p->ml = mlmap__new(p->pid);
	script = sandbox_script(cl);
	if (!p->ml || !script)
		return;
	p->mlpy = 2;
	/* The program comes from the nearest mlpy CLI up the tree. */
	for (a = p; a && !a->ml_file; a = store__proc_by_id(c->st, a->parent_id))
		;
	if (a && a->ml_file && !p->ml_file)
		p->ml_file = strdup(a->ml_file);
	path = join_path(p->cwd, script);
	if (path)
		mlmap__set_sandbox(p->ml, path, p->ml_file, a ? real_time_of(a->start_ns) : 0);
	free(path);
	snprintf(p->ml_note, sizeof(p->ml_note), "%s", mlmap__note(p->ml));
	p->ml_lines = mlmap__lines_from(p->ml);
}

/* Names the container a process runs in: its root directory if it is
 * not ours, and its PID namespace if it is not ours. "" on the host. */
static char *describe_container(int pid)
{
	char path[64], *root = read_link(pid, "root"), *out = NULL;
	struct stat mine, theirs;
	int other_ns;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
	other_ns = !stat("/proc/self/ns/pid", &mine) && !stat(path, &theirs) &&
		   mine.st_ino != theirs.st_ino;
	if (other_ns || (root && strcmp(root, "/"))) {
		if (asprintf(&out, "root=%s%s%.0llu", root ? root : "?", other_ns ? " pidns=" : "",
			     other_ns ? (unsigned long long)theirs.st_ino : 0ULL) < 0)
			out = NULL;
	}
	free(root);
	return out ? out : strdup("");
}

/* Reads the command line, cwd and executable into the record. */
static void describe_proc(struct collector *c, struct proc_rec *p)
{
	struct procstatus ps;
	struct cmdline cl;

	free(p->container);
	p->container = describe_container(p->pid);
	/* A root added from /proc (--pid, a scan) had no exec event to say
	 * its pid inside its namespace. */
	memset(&ps, 0, sizeof(ps));
	procstatus_read(p->pid, &ps);
	if (!p->ns_pid && ps.ns_pid > 0)
		p->ns_pid = ps.ns_pid;
	free(p->cwd);
	p->cwd = read_link(p->pid, "cwd");
	free(p->exe);
	p->exe = read_link(p->pid, "exe");
	if (!cmdline_read(p->pid, &cl)) {
		free(p->cmdline);
		p->cmdline = cmdline_join(&cl);
		describe_mlpy(c, p, &cl);
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

	inspector__inspect(c->in, p->pid, &res);
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
	err = bpfload__layout_id(c->bpf, &res.layout, &layout_id);
	if (!err)
		err = bpfload__get_target(c->bpf, (uint32_t)p->pid, &t);
	if (!err && t.exec_seq != p->exec_seq)
		err = -ESTALE; /* it exec'd again meanwhile; that exec is handled next */
	if (!err) {
		t.layout_id = layout_id;
		t.runtime = res.runtime;
		t.code_type = res.code_type;
		err = bpfload__set_target(c->bpf, (uint32_t)p->pid, &t, BPF_EXIST);
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

	if (!kill(p->pid, 0) || errno != ESRCH)
		return;
	if (!p->message[0])
		snprintf(p->message, sizeof(p->message), "exit not seen: ended when found gone");
	store__proc_end(sc->c->st, p, 1, sc->now);
	tree_leave(sc->c, p->root_pid);
}

uint64_t collector__tick(struct collector *c, uint64_t now)
{
	struct sweep_ctx sc = { c, now };
	struct proc_rec *p;
	uint64_t next = 0;
	size_t i = 0;

	if (now - c->last_sweep_ns >= SWEEP_NS) {
		c->last_sweep_ns = now;
		store__for_each_live(c->st, end_if_gone, &sc);
	}
	while (i < c->npending) {
		struct pending *pd = &c->pending[i];

		if (pd->next_ns > now) {
			next = !next || pd->next_ns - now < next ? pd->next_ns - now : next;
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
	return next;
}

/* ---- targets ---- */

static int wanted_by_mode(const struct collector *c, int pid)
{
	struct cmdline cl;
	int want = 0;

	if (c->mode == TARGET_NONE || cmdline_read(pid, &cl))
		return 0;
	if (c->mode == TARGET_MLPY)
		want = cmdline_is_mlpy(&cl);
	else if (c->mode == TARGET_PYTHON)
		want = 1; /* decided by inspection */
	cmdline_free(&cl);
	return want;
}

int collector__add_root(struct collector *c, int pid, uint64_t now, int inspect)
{
	struct mlprof_target t = { .flags = MLPROF_TF_ROOT };
	struct proc_rec *p;
	int err;

	err = bpfload__set_target(c->bpf, (uint32_t)pid, &t, BPF_NOEXIST);
	if (err)
		return err == -EEXIST ? 0 : err;
	err = sampler__add_process(c->smp, pid);
	p = err ? NULL : store__proc_start(c->st, pid, 0, now, NULL);
	if (!p) {
		if (!err)
			sampler__remove_process(c->smp, pid);
		bpfload__del_target(c->bpf, (uint32_t)pid);
		return err ? err : -ENOMEM;
	}
	p->root_pid = pid;
	tree_join(c, pid);
	sampler__probe_memory(c->smp, pid);
	describe_proc(c, p);
	if (inspect) {
		inspect_proc(c, p, now);
	} else {
		p->inspect_status = INSPECT_NOT_PYTHON;
		snprintf(p->message, sizeof(p->message), "waiting to exec the command");
	}
	return 0;
}

/* For --target python: keep the process only if it is a CPython. */
static void add_if_python(struct collector *c, int pid, uint64_t now)
{
	struct inspect_result res;

	inspector__inspect(c->in, pid, &res);
	if (res.status == INSPECT_OK || res.status == INSPECT_NOT_READY ||
	    res.status == INSPECT_UNSUPPORTED)
		collector__add_root(c, pid, now, 1);
}

static void consider(struct collector *c, int pid, uint64_t now)
{
	if (!wanted_by_mode(c, pid))
		return;
	if (c->mode == TARGET_PYTHON)
		add_if_python(c, pid, now);
	else
		collector__add_root(c, pid, now, 1);
}

/* The parent pid from /proc/PID/stat, or 0. */
static int read_ppid(int pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n > 0) {
		buf[n] = '\0';
		p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
		if (p && sscanf(p + 1, " %*c %d", &ppid) != 1)
			ppid = 0;
	}
	return ppid;
}

/* A process that was already running under a target when the daemon
 * started (a restarted daemon finds an mlpy run's sandbox child this way):
 * a target of the same run, with perf events of its own, since the kernel
 * made no inherited ones for it. */
static int add_existing_child(struct collector *c, const struct proc_rec *parent, int pid,
			      uint64_t now)
{
	struct mlprof_target t = { .flags = MLPROF_TF_INHERITED };
	struct proc_rec *p = NULL;
	int err = bpfload__set_target(c->bpf, (uint32_t)pid, &t, BPF_NOEXIST);

	if (!err) {
		err = sampler__add_process(c->smp, pid);
		p = err ? NULL : store__proc_start(c->st, pid, 0, now, parent);
		if (!p && !err)
			sampler__remove_process(c->smp, pid);
		if (!p) {
			bpfload__del_target(c->bpf, (uint32_t)pid);
			err = err ? err : -ENOMEM;
		}
	}
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

/* Adds running descendants of targets (each pass one generation deeper);
 * returns how many were added. */
static int scan_descendants(struct collector *c, uint64_t now)
{
	const struct proc_rec *parent;
	struct dirent *de;
	int added = 0, pass, more = 1, ppid;
	char *end;
	long pid;
	DIR *d;

	for (pass = 0; pass < 16 && more; pass++) {
		more = 0;
		d = opendir("/proc");
		while (d && (de = readdir(d)) != NULL) {
			pid = strtol(de->d_name, &end, 10);
			if (*end || pid <= 0 || pid == getpid() || store__proc(c->st, (int)pid))
				continue;
			ppid = read_ppid((int)pid);
			parent = ppid > 0 ? store__proc(c->st, ppid) : NULL;
			if (parent && !parent->ended && !add_existing_child(c, parent, (int)pid, now) &&
			    store__proc(c->st, (int)pid)) {
				added++;
				more = 1;
			}
		}
		if (d)
			closedir(d);
	}
	return added;
}

void collector__scan_existing(struct collector *c, uint64_t now)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char *end;
	long pid;

	while (d && (de = readdir(d)) != NULL) {
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid == getpid())
			continue;
		consider(c, (int)pid, now);
	}
	if (d)
		closedir(d);
	/* In python mode every CPython is a root already. */
	if (c->mode != TARGET_PYTHON)
		scan_descendants(c, now);
}

/* ---- events ---- */

static void on_exec(struct collector *c, const struct mlprof_proc_event *ev)
{
	struct proc_rec *prev, *p;
	int pid = (int)ev->hdr.pid;

	if (!ev->is_target) {
		consider(c, pid, ev->hdr.ts_ns);
		return;
	}
	prev = store__proc(c->st, pid);
	/* The new image may bring another C library (a chroot). */
	sampler__probe_memory(c->smp, pid);
	live_forget(c, pid);
	p = store__proc_start(c->st, pid, ev->hdr.exec_seq, ev->hdr.ts_ns, prev);
	if (!p)
		return;
	p->root_pid = prev ? prev->root_pid : 0; /* same process, same tree */
	p->in_mlpy = prev ? prev->in_mlpy : 0;
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

	sampler__probe_memory(c->smp, (int)ev->hdr.pid);
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
		p->in_mlpy = parent->in_mlpy;
		p->ml = parent->in_mlpy ? mlmap__new(p->pid) : NULL;
	} else {
		describe_proc(c, p);
		inspect_proc(c, p, ev->hdr.ts_ns);
	}
}

static void on_proc_exit(struct collector *c, const struct mlprof_proc_event *ev)
{
	struct proc_rec *p = store__proc(c->st, (int)ev->hdr.pid);

	pending_remove(c, (int)ev->hdr.pid);
	sampler__unprobe_memory(c->smp, (int)ev->hdr.pid);
	live_forget(c, (int)ev->hdr.pid);
	if (!p)
		return;
	p->exit_code = ev->exit_code;
	if (ev->maxrss_kb > p->maxrss_kb)
		p->maxrss_kb = ev->maxrss_kb;
	store__proc_end(c->st, p, 1, ev->hdr.ts_ns);
	tree_leave(c, p->root_pid);
	/* Perf events of its own if it was found running at start
	 * (add_existing_child); a no-op for forked children. */
	if (p->pid != p->root_pid)
		sampler__remove_process(c->smp, p->pid);
}

static char *decode(const uint8_t *data, size_t len, unsigned kind)
{
	char *s = kind ? pyunicode_to_utf8(data, len, kind) : NULL;

	return s ? s : strdup("?");
}

/* Interns a code object of an mlpy run as ML code if it is; returns the
 * function id, or UINT32_MAX if it is not ML code. */
static uint32_t intern_ml(struct collector *c, struct proc_rec *p, const char *file,
			  const char *name, int32_t firstlineno, const struct mlmod **mod,
			  int32_t *offset)
{
	int is_main;
	int32_t line;

	*mod = p->ml ? mlmap__module(p->ml, file, firstlineno, offset) : NULL;
	if (!*mod)
		return UINT32_MAX;
	/* The sandbox script's own <module> (it calls main()) is template. */
	if (mlmap__is_sandbox(p->ml, file) && !strcmp(name, "<module>")) {
		*mod = NULL;
		return UINT32_MAX;
	}
	is_main = (mlmap__is_sandbox(p->ml, file) && !strcmp(name, "main")) ||
		  !strcmp(name, "<module>");
	if (mlmap__is_sandbox(p->ml, file) && !is_main && firstlineno - *offset < 1) {
		*mod = NULL; /* a function of the sandbox template itself */
		return UINT32_MAX;
	}
	/* main() runs the program's top-level statements; <module> an ML
	 * module's. */
	if (is_main)
		return store__func(c->st, mlmod_path(*mod), "<top level>", "<top level>", 0, FUNC_ML,
				   file, firstlineno);
	line = mlmod_def_line(*mod, name, firstlineno - *offset);
	return store__func(c->st, mlmod_path(*mod), name, name, line, FUNC_ML, file, firstlineno);
}

static void on_code(struct collector *c, const struct mlprof_code *ev, size_t size)
{
	struct proc_rec *p = store__proc(c->st, (int)ev->hdr.pid);
	size_t need = offsetof(struct mlprof_code, data);
	const uint8_t *d = ev->data;
	const struct mlmod *mod = NULL;
	struct code_info *ci;
	char *file, *name, *qual;
	int32_t offset = 0;
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
		func = intern_ml(c, p, file, name, ev->firstlineno, &mod, &offset);
		if (func == UINT32_MAX)
			func = store__func(c->st, file, name, qual, ev->firstlineno, FUNC_PYTHON,
					   NULL, 0);
		ci = symtab__add(p->syms, ev->code, func, d, ev->linetable_len, ev->firstlineno);
		if (ci) {
			ci->ml = mod;
			ci->ml_offset = offset;
		}
	}
	free(file);
	free(name);
	free(qual);
}

/* The pseudo function for a sample with no Python frame. */
static uint32_t pseudo_for(const struct collector *c, const struct proc_rec *p, uint32_t flags)
{
	if (flags & (MLPROF_SF_NO_LAYOUT | MLPROF_SF_NO_RUNTIME))
		return store__pseudo(c->st, p->inspect_status == INSPECT_NOT_PYTHON ||
						    p->inspect_status == INSPECT_UNSUPPORTED ||
						    p->inspect_status == INSPECT_ERROR
					    ? PSEUDO_NOT_PYTHON
					    : PSEUDO_STARTUP);
	if (flags & MLPROF_SF_NO_TSTATE)
		return store__pseudo(c->st, PSEUDO_NATIVE);
	if (flags & MLPROF_SF_READ_ERR)
		return store__pseudo(c->st, PSEUDO_READ_ERROR);
	return store__pseudo(c->st, PSEUDO_NO_FRAME);
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
			c->frames[n].line = linemap_line(&ci->lines, ev->frames[i].lasti);
			if (ci->ml) {
				int32_t py_line = c->frames[n].line - ci->ml_offset;

				c->frames[n].line = mlmod_line(ci->ml, py_line);
				/* Unknown ML lines of the program are counted; the
				 * sandbox template's lines are not the program's. */
				stats->ml_lines_unmapped += c->frames[n].line < 0 &&
							    mlmod_in_code(ci->ml, py_line);
			}
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
	if (!n) {
		c->frames[0].func = pseudo_for(c, p, ev->flags);
		c->frames[0].line = -1;
		n = 1;
		if (ev->flags & MLPROF_SF_NO_LAYOUT && p->inspect_status == INSPECT_NOT_READY)
			inspect_proc(c, p, ev->hdr.ts_ns);
	}
	switch (ev->kind) {
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
	if (add.live_bytes && live_mapped(c, p, ev, n))
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
	struct procstatus ps;

	(void)ctx;
	if (procstatus_read(p->pid, &ps))
		return; /* gone: its exit event brings the kernel's peak */
	if (ps.hwm_kb > p->maxrss_kb)
		p->maxrss_kb = ps.hwm_kb;
	if (ps.anon_kb > p->peak_heap_kb)
		p->peak_heap_kb = ps.anon_kb;
}

void collector__read_peaks(struct collector *c)
{
	store__for_each_live(c->st, read_peak, NULL);
}
