/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Where CPython keeps what a stack walker reads, per interpreter build:
 * a table for 3.11 and 3.12, the interpreter's own _Py_DebugOffsets for
 * 3.13 and later. */
#ifndef MLPROF_PYLAYOUT_H
#define MLPROF_PYLAYOUT_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>
#include "mlprof_abi.h"

/* Bytes of _PyRuntime to read to get the debug offsets of any version. */
#define PYLAYOUT_DEBUG_BLOB 2048

#define PY_VERSION_MAJOR(h) ((unsigned)((h) >> 24) & 0xff)
#define PY_VERSION_MINOR(h) ((unsigned)((h) >> 16) & 0xff)
#define PY_VERSION_MICRO(h) ((unsigned)((h) >> 8) & 0xff)

enum pylayout_err {
	PYLAYOUT_OK = 0,
	PYLAYOUT_UNSUPPORTED_VERSION = 1, /* older than 3.11, or unknown */
	PYLAYOUT_NO_DEBUG_OFFSETS,        /* 3.13+ without the cookie */
	PYLAYOUT_FREE_THREADED,           /* a free-threaded (nogil) build */
	PYLAYOUT_VERSION_MISMATCH,        /* debug offsets disagree with Py_Version */
	PYLAYOUT_INVALID,                 /* an offset out of the range we read */
	PYLAYOUT_CODE_SIZE_MISMATCH,      /* co_code_adaptive != tp_basicsize */
	PYLAYOUT_NOT_CPYTHON,             /* _PyRuntime or PyCode_Type implausible */
};

/* Bytes of _PyRuntime a plausible interpreter has, with some not zero:
 * every CPython 3.11+ initialises it statically (3.11: non-zero from byte
 * 56; 3.13+: the debug offsets' cookie at 0). */
#define PYLAYOUT_RUNTIME_MIN 128
/* sizeof(_Py_CODEUNIT), PyCode_Type's tp_itemsize in 3.11+. */
#define PYLAYOUT_CODE_ITEMSIZE 2

/* The start of _PyRuntime (len bytes could be read) and PyCode_Type's
 * tp_itemsize look like CPython's: PYLAYOUT_OK or PYLAYOUT_NOT_CPYTHON. A
 * binary that only exports the names (a zeroed _PyRuntime) is refused. */
int pylayout_plausible(const uint8_t *runtime, size_t len, int64_t code_itemsize);

/* Fills *L for the given PY_VERSION_HEX. For 3.13+ blob must hold the
 * first bytes of _PyRuntime (the debug offsets), else it may be NULL.
 * Returns a pylayout_err. */
int pylayout_derive(uint32_t version_hex, const uint8_t *blob, size_t blob_len,
		    struct mlprof_layout *L);
/* Checks that every offset fits what the BPF program reads. */
int pylayout_validate(const struct mlprof_layout *L);
const char *pylayout_strerror(int err);
/* "3.12.1", "3.13.0rc2" ... into buf. */
void pylayout_version_str(uint32_t version_hex, char *buf, size_t len);

#endif
