/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Untrusted text (a target's function and file names) made safe for a
 * terminal and for line-based reading: control characters (C0, DEL, C1)
 * and bytes that are not valid UTF-8 become "\xNN". */
#ifndef MLPROF_TEXTESC_H
#define MLPROF_TEXTESC_H

#include <stddef.h>
#include "strbuf.h"

#define TEXTESC_KEEP_LINES 1 /* keep '\n' and '\t' (a whole report) */

/* Appends LEN bytes of S to OUT escaped. 0 or -ENOMEM. */
int textesc_append(struct strbuf *out, const char *s, size_t len, int flags);
/* 1 if S (LEN bytes) would be changed by textesc_append. */
int textesc_needed(const char *s, size_t len, int flags);
/* A malloc'd escaped copy of the NUL-terminated S, or NULL. */
char *textesc_dup(const char *s);

#endif
