// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Generated Python <-> .ml line alignment by the words of each line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hashmap.h"
#include "mlalign.h"

#define WORDS_MAX 64 /* words kept per line; longer lines compare a prefix */

struct words {
	uint64_t w[WORDS_MAX];
	size_t n;
	int named; /* holds a word that is not a number */
	int cont;  /* (Python) continues the statement of the line before */
};

/* Words that are syntax or mlpy's own wrapping, not the program's. */
static const char *const skip_words[] = {
	"function", "def", "while", "if", "elif", "else", "for", "in", "return", "true", "false",
	"True", "False", "null", "None", "import", "from", "try", "except", "catch", "finally",
	"throw", "raise", "break", "continue", "nonlocal", "and", "or", "not", "is", "lambda",
	"pass", "str", "_safe_call", "builtin", "_safe_attr_access", "_safe_method_call", "fn",
	"as",
};

static int is_word_char(char ch)
{
	return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9');
}

static int skipped(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(skip_words) / sizeof(skip_words[0]); i++) {
		if (strlen(skip_words[i]) == n && !strncmp(skip_words[i], s, n))
			return 1;
	}
	return 0;
}

/* The words of one line [p, end), those inside string literals too (an ML
 * object key `sum:` is the string 'sum' in Python); comments left out. */
static void line_words(const char *p, const char *end, int ml, struct words *w)
{
	const char *s;

	w->n = 0;
	w->named = 0;
	while (p < end) {
		if (*p == '"' || *p == '\'' || *p == '\\') {
			p++; /* quotes and escapes separate words */
		} else if ((!ml && *p == '#') || (ml && *p == '/' && p + 1 < end && p[1] == '/')) {
			break;
		} else if (is_word_char(*p)) {
			for (s = p; p < end && is_word_char(*p); p++)
				;
			if (!skipped(s, (size_t)(p - s)) && w->n < WORDS_MAX) {
				w->w[w->n++] = hashmap_hash_bytes(s, (size_t)(p - s), 0);
				w->named |= *s < '0' || *s > '9';
			}
		} else {
			p++;
		}
	}
}

/* The bracket depth after the line [p, end) of Python, from depth (string
 * literals and comments left out; never below 0). */
static int bracket_depth(const char *p, const char *end, int depth)
{
	char q;

	while (p < end && *p != '#') {
		if (*p == '"' || *p == '\'') {
			for (q = *p++; p < end && *p != q; p++)
				p += *p == '\\' && p + 1 < end;
		} else if (*p == '(' || *p == '[' || *p == '{') {
			depth++;
		} else if ((*p == ')' || *p == ']' || *p == '}') && depth > 0) {
			depth--;
		}
		p++;
	}
	return depth;
}

/* A Python line inside open brackets continues a statement: its words
 * join the statement's first line (head), as far as there is room. */
static void join_words(struct words *head, const struct words *line)
{
	size_t i;

	for (i = 0; i < line->n && head->n < WORDS_MAX; i++)
		head->w[head->n++] = line->w[i];
	head->named |= line->named;
}

/* 1 if every word of ml (with its count) is in py. */
static int covers(const struct words *py, const struct words *ml, uint64_t *work)
{
	uint8_t used[WORDS_MAX] = { 0 };
	size_t i, j;

	*work += (uint64_t)ml->n * py->n;
	for (i = 0; i < ml->n; i++) {
		for (j = 0; j < py->n && (used[j] || py->w[j] != ml->w[i]); j++)
			;
		if (j == py->n)
			return 0;
		used[j] = 1;
	}
	return 1;
}

/* Splits text into at most MLALIGN_MAX_LINES lines' words; *n lines. */
static struct words *split_words(const char *text, size_t len, int ml, size_t *n)
{
	const char *p = text, *end = text + len, *nl;
	size_t lines = 1, i, head = 0;
	struct words *w;
	int depth = 0;

	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (lines > MLALIGN_MAX_LINES)
		lines = MLALIGN_MAX_LINES;
	w = calloc(lines, sizeof(*w));
	for (i = 0; w && i < lines && p <= end; i++, p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		line_words(p, nl, ml, &w[i]);
		if (!ml && depth > 0 && i > 0) {
			join_words(&w[head], &w[i]);
			w[i].n = 0;
			w[i].cont = 1;
		} else {
			head = i;
		}
		if (!ml)
			depth = bracket_depth(p, nl, depth);
	}
	*n = w ? i : 0;
	return w;
}

int mlalign_build(struct mlalign *a, const char *py, size_t pylen, int32_t from_line,
		  const char *ml, size_t mllen)
{
	struct words *pw = NULL, *mw = NULL;
	size_t npy = 0, nml = 0, i, j, cursor = 0, best;
	uint64_t work = 0;
	int err = 0;

	memset(a, 0, sizeof(*a));
	pw = split_words(py, pylen, 0, &npy);
	mw = split_words(ml, mllen, 1, &nml);
	a->ml_line = calloc(npy + 1, sizeof(*a->ml_line));
	if (!pw || !mw || !a->ml_line) {
		err = -ENOMEM;
		goto out;
	}
	a->n = npy;
	for (i = 0; i < npy; i++) {
		a->ml_line[i] = -1;
		if (pw[i].cont && (int64_t)i + 1 > from_line) { /* its statement's line */
			a->ml_line[i] = a->ml_line[i - 1];
			continue;
		}
		if ((int64_t)i + 1 < from_line || !pw[i].n)
			continue;
		if (work > MLALIGN_WORK_MAX) { /* gave up: the rest stays unknown */
			a->unmapped++;
			a->gave_up = 1;
			continue;
		}
		/* The first .ml line after the last match whose words the
		 * generated line holds, and they are at least 2/3 of its own. */
		best = SIZE_MAX;
		for (j = cursor; j < nml && j < cursor + MLALIGN_WINDOW && best == SIZE_MAX; j++) {
			/* (a line of numbers alone, e.g. a row of a table, is
			 * never enough) */
			if (mw[j].named && 3 * mw[j].n >= 2 * pw[i].n && covers(&pw[i], &mw[j], &work))
				best = j;
		}
		if (best == SIZE_MAX) {
			a->unmapped++;
			continue;
		}
		a->ml_line[i] = (int32_t)best + 1;
		a->mapped++;
		cursor = best + 1;
	}
out:
	free(pw);
	free(mw);
	if (err)
		mlalign_free(a);
	return err;
}

int32_t mlalign_line(const struct mlalign *a, int32_t py_line)
{
	if (py_line < 1 || (size_t)py_line > a->n)
		return -1;
	return a->ml_line[py_line - 1];
}

void mlalign_free(struct mlalign *a)
{
	free(a->ml_line);
	memset(a, 0, sizeof(*a));
}

/* The line [p, end) with its indentation skipped. */
static const char *skip_indent(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

static int starts(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && !strncmp(p, word, n);
}

int32_t mlalign_preamble(const char *py, size_t len, int32_t from_line, const char *mark)
{
	static const char *const kinds[] = { "#", "from ", "import ", "if str(Path(",
					     "sys.path.insert(", NULL };
	const char *p = py, *end = py + len, *nl, *q;
	int32_t line = 1, last = 0, gen;
	int more = 1, ok;
	size_t k;

	for (; more && p < end; p = nl < end ? nl + 1 : end, line++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		gen = line - from_line + 1;
		q = skip_indent(p, nl);
		if (gen < 1 || q == nl)
			continue; /* before the program, or blank */
		for (ok = gen == 1 && starts(q, nl, mark), k = 0;
		     gen > 1 && last && kinds[k] && !ok; k++)
			ok = starts(q, nl, kinds[k]);
		last = ok ? gen : last;
		more = ok;
	}
	return last;
}
