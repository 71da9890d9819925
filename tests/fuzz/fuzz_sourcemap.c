// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: any bytes as a source map (input starting with '{' or
 * '[' as JSON, anything else as the mappings string of a small map with
 * three sources and two names), then line lookups. A map must answer
 * consistently; a refusal must say why. A JSON input may carry a generated
 * text after a NUL byte: an mlpy-form map is anchored in it (and in the
 * JSON itself) and must still answer consistently. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sourcemap.h"

#define HEAD "{\"version\":3,\"sources\":[\"a.ml\",\"b.ml\",\"c.ml\"],\"names\":[\"x\",\"y\"],\"mappings\":\""
#define TAIL "\"}"

/* data as a JSON string member: escapes what JSON needs escaped. */
static char *wrap_mappings(const uint8_t *data, size_t size, size_t *len)
{
	char *buf = malloc(sizeof(HEAD) + 6 * size + sizeof(TAIL));
	size_t n = sizeof(HEAD) - 1, i;

	if (!buf)
		return NULL;
	memcpy(buf, HEAD, n);
	for (i = 0; i < size; i++) {
		if (data[i] == '"' || data[i] == '\\' || data[i] < 0x20)
			n += (size_t)sprintf(buf + n, "\\u%04x", data[i]);
		else
			buf[n++] = (char)data[i];
	}
	memcpy(buf + n, TAIL, sizeof(TAIL));
	*len = n + sizeof(TAIL) - 1;
	return buf;
}

static void check_map(const struct sourcemap *m)
{
	size_t nsrc = sourcemap_nsources(m), i;
	int32_t gen, max, line, near, prev_near = -1;
	int src, nsrc_out;

	for (i = 0; i < nsrc && i < 64; i++)
		assert(sourcemap_source(m, i) != NULL);
	assert(sourcemap_source(m, nsrc) == NULL);
	max = sourcemap_lines(m) < 4096 ? (int32_t)sourcemap_lines(m) + 2 : 4096;
	assert(sourcemap_line(m, 0, NULL) == -1 && sourcemap_line_near(m, 0, NULL) == -1);
	for (gen = 1; gen <= max; gen++) {
		line = sourcemap_line(m, gen, &src);
		near = sourcemap_line_near(m, gen, &nsrc_out);
		assert(line == -1 || line >= 1);
		assert((line == -1) == (src == -1));
		assert(src == -1 || (size_t)src < nsrc);
		assert(nsrc_out == -1 || (size_t)nsrc_out < nsrc);
		/* near is the line's own mapping, else the one before it. */
		if (line != -1)
			assert(near == line && nsrc_out == src);
		else
			assert(near == prev_near);
		if ((size_t)gen > sourcemap_lines(m))
			assert(line == -1);
		prev_near = near;
	}
	assert(sourcemap_line_near(m, INT32_MAX, NULL) >= -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128], *buf = NULL;
	const char *json = (const char *)data;
	const char *nul, *text = NULL;
	struct sourcemap *m;
	size_t len = size, tlen = 0;
	int rc;

	nul = size ? memchr(data, '\0', size) : NULL;
	if (nul && (data[0] == '{' || data[0] == '[')) {
		text = nul + 1;
		tlen = size - (size_t)(text - (const char *)data);
		len = (size_t)(nul - (const char *)data);
	}
	if (!size || (data[0] != '{' && data[0] != '[')) {
		buf = wrap_mappings(data, size, &len);
		if (!buf)
			return 0;
		json = buf;
	}
	memset(err, 'z', sizeof(err));
	errno = 0;
	m = sourcemap_parse(json, len, err, sizeof(err));
	if (m) {
		check_map(m);
		if (sourcemap_needs_anchor(m)) {
			rc = sourcemap_anchor(m, json, len, 1);
			if (rc && text)
				rc = sourcemap_anchor(m, text, tlen, 3);
			assert(rc == 0 || rc == -ENOENT || rc == -ENOMEM);
			assert((rc == 0) == !sourcemap_needs_anchor(m));
			check_map(m);
		}
		sourcemap_free(m);
	} else {
		assert(errno == EINVAL || errno == ENOMEM);
		assert(memchr(err, '\0', sizeof(err)) && err[0]);
	}
	free(buf);
	return 0;
}
