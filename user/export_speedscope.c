// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* speedscope's file format (https://www.speedscope.app/file-format-schema.json):
 * shared frames (one per function: name, file, line), and per process
 * image one "sampled" profile of CPU time in nanoseconds (samples x
 * 1e9/freq_hz), plus one of bytes mapped when memory was measured. A
 * stack seen several times (time buckets) is several weighted samples. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "export.h"

enum value { V_CPU, V_ALLOC };

struct ss_ctx {
	const struct snap *s;
	int32_t *frame_of;  /* function -> shared frame index, -1 unused */
	int32_t no_frames;  /* frame index of EXPORT_NO_FRAMES, -1 unused */
	size_t *order;      /* stack indices grouped by process */
	uint64_t period;
	cJSON *frames, *profiles;
	double best;        /* largest CPU profile, made the active one */
	int best_index;
};

static uint64_t stack_value(const struct ss_ctx *c, const struct snap_stack *st, enum value v)
{
	return v == V_CPU ? export_mul_sat(st->samples, c->period, UINT64_MAX) : st->alloc_bytes;
}

static int cmp_proc(const void *a, const void *b, void *arg)
{
	const struct snap *s = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (s->stacks[x].proc != s->stacks[y].proc)
		return s->stacks[x].proc < s->stacks[y].proc ? -1 : 1;
	return (x > y) - (x < y);
}

static int add_frame(struct ss_ctx *c, const struct snap_func *f)
{
	cJSON *o = cJSON_CreateObject();
	char label[1024];

	if (!o || !cJSON_AddItemToArray(c->frames, o))
		return -ENOMEM;
	if (f) {
		export_func_label(f, label, sizeof(label));
		if (!cJSON_AddStringToObject(o, "name", label))
			return -ENOMEM;
		if (f->kind != FUNC_PSEUDO && f->file && f->file[0] &&
		    (!cJSON_AddStringToObject(o, "file", f->file) ||
		     (f->line > 0 && !cJSON_AddNumberToObject(o, "line", f->line))))
			return -ENOMEM;
	} else if (!cJSON_AddStringToObject(o, "name", EXPORT_NO_FRAMES)) {
		return -ENOMEM;
	}
	return 0;
}

/* Shared frames for every function a stack uses. */
static int build_frames(struct ss_ctx *c)
{
	const struct snap *s = c->s;
	int32_t next = 0;
	size_t i;
	uint32_t j, f;
	int err = 0;

	for (i = 0; i < s->nfuncs; i++)
		c->frame_of[i] = -1;
	c->no_frames = -1;
	for (i = 0; !err && i < s->nstacks; i++) {
		const struct snap_stack *st = &s->stacks[i];

		if (!st->samples && !st->alloc_bytes)
			continue;
		if (!st->nframes && c->no_frames < 0) {
			c->no_frames = next++;
			err = add_frame(c, NULL);
		}
		for (j = 0; !err && j < st->nframes; j++) {
			f = st->frames[j].func;
			if (c->frame_of[f] < 0) {
				c->frame_of[f] = next++;
				err = add_frame(c, &s->funcs[f]);
			}
		}
	}
	return err;
}

static int add_sample(struct ss_ctx *c, cJSON *samples, cJSON *weights,
		      const struct snap_stack *st, uint64_t w)
{
	cJSON *a = cJSON_CreateArray(), *n;
	uint32_t j;

	if (!a || !cJSON_AddItemToArray(samples, a))
		return -ENOMEM;
	if (!st->nframes) {
		n = cJSON_CreateNumber(c->no_frames);
		if (!n || !cJSON_AddItemToArray(a, n))
			return -ENOMEM;
	}
	for (j = st->nframes; j > 0; j--) { /* speedscope: outermost first */
		n = cJSON_CreateNumber(c->frame_of[st->frames[j - 1].func]);
		if (!n || !cJSON_AddItemToArray(a, n))
			return -ENOMEM;
	}
	n = cJSON_CreateNumber((double)w);
	return n && cJSON_AddItemToArray(weights, n) ? 0 : -ENOMEM;
}

static cJSON *new_profile(struct ss_ctx *c, const char *name, const char *unit, cJSON **samples,
			  cJSON **weights)
{
	cJSON *p = cJSON_CreateObject();

	if (!p || !cJSON_AddItemToArray(c->profiles, p))
		return NULL;
	if (!cJSON_AddStringToObject(p, "type", "sampled") ||
	    !cJSON_AddStringToObject(p, "name", name) || !cJSON_AddStringToObject(p, "unit", unit) ||
	    !cJSON_AddNumberToObject(p, "startValue", 0))
		return NULL;
	*samples = cJSON_AddArrayToObject(p, "samples");
	*weights = cJSON_AddArrayToObject(p, "weights");
	return *samples && *weights ? p : NULL;
}

/* One profile of one value for the stacks order[lo..hi) of one process. */
static int add_profile(struct ss_ctx *c, size_t lo, size_t hi, enum value v)
{
	const struct snap *s = c->s;
	const struct snap_proc *p = &s->procs[s->stacks[c->order[lo]].proc];
	cJSON *prof, *samples, *weights;
	char name[256];
	uint64_t total = 0, w;
	size_t i;
	int err = 0;

	for (i = lo; i < hi; i++)
		total = export_add_sat(total, stack_value(c, &s->stacks[c->order[i]], v), UINT64_MAX);
	if (!total)
		return 0;
	snprintf(name, sizeof(name), "%s [%d]%s%.120s%s", export_proc_name(p), p->pid, p->cmdline && p->cmdline[0] ? " " : "", p->cmdline ? p->cmdline : "",
		 v == V_ALLOC ? " (memory mapped)" : "");
	prof = new_profile(c, name, v == V_CPU ? "nanoseconds" : "bytes", &samples, &weights);
	if (!prof)
		return -ENOMEM;
	for (i = lo; !err && i < hi; i++) {
		w = stack_value(c, &s->stacks[c->order[i]], v);
		if (w)
			err = add_sample(c, samples, weights, &s->stacks[c->order[i]], w);
	}
	if (!err && !cJSON_AddNumberToObject(prof, "endValue", (double)total))
		err = -ENOMEM;
	if (!err && v == V_CPU && (double)total > c->best) {
		c->best = (double)total;
		c->best_index = cJSON_GetArraySize(c->profiles) - 1;
	}
	return err;
}

static int build_profiles(struct ss_ctx *c)
{
	const struct snap *s = c->s;
	cJSON *samples, *weights;
	size_t i, k;
	int err = 0;

	for (i = 0; i < s->nstacks; i++)
		c->order[i] = i;
	qsort_r(c->order, s->nstacks, sizeof(*c->order), cmp_proc, (void *)s);
	for (i = 0; !err && i < s->nstacks; i = k) {
		for (k = i + 1; k < s->nstacks && s->stacks[c->order[k]].proc ==
						      s->stacks[c->order[i]].proc; k++)
			;
		err = add_profile(c, i, k, V_CPU);
		if (!err && s->memory)
			err = add_profile(c, i, k, V_ALLOC);
	}
	/* speedscope wants a profile to show: an empty one says why. */
	if (!err && !cJSON_GetArraySize(c->profiles)) {
		cJSON *p = new_profile(c, "no samples", "nanoseconds", &samples, &weights);

		if (!p || !cJSON_AddNumberToObject(p, "endValue", 0))
			err = -ENOMEM;
	}
	return err;
}

int export_speedscope(const struct snap *s, struct strbuf *out)
{
	struct ss_ctx c = { .s = s, .period = export_period_ns(s) };
	cJSON *root = NULL, *shared;
	char *txt = NULL;
	int err = export_check(s);

	if (err)
		return err;
	c.frame_of = calloc(s->nfuncs + 1, sizeof(*c.frame_of));
	c.order = calloc(s->nstacks + 1, sizeof(*c.order));
	root = cJSON_CreateObject();
	shared = root ? cJSON_AddObjectToObject(root, "shared") : NULL;
	c.frames = shared ? cJSON_AddArrayToObject(shared, "frames") : NULL;
	c.profiles = root ? cJSON_AddArrayToObject(root, "profiles") : NULL;
	if (!c.frame_of || !c.order || !c.frames || !c.profiles ||
	    !cJSON_AddStringToObject(root, "$schema",
				     "https://www.speedscope.app/file-format-schema.json"))
		err = -ENOMEM;
	if (!err)
		err = build_frames(&c);
	if (!err)
		err = build_profiles(&c);
	if (!err && (!cJSON_AddStringToObject(root, "name", s->host && s->host[0] ? s->host : "mlprof") ||
		     !cJSON_AddNumberToObject(root, "activeProfileIndex", c.best_index) ||
		     !cJSON_AddStringToObject(root, "exporter", "mlprof")))
		err = -ENOMEM;
	if (!err) {
		txt = cJSON_PrintUnformatted(root);
		if (!txt || strbuf_puts(out, txt) || strbuf_puts(out, "\n"))
			err = -ENOMEM;
	}
	free(txt);
	cJSON_Delete(root);
	free(c.frame_of);
	free(c.order);
	return err;
}
