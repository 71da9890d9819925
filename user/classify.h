/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Which part of an mlpy run a Python function belongs to, by its file path
 * and name (mlpy-runtime.md, "mlpy's own code, by category"). */
#ifndef MLPROF_CLASSIFY_H
#define MLPROF_CLASSIFY_H

enum category {
	CAT_PARSING,
	CAT_SECURITY,
	CAT_TRANSPILATION,
	CAT_SANDBOX,
	CAT_RUNTIME_OVERHEAD,
	CAT_ML_CODE,
	CAT_ML_STDLIB,
	CAT_MLPY_OTHER,
	CAT_PY_STDLIB,
	CAT_INTERPRETER,
	CAT_UNCLASSIFIED,
	CAT_NR
};

/* The function the daemon charges the generated preamble of an ML module
 * to (its imports of mlpy's runtime: mlpyattr.h): Sandbox Startup. */
#define CLASSIFY_MLPY_PREAMBLE "<mlpy preamble>"

/* Display name ("Parsing", "Security Analysis", ...); "Unknown" out of range. */
const char *classify_name(enum category c);
/* Key for JSON ("parsing", "security_analysis", ...); "unknown" out of range. */
const char *classify_key(enum category c);
/* is_ml: the function is user ML code (the daemon already decided, e.g. a
 * closure in the sandbox script or a .py with a sibling .ml); is_pseudo:
 * not a Python function at all (interpreter start-up, native thread...).
 * file: the Python file path as the process sees it (co_filename), name:
 * co_name; either may be NULL. */
enum category classify_function(const char *file, const char *name, int is_ml, int is_pseudo);
/* 1 for categories that are mlpy's own overhead (parsing, security,
 * transpilation, sandbox startup, runtime overhead, mlpy CLI/other). */
int classify_is_mlpy_overhead(enum category c);
/* 1 for categories to which a sample's time is not attributed when a frame
 * further out owns it: Python Stdlib, Unclassified, Interpreter. */
int classify_is_passive(enum category c);

#endif
