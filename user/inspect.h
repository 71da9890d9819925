/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Finds the CPython runtime of a process and the layout to walk it with.
 * Results are cached per interpreter binary (device, inode). */
#ifndef MLPROF_INSPECT_H
#define MLPROF_INSPECT_H

#include <linux/types.h>
#include <stdint.h>
#include "mlprof_abi.h"

enum inspect_status {
	INSPECT_OK = 0,
	INSPECT_NOT_READY,   /* links libpython, which is not mapped yet */
	INSPECT_NOT_PYTHON,
	INSPECT_UNSUPPORTED, /* a CPython we must not walk; message says why */
	INSPECT_GONE,        /* the process exited */
	INSPECT_ERROR,       /* could not read it; message says why */
};

struct inspect_result {
	enum inspect_status status;
	char message[192];
	char version[24];
	uint32_t version_hex;
	uint64_t runtime;   /* address of _PyRuntime in the process */
	uint64_t code_type; /* address of PyCode_Type in the process */
	struct mlprof_layout layout;
	char binary[256];   /* the interpreter file, as the process names it */
	uint64_t text_lo, text_hi; /* its executable mappings, [lo, hi) */
};

struct inspector;

struct inspector *inspector__new(void);
void inspector__free(struct inspector *in);
/* Always fills *res; returns 0 when res->status is INSPECT_OK, else a
 * negative errno-style code (-EAGAIN not ready, -ESRCH gone, -ENOTSUP not
 * Python or unsupported, other -errno). */
int inspector__inspect(struct inspector *in, int pid, struct inspect_result *res);
const char *inspect_status_str(enum inspect_status status);

#endif
