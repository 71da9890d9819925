/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Process command lines: reading them and recognising a Python one. */
#ifndef MLPROF_CMDLINE_H
#define MLPROF_CMDLINE_H

#include <stddef.h>

struct cmdline {
	char *buf;   /* NUL-separated arguments */
	char **argv; /* pointers into buf, argv[argc] == NULL */
	int argc;
};

/* Splits a /proc/PID/cmdline image (NUL-separated). 0 or -ENOMEM. */
int cmdline_parse(struct cmdline *cl, const char *data, size_t len);
/* Reads /proc/PID/cmdline. 0, -ESRCH (gone or a kernel thread), -errno. */
int cmdline_read(int pid, struct cmdline *cl);
void cmdline_free(struct cmdline *cl);
/* Arguments joined with spaces, shell-quoted where needed (malloc'd). */
char *cmdline_join(const struct cmdline *cl);

/* What a python command line runs: the script path, or the module name
 * after -m (*is_module = 1); NULL for -c, stdin or none. *next is the
 * index of the first argument given to the program. */
const char *cmdline_python_target(const struct cmdline *cl, int *is_module, int *next);
/* 1 if argv[0]'s basename looks like a Python interpreter. */
int cmdline_is_python(const struct cmdline *cl);

#endif
