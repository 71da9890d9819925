/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Internals shared by the source map decoders (sourcemap.c: v3 VLQ;
 * sourcemap_mlpy.c: mlpy's own detailed mappings). Not for other users. */
#ifndef MLPROF_SOURCEMAP_PRIV_H
#define MLPROF_SOURCEMAP_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

struct mapped_line {
	int32_t gen;    /* 1-based generated line */
	int32_t line;   /* 1-based source line */
	int32_t source; /* index into sources */
};

/* A function definition of an mlpy map: what anchors its lines. */
struct mapped_def {
	char *name;
	int32_t gen; /* generated line, relative to the map's own origin */
};

struct sourcemap {
	char **sources;
	size_t nsources;
	struct mapped_line *lines; /* sorted by gen, one per mapped line */
	size_t nlines;
	size_t cap;
	size_t ngen;               /* generated lines covered */
	/* mlpy's form: generated lines counted from an unknown origin until
	 * sourcemap_anchor() finds it in the generated text. */
	int unanchored;
	struct mapped_def *defs;
	size_t ndefs;
};

struct errbuf {
	char *buf;
	size_t len;
};

int sourcemap__fail(struct errbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sourcemap__add_line(struct sourcemap *m, int32_t gen, int32_t line, int32_t source);
int sourcemap__read_sources(struct sourcemap *m, const cJSON *sm, struct errbuf *e);
/* debugInfo.detailedMappings of root, NULL if it has none. */
const cJSON *sourcemap__mlpy_mappings(const cJSON *root);
/* Decodes mlpy's detailedMappings (with sources from sm) into m. */
int sourcemap__read_mlpy(struct sourcemap *m, const cJSON *sm, const cJSON *detailed,
		      struct errbuf *e);

#endif
