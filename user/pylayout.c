// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Interpreter layouts. 3.11 and 3.12 have no debug offsets, so their
 * offsets come from a table (checked with offsetof against each version's
 * internal headers), and the positions below are in docs/cpython-debug-offsets.md). From 3.13 on, the interpreter
 * describes itself in _Py_DebugOffsets at the start of _PyRuntime; only the
 * positions of its entries are tabled here, per minor version, so a
 * layout change inside a minor series needs no new table. */
#include <stdio.h>
#include <string.h>
#include "pylayout.h"
#include "pyphase.h"

/* The frame owner values >= 3 are C-stack shims (3.12, 3.13) or
 * interpreter-owned entry frames (3.14, 3.15): never Python code. */
#define OWNER_SKIP_MIN 3

static const struct mlprof_layout py311 = {
	.rt_interp_head = 40, .interp_next = 0, .interp_threads_head = 16,
	.ts_next = 8, .ts_native_tid = 160, .ts_frame = 56, .cframe_frame = 8,
	.has_cframe = 1, .owner_skip_min = OWNER_SKIP_MIN,
	.fr_previous = 48, .fr_code = 32, .fr_instr = 56, .fr_owner = 69,
	.ob_type = 8, .co_firstlineno = 72, .co_filename = 112, .co_name = 120,
	.co_qualname = 128, .co_linetable = 136, .co_code_adaptive = 184,
	.str_length = 16, .str_state = 32, .str_ascii_size = 48, .str_compact_size = 72,
	.bytes_size = 16, .bytes_sval = 32, .code_tag_mask = 0,
};

static const struct mlprof_layout py312 = {
	.rt_interp_head = 40, .interp_next = 0, .interp_threads_head = 72,
	.ts_next = 8, .ts_native_tid = 144, .ts_frame = 56, .cframe_frame = 0,
	.has_cframe = 1, .owner_skip_min = OWNER_SKIP_MIN,
	.fr_previous = 8, .fr_code = 0, .fr_instr = 56, .fr_owner = 70,
	.ob_type = 8, .co_firstlineno = 68, .co_filename = 112, .co_name = 120,
	.co_qualname = 128, .co_linetable = 136, .co_code_adaptive = 192,
	.str_length = 16, .str_state = 32, .str_ascii_size = 40, .str_compact_size = 56,
	.bytes_size = 16, .bytes_sval = 32, .code_tag_mask = 0,
};

/* Byte positions of _Py_DebugOffsets entries (not the offsets themselves). */
struct dbg_pos {
	unsigned minor;
	uint16_t size; /* sizeof(_Py_DebugOffsets) */
	uint16_t interp_head, interp_next, threads_head;
	uint16_t ts_next, ts_frame, ts_native_tid;
	uint16_t fr_previous, fr_code, fr_instr, fr_owner;
	uint16_t co_filename, co_name, co_qualname, co_linetable, co_firstlineno,
		co_code_adaptive;
	uint16_t ob_type;
	uint16_t bytes_size, bytes_sval;
	uint16_t str_state, str_length, str_ascii_size;
	uint64_t code_tag_mask; /* f_executable is a tagged _PyStackRef */
};

static const struct dbg_pos dbg_positions[] = {
	{ .minor = 13, .size = 584, .interp_head = 40, .interp_next = 64, .threads_head = 72,
	  .ts_next = 168, .ts_frame = 184, .ts_native_tid = 200,
	  .fr_previous = 232, .fr_code = 240, .fr_instr = 248, .fr_owner = 264,
	  .co_filename = 280, .co_name = 288, .co_qualname = 296, .co_linetable = 304,
	  .co_firstlineno = 312, .co_code_adaptive = 344, .ob_type = 360,
	  .bytes_size = 520, .bytes_sval = 528,
	  .str_state = 544, .str_length = 552, .str_ascii_size = 560, .code_tag_mask = 0 },
	{ .minor = 14, .size = 760, .interp_head = 40, .interp_next = 64, .threads_head = 72,
	  .ts_next = 192, .ts_frame = 208, .ts_native_tid = 224,
	  .fr_previous = 256, .fr_code = 264, .fr_instr = 272, .fr_owner = 288,
	  .co_filename = 320, .co_name = 328, .co_qualname = 336, .co_linetable = 344,
	  .co_firstlineno = 352, .co_code_adaptive = 384, .ob_type = 408,
	  .bytes_size = 600, .bytes_sval = 608,
	  .str_state = 624, .str_length = 632, .str_ascii_size = 640, .code_tag_mask = 3 },
	{ .minor = 15, .size = 888, .interp_head = 40, .interp_next = 64, .threads_head = 72,
	  .ts_next = 192, .ts_frame = 208, .ts_native_tid = 248,
	  .fr_previous = 320, .fr_code = 328, .fr_instr = 336, .fr_owner = 352,
	  .co_filename = 384, .co_name = 392, .co_qualname = 400, .co_linetable = 408,
	  .co_firstlineno = 416, .co_code_adaptive = 448, .ob_type = 472,
	  .bytes_size = 696, .bytes_sval = 704,
	  .str_state = 720, .str_length = 728, .str_ascii_size = 736, .code_tag_mask = 3 },
};

static uint64_t get_u64(const uint8_t *blob, size_t pos)
{
	uint64_t v;

	memcpy(&v, blob + pos, sizeof(v));
	return v;
}

static int narrow(uint64_t v, uint16_t *out)
{
	if (v > UINT16_MAX)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int from_debug_offsets(uint32_t version_hex, const uint8_t *blob, size_t len,
			      struct mlprof_layout *L)
{
	const struct dbg_pos *p = NULL;
	uint64_t ascii;
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(dbg_positions) / sizeof(dbg_positions[0]); i++) {
		if (dbg_positions[i].minor == PY_VERSION_MINOR(version_hex))
			p = &dbg_positions[i];
	}
	if (!p)
		return PYLAYOUT_UNSUPPORTED_VERSION;
	if (!blob || len < p->size || memcmp(blob, "xdebugpy", 8))
		return PYLAYOUT_NO_DEBUG_OFFSETS;
	/* The debug offsets carry the full version; the minor must agree. */
	if ((get_u64(blob, 8) >> 16) != (version_hex >> 16))
		return PYLAYOUT_VERSION_MISMATCH;
	if (get_u64(blob, 16))
		return PYLAYOUT_FREE_THREADED;
	memset(L, 0, sizeof(*L));
	bad |= narrow(get_u64(blob, p->interp_head), &L->rt_interp_head);
	bad |= narrow(get_u64(blob, p->interp_next), &L->interp_next);
	bad |= narrow(get_u64(blob, p->threads_head), &L->interp_threads_head);
	bad |= narrow(get_u64(blob, p->ts_next), &L->ts_next);
	bad |= narrow(get_u64(blob, p->ts_frame), &L->ts_frame);
	bad |= narrow(get_u64(blob, p->ts_native_tid), &L->ts_native_tid);
	bad |= narrow(get_u64(blob, p->fr_previous), &L->fr_previous);
	bad |= narrow(get_u64(blob, p->fr_code), &L->fr_code);
	bad |= narrow(get_u64(blob, p->fr_instr), &L->fr_instr);
	bad |= narrow(get_u64(blob, p->fr_owner), &L->fr_owner);
	bad |= narrow(get_u64(blob, p->co_filename), &L->co_filename);
	bad |= narrow(get_u64(blob, p->co_name), &L->co_name);
	bad |= narrow(get_u64(blob, p->co_qualname), &L->co_qualname);
	bad |= narrow(get_u64(blob, p->co_linetable), &L->co_linetable);
	bad |= narrow(get_u64(blob, p->co_firstlineno), &L->co_firstlineno);
	bad |= narrow(get_u64(blob, p->co_code_adaptive), &L->co_code_adaptive);
	bad |= narrow(get_u64(blob, p->ob_type), &L->ob_type);
	bad |= narrow(get_u64(blob, p->bytes_size), &L->bytes_size);
	bad |= narrow(get_u64(blob, p->bytes_sval), &L->bytes_sval);
	bad |= narrow(get_u64(blob, p->str_state), &L->str_state);
	bad |= narrow(get_u64(blob, p->str_length), &L->str_length);
	ascii = get_u64(blob, p->str_ascii_size);
	bad |= narrow(ascii, &L->str_ascii_size);
	/* PyCompactUnicodeObject adds utf8_length and utf8 (3.12+). */
	bad |= narrow(ascii + 16, &L->str_compact_size);
	if (bad)
		return PYLAYOUT_INVALID;
	L->has_cframe = 0;
	L->owner_skip_min = OWNER_SKIP_MIN;
	L->code_tag_mask = p->code_tag_mask;
	return PYLAYOUT_OK;
}

static uint16_t max16(const uint16_t *v, size_t n)
{
	uint16_t m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

/* How much of a frame and of a code object the BPF walker copies. */
static void set_read_sizes(struct mlprof_layout *L)
{
	const uint16_t fr[] = { L->fr_previous + 8, L->fr_code + 8, L->fr_instr + 8,
				L->fr_owner + 1 };
	const uint16_t co[] = { L->ob_type + 8, L->co_filename + 8, L->co_name + 8,
				L->co_qualname + 8, L->co_linetable + 8, L->co_firstlineno + 4 };

	L->frame_read = (uint8_t)(max16(fr, 4) > 255 ? 255 : max16(fr, 4));
	L->code_read = (uint8_t)(max16(co, 6) > 255 ? 255 : max16(co, 6));
}

int pylayout_derive(uint32_t version_hex, const uint8_t *blob, size_t blob_len,
		    struct mlprof_layout *L)
{
	unsigned major = PY_VERSION_MAJOR(version_hex), minor = PY_VERSION_MINOR(version_hex);
	int err;

	if (major != 3 || minor < 11)
		return PYLAYOUT_UNSUPPORTED_VERSION;
	if (minor == 11)
		*L = py311;
	else if (minor == 12)
		*L = py312;
	else {
		err = from_debug_offsets(version_hex, blob, blob_len, L);
		if (err)
			return err;
	}
	/* Phases are extra: a build whose phase entries look wrong is still
	 * walked, with the phases not looked at (fields left 0). */
	(void)pyphase_fill(version_hex, blob, blob_len, L);
	L->version_hex = version_hex;
	set_read_sizes(L);
	return pylayout_validate(L);
}

int pylayout_plausible(const uint8_t *runtime, size_t len, int64_t code_itemsize)
{
	size_t i;
	int nonzero = 0;

	for (i = 0; runtime && i < len && !nonzero; i++)
		nonzero = runtime[i] != 0;
	return len >= PYLAYOUT_RUNTIME_MIN && nonzero && code_itemsize == PYLAYOUT_CODE_ITEMSIZE ?
		       PYLAYOUT_OK :
		       PYLAYOUT_NOT_CPYTHON;
}

int pylayout_validate(const struct mlprof_layout *L)
{
	const uint16_t frame_fields[] = { L->fr_previous, L->fr_code, L->fr_instr };
	const uint16_t code_fields[] = { L->ob_type, L->co_filename, L->co_name,
					 L->co_qualname, L->co_linetable };
	size_t i;

	for (i = 0; i < sizeof(frame_fields) / sizeof(frame_fields[0]); i++) {
		if (frame_fields[i] > MLPROF_FRAME_READ - 8 || frame_fields[i] % 8)
			return PYLAYOUT_INVALID;
	}
	for (i = 0; i < sizeof(code_fields) / sizeof(code_fields[0]); i++) {
		if (code_fields[i] > MLPROF_CODE_READ - 8 || code_fields[i] % 8)
			return PYLAYOUT_INVALID;
	}
	if (L->fr_owner >= MLPROF_FRAME_READ || L->co_firstlineno > MLPROF_CODE_READ - 4 ||
	    L->co_firstlineno % 4)
		return PYLAYOUT_INVALID;
	/* The walker reads only the headers of str and bytes objects. */
	if (L->str_length > MLPROF_STR_HEAD_READ - 8 || L->str_length % 8 ||
	    L->str_state > MLPROF_STR_HEAD_READ - 4 || L->str_state % 4 ||
	    L->bytes_size > MLPROF_BYTES_HEAD_READ - 8 || L->bytes_size % 8)
		return PYLAYOUT_INVALID;
	if (!L->co_code_adaptive || !L->str_ascii_size || !L->bytes_sval)
		return PYLAYOUT_INVALID;
	if (!L->frame_read || L->frame_read > MLPROF_FRAME_READ || !L->code_read)
		return PYLAYOUT_INVALID;
	return PYLAYOUT_OK;
}

const char *pylayout_strerror(int err)
{
	switch (err) {
	case PYLAYOUT_OK:
		return "ok";
	case PYLAYOUT_UNSUPPORTED_VERSION:
		return "unsupported CPython version (3.11 to 3.15 are supported)";
	case PYLAYOUT_NO_DEBUG_OFFSETS:
		return "no _Py_DebugOffsets found in _PyRuntime";
	case PYLAYOUT_FREE_THREADED:
		return "free-threaded CPython build: not supported yet";
	case PYLAYOUT_VERSION_MISMATCH:
		return "_Py_DebugOffsets version disagrees with Py_Version";
	case PYLAYOUT_INVALID:
		return "interpreter layout has offsets out of the expected range";
	case PYLAYOUT_CODE_SIZE_MISMATCH:
		return "code object size disagrees with the layout (unknown build)";
	case PYLAYOUT_NOT_CPYTHON:
		return "_PyRuntime or PyCode_Type unlike CPython's: not a CPython binary";
	default:
		return "unknown layout error";
	}
}

void pylayout_version_str(uint32_t h, char *buf, size_t len)
{
	unsigned level = (h >> 4) & 0xf, serial = h & 0xf;
	const char *tag = level == 0xa ? "a" : level == 0xb ? "b" : level == 0xc ? "rc" : "";

	if (level == 0xf || !*tag)
		snprintf(buf, len, "%u.%u.%u", PY_VERSION_MAJOR(h), PY_VERSION_MINOR(h),
			 PY_VERSION_MICRO(h));
	else
		snprintf(buf, len, "%u.%u.%u%s%u", PY_VERSION_MAJOR(h), PY_VERSION_MINOR(h),
			 PY_VERSION_MICRO(h), tag, serial);
}
