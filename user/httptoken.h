/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The HTTP bearer token (--http-token-file): a file only root may read,
 * holding one token of at least HTTPTOKEN_MIN printable characters. */
#ifndef MLPROF_HTTPTOKEN_H
#define MLPROF_HTTPTOKEN_H

#include <stddef.h>
#include <sys/stat.h>

#define HTTPTOKEN_MIN 16
#define HTTPTOKEN_MAX 256

/* The file's owner and mode are acceptable: a regular file owned by
 * `owner` that neither group nor others may read or write. 0, or -EPERM
 * with the reason in err. */
int httptoken_check_stat(const struct stat *st, uid_t owner, char *err, size_t errlen);
/* The token in text (len bytes): surrounding blanks and newlines trimmed,
 * HTTPTOKEN_MIN..HTTPTOKEN_MAX visible ASCII characters, no space inside.
 * Written to tok (HTTPTOKEN_MAX + 1 bytes). 0 or -EINVAL with err. */
int httptoken_parse(const char *text, size_t len, char *tok, char *err, size_t errlen);
/* Loads the token from path (not through a symlink, regular, root's and
 * 0600/0400). 0 or -errno with err. */
int httptoken_load(const char *path, char *tok, char *err, size_t errlen);
/* The Authorization header value is "Bearer <tok>", compared in time
 * independent of where the two differ. 1 if it is, else 0. */
int httptoken_authorized(const char *header, const char *tok);

#endif
