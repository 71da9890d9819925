/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* PEP 393 code units (as copied out of a target's str objects) to UTF-8. */
#ifndef MLPROF_PYUNICODE_H
#define MLPROF_PYUNICODE_H

#include <stddef.h>
#include <stdint.h>

/* Returns a malloc'd NUL-terminated UTF-8 string decoded from len bytes of
 * kind-byte units (1, 2 or 4; a trailing partial unit is ignored). Code
 * points that are not valid scalar values (lone surrogates, > U+10FFFF) and
 * NUL become U+FFFD. NULL (errno set) on a bad kind or no memory. */
char *pyunicode_to_utf8(const uint8_t *data, size_t len, unsigned kind);

#endif
