// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* pylayout: the 3.11/3.12 tables, layouts derived from _Py_DebugOffsets
 * (synthetic blobs and the real one in pyenv's libpython3.13), and every
 * way a blob can be wrong. Expected values come from
 * /work/shared/docs/cpython-internals.md and docs/cpython-debug-offsets.md. */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elfread.h"
#include "fixtures.h"
#include "pylayout.h"

Test(pylayout, table_311)
{
	struct mlprof_layout L;

	cr_assert_eq(pylayout_derive(0x030b04f0, NULL, 0, &L), PYLAYOUT_OK);
	cr_assert_eq(L.version_hex, 0x030b04f0);
	cr_assert_eq(L.rt_interp_head, 40);
	cr_assert_eq(L.interp_next, 0);
	cr_assert_eq(L.interp_threads_head, 16);
	cr_assert_eq(L.ts_next, 8);
	cr_assert_eq(L.ts_native_tid, 160);
	cr_assert_eq(L.has_cframe, 1);
	cr_assert_eq(L.ts_frame, 56);
	cr_assert_eq(L.cframe_frame, 8);
	cr_assert_eq(L.fr_code, 32);
	cr_assert_eq(L.fr_previous, 48);
	cr_assert_eq(L.fr_instr, 56);
	cr_assert_eq(L.fr_owner, 69);
	cr_assert_eq(L.owner_skip_min, 3);
	cr_assert_eq(L.ob_type, 8);
	cr_assert_eq(L.co_firstlineno, 72);
	cr_assert_eq(L.co_filename, 112);
	cr_assert_eq(L.co_name, 120);
	cr_assert_eq(L.co_qualname, 128);
	cr_assert_eq(L.co_linetable, 136);
	cr_assert_eq(L.co_code_adaptive, 184);
	cr_assert_eq(L.str_length, 16);
	cr_assert_eq(L.str_state, 32);
	cr_assert_eq(L.str_ascii_size, 48);
	cr_assert_eq(L.str_compact_size, 72);
	cr_assert_eq(L.bytes_size, 16);
	cr_assert_eq(L.bytes_sval, 32);
	cr_assert_eq(L.code_tag_mask, 0);
}

Test(pylayout, table_312)
{
	struct mlprof_layout L;

	cr_assert_eq(pylayout_derive(0x030c01f0, NULL, 0, &L), PYLAYOUT_OK);
	cr_assert_eq(L.rt_interp_head, 40);
	cr_assert_eq(L.interp_next, 0);
	cr_assert_eq(L.interp_threads_head, 72);
	cr_assert_eq(L.ts_native_tid, 144);
	cr_assert_eq(L.has_cframe, 1);
	cr_assert_eq(L.ts_frame, 56);
	cr_assert_eq(L.cframe_frame, 0);
	cr_assert_eq(L.fr_code, 0);
	cr_assert_eq(L.fr_previous, 8);
	cr_assert_eq(L.fr_instr, 56);
	cr_assert_eq(L.fr_owner, 70);
	cr_assert_eq(L.co_firstlineno, 68);
	cr_assert_eq(L.co_linetable, 136);
	cr_assert_eq(L.co_code_adaptive, 192);
	cr_assert_eq(L.str_ascii_size, 40);
	cr_assert_eq(L.str_compact_size, 56);
	cr_assert_eq(L.code_tag_mask, 0);
}

/* ---- synthetic _Py_DebugOffsets ---- */

/* Byte positions inside _Py_DebugOffsets (docs/cpython-debug-offsets.md
 * section 2), written out again here rather than taken from pylayout.c. */
struct pos {
	size_t size, interp_head, interp_next, threads_head, ts_next, ts_frame, ts_native_tid,
		fr_previous, fr_code, fr_instr, fr_owner, co_filename, co_name, co_qualname,
		co_linetable, co_firstlineno, co_code_adaptive, ob_type, bytes_size, bytes_sval,
		str_state, str_length, str_ascii_size;
};

static const struct pos pos313 = { 584, 40, 64, 72, 168, 184, 200, 232, 240, 248, 264,
				   280, 288, 296, 304, 312, 344, 360, 520, 528, 544, 552, 560 };
static const struct pos pos314 = { 760, 40, 64, 72, 192, 208, 224, 256, 264, 272, 288,
				   320, 328, 336, 344, 352, 384, 408, 600, 608, 624, 632, 640 };
static const struct pos pos315 = { 888, 40, 64, 72, 192, 208, 248, 320, 328, 336, 352,
				   384, 392, 400, 408, 416, 448, 472, 696, 704, 720, 728, 736 };

/* Values of one build (the same field order as struct pos, minus size). */
struct vals {
	uint64_t interp_head, interp_next, threads_head, ts_next, ts_frame, ts_native_tid,
		fr_previous, fr_code, fr_instr, fr_owner, co_filename, co_name, co_qualname,
		co_linetable, co_firstlineno, co_code_adaptive, ob_type, bytes_size, bytes_sval,
		str_state, str_length, str_ascii_size;
};

static const struct vals v3130 = { 632, 7264, 7344, 8, 72, 160, 8, 0, 56, 70, 112, 120, 128,
				   136, 68, 200, 8, 16, 32, 32, 16, 40 };
static const struct vals v31410 = { 808, 7272, 7344, 8, 72, 160, 8, 0, 56, 74, 112, 120, 128,
				    136, 68, 208, 8, 16, 32, 32, 16, 40 };
static const struct vals v3152 = { 936, 7264, 7336, 8, 72, 184, 8, 0, 56, 74, 112, 120, 128,
				   136, 68, 208, 8, 16, 32, 32, 16, 40 };

static void put(uint8_t *blob, size_t pos, uint64_t v)
{
	memcpy(blob + pos, &v, sizeof(v));
}

/* A blob as _PyRuntime starts: cookie, version, free_threaded, offsets.
 * Unused positions hold a pattern that is a bad offset, so reading the
 * wrong position shows. */
static uint8_t *make_blob(const struct pos *p, const struct vals *v, uint64_t version)
{
	uint8_t *b = malloc(PYLAYOUT_DEBUG_BLOB);
	size_t i;

	cr_assert_not_null(b);
	for (i = 0; i + 8 <= PYLAYOUT_DEBUG_BLOB; i += 8)
		put(b, i, 0xdead0000 + i);
	memcpy(b, "xdebugpy", 8);
	put(b, 8, version);
	put(b, 16, 0);
	put(b, p->interp_head, v->interp_head);
	put(b, p->interp_next, v->interp_next);
	put(b, p->threads_head, v->threads_head);
	put(b, p->ts_next, v->ts_next);
	put(b, p->ts_frame, v->ts_frame);
	put(b, p->ts_native_tid, v->ts_native_tid);
	put(b, p->fr_previous, v->fr_previous);
	put(b, p->fr_code, v->fr_code);
	put(b, p->fr_instr, v->fr_instr);
	put(b, p->fr_owner, v->fr_owner);
	put(b, p->co_filename, v->co_filename);
	put(b, p->co_name, v->co_name);
	put(b, p->co_qualname, v->co_qualname);
	put(b, p->co_linetable, v->co_linetable);
	put(b, p->co_firstlineno, v->co_firstlineno);
	put(b, p->co_code_adaptive, v->co_code_adaptive);
	put(b, p->ob_type, v->ob_type);
	put(b, p->bytes_size, v->bytes_size);
	put(b, p->bytes_sval, v->bytes_sval);
	put(b, p->str_state, v->str_state);
	put(b, p->str_length, v->str_length);
	put(b, p->str_ascii_size, v->str_ascii_size);
	return b;
}

static void check_layout(const struct mlprof_layout *L, const struct vals *v, uint64_t tag)
{
	cr_assert_eq(L->rt_interp_head, v->interp_head);
	cr_assert_eq(L->interp_next, v->interp_next);
	cr_assert_eq(L->interp_threads_head, v->threads_head);
	cr_assert_eq(L->ts_next, v->ts_next);
	cr_assert_eq(L->ts_frame, v->ts_frame);
	cr_assert_eq(L->ts_native_tid, v->ts_native_tid);
	cr_assert_eq(L->has_cframe, 0);
	cr_assert_eq(L->fr_previous, v->fr_previous);
	cr_assert_eq(L->fr_code, v->fr_code);
	cr_assert_eq(L->fr_instr, v->fr_instr);
	cr_assert_eq(L->fr_owner, v->fr_owner);
	cr_assert_eq(L->owner_skip_min, 3);
	cr_assert_eq(L->co_filename, v->co_filename);
	cr_assert_eq(L->co_name, v->co_name);
	cr_assert_eq(L->co_qualname, v->co_qualname);
	cr_assert_eq(L->co_linetable, v->co_linetable);
	cr_assert_eq(L->co_firstlineno, v->co_firstlineno);
	cr_assert_eq(L->co_code_adaptive, v->co_code_adaptive);
	cr_assert_eq(L->ob_type, v->ob_type);
	cr_assert_eq(L->bytes_size, v->bytes_size);
	cr_assert_eq(L->bytes_sval, v->bytes_sval);
	cr_assert_eq(L->str_state, v->str_state);
	cr_assert_eq(L->str_length, v->str_length);
	cr_assert_eq(L->str_ascii_size, v->str_ascii_size);
	cr_assert_eq(L->str_compact_size, 56);
	cr_assert_eq(L->code_tag_mask, tag);
}

Test(pylayout, derive_313)
{
	uint8_t *b = make_blob(&pos313, &v3130, 0x030d00f0);
	struct mlprof_layout L;

	cr_assert_eq(pylayout_derive(0x030d00f0, b, PYLAYOUT_DEBUG_BLOB, &L), PYLAYOUT_OK);
	cr_assert_eq(L.version_hex, 0x030d00f0);
	check_layout(&L, &v3130, 0);
	/* The struct is 584 bytes: that much is enough. */
	cr_assert_eq(pylayout_derive(0x030d00f0, b, 584, &L), PYLAYOUT_OK);
	free(b);
}

Test(pylayout, derive_314)
{
	uint8_t *b = make_blob(&pos314, &v31410, 0x030e0af0);
	struct mlprof_layout L;

	cr_assert_eq(pylayout_derive(0x030e0af0, b, PYLAYOUT_DEBUG_BLOB, &L), PYLAYOUT_OK);
	check_layout(&L, &v31410, 3);
	free(b);
}

Test(pylayout, derive_315)
{
	uint8_t *b = make_blob(&pos315, &v3152, 0x030f02f0);
	struct mlprof_layout L;

	cr_assert_eq(pylayout_derive(0x030f02f0, b, PYLAYOUT_DEBUG_BLOB, &L), PYLAYOUT_OK);
	check_layout(&L, &v3152, 3);
	free(b);
}

Test(pylayout, patch_release_may_differ)
{
	/* Py_Version 3.13.18 with debug offsets that say 3.13.0: same minor. */
	uint8_t *b = make_blob(&pos313, &v3130, 0x030d00f0);
	struct mlprof_layout L;

	cr_assert_eq(pylayout_derive(0x030d12f0, b, PYLAYOUT_DEBUG_BLOB, &L), PYLAYOUT_OK);
	cr_assert_eq(L.version_hex, 0x030d12f0);
	free(b);
}

Test(pylayout, wrong_cookie)
{
	uint8_t *b = make_blob(&pos313, &v3130, 0x030d00f0);
	struct mlprof_layout L;

	memcpy(b, "xdebugpz", 8);
	cr_assert_eq(pylayout_derive(0x030d00f0, b, PYLAYOUT_DEBUG_BLOB, &L),
		     PYLAYOUT_NO_DEBUG_OFFSETS);
	memset(b, 0, 8); /* 3.11/3.12 style zeros */
	cr_assert_eq(pylayout_derive(0x030d00f0, b, PYLAYOUT_DEBUG_BLOB, &L),
		     PYLAYOUT_NO_DEBUG_OFFSETS);
	free(b);
}

Test(pylayout, no_or_short_blob)
{
	uint8_t *b = make_blob(&pos315, &v3152, 0x030f02f0);
	struct mlprof_layout L;

	cr_assert_eq(pylayout_derive(0x030d00f0, NULL, 0, &L), PYLAYOUT_NO_DEBUG_OFFSETS);
	cr_assert_eq(pylayout_derive(0x030f02f0, b, 887, &L), PYLAYOUT_NO_DEBUG_OFFSETS);
	cr_assert_eq(pylayout_derive(0x030f02f0, b, 8, &L), PYLAYOUT_NO_DEBUG_OFFSETS);
	cr_assert_eq(pylayout_derive(0x030f02f0, b, 888, &L), PYLAYOUT_OK);
	free(b);
}

Test(pylayout, free_threaded)
{
	uint8_t *b = make_blob(&pos314, &v31410, 0x030e0af0);
	struct mlprof_layout L;

	put(b, 16, 1);
	cr_assert_eq(pylayout_derive(0x030e0af0, b, PYLAYOUT_DEBUG_BLOB, &L),
		     PYLAYOUT_FREE_THREADED);
	free(b);
}

Test(pylayout, version_mismatch)
{
	uint8_t *b = make_blob(&pos313, &v3130, 0x030e00f0); /* says 3.14 */
	struct mlprof_layout L;

	cr_assert_eq(pylayout_derive(0x030d00f0, b, PYLAYOUT_DEBUG_BLOB, &L),
		     PYLAYOUT_VERSION_MISMATCH);
	put(b, 8, 0x020d00f0); /* major differs */
	cr_assert_eq(pylayout_derive(0x030d00f0, b, PYLAYOUT_DEBUG_BLOB, &L),
		     PYLAYOUT_VERSION_MISMATCH);
	free(b);
}

Test(pylayout, offsets_out_of_range)
{
	uint8_t *b = make_blob(&pos313, &v3130, 0x030d00f0);
	struct mlprof_layout L;

	put(b, pos313.threads_head, 65536);
	cr_assert_eq(pylayout_derive(0x030d00f0, b, PYLAYOUT_DEBUG_BLOB, &L), PYLAYOUT_INVALID);
	put(b, pos313.threads_head, v3130.threads_head);
	put(b, pos313.str_ascii_size, UINT64_MAX - 8); /* + 16 must not wrap */
	cr_assert_eq(pylayout_derive(0x030d00f0, b, PYLAYOUT_DEBUG_BLOB, &L), PYLAYOUT_INVALID);
	put(b, pos313.str_ascii_size, v3130.str_ascii_size);
	cr_assert_eq(pylayout_derive(0x030d00f0, b, PYLAYOUT_DEBUG_BLOB, &L), PYLAYOUT_OK);
	/* Misaligned, and beyond what the BPF program reads. */
	put(b, pos313.fr_previous, 9);
	cr_assert_eq(pylayout_derive(0x030d00f0, b, PYLAYOUT_DEBUG_BLOB, &L), PYLAYOUT_INVALID);
	put(b, pos313.fr_previous, MLPROF_FRAME_READ);
	cr_assert_eq(pylayout_derive(0x030d00f0, b, PYLAYOUT_DEBUG_BLOB, &L), PYLAYOUT_INVALID);
	put(b, pos313.fr_previous, 8);
	put(b, pos313.co_linetable, MLPROF_CODE_READ);
	cr_assert_eq(pylayout_derive(0x030d00f0, b, PYLAYOUT_DEBUG_BLOB, &L), PYLAYOUT_INVALID);
	put(b, pos313.co_linetable, 136);
	put(b, pos313.co_firstlineno, 70);
	cr_assert_eq(pylayout_derive(0x030d00f0, b, PYLAYOUT_DEBUG_BLOB, &L), PYLAYOUT_INVALID);
	put(b, pos313.co_firstlineno, 68);
	put(b, pos313.co_code_adaptive, 0);
	cr_assert_eq(pylayout_derive(0x030d00f0, b, PYLAYOUT_DEBUG_BLOB, &L), PYLAYOUT_INVALID);
	free(b);
}

Test(pylayout, unsupported_versions)
{
	uint8_t *b = make_blob(&pos315, &v3152, 0x031000f0);
	struct mlprof_layout L;

	cr_assert_eq(pylayout_derive(0x030a0df0, NULL, 0, &L), PYLAYOUT_UNSUPPORTED_VERSION);
	cr_assert_eq(pylayout_derive(0x020712f0, NULL, 0, &L), PYLAYOUT_UNSUPPORTED_VERSION);
	cr_assert_eq(pylayout_derive(0x040000f0, NULL, 0, &L), PYLAYOUT_UNSUPPORTED_VERSION);
	cr_assert_eq(pylayout_derive(0, NULL, 0, &L), PYLAYOUT_UNSUPPORTED_VERSION);
	/* 3.16: the positions are not known, even with a valid cookie. */
	cr_assert_eq(pylayout_derive(0x031000f0, b, PYLAYOUT_DEBUG_BLOB, &L),
		     PYLAYOUT_UNSUPPORTED_VERSION);
	free(b);
}

Test(pylayout, strings)
{
	char buf[32];
	int e;

	pylayout_version_str(0x030b04f0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "3.11.4");
	pylayout_version_str(0x030d00c2, buf, sizeof(buf));
	cr_assert_str_eq(buf, "3.13.0rc2");
	pylayout_version_str(0x030e00a7, buf, sizeof(buf));
	cr_assert_str_eq(buf, "3.14.0a7");
	pylayout_version_str(0x030f00b1, buf, sizeof(buf));
	cr_assert_str_eq(buf, "3.15.0b1");
	pylayout_version_str(0x030e0af0, buf, 4);
	cr_assert_str_eq(buf, "3.1");
	for (e = PYLAYOUT_OK; e <= PYLAYOUT_NOT_CPYTHON; e++)
		cr_assert_neq(strcmp(pylayout_strerror(e), "unknown layout error"), 0, "%d", e);
	cr_assert_str_eq(pylayout_strerror(99), "unknown layout error");
}

Test(pylayout, real_debug_offsets_313)
{
	const char *path = fixture_pyenv("versions/3.13.0/lib/libpython3.13.so.1.0");
	struct elfread *ef;
	uint64_t rt, rt_size, ver_addr, ver = 0;
	uint8_t blob[PYLAYOUT_DEBUG_BLOB];
	struct mlprof_layout L;

	cr_assert_eq(access(path, R_OK), 0, "test needs %s (set PYENV_ROOT)", path);
	ef = elfread_open(path);
	cr_assert_not_null(ef);
	cr_assert_eq(elfread_symbol(ef, "_PyRuntime", &rt, &rt_size), 0);
	cr_assert_geq(rt_size, sizeof(blob));
	cr_assert_eq(elfread_read(ef, rt, blob, sizeof(blob)), 0);
	cr_assert_eq(elfread_symbol(ef, "Py_Version", &ver_addr, NULL), 0);
	cr_assert_eq(elfread_read(ef, ver_addr, &ver, sizeof(ver)), 0);
	elfread_close(ef);

	cr_assert_eq(memcmp(blob, "xdebugpy", 8), 0);
	cr_assert_eq(ver, 0x030d00f0);
	cr_assert_eq(pylayout_derive((uint32_t)ver, blob, sizeof(blob), &L), PYLAYOUT_OK);
	check_layout(&L, &v3130, 0);
}

/* A binary that only exports the names: a zeroed _PyRuntime, or a
 * PyCode_Type whose item size is not a code unit's, is not CPython. */
Test(pylayout, plausible_runtime_and_code_type)
{
	uint8_t rt[PYLAYOUT_DEBUG_BLOB];

	memset(rt, 0, sizeof(rt));
	cr_assert_eq(pylayout_plausible(rt, sizeof(rt), 2), PYLAYOUT_NOT_CPYTHON);
	rt[56] = 1; /* where 3.11's static initialisation starts */
	cr_assert_eq(pylayout_plausible(rt, sizeof(rt), 2), PYLAYOUT_OK);
	cr_assert_eq(pylayout_plausible(rt, sizeof(rt), 0), PYLAYOUT_NOT_CPYTHON);
	cr_assert_eq(pylayout_plausible(rt, sizeof(rt), 1), PYLAYOUT_NOT_CPYTHON);
	cr_assert_eq(pylayout_plausible(rt, 64, 2), PYLAYOUT_NOT_CPYTHON); /* too little read */
	cr_assert_eq(pylayout_plausible(NULL, 0, 2), PYLAYOUT_NOT_CPYTHON);
	memcpy(rt, "xdebugpy", 8);
	cr_assert_eq(pylayout_plausible(rt, PYLAYOUT_RUNTIME_MIN, 2), PYLAYOUT_OK);
}
