// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Helpers shared by the report tests. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include "report_helpers.h"
#include "strbuf.h"

char *render(const struct snap *s, const char *type, enum report_format fmt)
{
	struct strbuf out = STRBUF_INIT;
	char err[256] = "";

	cr_assert_eq(report_render(s, type, fmt, &out, err, sizeof(err)), 0, "%s", err);
	cr_assert_not_null(out.buf);
	return strbuf_detach(&out);
}

cJSON *render_json(const struct snap *s, const char *type)
{
	char *txt = render(s, type, REPORT_JSON);
	cJSON *o = cJSON_Parse(txt);

	cr_assert_not_null(o, "not JSON:\n%s", txt);
	free(txt);
	return o;
}

double num(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	cr_assert(cJSON_IsNumber(j), "no number '%s'", key);
	return j->valuedouble;
}

const char *str(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	cr_assert(cJSON_IsString(j), "no string '%s'", key);
	return j->valuestring;
}

void assert_text(const char *got, const char *want)
{
	size_t i, line = 1;

	for (i = 0; got[i] && got[i] == want[i]; i++)
		line += got[i] == '\n';
	cr_assert(got[i] == want[i], "texts differ at byte %zu (line %zu):\n--- got:\n%s--- want:\n%s",
		  i, line, got, want);
}

