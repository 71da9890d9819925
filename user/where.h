/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Where a function's own time went (interpreter, a native object, the
 * kernel) and, in wall mode, where it waited: the leaf pseudo frames
 * `<native: NAME>`, `<kernel: NAME>` and `<wait: REASON>` the collector
 * puts under the innermost Python frame, and the pure helpers they are
 * named with. docs/design.md decision 26. */
#ifndef MLPROF_WHERE_H
#define MLPROF_WHERE_H

#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"

struct mapping;
struct store;
struct frame_ref;

enum where_kind {
	WHERE_NONE = 0, /* not a where leaf (interpreter time of the frame above) */
	WHERE_NATIVE,
	WHERE_KERNEL,
	WHERE_WAIT,
};

/* The name of system call nr on this machine's architecture ("read"), or
 * "syscall N"; "fault/irq" for nr < 0 (in the kernel, in no system call). */
const char *where_syscall_name(int nr, char *buf, size_t len);
/* A shared object's short name from its file name (or path): the
 * basename without its version and ABI suffixes ("libcrypto.so.3" ->
 * "libcrypto", "_json.cpython-311-x86_64-linux-gnu.so" -> "_json"), bytes
 * outside printable ASCII as '?'; "?" when empty. Returns buf. */
const char *where_obj_name(const char *file, char *buf, size_t len);
/* The leaf frame's name for a CPU sample's where/syscall/obj (enum
 * mlprof_where), into buf; returns its kind (WHERE_NONE: no leaf). */
enum where_kind where_leaf_name(uint32_t where, int32_t syscall, const char *obj, char *buf,
				size_t len);
/* The reason a thread blocked, from the state it left the CPU in (the
 * kernel's prev_state) and the system call it was in: "sleep", "lock",
 * "I/O", "child wait", "page fault" or "other", with the system call:
 * "<wait: sleep (clock_nanosleep)>". */
const char *where_wait_name(uint64_t state, int32_t syscall, char *buf, size_t len);
/* Which leaf a snapshot function is (WHERE_NONE for any other). */
enum where_kind where_func_kind(const struct snap_func *f);
/* Per function of s (s->nfuncs entries): enum where_kind, malloc'd; NULL
 * on ENOMEM. */
uint8_t *where_func_kinds(const struct snap *s);
/* The executable extent [lo, hi) of the file mapped by `m` (its mappings
 * with the same device and inode that are executable); 0 if found, else
 * -ENOENT. */
int where_text_range(const struct mapping *maps, size_t n, const struct mapping *m,
		     uint64_t *lo, uint64_t *hi);

/* Samples of one where leaf under one function. */
struct where_row {
	uint32_t func;    /* the frame above the leaf */
	uint32_t leaf;    /* the leaf pseudo function */
	uint64_t samples;
};

/* Every (function, leaf) pair of s's stacks, by samples (descending),
 * then func and leaf ids; *n 0 when s has no where leaves. 0 or -ENOMEM. */
int where_rows(const struct snap *s, struct where_row **rows, size_t *n);

/* Samples of stacks with a wait leaf innermost (--mode wall). */
uint64_t where_wait_samples(const struct snap *s);

/* Puts the leaf frame of a CPU sample's where/syscall/obj under
 * frames[0] (frames must have room for *n + 1); nothing for interpreter
 * time. Returns the leaf's kind. */
enum where_kind where_add_leaf(struct store *st, uint32_t where, int32_t syscall,
			       const char *obj, struct frame_ref *frames, uint32_t *n);

#endif
