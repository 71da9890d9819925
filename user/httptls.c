// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "httptls.h"
#include "httptoken.h"

int httptls_check_stat(const struct stat *st, uid_t owner, int secret, char *err, size_t errlen)
{
	struct stat c = *st;
	int ret;

	/* The token file's rule; a certificate is public: only writing counts. */
	if (!secret)
		c.st_mode &= ~(mode_t)044;
	ret = httptoken_check_stat(&c, owner, err, errlen);
	if (ret && !secret && S_ISREG(st->st_mode) && st->st_uid == owner)
		snprintf(err, errlen, "mode %04o: group or others may write it (chmod 644)",
			 (unsigned)(st->st_mode & 07777));
	if (!ret && (st->st_size <= 0 || (unsigned long long)st->st_size > HTTPTLS_MAX)) {
		snprintf(err, errlen, "%lld bytes: not a PEM file of at most %u", (long long)st->st_size,
			 HTTPTLS_MAX);
		ret = -EINVAL;
	}
	return ret;
}

/* Reads exactly n bytes (the size fstat gave). 0 or -errno. */
static int read_all(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r = 1;
	int ret = 0;

	while (!ret && got < n && r > 0) {
		r = read(fd, buf + got, n - got);
		if (r < 0 && errno != EINTR)
			ret = -errno;
		else if (r > 0)
			got += (size_t)r;
	}
	return ret ? ret : got == n ? 0 : -EIO;
}

int httptls_load(const char *path, int secret, char **out, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	int fd, ret = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s", strerror(errno));
	} else {
		ret = httptls_check_stat(&st, 0, secret, err, errlen);
	}
	if (!ret && !(buf = calloc(1, (size_t)st.st_size + 1))) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
	}
	if (!ret && (ret = read_all(fd, buf, (size_t)st.st_size)))
		snprintf(err, errlen, "%s", strerror(-ret));
	if (!ret && !strstr(buf, "-----BEGIN ")) {
		snprintf(err, errlen, "no PEM block (-----BEGIN ...)");
		ret = -EINVAL;
	}
	if (fd >= 0)
		close(fd);
	if (ret && buf) {
		explicit_bzero(buf, (size_t)st.st_size);
		free(buf);
		buf = NULL;
	}
	*out = buf;
	return ret;
}

void httptls_free(char *pem)
{
	if (pem) {
		explicit_bzero(pem, strlen(pem));
		free(pem);
	}
}
