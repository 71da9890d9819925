// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The collector's real dependencies (see collector_sys.h): thin wrappers
 * over bpfload, sampler, inspect, and the /proc reads. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "bpfload.h"
#include "cmdline.h"
#include "collector_sys.h"
#include "inspect.h"
#include "procstatus.h"
#include "sampler.h"

static int sys_get_target(void *ctx, int pid, struct mlprof_target *t)
{
	return bpfload__get_target(((struct collector_sys *)ctx)->bpf, (uint32_t)pid, t);
}

static int sys_set_target(void *ctx, int pid, const struct mlprof_target *t, uint64_t flags)
{
	return bpfload__set_target(((struct collector_sys *)ctx)->bpf, (uint32_t)pid, t, flags);
}

static int sys_del_target(void *ctx, int pid)
{
	return bpfload__del_target(((struct collector_sys *)ctx)->bpf, (uint32_t)pid);
}

static int sys_layout_id(void *ctx, const struct mlprof_layout *l, uint32_t *id)
{
	return bpfload__layout_id(((struct collector_sys *)ctx)->bpf, l, id);
}

static int sys_add_process(void *ctx, int pid)
{
	return sampler__add_process(((struct collector_sys *)ctx)->smp, pid);
}

static int sys_bridge(void *ctx, int on)
{
	return sampler__bridge(((struct collector_sys *)ctx)->smp, on);
}

static void sys_remove_process(void *ctx, int pid)
{
	sampler__remove_process(((struct collector_sys *)ctx)->smp, pid);
}

static void sys_probe_memory(void *ctx, int pid)
{
	sampler__probe_memory(((struct collector_sys *)ctx)->smp, pid);
}

static void sys_unprobe_memory(void *ctx, int pid)
{
	sampler__unprobe_memory(((struct collector_sys *)ctx)->smp, pid);
}

static void sys_probe_finalize(void *ctx, int pid, const char *binary)
{
	sampler__probe_finalize(((struct collector_sys *)ctx)->smp, pid, binary);
}

static void sys_inspect(void *ctx, int pid, struct inspect_result *res)
{
	inspector__inspect(((struct collector_sys *)ctx)->in, pid, res);
}

static int sys_read_cmdline(void *ctx, int pid, struct cmdline *cl)
{
	(void)ctx;
	return cmdline_read(pid, cl);
}

static char *sys_read_link(void *ctx, int pid, const char *what)
{
	char path[64], buf[4096];
	ssize_t n;

	(void)ctx;
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n > 0)
		buf[n] = '\0';
	return n > 0 ? strdup(buf) : NULL;
}

static int sys_read_status(void *ctx, int pid, struct procstatus *ps)
{
	(void)ctx;
	return procstatus_read(pid, ps);
}

/* Names the container a process runs in: its root directory if it is
 * not ours, and its PID namespace if it is not ours. "" on the host. */
static char *sys_container(void *ctx, int pid)
{
	char path[64], *root = sys_read_link(ctx, pid, "root"), *out = NULL;
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

/* The parent pid from /proc/PID/stat, or 0. */
static int sys_read_ppid(void *ctx, int pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	ssize_t n;
	int fd;

	(void)ctx;
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

static int sys_gone(void *ctx, int pid)
{
	(void)ctx;
	return kill(pid, 0) && errno == ESRCH;
}

static void sys_for_each_pid(void *ctx, void (*fn)(void *arg, int pid), void *arg)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char *end;
	long pid;

	(void)ctx;
	while (d && (de = readdir(d)) != NULL) {
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid == getpid())
			continue;
		fn(arg, (int)pid);
	}
	if (d)
		closedir(d);
}

static uint64_t sys_now_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void collector_sys_ops(struct collector_sys *sys, struct collector_ops *ops)
{
	const struct collector_ops real = {
		.ctx = sys,
		.get_target = sys_get_target,
		.set_target = sys_set_target,
		.del_target = sys_del_target,
		.layout_id = sys_layout_id,
		.add_process = sys_add_process,
		.remove_process = sys_remove_process,
		.bridge = sys_bridge,
		.probe_memory = sys_probe_memory,
		.unprobe_memory = sys_unprobe_memory,
		.probe_finalize = sys_probe_finalize,
		.inspect = sys_inspect,
		.read_cmdline = sys_read_cmdline,
		.read_link = sys_read_link,
		.read_status = sys_read_status,
		.container = sys_container,
		.read_ppid = sys_read_ppid,
		.gone = sys_gone,
		.for_each_pid = sys_for_each_pid,
		.now_ns = sys_now_ns,
	};

	*ops = real;
}
