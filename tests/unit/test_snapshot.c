// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* snapshot: JSON round trip, rejection of malformed snapshots, scoping. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fixtures.h"
#include "snapshot.h"

static void assert_same(const struct snap *a, const struct snap *b)
{
	size_t i, k;

	cr_assert_eq(a->freq_hz, b->freq_hz);
	cr_assert_str_eq(a->host, b->host);
	cr_assert_eq(a->start_ns, b->start_ns);
	cr_assert_eq(a->now_ns, b->now_ns);
	cr_assert_eq(a->mono_to_real_ns, b->mono_to_real_ns);
	cr_assert_eq(memcmp(&a->stats, &b->stats, sizeof(a->stats)), 0);
	cr_assert_eq(a->nfuncs, b->nfuncs);
	for (i = 0; i < a->nfuncs; i++) {
		cr_assert_str_eq(a->funcs[i].name, b->funcs[i].name);
		cr_assert_str_eq(a->funcs[i].qualname, b->funcs[i].qualname);
		cr_assert_str_eq(a->funcs[i].file, b->funcs[i].file);
		cr_assert_eq(a->funcs[i].line, b->funcs[i].line);
		cr_assert_eq(a->funcs[i].kind, b->funcs[i].kind);
		cr_assert_str_eq(a->funcs[i].py_file, b->funcs[i].py_file);
		cr_assert_eq(a->funcs[i].py_line, b->funcs[i].py_line);
	}
	cr_assert_eq(a->nprocs, b->nprocs);
	for (i = 0; i < a->nprocs; i++) {
		const struct snap_proc *p = &a->procs[i], *q = &b->procs[i];

		cr_assert_eq(p->id, q->id);
		cr_assert_eq(p->pid, q->pid);
		cr_assert_eq(p->ppid, q->ppid);
		cr_assert_eq(p->ns_pid, q->ns_pid);
		cr_assert_eq(p->parent, q->parent);
		cr_assert_eq(p->root, q->root);
		cr_assert_eq(p->exec_seq, q->exec_seq);
		cr_assert_str_eq(p->comm, q->comm);
		cr_assert_str_eq(p->cmdline, q->cmdline);
		cr_assert_str_eq(p->exe, q->exe);
		cr_assert_str_eq(p->python, q->python);
		cr_assert_str_eq(p->status, q->status);
		cr_assert_str_eq(p->message, q->message);
		cr_assert_eq(p->mlpy, q->mlpy);
		cr_assert_str_eq(p->ml_file, q->ml_file);
		cr_assert_str_eq(p->ml_note, q->ml_note);
		cr_assert_str_eq(p->container, q->container);
		cr_assert_eq(p->start_ns, q->start_ns);
		cr_assert_eq(p->end_ns, q->end_ns);
		cr_assert_eq(p->ended, q->ended);
		cr_assert_eq(p->exit_code, q->exit_code);
		cr_assert_eq(p->maxrss_kb, q->maxrss_kb);
		cr_assert_eq(p->peak_heap_kb, q->peak_heap_kb);
		cr_assert_eq(p->samples, q->samples);
	}
	cr_assert_eq(a->nstacks, b->nstacks);
	for (i = 0; i < a->nstacks; i++) {
		cr_assert_eq(a->stacks[i].proc, b->stacks[i].proc);
		cr_assert_eq(a->stacks[i].samples, b->stacks[i].samples);
		cr_assert_eq(a->stacks[i].nframes, b->stacks[i].nframes);
		for (k = 0; k < a->stacks[i].nframes; k++) {
			cr_assert_eq(a->stacks[i].frames[k].func, b->stacks[i].frames[k].func);
			cr_assert_eq(a->stacks[i].frames[k].line, b->stacks[i].frames[k].line);
		}
	}
}

Test(snapshot, json_round_trip)
{
	struct snap a, b;
	cJSON *j, *k;
	char err[256] = "", *txt;

	fixture_snap(&a);
	a.procs[1].exit_code = 9; /* killed */
	a.procs[0].exec_seq = 2;
	a.stacks[2].frames[0].line = -1;
	/* An mlpy run whose hottest function is ML code. */
	a.procs[0].mlpy = 1;
	free(a.procs[0].ml_file);
	a.procs[0].ml_file = strdup("/work/x.ml");
	free(a.procs[1].container);
	a.procs[1].container = strdup("root=/var/lib/c1 pidns=4026532001");
	a.funcs[FX_EVAL].kind = FUNC_ML;
	free(a.funcs[FX_EVAL].py_file);
	a.funcs[FX_EVAL].py_file = strdup("/tmp/sandbox/x.py");
	a.funcs[FX_EVAL].py_line = 120;
	j = snap_to_json(&a);
	cr_assert_not_null(j);
	/* Through text as well, as mlprofctl gets it. */
	txt = cJSON_PrintUnformatted(j);
	k = cJSON_Parse(txt);
	cr_assert_not_null(k);
	cr_assert_eq(snap_from_json(k, &b, err, sizeof(err)), 0, "%s", err);
	assert_same(&a, &b);
	cr_assert_eq(snap_total_samples(&b), 2000);
	free(txt);
	cJSON_Delete(j);
	cJSON_Delete(k);
	snap_free(&a);
	snap_free(&b);
	snap_free(&b); /* twice is harmless */
	snap_free(NULL);
}

Test(snapshot, empty_round_trip)
{
	struct snap a = { .freq_hz = 99 }, b;
	cJSON *j = snap_to_json(&a);
	char err[256];

	cr_assert_eq(snap_from_json(j, &b, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(b.nfuncs + b.nprocs + b.nstacks, 0);
	cr_assert_str_eq(b.host, "");
	cr_assert_eq(snap_total_samples(&b), 0);
	cJSON_Delete(j);
	snap_free(&b);
}

/* Breaks the fixture's JSON with `mutate` and expects -EINVAL with a
 * message containing `want` (or any message if NULL). */
static void expect_rejected(void (*mutate)(cJSON *), const char *want)
{
	struct snap a, b;
	char err[256] = "";
	cJSON *j;

	fixture_snap(&a);
	j = snap_to_json(&a);
	mutate(j);
	memset(&b, 0x5a, sizeof(b));
	cr_assert_eq(snap_from_json(j, &b, err, sizeof(err)), -EINVAL);
	cr_assert_neq(err[0], '\0');
	if (want)
		cr_assert_not_null(strstr(err, want), "message: %s", err);
	/* Nothing left allocated: b was reset. */
	cr_assert_eq(b.nfuncs + b.nprocs + b.nstacks, 0);
	/* The same from the text, one element at a time. */
	{
		char *txt = cJSON_PrintUnformatted(j), err2[256] = "";

		memset(&b, 0x5a, sizeof(b));
		cr_assert_eq(snap_from_text(txt, strlen(txt), &b, err2, sizeof(err2)), -EINVAL);
		cr_assert_str_eq(err2, err);
		cr_assert_eq(b.nfuncs + b.nprocs + b.nstacks, 0);
		free(txt);
	}
	cJSON_Delete(j);
	snap_free(&a);
}

static cJSON *stack(cJSON *j, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(j, "stacks"), i);
}

static void no_format(cJSON *j) { cJSON_DeleteItemFromObject(j, "format"); }
static void other_format(cJSON *j)
{
	cJSON_ReplaceItemInObject(j, "format", cJSON_CreateString("pstats"));
}
static void version_2(cJSON *j) { cJSON_ReplaceItemInObject(j, "version", cJSON_CreateNumber(2)); }
static void version_str(cJSON *j)
{
	cJSON_ReplaceItemInObject(j, "version", cJSON_CreateString("1"));
}
static void func_out_of_range(cJSON *j)
{
	cJSON *f = cJSON_GetObjectItem(stack(j, 0), "f");

	cJSON_ReplaceItemInArray(f, 0, cJSON_CreateNumber(FX_NFUNCS));
}
static void func_fraction(cJSON *j)
{
	cJSON_ReplaceItemInArray(cJSON_GetObjectItem(stack(j, 0), "f"), 0, cJSON_CreateNumber(1.5));
}
static void odd_frames(cJSON *j)
{
	cJSON_AddItemToArray(cJSON_GetObjectItem(stack(j, 1), "f"), cJSON_CreateNumber(0));
}
static void negative_samples(cJSON *j)
{
	cJSON_ReplaceItemInObject(stack(j, 2), "n", cJSON_CreateNumber(-5));
}
static void proc_out_of_range(cJSON *j)
{
	cJSON_ReplaceItemInObject(stack(j, 2), "p", cJSON_CreateNumber(2));
}
static void root_out_of_range(cJSON *j)
{
	cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "processes"), 1);

	cJSON_ReplaceItemInObject(p, "root", cJSON_CreateNumber(5));
}
static void missing_stacks(cJSON *j) { cJSON_DeleteItemFromObject(j, "stacks"); }
static void string_name(cJSON *j)
{
	cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "functions"), 2);

	cJSON_ReplaceItemInObject(f, "name", cJSON_CreateNumber(3));
}
static void frames_not_array(cJSON *j)
{
	cJSON_ReplaceItemInObject(stack(j, 0), "f", cJSON_CreateString("0,1"));
}

Test(snapshot, malformed_rejected)
{
	expect_rejected(no_format, "format");
	expect_rejected(other_format, "format");
	expect_rejected(version_2, "version");
	expect_rejected(version_str, "version");
	expect_rejected(func_out_of_range, "function out of range");
	expect_rejected(func_fraction, "function out of range");
	expect_rejected(odd_frames, "frame list");
	expect_rejected(negative_samples, "\"n\"");
	expect_rejected(proc_out_of_range, "\"p\"");
	expect_rejected(root_out_of_range, "\"root\"");
	expect_rejected(missing_stacks, "stacks");
	expect_rejected(string_name, "\"name\"");
	expect_rejected(frames_not_array, "frame list");
}

Test(snapshot, not_an_object)
{
	struct snap b;
	char err[128];
	cJSON *j = cJSON_Parse("[1,2]");

	cr_assert_eq(snap_from_json(j, &b, err, sizeof(err)), -EINVAL);
	cJSON_Delete(j);
	cr_assert_eq(snap_from_json(NULL, &b, err, sizeof(err)), -EINVAL);
}

Test(snapshot, filter_root_pid_keeps_children)
{
	struct snap s;
	struct snap_scope sc = { .pid = 1000 };

	fixture_snap(&s);
	cr_assert_eq(snap_filter(&s, &sc), 0);
	cr_assert_eq(s.nprocs, 2);
	cr_assert_eq(s.nstacks, 3);
	cr_assert_eq(snap_total_samples(&s), 2000);
	snap_free(&s);
}

Test(snapshot, filter_child_pid)
{
	struct snap s;
	struct snap_scope sc = { .pid = 1001 };

	fixture_snap(&s);
	cr_assert_eq(snap_filter(&s, &sc), 0);
	cr_assert_eq(s.nprocs, 1);
	cr_assert_eq(s.procs[0].pid, 1001);
	cr_assert_eq(s.procs[0].id, 0);
	cr_assert_eq(s.procs[0].root, 0, "its root was filtered out: it is its own root");
	cr_assert_eq(s.procs[0].parent, -1);
	cr_assert_eq(s.nstacks, 1);
	cr_assert_eq(s.stacks[0].proc, 0);
	cr_assert_eq(s.stacks[0].samples, 600);
	cr_assert_eq(snap_total_samples(&s), 600);
	snap_free(&s);
}

Test(snapshot, filter_unknown_pid)
{
	struct snap s;
	struct snap_scope sc = { .pid = 4242 };

	fixture_snap(&s);
	cr_assert_eq(snap_filter(&s, &sc), 0);
	cr_assert_eq(s.nprocs, 0);
	cr_assert_eq(s.nstacks, 0);
	cr_assert_eq(snap_total_samples(&s), 0);
	snap_free(&s);
}

Test(snapshot, filter_since)
{
	struct snap s;
	struct snap_scope sc = { .since_ns = 5000000000ULL };

	fixture_snap(&s);
	/* The child ended at 3 s: before the window; the parent still runs. */
	cr_assert_eq(snap_filter(&s, &sc), 0);
	cr_assert_eq(s.nprocs, 1);
	cr_assert_eq(s.procs[0].pid, 1000);
	cr_assert_eq(s.nstacks, 2);
	cr_assert_eq(snap_total_samples(&s), 1400);
	snap_free(&s);

	/* A window that starts before the child ended keeps it. */
	fixture_snap(&s);
	sc.since_ns = 2500000000ULL;
	cr_assert_eq(snap_filter(&s, &sc), 0);
	cr_assert_eq(s.nprocs, 2);
	cr_assert_eq(s.procs[1].root, 0);
	cr_assert_eq(s.procs[1].parent, 0);
	snap_free(&s);
}

Test(snapshot, filter_nothing)
{
	struct snap s;
	struct snap_scope sc = { 0 };

	fixture_snap(&s);
	cr_assert_eq(snap_filter(&s, &sc), 0);
	cr_assert_eq(s.nprocs, 2);
	cr_assert_eq(s.nstacks, 3);
	snap_free(&s);
}
