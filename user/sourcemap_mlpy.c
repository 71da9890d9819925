// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* mlpy's own source map form (`mlpy transpile --sourcemap`): its v3
 * "mappings" string is not VLQ (plain "col,src,line,col" segments with no
 * generated line), but debugInfo.detailedMappings lists each emitted
 * statement as {"generated": {"line", "column"}, "original": {"line",
 * "column"}, "name", "node_type"}. Its generated lines count from the
 * first emitted statement, not from the file's first line (mlpy writes a
 * header of imports before it), so the map is anchored in the generated
 * text by its function definitions before use. Strict like the v3 decoder:
 * a map wrong anywhere is refused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sourcemap.h"
#include "sourcemap_priv.h"

/* Definitions checked when anchoring (the text is the target's). */
#define ANCHOR_DEFS 64
/* Places of the first definition tried as the origin. */
#define ANCHOR_TRIES 16

const cJSON *sourcemap__mlpy_mappings(const cJSON *root)
{
	const cJSON *dbg = cJSON_GetObjectItemCaseSensitive(root, "debugInfo");

	return cJSON_IsObject(dbg) ? cJSON_GetObjectItemCaseSensitive(dbg, "detailedMappings")
				   : NULL;
}

/* obj.member.line as a 1-based line; 0 if absent (when optional). */
static int read_pos(const cJSON *obj, const char *member, int optional, size_t i,
		    int32_t *line, struct errbuf *e)
{
	const cJSON *pos = cJSON_GetObjectItemCaseSensitive(obj, member);
	const cJSON *l = cJSON_IsObject(pos) ? cJSON_GetObjectItemCaseSensitive(pos, "line") : NULL;
	int err = 0;

	*line = 0;
	if ((!pos || cJSON_IsNull(pos)) && optional)
		goto out;
	if (!cJSON_IsObject(pos))
		err = sourcemap__fail(e, "detailedMappings[%zu].%s: not an object", i, member);
	else if (!cJSON_IsNumber(l) || l->valuedouble < 1 || l->valuedouble >= INT32_MAX / 2 ||
		 l->valuedouble != (double)(int32_t)l->valuedouble)
		err = sourcemap__fail(e, "detailedMappings[%zu].%s.line: not a line number", i, member);
	else
		*line = (int32_t)l->valuedouble;
out:
	return err;
}

static int add_def(struct sourcemap *m, const char *name, int32_t gen)
{
	struct mapped_def *p;
	int err = 0;

	p = realloc(m->defs, (m->ndefs + 1) * sizeof(*p));
	if (!p)
		err = -ENOMEM;
	else {
		m->defs = p;
		p[m->ndefs].gen = gen;
		p[m->ndefs].name = strdup(name);
		if (p[m->ndefs].name)
			m->ndefs++;
		else
			err = -ENOMEM;
	}
	return err;
}

/* The source index of a mapping: its source_file among sources, else 0. */
static int32_t source_of(const struct sourcemap *m, const cJSON *file)
{
	size_t i;
	int32_t idx = 0;

	for (i = 0; cJSON_IsString(file) && i < m->nsources; i++) {
		if (!strcmp(m->sources[i], file->valuestring)) {
			idx = (int32_t)i;
			break;
		}
	}
	return idx;
}

/* Checks mapping i and, if keep, adds its line (and its definition). Its
 * generated line in *gen. */
static int read_one(struct sourcemap *m, const cJSON *it, size_t i, int keep, int32_t *gen,
		    struct errbuf *e)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(it, "node_type");
	int32_t line = 0;
	int err = 0;

	*gen = 0;
	if (!cJSON_IsObject(it))
		err = sourcemap__fail(e, "detailedMappings[%zu]: not an object", i);
	if (!err)
		err = read_pos(it, "generated", 0, i, gen, e);
	if (!err)
		err = read_pos(it, "original", 1, i, &line, e);
	if (!err && name && !cJSON_IsNull(name) && !cJSON_IsString(name))
		err = sourcemap__fail(e, "detailedMappings[%zu].name: not a string", i);
	if (!err && type && !cJSON_IsNull(type) && !cJSON_IsString(type))
		err = sourcemap__fail(e, "detailedMappings[%zu].node_type: not a string", i);
	if (!err && keep && line)
		err = sourcemap__add_line(m, *gen, line, source_of(m, cJSON_GetObjectItemCaseSensitive(
								      it, "source_file")));
	if (!err && keep && cJSON_IsString(type) &&
	    !strcmp(type->valuestring, "FunctionDefinition") && cJSON_IsString(name) &&
	    name->valuestring[0])
		err = add_def(m, name->valuestring, *gen);
	return err;
}

/* it.obj.key as a number, -1 if it is not one. */
static double sub_num(const cJSON *it, const char *obj, const char *key)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(it, obj);
	const cJSON *v = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* 1 if b maps the same ML place, as the same kind of node, as a. */
static int same_origin(const cJSON *a, const cJSON *b)
{
	const cJSON *ta = cJSON_GetObjectItemCaseSensitive(a, "node_type");
	const cJSON *tb = cJSON_GetObjectItemCaseSensitive(b, "node_type");

	return sub_num(a, "original", "line") == sub_num(b, "original", "line") &&
	       sub_num(a, "original", "column") == sub_num(b, "original", "column") &&
	       cJSON_IsString(ta) && cJSON_IsString(tb) && !strcmp(ta->valuestring, tb->valuestring);
}

/* 1 if it starts a new pass: its generated line goes back, or it repeats
 * the first mapping of the pass (first) further down. */
static int new_pass(const cJSON *first, const cJSON *it, int32_t prev, int32_t gen)
{
	return gen < prev || (first && first != it && same_origin(first, it) &&
			      gen > (int32_t)sub_num(first, "generated", "line"));
}

/* mlpy lists the program's mappings more than once: as generated (lines
 * counted from the first statement), then again for the file with its
 * header (lines of the file). A pass ends where the generated line goes
 * back or the pass's first mapping comes again (new_pass); the passes
 * disagree on their origin, so one pass is used: the
 * largest (the later on a tie), found by a first walk that also checks
 * every mapping. */
static int pick_pass(const cJSON *detailed, size_t *pass, struct errbuf *e)
{
	size_t i = 0, cur = 0, n = 0, best_n = 0;
	const cJSON *it, *first = NULL;
	int32_t gen, prev = 0;
	int err = 0;

	*pass = 0;
	cJSON_ArrayForEach(it, detailed) {
		err = read_one(NULL, it, i++, 0, &gen, e);
		if (err)
			break;
		if (!first)
			first = it;
		if (new_pass(first, it, prev, gen)) {
			first = it;
			if (n >= best_n) {
				best_n = n;
				*pass = cur;
			}
			cur++;
			n = 0;
		}
		n++;
		prev = gen;
	}
	if (!err && n >= best_n)
		*pass = cur;
	return err;
}

/* By generated line, then by position in the map: the first mapping of a
 * line (its statement) wins. */
static int cmp_line(const void *a, const void *b)
{
	const struct mapped_line *x = a, *y = b;

	if (x->gen != y->gen)
		return x->gen < y->gen ? -1 : 1;
	return x->source < y->source ? -1 : x->source > y->source;
}

/* Sorts the lines by generated line and keeps one per line. The position
 * in the map breaks ties: it is held in source during the sort. */
static int sort_lines(struct sourcemap *m)
{
	int32_t *src = malloc((m->nlines ? m->nlines : 1) * sizeof(*src));
	size_t i, n = 0;

	if (!src)
		return -ENOMEM;
	for (i = 0; i < m->nlines; i++) {
		src[i] = m->lines[i].source;
		m->lines[i].source = (int32_t)i;
	}
	if (m->nlines)
		qsort(m->lines, m->nlines, sizeof(*m->lines), cmp_line);
	for (i = 0; i < m->nlines; i++) {
		if (n && m->lines[n - 1].gen == m->lines[i].gen)
			continue;
		m->lines[n] = m->lines[i];
		m->lines[n].source = src[m->lines[i].source];
		n++;
	}
	m->nlines = n;
	m->ngen = n ? (size_t)m->lines[n - 1].gen : 0;
	free(src);
	return 0;
}

int sourcemap__read_mlpy(struct sourcemap *m, const cJSON *sm, const cJSON *detailed,
		      struct errbuf *e)
{
	size_t i = 0, pass = 0, want = 0;
	const cJSON *it, *first = NULL;
	int32_t gen, prev = 0;
	int err = 0;

	if (!cJSON_IsArray(detailed))
		err = sourcemap__fail(e, "debugInfo.detailedMappings: not an array");
	if (!err)
		err = sourcemap__read_sources(m, sm, e);
	if (!err)
		err = pick_pass(detailed, &want, e);
	if (!err) {
		cJSON_ArrayForEach(it, detailed) {
			err = read_one(NULL, it, i, 0, &gen, e); /* checked: cannot fail */
			if (!first)
				first = it;
			if (!err && new_pass(first, it, prev, gen)) {
				first = it;
				pass++;
			}
			prev = gen;
			err = err ? err : read_one(m, it, i, pass == want, &gen, e);
			i++;
			if (err)
				break;
		}
	}
	if (!err)
		err = sort_lines(m);
	m->unanchored = 1;
	return err;
}

int sourcemap_needs_anchor(const struct sourcemap *m)
{
	return m && m->unanchored;
}

/* 1 if s (n bytes) starts with NAME( */
static int name_at(const char *s, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n > k && !memcmp(s, name, k) && s[k] == '(';
}

/* 1 if the line [s, s + n) is `def NAME(` or `def ml_NAME(` (mlpy renames
 * Python keywords), after indentation. */
static int is_def(const char *s, size_t n, const char *name)
{
	size_t p = 0;

	while (p < n && (s[p] == ' ' || s[p] == '\t'))
		p++;
	if (n - p <= 4 || memcmp(s + p, "def ", 4))
		return 0;
	p += 4;
	return name_at(s + p, n - p, name) ||
	       (n - p > 3 && !memcmp(s + p, "ml_", 3) && name_at(s + p + 3, n - p - 3, name));
}

/* Start offsets of the text's lines from from_line on (index 0 is
 * generated line 1), with a sentinel end. */
static size_t index_lines(const char *py, size_t len, int32_t from_line, size_t **out)
{
	size_t n = 0, cap = 64, pos = 0, *v = malloc(cap * sizeof(*v)), *p;
	int32_t line = 1;

	while (v && pos <= len) {
		if (line >= from_line) {
			if (n + 2 > cap) {
				cap *= 2;
				p = realloc(v, cap * sizeof(*v));
				if (!p) {
					free(v);
					v = NULL;
					break;
				}
				v = p;
			}
			v[n++] = pos;
		}
		while (pos < len && py[pos] != '\n')
			pos++;
		pos++;
		line++;
	}
	if (v)
		v[n] = len + 1; /* one past the last line's newline */
	*out = v;
	return v ? n : 0;
}

/* 1 if every checked definition is at its line shifted by shift. */
static int shift_fits(const struct sourcemap *m, const char *py, const size_t *at, size_t n,
		      int64_t shift)
{
	size_t i, lim = m->ndefs < ANCHOR_DEFS ? m->ndefs : ANCHOR_DEFS;
	int64_t g;
	int ok = 1;

	for (i = 0; ok && i < lim; i++) {
		g = m->defs[i].gen + shift;
		ok = g >= 1 && (size_t)g <= n &&
		     is_def(py + at[g - 1], at[g] - 1 - at[g - 1], m->defs[i].name);
	}
	return ok;
}

int sourcemap_anchor(struct sourcemap *m, const char *py, size_t len, int32_t from_line)
{
	size_t *at = NULL, n, i, tries = 0;
	int64_t shift = 0;
	int err = -ENOENT, found = 0;

	if (!m || !m->unanchored)
		return 0;
	if (!py || !m->ndefs)
		return -ENOENT;
	n = index_lines(py, len, from_line < 1 ? 1 : from_line, &at);
	if (!at)
		return -ENOMEM;
	for (i = 0; i < n && tries < ANCHOR_TRIES && !found; i++) {
		if (!is_def(py + at[i], at[i + 1] - 1 - at[i], m->defs[0].name))
			continue;
		tries++;
		shift = (int64_t)i + 1 - m->defs[0].gen;
		found = shift_fits(m, py, at, n, shift);
	}
	if (found && m->nlines && m->lines[0].gen + shift < 1)
		found = 0;
	if (found) {
		for (i = 0; i < m->nlines; i++)
			m->lines[i].gen += (int32_t)shift;
		m->ngen = m->nlines ? (size_t)m->lines[m->nlines - 1].gen : 0;
		m->unanchored = 0;
		err = 0;
	}
	free(at);
	return err;
}
