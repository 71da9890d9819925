// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Decodes source maps v3 into one entry per generated line that has a
 * source mapping, so a line lookup is a binary search. The decoder is
 * strict: a map that is wrong anywhere is refused rather than half-used. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "sourcemap.h"
#include "sourcemap_priv.h"

/* Running values of one mappings string: everything but the generated
 * column accumulates over the whole string (the column resets per line). */
struct vlq_state {
	const char *s;
	size_t len;
	size_t pos;
	int64_t gen_col;
	int64_t src;
	int64_t src_line;
	int64_t src_col;
	int64_t name;
	size_t nnames;
	int32_t gen_line;
	int line_mapped;
};

/* Formats the message (if there is room for one) and returns -EINVAL. */
int sourcemap__fail(struct errbuf *e, const char *fmt, ...)
{
	va_list ap;

	if (e->buf && e->len) {
		va_start(ap, fmt);
		vsnprintf(e->buf, e->len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A character for a message: printable as itself, else as \xNN. */
static const char *show_char(char c, char out[8])
{
	unsigned char u = (unsigned char)c;

	if (u >= 0x20 && u < 0x7f && u != '\'')
		snprintf(out, 8, "%c", c);
	else
		snprintf(out, 8, "\\x%02x", u);
	return out;
}

static int b64_value(char c)
{
	int v = -1;

	if (c >= 'A' && c <= 'Z')
		v = c - 'A';
	else if (c >= 'a' && c <= 'z')
		v = c - 'a' + 26;
	else if (c >= '0' && c <= '9')
		v = c - '0' + 52;
	else if (c == '+')
		v = 62;
	else if (c == '/')
		v = 63;
	return v;
}

/* One base64 VLQ: 5 value bits per digit, least significant first, 0x20 =
 * more digits; the lowest bit of the result is the sign. Values must fit
 * 32 bits, as in the spec. */
static int read_vlq(struct vlq_state *st, struct errbuf *e, int64_t *out)
{
	size_t start = st->pos;
	uint64_t v = 0;
	unsigned shift = 0;
	int more = 1, d, err = 0;
	char c[8];

	while (more && !err) {
		if (st->pos >= st->len || st->s[st->pos] == ',' || st->s[st->pos] == ';') {
			err = sourcemap__fail(e, "mappings: truncated VLQ at %zu", start);
		} else if ((d = b64_value(st->s[st->pos])) < 0) {
			err = sourcemap__fail(e, "mappings: bad base64 char '%s' at %zu",
				   show_char(st->s[st->pos], c), st->pos);
		} else if (shift > 30 || (v | (uint64_t)(d & 31) << shift) > UINT32_MAX) {
			err = sourcemap__fail(e, "mappings: number too large at %zu", start);
		} else {
			v |= (uint64_t)(d & 31) << shift;
			shift += 5;
			more = d & 32;
			st->pos++;
		}
	}
	if (!err)
		*out = (v & 1) ? -(int64_t)(v >> 1) : (int64_t)(v >> 1);
	return err;
}

int sourcemap__add_line(struct sourcemap *m, int32_t gen, int32_t line, int32_t source)
{
	struct mapped_line *p;
	size_t cap;
	int err = 0;

	if (m->nlines == m->cap) {
		cap = m->cap ? m->cap * 2 : 64;
		p = realloc(m->lines, cap * sizeof(*p));
		if (!p)
			err = -ENOMEM;
		else {
			m->lines = p;
			m->cap = cap;
		}
	}
	if (!err) {
		m->lines[m->nlines].gen = gen;
		m->lines[m->nlines].line = line;
		m->lines[m->nlines].source = source;
		m->nlines++;
	}
	return err;
}

/* Adds the decoded fields to the running values and checks the results:
 * every value stays in [0, INT32_MAX] so the int64 sums never overflow. */
static int apply_segment(struct sourcemap *m, struct vlq_state *st, const int64_t *f, int n,
			 size_t at, struct errbuf *e)
{
	int err = 0;

	st->gen_col += f[0];
	if (st->gen_col < 0 || st->gen_col > INT32_MAX)
		err = sourcemap__fail(e, "mappings: generated column %lld out of range at %zu",
			   (long long)st->gen_col, at);
	if (err || n < 4)
		goto out;
	st->src += f[1];
	st->src_line += f[2];
	st->src_col += f[3];
	if (st->src < 0 || (uint64_t)st->src >= m->nsources)
		err = sourcemap__fail(e, "mappings: source index %lld out of range (%zu sources) at %zu",
			   (long long)st->src, m->nsources, at);
	else if (st->src_line < 0 || st->src_line >= INT32_MAX)
		err = sourcemap__fail(e, "mappings: source line %lld out of range at %zu",
			   (long long)st->src_line + 1, at);
	else if (st->src_col < 0 || st->src_col > INT32_MAX)
		err = sourcemap__fail(e, "mappings: source column %lld out of range at %zu",
			   (long long)st->src_col, at);
	if (!err && n == 5) {
		st->name += f[4];
		if (st->name < 0 || (uint64_t)st->name >= st->nnames)
			err = sourcemap__fail(e,
					      "mappings: name index %lld out of range (%zu names) at %zu",
					      (long long)st->name, st->nnames, at);
	}
	if (!err && !st->line_mapped) {
		err = sourcemap__add_line(m, st->gen_line, (int32_t)st->src_line + 1, (int32_t)st->src);
		st->line_mapped = 1;
	}
out:
	return err;
}

/* One segment: 1, 4 or 5 VLQ fields up to the next ',' or ';'. */
static int decode_segment(struct sourcemap *m, struct vlq_state *st, struct errbuf *e)
{
	size_t start = st->pos;
	int64_t f[5];
	int n = 0, err = 0;

	while (!err && st->pos < st->len && st->s[st->pos] != ',' && st->s[st->pos] != ';') {
		if (n == 5)
			err = sourcemap__fail(e, "mappings: segment with more than 5 fields at %zu",
					      start);
		else
			err = read_vlq(st, e, &f[n++]);
	}
	if (!err && n == 0)
		err = sourcemap__fail(e, "mappings: empty segment at %zu", start);
	else if (!err && (n == 2 || n == 3))
		err = sourcemap__fail(e, "mappings: segment with %d fields at %zu", n, start);
	if (!err)
		err = apply_segment(m, st, f, n, start, e);
	return err;
}

static int decode_mappings(struct sourcemap *m, const char *s, size_t nnames, struct errbuf *e)
{
	struct vlq_state st = { .s = s, .len = strlen(s), .nnames = nnames, .gen_line = 1 };
	int err = 0;

	m->ngen = st.len ? 1 : 0;
	while (!err && st.pos < st.len) {
		if (s[st.pos] == ';') {
			/* The input cap keeps the line count far below INT32_MAX. */
			st.gen_line++;
			m->ngen++;
			st.gen_col = 0;
			st.line_mapped = 0;
			st.pos++;
			continue;
		}
		err = decode_segment(m, &st, e);
		if (!err && st.pos < st.len && s[st.pos] == ',') {
			st.pos++;
			if (st.pos == st.len || s[st.pos] == ',' || s[st.pos] == ';')
				err = sourcemap__fail(e, "mappings: empty segment at %zu", st.pos);
		}
	}
	return err;
}

/* An optional member: absent or null is fine, else it must pass check. */
static int optional_ok(const cJSON *item, cJSON_bool (*check)(const cJSON *))
{
	return !item || cJSON_IsNull(item) || check(item);
}

/* An array whose entries are all strings. */
static int string_array(const cJSON *arr)
{
	const cJSON *it;
	int ok = cJSON_IsArray(arr);

	if (ok) {
		cJSON_ArrayForEach(it, arr)
			ok = ok && cJSON_IsString(it);
	}
	return ok;
}

static char *join_root(const char *root, const char *name)
{
	size_t rl = strlen(root), nl = strlen(name);
	int slash = rl && root[rl - 1] != '/';
	char *p = malloc(rl + slash + nl + 1);

	if (p) {
		memcpy(p, root, rl);
		if (slash)
			p[rl] = '/';
		memcpy(p + rl + slash, name, nl + 1);
	}
	return p;
}

int sourcemap__read_sources(struct sourcemap *m, const cJSON *sm, struct errbuf *e)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(sm, "sources");
	const cJSON *root = cJSON_GetObjectItemCaseSensitive(sm, "sourceRoot");
	const char *prefix = cJSON_IsString(root) ? root->valuestring : "";
	const cJSON *it;
	int err = 0;

	if (!src)
		err = sourcemap__fail(e, "sources: missing");
	else if (!string_array(src))
		err = sourcemap__fail(e, "sources: not an array of strings");
	if (err)
		goto out;
	m->sources = calloc((size_t)cJSON_GetArraySize(src) + 1, sizeof(*m->sources));
	if (!m->sources) {
		err = -ENOMEM;
		goto out;
	}
	cJSON_ArrayForEach(it, src) {
		m->sources[m->nsources] = join_root(prefix, it->valuestring);
		if (!m->sources[m->nsources]) {
			err = -ENOMEM;
			break;
		}
		m->nsources++;
	}
out:
	return err;
}

/* The checks on the members other than sources, names and mappings. */
static int check_header(const cJSON *sm, struct errbuf *e)
{
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(sm, "version");
	int err = 0;

	if (!ver)
		err = sourcemap__fail(e, "version: missing");
	else if (!cJSON_IsNumber(ver))
		err = sourcemap__fail(e, "version: not a number");
	else if (ver->valuedouble != 3)
		err = sourcemap__fail(e, "version: %g is not supported, only 3", ver->valuedouble);
	else if (!optional_ok(cJSON_GetObjectItemCaseSensitive(sm, "file"), cJSON_IsString))
		err = sourcemap__fail(e, "file: not a string");
	else if (!optional_ok(cJSON_GetObjectItemCaseSensitive(sm, "sourceRoot"), cJSON_IsString))
		err = sourcemap__fail(e, "sourceRoot: not a string");
	else if (!optional_ok(cJSON_GetObjectItemCaseSensitive(sm, "sourcesContent"),
			      cJSON_IsArray))
		err = sourcemap__fail(e, "sourcesContent: not an array");
	return err;
}

static int read_map(struct sourcemap *m, const cJSON *sm, struct errbuf *e)
{
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(sm, "names");
	const cJSON *maps = cJSON_GetObjectItemCaseSensitive(sm, "mappings");
	size_t nnames = 0;
	int err;

	err = check_header(sm, e);
	if (!err)
		err = sourcemap__read_sources(m, sm, e);
	if (!err && names && !cJSON_IsNull(names)) {
		if (string_array(names))
			nnames = (size_t)cJSON_GetArraySize(names);
		else
			err = sourcemap__fail(e, "names: not an array of strings");
	}
	if (!err && !maps)
		err = sourcemap__fail(e, "mappings: missing");
	else if (!err && !cJSON_IsString(maps))
		err = sourcemap__fail(e, "mappings: not a string");
	if (!err)
		err = decode_mappings(m, maps->valuestring, nnames, e);
	return err;
}

/* mlpy wraps the map in {"sourceMap": ..., "debugInfo": ...}. */
static int find_map(const cJSON *root, const cJSON **sm, struct errbuf *e)
{
	const cJSON *inner = NULL;
	int err = 0;

	if (!cJSON_IsObject(root))
		err = sourcemap__fail(e, "not a JSON object");
	else
		inner = cJSON_GetObjectItemCaseSensitive(root, "sourceMap");
	if (inner && !cJSON_IsObject(inner))
		err = sourcemap__fail(e, "sourceMap: not an object");
	*sm = inner ? inner : root;
	return err;
}

struct sourcemap *sourcemap_parse(const char *json, size_t len, char *err, size_t errlen)
{
	struct errbuf e = { err, errlen };
	struct sourcemap *m = NULL;
	const cJSON *sm = NULL, *detailed;
	cJSON *root = NULL;
	const char *end = NULL;
	int rc = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!json || !len) {
		rc = sourcemap__fail(&e, "empty input");
		goto out;
	}
	if (len > SOURCEMAP_MAX_INPUT) {
		rc = sourcemap__fail(&e, "input of %zu bytes is larger than %u", len,
				     SOURCEMAP_MAX_INPUT);
		goto out;
	}
	root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	while (root && end < json + len && strchr(" \t\r\n", *end) && *end)
		end++;
	if (!root || end != json + len) {
		rc = sourcemap__fail(&e, "not valid JSON (at byte %td)", end ? end - json : (ptrdiff_t)0);
		goto out;
	}
	rc = find_map(root, &sm, &e);
	if (rc)
		goto out;
	m = calloc(1, sizeof(*m));
	if (!m) {
		rc = -ENOMEM;
		goto out;
	}
	rc = read_map(m, sm, &e);
	/* mlpy's own form: its "mappings" is not VLQ (digits and commas never
	 * decode) or empty; its detailedMappings hold the lines. */
	detailed = sourcemap__mlpy_mappings(root);
	if (detailed && (rc == -EINVAL || (!rc && !m->nlines)) &&
	    (!cJSON_IsArray(detailed) || cJSON_GetArraySize(detailed) > 0)) {
		sourcemap_free(m);
		m = calloc(1, sizeof(*m));
		rc = m ? sourcemap__read_mlpy(m, sm, detailed, &e) : -ENOMEM;
		if (!rc && err && errlen)
			err[0] = '\0';
	}
out:
	cJSON_Delete(root);
	if (rc) {
		if (rc == -ENOMEM && err && errlen)
			snprintf(err, errlen, "out of memory");
		sourcemap_free(m);
		m = NULL;
		errno = -rc;
	}
	return m;
}

/* The last mapped line at or before gen, or NULL. */
static const struct mapped_line *find_line(const struct sourcemap *m, int32_t gen)
{
	size_t lo = 0, hi = m->nlines, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->lines[mid].gen <= gen)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &m->lines[lo - 1] : NULL;
}

static int32_t lookup(const struct sourcemap *m, int32_t gen_line, int *source, int exact)
{
	const struct mapped_line *l = NULL;
	int32_t line = -1;

	if (m && !m->unanchored && gen_line >= 1)
		l = find_line(m, gen_line);
	if (l && exact && l->gen != gen_line)
		l = NULL;
	if (l)
		line = l->line;
	if (source)
		*source = l ? l->source : -1;
	return line;
}

int32_t sourcemap_line(const struct sourcemap *m, int32_t gen_line, int *source)
{
	return lookup(m, gen_line, source, 1);
}

int32_t sourcemap_line_near(const struct sourcemap *m, int32_t gen_line, int *source)
{
	return lookup(m, gen_line, source, 0);
}

size_t sourcemap_nsources(const struct sourcemap *m)
{
	return m ? m->nsources : 0;
}

const char *sourcemap_source(const struct sourcemap *m, size_t index)
{
	return m && index < m->nsources ? m->sources[index] : NULL;
}

size_t sourcemap_lines(const struct sourcemap *m)
{
	return m ? m->ngen : 0;
}

void sourcemap_free(struct sourcemap *m)
{
	size_t i;

	if (m) {
		for (i = 0; i < m->nsources; i++)
			free(m->sources[i]);
		free(m->sources);
		free(m->lines);
		for (i = 0; i < m->ndefs; i++)
			free(m->defs[i].name);
		free(m->defs);
		free(m);
	}
}
