// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Code objects of one process image. Line tables are decoded once, when
 * the code event arrives, and looked up per sample by binary search. */
#include <errno.h>
#include <stdlib.h>
#include "hashmap.h"
#include "symtab.h"

struct symtab {
	struct hashmap *codes; /* addr -> struct code_info */
};

struct symtab *symtab__new(void)
{
	struct symtab *st = calloc(1, sizeof(*st));

	if (!st || !(st->codes = hashmap__new(NULL, NULL))) {
		free(st);
		errno = ENOMEM;
		return NULL;
	}
	return st;
}

static void code_free(struct code_info *ci)
{
	linetable_free(&ci->lines);
	free(ci);
}

static int free_code(uint64_t key, void *value, void *ctx)
{
	(void)key;
	(void)ctx;
	code_free(value);
	return 0;
}

void symtab__free(struct symtab *st)
{
	if (!st)
		return;
	hashmap__for_each(st->codes, free_code, NULL);
	hashmap__free(st->codes);
	free(st);
}

struct code_info *symtab__add(struct symtab *st, uint64_t addr, uint32_t func,
			      const uint8_t *linetable, size_t len, int32_t firstlineno)
{
	struct code_info *ci = calloc(1, sizeof(*ci));
	void *old = NULL;
	int err;

	if (!ci)
		return NULL;
	ci->addr = addr;
	ci->func = func;
	ci->ml_preamble = UINT32_MAX;
	ci->ml_template = UINT32_MAX;
	err = linetable_build(&ci->lines, linetable, len, firstlineno);
	if (!err)
		err = hashmap__set(st->codes, addr, ci, &old);
	if (err) {
		code_free(ci);
		ci = NULL;
	} else if (old) {
		code_free(old);
	}
	return ci;
}

const struct code_info *symtab__find(const struct symtab *st, uint64_t addr)
{
	return hashmap__find(st->codes, addr);
}

size_t symtab__size(const struct symtab *st)
{
	return hashmap__size(st->codes);
}

struct visit_ctx {
	void (*fn)(const struct code_info *ci, void *ctx);
	void *ctx;
};

static int visit_code(uint64_t key, void *value, void *ctx)
{
	struct visit_ctx *v = ctx;

	(void)key;
	v->fn(value, v->ctx);
	return 0;
}

void symtab__for_each(const struct symtab *st, void (*fn)(const struct code_info *ci, void *ctx),
		      void *ctx)
{
	struct visit_ctx v = { fn, ctx };

	if (st)
		hashmap__for_each(st->codes, visit_code, &v);
}
