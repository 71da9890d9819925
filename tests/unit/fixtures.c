// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Shared test data for the unit tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fixtures.h"

static void add_func(struct snap *s, const char *name, const char *qualname, const char *file,
		     int32_t line, uint8_t kind)
{
	struct snap_func *f = &s->funcs[s->nfuncs++];

	f->name = strdup(name);
	f->qualname = strdup(qualname);
	f->file = strdup(file);
	f->line = line;
	f->kind = kind;
	f->py_file = strdup("");
}

static void add_proc(struct snap *s, int32_t pid, int32_t ppid, int32_t parent, int32_t root,
		     const char *cmdline, uint64_t start_ns, uint64_t end_ns, int32_t ended,
		     uint64_t samples)
{
	struct snap_proc *p = &s->procs[s->nprocs];

	p->id = (uint32_t)s->nprocs++;
	p->pid = pid;
	p->ppid = ppid;
	p->ns_pid = pid;
	p->parent = parent;
	p->root = root;
	p->comm = strdup("python3");
	p->cmdline = strdup(cmdline);
	p->exe = strdup("/usr/bin/python3.11");
	p->python = strdup("3.11.2");
	p->status = strdup("profiled");
	p->message = strdup("");
	p->ml_file = strdup("");
	p->ml_note = strdup("");
	p->container = strdup("");
	p->start_ns = start_ns;
	p->end_ns = end_ns;
	p->ended = ended;
	p->maxrss_kb = 20480;
	p->peak_heap_kb = 12288;
	p->samples = samples;
}

void fixture_add_stack(struct snap *s, uint32_t proc, uint64_t samples, size_t n,
		       const uint32_t *funcs)
{
	struct snap_stack *st;
	size_t i;

	s->stacks = realloc(s->stacks, (s->nstacks + 1) * sizeof(*s->stacks));
	st = &s->stacks[s->nstacks++];
	memset(st, 0, sizeof(*st)); /* realloc leaves the memory fields undefined */
	st->proc = proc;
	st->samples = samples;
	st->nframes = (uint32_t)n;
	st->frames = calloc(n + 1, sizeof(*st->frames));
	for (i = 0; i < n; i++) {
		st->frames[i].func = funcs[i];
		st->frames[i].line = (int32_t)(10 * funcs[i] + i + 1);
	}
}

void fixture_snap(struct snap *s)
{
	static const uint32_t st0[] = { FX_EVAL, FX_PARSE, FX_MAIN };
	static const uint32_t st1[] = { FX_PARSE, FX_MAIN };
	static const uint32_t st2[] = { FX_STARTUP };

	memset(s, 0, sizeof(*s));
	s->freq_hz = 100;
	s->host = strdup("testhost");
	s->start_ns = 1000000000ULL;
	s->now_ns = 11000000000ULL;
	s->mono_to_real_ns = 1700000000000000000LL;
	s->stats.samples = 2010;
	s->stats.sample_drops = 3;
	s->stats.lost_samples = 2;
	s->stats.truncated = 1;
	s->funcs = calloc(FX_NFUNCS, sizeof(*s->funcs));
	add_func(s, "main", "main", "/app/main.py", 1, FUNC_PYTHON);
	add_func(s, "parse", "Parser.parse", "/app/parse.py", 10, FUNC_PYTHON);
	add_func(s, "eval", "eval", "/app/eval.py", 20, FUNC_PYTHON);
	add_func(s, "<startup>", "<startup>", "", 0, FUNC_PSEUDO);
	s->procs = calloc(2, sizeof(*s->procs));
	add_proc(s, 1000, 1, -1, 0, "python3 -m mlpy run x.ml", 1000000000ULL, 0, 0, 1400);
	add_proc(s, 1001, 1000, 0, 0, "python3 -m mlpy worker", 2000000000ULL, 3000000000ULL, 1,
		 600);
	fixture_add_stack(s, 0, 1234, 3, st0);
	fixture_add_stack(s, 0, 166, 2, st1);
	fixture_add_stack(s, 1, 600, 1, st2);
}

uint8_t *fixture_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

const char *fixture_pyenv(const char *rel)
{
	static char path[4096];
	const char *root = getenv("PYENV_ROOT"), *home = getenv("HOME");

	if (root && *root)
		snprintf(path, sizeof(path), "%s/%s", root, rel);
	else
		snprintf(path, sizeof(path), "%s/.pyenv/%s", home ? home : "/root", rel);
	return path;
}

const char *fixture_tmpfile(const void *data, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/mlprof-test-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	return path;
}
