/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Source map v3 decoder: generated (.py) line -> source (.ml) line. */
#ifndef MLPROF_SOURCEMAP_H
#define MLPROF_SOURCEMAP_H

#include <stddef.h>
#include <stdint.h>

/* Inputs larger than this are refused (EINVAL). */
#define SOURCEMAP_MAX_INPUT (64u << 20)

struct sourcemap;

/* Parses a .py.map file: a bare v3 object, the same wrapped as
 * {"sourceMap": {...}}, or mlpy's own form (the wrapper plus
 * "debugInfo": {"detailedMappings": [...]}, decoded from the latter).
 * NULL with errno EINVAL and a message in err (e.g. "mappings: bad base64
 * char 'x' at 17", positions are byte offsets in the mappings string) on
 * any malformed input; ENOMEM on allocation failure. err may be NULL. */
struct sourcemap *sourcemap_parse(const char *json, size_t len, char *err, size_t errlen);
/* The 1-based source line for a 1-based generated line: the source line of
 * the first segment on that generated line that carries a source; if the
 * line has none, -1. *source (if non-NULL) receives the source index, -1
 * with no mapping. */
int32_t sourcemap_line(const struct sourcemap *m, int32_t gen_line, int *source);
/* Like sourcemap_line, but if gen_line has no mapping, falls back to the
 * nearest earlier generated line that has one (for statements spread over
 * several Python lines), also past the last line the map covers. */
int32_t sourcemap_line_near(const struct sourcemap *m, int32_t gen_line, int *source);
/* 1 if m is in mlpy's own form (debugInfo.detailedMappings), whose
 * generated lines count from an origin found only in the generated text:
 * until sourcemap_anchor() succeeds, every lookup answers -1. */
int sourcemap_needs_anchor(const struct sourcemap *m);
/* Finds the origin of an mlpy map in the generated text py (its lines from
 * from_line on are generated lines 1, 2, ...) from the map's function
 * definitions (each at a `def NAME(` line) and moves the map's lines
 * there. 0 (also for a v3 map, left alone), -ENOENT if no single origin
 * fits every definition (another program or version) or the map has none,
 * -ENOMEM. */
int sourcemap_anchor(struct sourcemap *m, const char *py, size_t len, int32_t from_line);
size_t sourcemap_nsources(const struct sourcemap *m);
/* sourceRoot joined with sources[index]; NULL if out of range. */
const char *sourcemap_source(const struct sourcemap *m, size_t index);
/* Generated lines covered (groups in mappings; 0 when it is empty). */
size_t sourcemap_lines(const struct sourcemap *m);
void sourcemap_free(struct sourcemap *m);

#endif
