// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* snap_from_text: the same snapshot as snap_from_json, one element at a
 * time, and the same refusals. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixtures.h"
#include "snapshot.h"

/* The canonical text of a snapshot (to compare two loads). */
static char *canon(const struct snap *s)
{
	cJSON *j = snap_to_json(s);
	char *t = cJSON_PrintUnformatted(j);

	cJSON_Delete(j);
	return t;
}

static char *fixture_text(void)
{
	struct snap a;
	char *t;

	fixture_snap(&a);
	free(a.procs[1].container);
	a.procs[1].container = strdup("root=/var/lib/c1 \"quoted\" ]}");
	t = canon(&a);
	snap_free(&a);
	return t;
}

Test(snapload, same_as_the_tree)
{
	char *t = fixture_text(), *u, err[256] = "";
	struct snap b;

	cr_assert_eq(snap_from_text(t, strlen(t), &b, err, sizeof(err)), 0, "%s", err);
	u = canon(&b);
	cr_assert_str_eq(u, t);
	cr_assert_gt(b.nstacks, 0);
	free(u);
	snap_free(&b);
	free(t);
}

Test(snapload, wrapped_formatted_and_reordered)
{
	char *t = fixture_text(), *u, *w, err[256] = "";
	cJSON *j = cJSON_Parse(t), *o = cJSON_CreateObject(), *st;
	struct snap b;

	/* Stacks first (they refer to functions and processes), pretty
	 * printed, inside {"snapshot": ...} with other members around. */
	st = cJSON_DetachItemFromObject(j, "stacks");
	cJSON_AddItemToObject(o, "ok", cJSON_CreateTrue());
	cJSON_AddItemToObject(j, "zzz", cJSON_CreateString("ignored"));
	{
		cJSON *re = cJSON_CreateObject();

		cJSON_AddItemToObject(re, "stacks", st);
		while (j->child) {
			char *k = strdup(j->child->string);

			cJSON_AddItemToObject(re, k, cJSON_DetachItemViaPointer(j, j->child));
			free(k);
		}
		cJSON_AddItemToObject(o, "snapshot", re);
	}
	w = cJSON_Print(o);
	cr_assert_eq(snap_from_text(w, strlen(w), &b, err, sizeof(err)), 0, "%s", err);
	u = canon(&b);
	cr_assert_str_eq(u, t);
	free(u);
	free(w);
	snap_free(&b);
	cJSON_Delete(o);
	cJSON_Delete(j);
	free(t);
}

Test(snapload, every_prefix_refused)
{
	char *t = fixture_text(), err[256];
	size_t n, len = strlen(t);
	struct snap b;

	for (n = 0; n < len; n++) {
		char *cut = malloc(n ? n : 1); /* exact size: ASan sees any overread */

		memcpy(cut, t, n);
		cr_assert_eq(snap_from_text(cut, n, &b, err, sizeof(err)), -EINVAL, "prefix %zu", n);
		cr_assert_eq(b.nfuncs + b.nprocs + b.nstacks, 0);
		cr_assert_neq(err[0], 0);
		free(cut);
	}
	free(t);
}

Test(snapload, not_snapshots)
{
	static const char *bad[] = {
		"", "[1,2]", "{}", "{\"format\":\"mlprof-snapshot\"}", "{\"a\":1} {}", "nul",
		"{\"snapshot\":{}}", "{\"format\":\"mlprof-snapshot\",\"version\":1,\"stacks\":{}}",
	};
	char err[256];
	struct snap b;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		cr_assert_eq(snap_from_text(bad[i], strlen(bad[i]), &b, err, sizeof(err)), -EINVAL,
			     "%s", bad[i]);
		cr_assert_neq(err[0], 0, "%s", bad[i]);
	}
}
