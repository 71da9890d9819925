// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reads and interprets the command lines of candidate targets. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmdline.h"
#include "procmaps.h"
#include "strbuf.h"

/* /proc/PID/cmdline is cut here; mlpy command lines are far shorter. */
#define CMDLINE_MAX (64 * 1024)

int cmdline_parse(struct cmdline *cl, const char *data, size_t len)
{
	size_t i, n = 0;
	int k = 0;

	memset(cl, 0, sizeof(*cl));
	cl->buf = malloc(len + 1);
	if (!cl->buf)
		return -ENOMEM;
	memcpy(cl->buf, data, len);
	cl->buf[len] = '\0';
	for (i = 0; i < len; i++)
		n += cl->buf[i] == '\0';
	if (len && cl->buf[len - 1] != '\0')
		n++;
	cl->argv = calloc(n + 1, sizeof(*cl->argv));
	if (!cl->argv) {
		cmdline_free(cl);
		return -ENOMEM;
	}
	for (i = 0; i < len; i += strlen(cl->buf + i) + 1)
		cl->argv[k++] = cl->buf + i;
	cl->argc = k;
	return 0;
}

int cmdline_read(int pid, struct cmdline *cl)
{
	char path[64], *data;
	ssize_t got;
	size_t len = 0;
	int fd, err = 0;

	memset(cl, 0, sizeof(*cl));
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	data = malloc(CMDLINE_MAX);
	if (!data) {
		close(fd);
		return -ENOMEM;
	}
	while (len < CMDLINE_MAX && (got = read(fd, data + len, CMDLINE_MAX - len)) > 0)
		len += (size_t)got;
	if (len == 0)
		err = -ESRCH; /* exited (zombie) or a kernel thread */
	close(fd);
	if (!err)
		err = cmdline_parse(cl, data, len);
	free(data);
	return err;
}

void cmdline_free(struct cmdline *cl)
{
	free(cl->buf);
	free(cl->argv);
	memset(cl, 0, sizeof(*cl));
}

static int needs_quotes(const char *s)
{
	if (!*s)
		return 1;
	for (; *s; s++) {
		if (strchr(" \t\n'\"\\$`*?[]{}()<>|&;#~", *s))
			return 1;
	}
	return 0;
}

char *cmdline_join(const struct cmdline *cl)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s;
	int i;

	for (i = 0; i < cl->argc; i++) {
		if (i)
			strbuf_append(&sb, " ", 1);
		if (!needs_quotes(cl->argv[i])) {
			strbuf_puts(&sb, cl->argv[i]);
			continue;
		}
		strbuf_append(&sb, "'", 1);
		for (s = cl->argv[i]; *s; s++) {
			if (*s == '\'')
				strbuf_puts(&sb, "'\\''");
			else
				strbuf_append(&sb, s, 1);
		}
		strbuf_append(&sb, "'", 1);
	}
	return strbuf_detach(&sb);
}

int cmdline_is_python(const struct cmdline *cl)
{
	const char *base;

	if (cl->argc < 1)
		return 0;
	base = procmaps_basename(cl->argv[0]);
	return !strncmp(base, "python", 6);
}

/* Options of the python command that take a separate argument. */
static int takes_arg(char opt)
{
	return opt == 'W' || opt == 'X';
}

const char *cmdline_python_target(const struct cmdline *cl, int *is_module, int *next)
{
	const char *a;
	int i, j;

	*is_module = 0;
	*next = cl->argc;
	for (i = 1; i < cl->argc; i++) {
		a = cl->argv[i];
		if (a[0] != '-') {
			*next = i + 1;
			return a;
		}
		if (!a[1])
			return NULL; /* "-": the program comes from stdin */
		if (!strcmp(a, "--")) {
			*next = i + 2;
			return i + 1 < cl->argc ? cl->argv[i + 1] : NULL;
		}
		if (a[1] == '-') {
			/* Long options; only this one takes an argument. */
			if (!strcmp(a, "--check-hash-based-pycs"))
				i++;
			continue;
		}
		for (j = 1; a[j]; j++) {
			if (a[j] == 'c')
				return NULL;
			if (a[j] == 'm') {
				*is_module = 1;
				if (a[j + 1]) { /* -mNAME */
					*next = i + 1;
					return a + j + 1;
				}
				*next = i + 2;
				return i + 1 < cl->argc ? cl->argv[i + 1] : NULL;
			}
			if (takes_arg(a[j])) {
				if (!a[j + 1])
					i++;
				break;
			}
		}
	}
	return NULL;
}
