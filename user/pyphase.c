// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Interpreter phases: the offsets of the finalizing and GC flags per
 * CPython build, and the names of samples with no Python frame. */
#include <string.h>
#include "inspect.h"
#include "pylayout.h"
#include "pyphase.h"

/* _PyRuntimeState.initialized is not in the debug offsets: it is the int
 * 8 bytes before _finalizing in every version (offsetof in 3.11.2, 3.11.7,
 * 3.12.1, 3.13.0; on sid's 3.13.18, 3.14.10 and 3.15.2 the five ints
 * _initialized, preinitializing, preinitialized, core_initialized and
 * initialized read 1, 0, 1, 1, 1 right before it in a running program).
 *
 * 3.11 and 3.12 (no debug offsets): offsetof(_PyRuntimeState,
 * _finalizing), offsetof(PyInterpreterState, gc) + offsetof(struct
 * _gc_runtime_state, collecting) (3.11: 648 + 200, 3.12: 112 + 200) and
 * offsetof(PyThreadState, interp), compiled against the internal headers
 * of Debian's 3.11.2 and pyenv's 3.11.7 and 3.12.1. */
struct phase_table {
	unsigned minor;
	uint32_t rt_finalizing, interp_gc_collecting;
	uint16_t ts_interp;
	uint32_t rt_gil_holder, interp_gil_holder;
};

/* The GIL's holder: 3.11 offsetof(_PyRuntimeState,
 * gilstate.tstate_current) = 576 (NULL once released), 3.12
 * offsetof(PyInterpreterState, _gil.last_holder) = 1048 (the main
 * interpreter's own GIL), with `locked` 8 bytes after it (1056; 3.13+: the
 * debug offsets' gil_runtime_state_locked must be holder + 8 too). */
static const struct phase_table phase_tables[] = {
	{ .minor = 11, .rt_finalizing = 24, .interp_gc_collecting = 848, .ts_interp = 16,
	  .rt_gil_holder = 576 },
	{ .minor = 12, .rt_finalizing = 24, .interp_gc_collecting = 312, .ts_interp = 16,
	  .interp_gil_holder = 1048 },
};

/* 3.13+: byte positions of _Py_DebugOffsets entries (offsetof into
 * _Py_DebugOffsets for 3.13.0's header; the 3.14 and 3.15 positions from
 * those versions' pycore_debug_offsets.h, checked on sid's 3.14.10 and
 * 3.15.2 by reading the values back, and equal to the positions in
 * docs/cpython-debug-offsets.md: docs/design.md, "Interpreter phases"). Each
 * section's `size` entry bounds the offsets read from it. */
struct phase_pos {
	unsigned minor;
	uint16_t rt_size, rt_finalizing;
	uint16_t interp_size, interp_gc;
	uint16_t ts_size, ts_interp;
	uint16_t gc_size, gc_collecting;
	uint16_t gil_holder; /* interpreter_state.gil_runtime_state_holder */
	uint16_t gil_locked; /* interpreter_state.gil_runtime_state_locked */
};

static const struct phase_pos phase_positions[] = {
	{ .minor = 13, .rt_size = 24, .rt_finalizing = 32, .interp_size = 48, .interp_gc = 80,
	  .ts_size = 152, .ts_interp = 176, .gc_size = 568, .gc_collecting = 576,
	  .gil_holder = 144, .gil_locked = 136 },
	{ .minor = 14, .rt_size = 24, .rt_finalizing = 32, .interp_size = 48, .interp_gc = 88,
	  .ts_size = 176, .ts_interp = 200, .gc_size = 648, .gc_collecting = 656,
	  .gil_holder = 152, .gil_locked = 144 },
	{ .minor = 15, .rt_size = 24, .rt_finalizing = 32, .interp_size = 48, .interp_gc = 88,
	  .ts_size = 176, .ts_interp = 200, .gc_size = 752, .gc_collecting = 760,
	  .gil_holder = 152, .gil_locked = 144 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t blob_u64(const uint8_t *blob, size_t pos)
{
	uint64_t v;

	memcpy(&v, blob + pos, sizeof(v));
	return v;
}

/* The offsets named by the debug offsets, each inside its structure. */
static int from_debug(const struct phase_pos *p, const uint8_t *blob, size_t len,
		      struct mlprof_layout *L)
{
	uint64_t rt_size, fin, interp_size, gc, gc_size, coll, ts_size, ts_interp, holder, locked;
	int err = PYLAYOUT_INVALID;

	if (!blob || len < (size_t)p->gc_collecting + 8 || len < (size_t)p->ts_interp + 8)
		return PYLAYOUT_NO_DEBUG_OFFSETS;
	rt_size = blob_u64(blob, p->rt_size);
	fin = blob_u64(blob, p->rt_finalizing);
	interp_size = blob_u64(blob, p->interp_size);
	gc = blob_u64(blob, p->interp_gc);
	gc_size = blob_u64(blob, p->gc_size);
	coll = blob_u64(blob, p->gc_collecting);
	ts_size = blob_u64(blob, p->ts_size);
	ts_interp = blob_u64(blob, p->ts_interp);
	holder = blob_u64(blob, p->gil_holder);
	locked = blob_u64(blob, p->gil_locked);
	if (fin % 8 == 0 && fin >= 8 && fin < rt_size && rt_size - fin >= 8 && fin <= UINT32_MAX &&
	    coll % 4 == 0 && coll < gc_size && gc_size - coll >= 4 && gc < interp_size &&
	    gc_size <= interp_size - gc && gc + coll <= UINT32_MAX && ts_interp % 8 == 0 &&
	    ts_interp < ts_size && ts_size - ts_interp >= 8 && ts_interp <= UINT16_MAX &&
	    holder % 8 == 0 && holder < interp_size && interp_size - holder >= 16 &&
	    holder <= UINT32_MAX && locked == holder + 8) {
		L->rt_finalizing = (uint32_t)fin;
		L->rt_initialized = (uint32_t)fin - 8;
		L->interp_gc_collecting = (uint32_t)(gc + coll);
		L->ts_interp = (uint16_t)ts_interp;
		L->interp_gil_holder = (uint32_t)holder;
		err = PYLAYOUT_OK;
	}
	return err;
}

int pyphase_fill(uint32_t version_hex, const uint8_t *blob, size_t blob_len,
		 struct mlprof_layout *L)
{
	unsigned minor = PY_VERSION_MINOR(version_hex);
	int err = PYLAYOUT_UNSUPPORTED_VERSION;
	size_t i;

	L->rt_finalizing = 0;
	L->interp_gc_collecting = 0;
	L->ts_interp = 0;
	L->rt_initialized = 0;
	L->phase_pad = 0;
	L->rt_gil_holder = 0;
	L->interp_gil_holder = 0;
	for (i = 0; PY_VERSION_MAJOR(version_hex) == 3 && i < NELEM(phase_tables); i++) {
		if (phase_tables[i].minor != minor)
			continue;
		L->rt_finalizing = phase_tables[i].rt_finalizing;
		L->interp_gc_collecting = phase_tables[i].interp_gc_collecting;
		L->ts_interp = phase_tables[i].ts_interp;
		L->rt_initialized = L->rt_finalizing - 8;
		L->rt_gil_holder = phase_tables[i].rt_gil_holder;
		L->interp_gil_holder = phase_tables[i].interp_gil_holder;
		err = PYLAYOUT_OK;
	}
	for (i = 0; PY_VERSION_MAJOR(version_hex) == 3 && i < NELEM(phase_positions); i++) {
		if (phase_positions[i].minor == minor)
			err = from_debug(&phase_positions[i], blob, blob_len, L);
	}
	return err;
}

enum store_pseudo pyphase_pseudo(uint32_t flags, int inspect_status)
{
	enum store_pseudo which = PSEUDO_NO_FRAME;

	if (flags & MLPROF_SF_SHUTDOWN)
		which = PSEUDO_SHUTDOWN;
	else if (flags & (MLPROF_SF_NO_LAYOUT | MLPROF_SF_NO_RUNTIME))
		which = inspect_status == INSPECT_NOT_PYTHON || inspect_status == INSPECT_UNSUPPORTED ||
				inspect_status == INSPECT_ERROR
			? PSEUDO_NOT_PYTHON
			: PSEUDO_STARTUP;
	else if (flags & MLPROF_SF_STARTING)
		which = PSEUDO_STARTUP;
	else if (flags & MLPROF_SF_NO_TSTATE)
		which = PSEUDO_NATIVE;
	else if (flags & MLPROF_SF_READ_ERR)
		which = PSEUDO_READ_ERROR;
	return which;
}

uint32_t pyphase_push_gc(struct frame_ref *f, uint32_t n, uint32_t cap, uint32_t gc)
{
	if (n < cap) {
		memmove(f + 1, f, n * sizeof(*f));
		f[0].func = gc;
		f[0].line = -1;
		n++;
	}
	return n;
}

static int is_pseudo(const struct snap *s, uint32_t func, const char *name)
{
	const struct snap_func *f = func < s->nfuncs ? &s->funcs[func] : NULL;

	return f && f->kind == FUNC_PSEUDO && f->name && !strcmp(f->name, name);
}

unsigned pyphase_of_stack(const struct snap *s, const struct snap_stack *st)
{
	unsigned in = 0;

	if (st->nframes) {
		if (is_pseudo(s, st->frames[st->nframes - 1].func, PYPHASE_SHUTDOWN_NAME))
			in |= PYPHASE_IN_SHUTDOWN;
		if (is_pseudo(s, st->frames[0].func, PYPHASE_GC_NAME))
			in |= PYPHASE_IN_GC;
	}
	return in;
}

void pyphase_proc_samples(const struct snap *s, uint64_t *shutdown, uint64_t *gc)
{
	const struct snap_stack *st;
	unsigned in;
	size_t i;

	memset(shutdown, 0, s->nprocs * sizeof(*shutdown));
	memset(gc, 0, s->nprocs * sizeof(*gc));
	for (i = 0; i < s->nstacks; i++) {
		st = &s->stacks[i];
		in = st->proc < s->nprocs ? pyphase_of_stack(s, st) : 0;
		if (in & PYPHASE_IN_SHUTDOWN)
			shutdown[st->proc] += st->samples;
		if (in & PYPHASE_IN_GC)
			gc[st->proc] += st->samples;
	}
}
