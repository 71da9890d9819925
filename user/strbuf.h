/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A growable byte string, always NUL-terminated. */
#ifndef MLPROF_STRBUF_H
#define MLPROF_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
	int err; /* sticky: -ENOMEM once an append failed */
};

#define STRBUF_INIT { NULL, 0, 0, 0 }

int strbuf_append(struct strbuf *sb, const char *data, size_t len);
int strbuf_puts(struct strbuf *sb, const char *s);
int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
/* Appends c n times. */
int strbuf_repeat(struct strbuf *sb, char c, size_t n);
/* Hands the buffer to the caller (never NULL unless sb->err). */
char *strbuf_detach(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);

#endif
