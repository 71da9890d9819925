/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The dotted module name of a Python file, from its path alone (reports
 * are pure functions of a snapshot): the part below the last sys.path-like
 * root (site-packages, dist-packages, src, lib/pythonX.Y), "/" as ".",
 * without ".py" and "/__init__". */
#ifndef MLPROF_MODNAME_H
#define MLPROF_MODNAME_H

#include <stddef.h>

/* Writes the name into buf (len > 0) and returns buf; "<frozen X>" gives
 * X; a path with no root gives its file (or package folder) name. */
const char *modname(const char *path, char *buf, size_t len);

#endif
