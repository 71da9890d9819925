/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Finding the extent of JSON values in a text without building them, so a
 * large document (a saved snapshot) can be taken apart one element at a
 * time: each element is then parsed on its own (cJSON) and freed, and
 * memory stays near the size of the text instead of 15-17 times it.
 *
 * A value's extent is found by its first character: a string up to its
 * closing quote (escapes skipped), an object or array up to its matching
 * bracket (strings inside honoured, nesting counted, not recursed), any
 * other value up to the next , ] } or white space. The extent is not a
 * validation of the value: whoever parses it checks it. The structure
 * between values (colons, commas, brackets) is checked here. */
#ifndef MLPROF_JSONSCAN_H
#define MLPROF_JSONSCAN_H

#include <stddef.h>

/* The value starting at or after *pos (white space skipped): its first
 * byte in *start, one past its last in *pos. 0, or -EINVAL (no value,
 * unterminated, an unbalanced container). */
int jsonscan_value(const char *s, size_t len, size_t *pos, size_t *start);

/* Calls cb for each member of the object text s[start, end) (which must
 * be one object): key (still JSON-escaped, without quotes) and the value's
 * extent. A non-zero return of cb stops and is returned. 0 or -EINVAL. */
typedef int (*jsonscan_member_cb)(void *ctx, const char *key, size_t klen, size_t vstart,
			       size_t vend);
int jsonscan_object(const char *s, size_t start, size_t end, jsonscan_member_cb cb, void *ctx);

/* Calls cb for each element of the array text s[start, end) with its
 * extent and index. A non-zero return of cb stops and is returned. 0, or
 * -EINVAL (not an array, malformed between elements). */
typedef int (*jsonscan_elem_cb)(void *ctx, size_t vstart, size_t vend, long idx);
int jsonscan_array(const char *s, size_t start, size_t end, jsonscan_elem_cb cb, void *ctx);

#endif
