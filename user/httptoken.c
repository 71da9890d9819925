// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* HTTP bearer token: loading it safely and checking a request's header. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "httptoken.h"

int httptoken_check_stat(const struct stat *st, uid_t owner, char *err, size_t errlen)
{
	int ret = 0;

	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "not a regular file");
		ret = -EPERM;
	} else if (st->st_uid != owner) {
		snprintf(err, errlen, "owned by uid %u, not %u", (unsigned)st->st_uid,
			 (unsigned)owner);
		ret = -EPERM;
	} else if (st->st_mode & 077) {
		snprintf(err, errlen, "mode %04o: group or others may access it (chmod 600)",
			 (unsigned)(st->st_mode & 07777));
		ret = -EPERM;
	}
	return ret;
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int httptoken_parse(const char *text, size_t len, char *tok, char *err, size_t errlen)
{
	size_t i;
	int ret = 0;

	while (len && blank(*text)) {
		text++;
		len--;
	}
	while (len && blank(text[len - 1]))
		len--;
	if (len < HTTPTOKEN_MIN || len > HTTPTOKEN_MAX) {
		snprintf(err, errlen, "the token must be %d to %d characters, not %zu",
			 HTTPTOKEN_MIN, HTTPTOKEN_MAX, len);
		ret = -EINVAL;
	}
	for (i = 0; !ret && i < len; i++) {
		if ((unsigned char)text[i] <= ' ' || (unsigned char)text[i] >= 0x7f) {
			snprintf(err, errlen, "the token holds a space or a non-ASCII character");
			ret = -EINVAL;
		}
	}
	if (!ret) {
		memcpy(tok, text, len);
		tok[len] = '\0';
	}
	return ret;
}

int httptoken_load(const char *path, char *tok, char *err, size_t errlen)
{
	char buf[HTTPTOKEN_MAX + 64];
	struct stat st;
	ssize_t n = 0;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s", strerror(errno));
	} else if (fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s", strerror(errno));
	} else {
		ret = httptoken_check_stat(&st, 0, err, errlen);
	}
	if (!ret) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s", strerror(errno));
		} else if ((size_t)n == sizeof(buf)) {
			snprintf(err, errlen, "longer than a token");
			ret = -EINVAL;
		}
	}
	if (!ret)
		ret = httptoken_parse(buf, (size_t)n, tok, err, errlen);
	if (fd >= 0)
		close(fd);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

int httptoken_authorized(const char *header, const char *tok)
{
	size_t hl, tl, i;
	unsigned char diff;

	if (!header || !tok || strncasecmp(header, "Bearer ", 7))
		return 0;
	header += 7;
	while (*header == ' ')
		header++;
	hl = strlen(header);
	tl = strlen(tok);
	/* Every byte of the token is compared, whatever the header holds. */
	diff = hl != tl;
	for (i = 0; i < tl; i++)
		diff |= (unsigned char)tok[i] ^ (unsigned char)(i < hl ? header[i] : 0);
	return diff == 0;
}
