// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* pyphase: the finalizing / GC offsets per build (tables, synthetic and
 * real _Py_DebugOffsets), the names of samples without Python frames, and
 * the GC frame put on top of a stack. Expected offsets were printed with
 * offsetof against each build's internal headers (3.11.2, 3.11.7, 3.12.1,
 * 3.13.0) and read back from sid's 3.13.18, 3.14.10 and 3.15.2, where a
 * gc.callbacks callback reads gc.collecting = 1 (docs/design.md,
 * "Interpreter phases"). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elfread.h"
#include "fixtures.h"
#include "inspect.h"
#include "pylayout.h"
#include "pyphase.h"
#include "view.h"
#include "report.h"
#include <cjson/cJSON.h>

Test(pyphase, tables_311_312)
{
	struct mlprof_layout L;

	memset(&L, 0xff, sizeof(L));
	cr_assert_eq(pyphase_fill(0x030b02f0, NULL, 0, &L), PYLAYOUT_OK);
	cr_assert_eq(L.rt_finalizing, 24);
	cr_assert_eq(L.interp_gc_collecting, 648 + 200);
	cr_assert_eq(L.ts_interp, 16);
	cr_assert_eq(L.rt_initialized, 16);
	cr_assert_eq(L.phase_pad, 0);
	cr_assert_eq(L.rt_gil_holder, 576);
	cr_assert_eq(L.interp_gil_holder, 0);
	cr_assert_eq(pyphase_fill(0x030c01f0, NULL, 0, &L), PYLAYOUT_OK);
	cr_assert_eq(L.rt_finalizing, 24);
	cr_assert_eq(L.interp_gc_collecting, 112 + 200);
	cr_assert_eq(L.ts_interp, 16);
	cr_assert_eq(L.rt_gil_holder, 0);
	cr_assert_eq(L.interp_gil_holder, 1048);
	/* pylayout_derive fills them too. */
	cr_assert_eq(pylayout_derive(0x030b07f0, NULL, 0, &L), PYLAYOUT_OK);
	cr_assert_eq(L.interp_gc_collecting, 848);
}

Test(pyphase, unknown_versions_left_zero)
{
	struct mlprof_layout L;

	memset(&L, 0xff, sizeof(L));
	cr_assert_eq(pyphase_fill(0x030a00f0, NULL, 0, &L), PYLAYOUT_UNSUPPORTED_VERSION);
	cr_assert_eq(L.rt_finalizing, 0);
	cr_assert_eq(L.interp_gc_collecting, 0);
	cr_assert_eq(L.ts_interp, 0);
	cr_assert_eq(pyphase_fill(0x031000f0, NULL, 0, &L), PYLAYOUT_UNSUPPORTED_VERSION);
	cr_assert_eq(pyphase_fill(0x040b00f0, NULL, 0, &L), PYLAYOUT_UNSUPPORTED_VERSION);
	cr_assert_eq(L.interp_gc_collecting, 0);
}

/* Positions of the entries used, per minor (written out again here). */
struct ppos {
	size_t rt_size, fin, interp_size, gc, ts_size, ts_interp, gc_size, coll, blob, holder,
		locked;
};

static const struct ppos p313 = { 24, 32, 48, 80, 152, 176, 568, 576, 584, 144, 136 };
static const struct ppos p314 = { 24, 32, 48, 88, 176, 200, 648, 656, 760, 152, 144 };
static const struct ppos p315 = { 24, 32, 48, 88, 176, 200, 752, 760, 888, 152, 144 };

static void put(uint8_t *b, size_t pos, uint64_t v)
{
	memcpy(b + pos, &v, sizeof(v));
}

/* A blob with the values sid's 3.14.10 holds (runtime 316616 bytes,
 * _finalizing 784, interp 225864 bytes, gc at 7408, gc state 264 bytes
 * with collecting at 192, thread state 832 bytes, interp at 16, the
 * GIL's last holder at 7792). */
static uint8_t *blob_of(const struct ppos *p)
{
	uint8_t *b = malloc(PYLAYOUT_DEBUG_BLOB);
	size_t i;

	cr_assert_not_null(b);
	for (i = 0; i + 8 <= PYLAYOUT_DEBUG_BLOB; i += 8)
		put(b, i, 0xdead0000 + i);
	memcpy(b, "xdebugpy", 8);
	put(b, p->rt_size, 316616);
	put(b, p->fin, 784);
	put(b, p->interp_size, 225864);
	put(b, p->gc, 7408);
	put(b, p->ts_size, 832);
	put(b, p->ts_interp, 16);
	put(b, p->gc_size, 264);
	put(b, p->coll, 192);
	put(b, p->holder, 7792);
	put(b, p->locked, 7800);
	return b;
}

static void check(const struct ppos *p, uint32_t version)
{
	uint8_t *b = blob_of(p);
	struct mlprof_layout L;

	cr_assert_eq(pyphase_fill(version, b, p->blob, &L), PYLAYOUT_OK, "%x", version);
	cr_assert_eq(L.rt_finalizing, 784);
	cr_assert_eq(L.rt_initialized, 776);
	cr_assert_eq(L.interp_gc_collecting, 7408 + 192);
	cr_assert_eq(L.ts_interp, 16);
	cr_assert_eq(L.interp_gil_holder, 7792);
	cr_assert_eq(L.rt_gil_holder, 0);
	/* Too short a blob, or none. */
	cr_assert_eq(pyphase_fill(version, b, p->coll, &L), PYLAYOUT_NO_DEBUG_OFFSETS);
	cr_assert_eq(L.interp_gc_collecting, 0);
	cr_assert_eq(pyphase_fill(version, NULL, 0, &L), PYLAYOUT_NO_DEBUG_OFFSETS);
	free(b);
}

Test(pyphase, debug_offsets_313_314_315)
{
	check(&p313, 0x030d00f0);
	check(&p314, 0x030e0af0);
	check(&p315, 0x030f02f0);
}

/* Whatever the target wrote: each offset inside its own structure,
 * aligned, else the phases are not looked at. */
Test(pyphase, hostile_entries_refused)
{
	struct {
		size_t pos;
		uint64_t v;
	} bad[] = {
		{ 32, 316616 },       /* _finalizing at the runtime's end */
		{ 32, 785 },          /* misaligned */
		{ 32, 0 },            /* no room for initialized before it */
		{ 32, 1ull << 40 },   /* huge */
		{ 656, 264 },         /* collecting outside the gc state */
		{ 656, 194 },         /* misaligned */
		{ 88, 225864 - 100 }, /* gc state runs past the interpreter */
		{ 88, UINT64_MAX },   /* wraps */
		{ 648, UINT64_MAX },  /* gc size wraps */
		{ 200, 832 },         /* interp outside the thread state */
		{ 200, 12 },          /* misaligned */
		{ 152, 225864 },      /* GIL holder outside the interpreter */
		{ 152, 7793 },        /* misaligned */
		{ 144, 7808 },        /* locked not right after the holder */
	};
	struct mlprof_layout L;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *b = blob_of(&p314);

		put(b, bad[i].pos, bad[i].v);
		cr_assert_eq(pyphase_fill(0x030e0af0, b, p314.blob, &L), PYLAYOUT_INVALID,
			     "case %zu", i);
		cr_assert_eq(L.rt_finalizing | L.rt_initialized | L.interp_gc_collecting | L.ts_interp |
				     L.interp_gil_holder,
			     0, "case %zu", i);
		free(b);
	}
}

/* The real interpreters: what their debug offsets say. */
static void check_real(const char *path, uint32_t want_fin,
		       uint32_t want_gc, uint16_t want_ts_interp, uint32_t want_holder)
{
	struct elfread *ef;
	uint64_t rt, rt_size, ver_addr, ver = 0;
	uint8_t blob[PYLAYOUT_DEBUG_BLOB];
	struct mlprof_layout L;

	ef = elfread_open(path);
	cr_assert_not_null(ef, "%s", path);
	cr_assert_eq(elfread_symbol(ef, "_PyRuntime", &rt, &rt_size), 0);
	cr_assert_eq(elfread_read(ef, rt, blob, sizeof(blob)), 0);
	cr_assert_eq(elfread_symbol(ef, "Py_Version", &ver_addr, NULL), 0);
	cr_assert_eq(elfread_read(ef, ver_addr, &ver, sizeof(ver)), 0);
	elfread_close(ef);
	cr_assert_eq(pylayout_derive((uint32_t)ver, blob, sizeof(blob), &L), PYLAYOUT_OK, "%s",
		     path);
	cr_assert_eq(L.rt_finalizing, want_fin, "%s", path);
	cr_assert_eq(L.rt_initialized, want_fin - 8, "%s", path);
	cr_assert_eq(L.interp_gc_collecting, want_gc, "%s", path);
	cr_assert_eq(L.ts_interp, want_ts_interp, "%s", path);
	cr_assert_eq(L.interp_gil_holder, want_holder, "%s", path);
}

Test(pyphase, real_313)
{
	const char *path = fixture_pyenv("versions/3.13.0/lib/libpython3.13.so.1.0");

	cr_assert_eq(access(path, R_OK), 0, "test needs %s (set PYENV_ROOT)", path);
	check_real(path, 608, 7400 + 200, 16, 7760);
}

/* Debian sid's builds, when the sid root the privileged tests use is here. */
Test(pyphase, real_sid_314_315)
{
	const char *root = getenv("MLPROF_SID_ROOT");
	char path[512];

	root = root && *root ? root : "/var/cache/mlprof/sid-root";
	snprintf(path, sizeof(path), "%s/usr/bin/python3.14", root);
	if (access(path, R_OK))
		cr_skip_test("no sid root at %s", root);
	check_real(path, 784, 7408 + 192, 16, 7792);
	snprintf(path, sizeof(path), "%s/usr/bin/python3.15", root);
	check_real(path, 912, 7400 + 112, 16, 7744);
}

Test(pyphase, pseudo_names)
{
	cr_assert_eq(pyphase_pseudo(0, INSPECT_OK), PSEUDO_NO_FRAME);
	cr_assert_eq(pyphase_pseudo(MLPROF_SF_NO_TSTATE, INSPECT_OK), PSEUDO_NATIVE);
	cr_assert_eq(pyphase_pseudo(MLPROF_SF_READ_ERR, INSPECT_OK), PSEUDO_READ_ERROR);
	cr_assert_eq(pyphase_pseudo(MLPROF_SF_NO_LAYOUT, INSPECT_NOT_READY), PSEUDO_STARTUP);
	cr_assert_eq(pyphase_pseudo(MLPROF_SF_NO_RUNTIME, INSPECT_OK), PSEUDO_STARTUP);
	cr_assert_eq(pyphase_pseudo(MLPROF_SF_NO_LAYOUT, INSPECT_NOT_PYTHON), PSEUDO_NOT_PYTHON);
	cr_assert_eq(pyphase_pseudo(MLPROF_SF_NO_LAYOUT, INSPECT_UNSUPPORTED), PSEUDO_NOT_PYTHON);
	cr_assert_eq(pyphase_pseudo(MLPROF_SF_NO_LAYOUT, INSPECT_ERROR), PSEUDO_NOT_PYTHON);
	/* Shutdown wins: after the interpreter is deleted (NO_RUNTIME) and on
	 * the finalizing thread whose state is gone (NO_TSTATE). */
	cr_assert_eq(pyphase_pseudo(MLPROF_SF_SHUTDOWN, INSPECT_OK), PSEUDO_SHUTDOWN);
	cr_assert_eq(pyphase_pseudo(MLPROF_SF_SHUTDOWN | MLPROF_SF_NO_RUNTIME, INSPECT_OK),
		     PSEUDO_SHUTDOWN);
	cr_assert_eq(pyphase_pseudo(MLPROF_SF_SHUTDOWN | MLPROF_SF_NO_TSTATE, INSPECT_OK),
		     PSEUDO_SHUTDOWN);
	/* Before Py_Initialize is done: start-up, even on the main thread
	 * before it has a thread state. */
	cr_assert_eq(pyphase_pseudo(MLPROF_SF_STARTING, INSPECT_OK), PSEUDO_STARTUP);
	cr_assert_eq(pyphase_pseudo(MLPROF_SF_STARTING | MLPROF_SF_NO_TSTATE, INSPECT_OK),
		     PSEUDO_STARTUP);
	/* GC alone does not name a frameless sample. */
	cr_assert_eq(pyphase_pseudo(MLPROF_SF_GC, INSPECT_OK), PSEUDO_NO_FRAME);
}

Test(pyphase, gc_on_top)
{
	struct frame_ref f[4] = { { 10, 5 }, { 11, 6 }, { 0, 0 }, { 0, 0 } };

	cr_assert_eq(pyphase_push_gc(f, 2, 4, 99), 3);
	cr_assert_eq(f[0].func, 99);
	cr_assert_eq(f[0].line, -1);
	cr_assert_eq(f[1].func, 10);
	cr_assert_eq(f[1].line, 5);
	cr_assert_eq(f[2].func, 11);
	cr_assert_eq(pyphase_push_gc(f, 3, 4, 98), 4);
	cr_assert_eq(f[0].func, 98);
	cr_assert_eq(f[3].func, 11);
	/* Full: unchanged. */
	cr_assert_eq(pyphase_push_gc(f, 4, 4, 97), 4);
	cr_assert_eq(f[0].func, 98);
	/* An empty stack gets the GC frame alone. */
	cr_assert_eq(pyphase_push_gc(f, 0, 4, 96), 1);
	cr_assert_eq(f[0].func, 96);
}

/* The two new pseudo functions exist in every store, with their names. */
Test(pyphase, pseudo_functions_named)
{
	struct store_limits lim = STORE_DEFAULT_LIMITS;
	struct store *st = store__new(&lim, 1000);
	struct snap s;

	cr_assert_not_null(st);
	cr_assert_eq(store__snapshot(st, &s), 0);
	cr_assert_str_eq(s.funcs[store__pseudo(st, PSEUDO_SHUTDOWN)].name, "<interpreter shutdown>");
	cr_assert_str_eq(s.funcs[store__pseudo(st, PSEUDO_GC)].name, "<garbage collection>");
	cr_assert_str_eq(PYPHASE_SHUTDOWN_NAME, "<interpreter shutdown>");
	cr_assert_str_eq(PYPHASE_GC_NAME, "<garbage collection>");
	cr_assert_eq(s.funcs[store__pseudo(st, PSEUDO_GC)].kind, FUNC_PSEUDO);
	cr_assert_str_eq(s.funcs[store__pseudo(st, PSEUDO_NATIVE)].name, "<native thread>");
	snap_free(&s);
	store__free(st);
}

/* The ML summary's phase numbers: samples under a shutdown root, samples
 * with GC innermost (on top of Python code or of the shutdown). */
Test(pyphase, view_counts_phases)
{
	struct store_limits lim = STORE_DEFAULT_LIMITS;
	struct store *st = store__new(&lim, 1000);
	struct stack_counts one = { .samples = 1 };
	struct proc_rec *p;
	struct frame_ref fr[3];
	uint32_t fn;
	struct snap s;
	struct view v;
	int i;

	cr_assert_not_null(st);
	p = store__proc_start(st, 42, 0, 1000, NULL);
	cr_assert_not_null(p);
	fn = store__func(st, "/a.py", "work", "work", 1, FUNC_PYTHON, NULL, 0);
	for (i = 0; i < 7; i++) { /* 7 x work */
		fr[0] = (struct frame_ref){ fn, 3 };
		store__add_sample(st, p, fr, 1, &one, 2000);
	}
	for (i = 0; i < 5; i++) { /* 5 x GC <- work */
		fr[0] = (struct frame_ref){ fn, 3 };
		cr_assert_eq(pyphase_push_gc(fr, 1, 3, store__pseudo(st, PSEUDO_GC)), 2);
		store__add_sample(st, p, fr, 2, &one, 2000);
	}
	for (i = 0; i < 3; i++) { /* 3 x GC <- shutdown */
		fr[0] = (struct frame_ref){ store__pseudo(st, PSEUDO_GC), -1 };
		fr[1] = (struct frame_ref){ store__pseudo(st, PSEUDO_SHUTDOWN), -1 };
		store__add_sample(st, p, fr, 2, &one, 2000);
	}
	for (i = 0; i < 2; i++) { /* 2 x shutdown */
		fr[0] = (struct frame_ref){ store__pseudo(st, PSEUDO_SHUTDOWN), -1 };
		store__add_sample(st, p, fr, 1, &one, 2000);
	}
	cr_assert_eq(store__snapshot(st, &s), 0);
	cr_assert_eq(view_build(&s, &v), 0);
	cr_assert_eq(v.total, 17);
	cr_assert_eq(v.shutdown, 5);
	cr_assert_eq(v.gc, 8);
	view_free(&v);
	snap_free(&s);
	store__free(st);
}

/* Per process: the raw JSON's processes carry shutdown_s and gc_s. */
Test(pyphase, per_process_in_raw_json)
{
	struct store_limits lim = STORE_DEFAULT_LIMITS;
	struct store *st = store__new(&lim, 1000);
	struct stack_counts one = { .samples = 1 };
	struct proc_rec *p[2];
	struct frame_ref fr[2];
	uint64_t sh[2], gc[2];
	cJSON *o, *procs;
	struct snap s;
	int i;

	cr_assert_not_null(st);
	p[0] = store__proc_start(st, 42, 0, 1000, NULL);
	p[1] = store__proc_start(st, 43, 0, 1000, NULL);
	cr_assert(p[0] && p[1]);
	for (i = 0; i < 4; i++) { /* pid 43: 4 x GC <- shutdown */
		fr[0] = (struct frame_ref){ store__pseudo(st, PSEUDO_GC), -1 };
		fr[1] = (struct frame_ref){ store__pseudo(st, PSEUDO_SHUTDOWN), -1 };
		store__add_sample(st, p[1], fr, 2, &one, 2000);
	}
	fr[0] = (struct frame_ref){ store__pseudo(st, PSEUDO_NO_FRAME), -1 };
	store__add_sample(st, p[0], fr, 1, &one, 2000);
	cr_assert_eq(store__snapshot(st, &s), 0);
	cr_assert_eq(s.nprocs, 2);
	pyphase_proc_samples(&s, sh, gc);
	for (i = 0; i < 2; i++) {
		cr_assert_eq(sh[i], s.procs[i].pid == 43 ? 4 : 0, "pid %d", s.procs[i].pid);
		cr_assert_eq(gc[i], s.procs[i].pid == 43 ? 4 : 0, "pid %d", s.procs[i].pid);
	}
	s.freq_hz = 100; /* the collector sets it */
	o = report_raw_json(&s);
	cr_assert_not_null(o);
	procs = cJSON_GetObjectItem(o, "processes");
	for (i = 0; i < 2; i++) {
		cJSON *pj = cJSON_GetArrayItem(procs, i);
		double want = cJSON_GetObjectItem(pj, "pid")->valuedouble == 43 ? 4.0 / s.freq_hz : 0;

		cr_assert_float_eq(cJSON_GetObjectItem(pj, "shutdown_s")->valuedouble, want, 1e-9);
		cr_assert_float_eq(cJSON_GetObjectItem(pj, "gc_s")->valuedouble, want, 1e-9);
	}
	cJSON_Delete(o);
	snap_free(&s);
	store__free(st);
}
