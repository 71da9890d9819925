// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Pieces the exporters share, and the choice by format name. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "export.h"
#include "modname.h"
#include "procmaps.h"

static const struct {
	const char *name;
	int (*render)(const struct snap *s, struct strbuf *out);
	int binary;
} formats[] = {
	{ "collapsed", export_collapsed, 0 },
	{ "speedscope", export_speedscope, 0 },
	{ "pprof", export_pprof, 1 },
	{ "html", export_html, 0 },
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

static int find(const char *format)
{
	size_t i;

	for (i = 0; format && i < NFORMATS; i++) {
		if (!strcmp(format, formats[i].name))
			return (int)i;
	}
	return -1;
}

int export_format_valid(const char *format)
{
	return find(format) >= 0;
}

int export_format_binary(const char *format)
{
	int i = find(format);

	return i >= 0 && formats[i].binary;
}

int export_render(const struct snap *s, const char *format, struct strbuf *out)
{
	int i = find(format);

	return i < 0 ? -EINVAL : formats[i].render(s, out);
}

const char *export_func_name(const struct snap_func *f)
{
	const char *n = f->kind == FUNC_ML || !f->qualname || !f->qualname[0] ? f->name
									       : f->qualname;

	return n && n[0] ? n : "<unnamed>";
}

/* Folded stacks split frames at ';' and lines at '\n'. */
static void make_safe(char *buf)
{
	for (; *buf; buf++) {
		if (*buf == ';')
			*buf = ':';
		else if ((unsigned char)*buf < 0x20 || *buf == 0x7f)
			*buf = ' ';
	}
}

void export_func_label(const struct snap_func *f, char *buf, size_t len)
{
	const char *name = export_func_name(f);
	const char *file = f->file && f->file[0] ? procmaps_basename(f->file) : "";

	char mod[256];

	if (f->kind == FUNC_PSEUDO || !file[0])
		snprintf(buf, len, "%s", name);
	else if (f->kind != FUNC_ML && !strcmp(name, "<module>")) /* which module: its name */
		snprintf(buf, len, "<module %s>", modname(f->file, mod, sizeof(mod)));
	else if (f->kind == FUNC_ML && f->line <= 0)
		snprintf(buf, len, "%s (%s)", name, file);
	else
		snprintf(buf, len, "%s (%s:%d)", name, file, f->line);
	make_safe(buf);
}

const char *export_proc_name(const struct snap_proc *p)
{
	if (p->comm && p->comm[0])
		return p->comm;
	if (p->exe && p->exe[0] && procmaps_basename(p->exe)[0])
		return procmaps_basename(p->exe);
	return "?";
}

void export_proc_label(const struct snap_proc *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s [%d]", export_proc_name(p), p->pid);
	make_safe(buf);
}

uint64_t export_period_ns(const struct snap *s)
{
	return s->freq_hz ? 1000000000ULL / s->freq_hz : 0;
}

void export_window(const struct snap *s, uint64_t *from, uint64_t *to)
{
	*from = s->range_to_ns ? s->range_from_ns : s->start_ns;
	*to = s->range_to_ns ? s->range_to_ns : s->now_ns;
	if (*to < *from)
		*to = *from;
}

uint64_t export_add_sat(uint64_t a, uint64_t b, uint64_t max)
{
	return a > max || b > max - a ? max : a + b;
}

uint64_t export_mul_sat(uint64_t a, uint64_t b, uint64_t max)
{
	return a && b > max / a ? max : a * b;
}

int export_check(const struct snap *s)
{
	size_t i;
	uint32_t j;
	int err = 0;

	for (i = 0; !err && i < s->nstacks; i++) {
		const struct snap_stack *st = &s->stacks[i];

		if (st->proc >= s->nprocs || (st->nframes && !st->frames))
			err = -EINVAL;
		for (j = 0; !err && j < st->nframes; j++) {
			if (st->frames[j].func >= s->nfuncs)
				err = -EINVAL;
		}
	}
	return err;
}
