// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* where: system call names, shared object names, leaf frames and what the
 * analysis makes of them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>
#include "analysis.h"
#include "fixtures.h"
#include "mlprof_abi.h"
#include "procmaps.h"
#include "where.h"
#include "report_helpers.h"
#include <cjson/cJSON.h>

static const char *sys(int nr)
{
	static char buf[64];

	return where_syscall_name(nr, buf, sizeof(buf));
}

static const char *obj(const char *file)
{
	static char buf[64];

	return where_obj_name(file, buf, sizeof(buf));
}

Test(where, syscall_names)
{
#if defined(__x86_64__)
	cr_assert_str_eq(sys(0), "read");
	cr_assert_str_eq(sys(1), "write");
	cr_assert_str_eq(sys(9), "mmap");
	cr_assert_str_eq(sys(202), "futex");
	cr_assert_str_eq(sys(61), "wait4");
#endif
	cr_assert_str_eq(sys(100000), "syscall 100000");
	cr_assert_str_eq(sys(-1), "fault/irq");
}

Test(where, object_names)
{
	cr_assert_str_eq(obj("libcrypto.so.3"), "libcrypto");
	cr_assert_str_eq(obj("/usr/lib/x86_64-linux-gnu/libc.so.6"), "libc");
	cr_assert_str_eq(obj("_json.cpython-311-x86_64-linux-gnu.so"), "_json");
	cr_assert_str_eq(obj("/usr/lib/python3.11/lib-dynload/_sre.cpython-311-x86_64-linux-gnu.so"),
			 "_sre");
	cr_assert_str_eq(obj("_cffi_backend.abi3.so"), "_cffi_backend");
	cr_assert_str_eq(obj("libstdc++.so.6.0.30"), "libstdc++");
	cr_assert_str_eq(obj("ld-linux-x86-64.so.2"), "ld-linux-x86-64");
	cr_assert_str_eq(obj("libpython3.11.so.1.0"), "libpython3.11");
	cr_assert_str_eq(obj("python3.11"), "python3.11");
	cr_assert_str_eq(obj("[anonymous]"), "[anonymous]");
	/* Untrusted names: no control bytes, no spaces, never empty. */
	cr_assert_str_eq(obj("evil\n\x1b[2Jname.so"), "evil??[2Jname");
	cr_assert_str_eq(obj("a b.so"), "a?b");
	cr_assert_str_eq(obj(""), "?");
	cr_assert_str_eq(obj(".so"), ".so"); /* a suffix needs a stem before it */
	cr_assert_str_eq(obj(NULL), "?");
}

Test(where, object_name_cut_to_buffer)
{
	char buf[6];

	cr_assert_str_eq(where_obj_name("libverylong.so.1", buf, sizeof(buf)), "libve");
}

Test(where, leaf_names)
{
	char buf[128], big[MLPROF_OBJ_NAME];

	cr_assert_eq(where_leaf_name(MLPROF_WH_INTERP, -1, "", buf, sizeof(buf)), WHERE_NONE);
	cr_assert_eq(where_leaf_name(MLPROF_WH_UNKNOWN, -1, "", buf, sizeof(buf)), WHERE_NONE);
	cr_assert_eq(where_leaf_name(MLPROF_WH_NATIVE, -1, "libcrypto.so.3", buf, sizeof(buf)),
		     WHERE_NATIVE);
	cr_assert_str_eq(buf, "<native: libcrypto>");
	cr_assert_eq(where_leaf_name(MLPROF_WH_NATIVE, -1, "", buf, sizeof(buf)), WHERE_NATIVE);
	cr_assert_str_eq(buf, "<native: ?>");
#if defined(__x86_64__)
	cr_assert_eq(where_leaf_name(MLPROF_WH_KERNEL, 0, "", buf, sizeof(buf)), WHERE_KERNEL);
	cr_assert_str_eq(buf, "<kernel: read>");
#endif
	cr_assert_eq(where_leaf_name(MLPROF_WH_KERNEL, -1, "", buf, sizeof(buf)), WHERE_KERNEL);
	cr_assert_str_eq(buf, "<kernel: fault/irq>");
	/* The object name is a fixed array from BPF: not NUL-terminated when full. */
	memset(big, 'x', sizeof(big));
	where_leaf_name(MLPROF_WH_NATIVE, -1, big, buf, sizeof(buf));
	cr_assert_eq(strlen(buf), strlen("<native: >") + MLPROF_OBJ_NAME);
}

Test(where, text_range)
{
	struct mapping maps[] = {
		{ 0x400000, 0x401000, 0, 7, 8, 1, "r--p", "/usr/bin/python3.11" },
		{ 0x401000, 0x700000, 0x1000, 7, 8, 1, "r-xp", "/usr/bin/python3.11" },
		{ 0x700000, 0x800000, 0x300000, 7, 8, 1, "r--p", "/usr/bin/python3.11" },
		{ 0x7f0000, 0x7f1000, 0, 9, 8, 1, "r-xp", "/usr/lib/libc.so.6" },
		{ 0x900000, 0x901000, 0, 7, 8, 2, "r-xp", "/other/dev/same/inode" },
	};
	uint64_t lo, hi;

	cr_assert_eq(where_text_range(maps, 5, &maps[0], &lo, &hi), 0);
	cr_assert_eq(lo, 0x401000);
	cr_assert_eq(hi, 0x700000);
	cr_assert_eq(where_text_range(maps, 3, &maps[3], &lo, &hi), -ENOENT);
	cr_assert_eq(hi, 0);
}

/* A snapshot with where leaves: eval <- parse <- main gets 100 native
 * (libcrypto) and 50 kernel (read) samples under eval, 30 under parse. */
static uint32_t add_leaf(struct snap *s, const char *name)
{
	struct snap_func *f;

	s->funcs = realloc(s->funcs, (s->nfuncs + 1) * sizeof(*s->funcs));
	cr_assert_not_null(s->funcs);
	f = &s->funcs[s->nfuncs];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	f->qualname = strdup(name);
	f->file = strdup("~");
	f->py_file = strdup("");
	f->kind = FUNC_PSEUDO;
	return (uint32_t)s->nfuncs++;
}

static void leaf_snap(struct snap *s, uint32_t *nat, uint32_t *ker)
{
	fixture_snap(s);
	*nat = add_leaf(s, "<native: libcrypto>");
	*ker = add_leaf(s, "<kernel: read>");
	fixture_add_stack(s, 0, 100, 4, (uint32_t[]){ *nat, FX_EVAL, FX_PARSE, FX_MAIN });
	fixture_add_stack(s, 0, 50, 4, (uint32_t[]){ *ker, FX_EVAL, FX_PARSE, FX_MAIN });
	fixture_add_stack(s, 0, 30, 3, (uint32_t[]){ *ker, FX_PARSE, FX_MAIN });
	/* A lone leaf (no frame above it) is a function of its own. */
	fixture_add_stack(s, 1, 7, 1, (uint32_t[]){ *ker });
}

Test(where, analysis_charges_leaves_to_the_frame_above)
{
	struct snap s;
	struct func_stat *rows;
	size_t n, i;
	uint32_t nat, ker;
	const struct func_stat *eval = NULL, *parse = NULL, *leaf = NULL;

	leaf_snap(&s, &nat, &ker);
	cr_assert_eq(where_func_kind(&s.funcs[nat]), WHERE_NATIVE);
	cr_assert_eq(where_func_kind(&s.funcs[ker]), WHERE_KERNEL);
	cr_assert_eq(where_func_kind(&s.funcs[FX_STARTUP]), WHERE_NONE);
	cr_assert_eq(analysis_functions(&s, &rows, &n), 0);
	for (i = 0; i < n; i++) {
		eval = rows[i].func == FX_EVAL ? &rows[i] : eval;
		parse = rows[i].func == FX_PARSE ? &rows[i] : parse;
		leaf = rows[i].func == ker ? &rows[i] : leaf;
		cr_assert_neq(rows[i].func, nat, "a leaf under a frame is not a function row");
	}
	cr_assert_eq(eval->self, 1234 + 150);
	cr_assert_eq(eval->native_self, 100);
	cr_assert_eq(eval->kernel_self, 50);
	cr_assert_eq(eval->total, 1234 + 150);
	cr_assert_eq(parse->self, 166 + 30);
	cr_assert_eq(parse->kernel_self, 30);
	cr_assert_eq(parse->native_self, 0);
	cr_assert_eq(parse->total, 1400 + 180);
	cr_assert_eq(leaf->self, 7);
	free(rows);
	snap_free(&s);
}

Test(where, rows_by_function_and_leaf)
{
	struct snap s;
	struct where_row *rows;
	size_t n;
	uint32_t nat, ker;

	leaf_snap(&s, &nat, &ker);
	fixture_add_stack(&s, 1, 5, 2, (uint32_t[]){ nat, FX_EVAL });
	cr_assert_eq(where_rows(&s, &rows, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(rows[0].func, FX_EVAL);
	cr_assert_eq(rows[0].leaf, nat);
	cr_assert_eq(rows[0].samples, 105); /* merged across processes */
	cr_assert_eq(rows[1].leaf, ker);
	cr_assert_eq(rows[1].samples, 50);
	cr_assert_eq(rows[2].func, FX_PARSE);
	cr_assert_eq(rows[2].samples, 30);
	free(rows);
	snap_free(&s);
}

Test(where, no_leaves_no_rows)
{
	struct snap s;
	struct where_row *rows;
	size_t n = 9;

	fixture_snap(&s);
	cr_assert_eq(where_rows(&s, &rows, &n), 0);
	cr_assert_eq(n, 0);
	free(rows);
	snap_free(&s);
}

/* The mlpy run of mlrun_snap() with 500 more samples of fib spent in
 * libcrypto and 100 in the read system call (leaves under fib). */
static void mlrun_with_leaves(struct snap *s)
{
	uint32_t fib = UINT32_MAX, nat, ker, f[MLPROF_MAX_FRAMES + 1];
	const struct snap_stack *st = NULL;
	size_t i, k;

	mlrun_snap(s);
	for (i = 0; i < s->nfuncs; i++)
		fib = !strcmp(s->funcs[i].name, "fib") ? (uint32_t)i : fib;
	for (i = 0; i < s->nstacks && !st; i++)
		st = s->stacks[i].nframes && s->stacks[i].frames[0].func == fib ? &s->stacks[i] : NULL;
	cr_assert_not_null(st);
	nat = add_leaf(s, "<native: libcrypto>");
	ker = add_leaf(s, "<kernel: read>");
	for (k = 0; k < st->nframes; k++)
		f[k + 1] = st->frames[k].func;
	f[0] = nat;
	k = st->nframes + 1;
	i = st->proc;
	fixture_add_stack(s, (uint32_t)i, 500, k, f);
	f[0] = ker;
	fixture_add_stack(s, (uint32_t)i, 100, k, f);
}

Test(where, ml_report_names_the_library)
{
	struct snap s;
	char *txt;
	cJSON *o, *fn, *it;

	mlrun_with_leaves(&s);
	txt = render(&s, "ml-summary", REPORT_TEXT);
	/* fib: 500 own + 600 under leaves = 1,100; ML code 500 = 45.5 %. */
	cr_assert_not_null(strstr(txt, "  - time in ML code 45.5%, in library code it calls 54.5%, "
				       "most in <native: libcrypto> (45.5%)\n"), "%s", txt);
	/* helper has no leaves: no such line for it. */
	cr_assert_eq(strstr(strstr(txt, "> helper"), "time in ML code"), NULL, "%s", txt);
	free(txt);
	o = render_json(&s, "ml-summary");
	fn = NULL;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "functions"))
		fn = !strcmp(str(it, "name"), "fib") ? it : fn;
	cr_assert_not_null(fn);
	cr_assert_eq(num(fn, "ml_code_samples"), 500);
	cr_assert_eq(num(fn, "native_samples"), 500);
	cr_assert_eq(num(fn, "kernel_samples"), 100);
	cr_assert_str_eq(str(fn, "top_library"), "<native: libcrypto>");
	cJSON_Delete(o);
	txt = render(&s, "dev-summary", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "Own time outside the interpreter"), "%s", txt);
	cr_assert_not_null(strstr(txt, "<native: libcrypto>"), "%s", txt);
	free(txt);
	o = render_json(&s, "raw");
	fn = NULL;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "functions"))
		fn = !strcmp(str(it, "name"), "fib") ? it : fn;
	cr_assert_not_null(fn);
	cr_assert_float_eq(num(fn, "native_s"), 0.5, 1e-9);
	cr_assert_float_eq(num(fn, "kernel_s"), 0.1, 1e-9);
	cr_assert_float_eq(num(fn, "interp_s") + num(fn, "native_s") + num(fn, "kernel_s"),
			   num(fn, "self_s"), 1e-9);
	cJSON_Delete(o);
	snap_free(&s);
}

Test(where, wall_mode_totals)
{
	struct snap s;
	uint32_t w, f[2] = { 0, FX_EVAL };
	cJSON *o;
	char *txt;

	fixture_snap(&s); /* 2,000 samples at 100 Hz */
	w = add_leaf(&s, "<wait: sleep (clock_nanosleep)>");
	f[0] = w;
	fixture_add_stack(&s, 0, 500, 2, f);
	cr_assert_eq(where_wait_samples(&s), 500);
	o = render_json(&s, "raw");
	cr_assert_float_eq(num(o, "cpu_s"), 20.0, 1e-9);
	cr_assert_float_eq(num(o, "wait_s"), 5.0, 1e-9);
	cJSON_Delete(o);
	txt = render(&s, "raw", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "--mode wall: of these, 500 samples = 5.000 s waiting"),
			   "%s", txt);
	free(txt);
	snap_free(&s);
}
