// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jsonscan.h"

static int value_of(const char *s, char *out, size_t size)
{
	size_t pos = 0, start = 0;
	int ret = jsonscan_value(s, strlen(s), &pos, &start);

	if (!ret)
		snprintf(out, size, "%.*s", (int)(pos - start), s + start);
	return ret;
}

Test(jsonscan, value_extents)
{
	char v[128];

	cr_assert_eq(value_of("  \"a\\\"]}b\" , 1", v, sizeof(v)), 0);
	cr_assert_str_eq(v, "\"a\\\"]}b\"");
	cr_assert_eq(value_of("{\"k\":[1,{\"x\":\"]\"}],\"y\":2} tail", v, sizeof(v)), 0);
	cr_assert_str_eq(v, "{\"k\":[1,{\"x\":\"]\"}],\"y\":2}");
	cr_assert_eq(value_of("-12.5e3]", v, sizeof(v)), 0);
	cr_assert_str_eq(v, "-12.5e3");
	cr_assert_eq(value_of("true,", v, sizeof(v)), 0);
	cr_assert_str_eq(v, "true");
	cr_assert_eq(value_of("\"\\\\\"x", v, sizeof(v)), 0);
	cr_assert_str_eq(v, "\"\\\\\"");
}

Test(jsonscan, bad_values)
{
	char v[16];

	cr_assert_eq(value_of("", v, sizeof(v)), -EINVAL);
	cr_assert_eq(value_of("   ", v, sizeof(v)), -EINVAL);
	cr_assert_eq(value_of("\"open", v, sizeof(v)), -EINVAL);
	cr_assert_eq(value_of("\"ends in escape\\", v, sizeof(v)), -EINVAL);
	cr_assert_eq(value_of("[1,[2]", v, sizeof(v)), -EINVAL);
	cr_assert_eq(value_of("{\"a\":\"}\"", v, sizeof(v)), -EINVAL);
	cr_assert_eq(value_of(",1", v, sizeof(v)), -EINVAL);
	cr_assert_eq(value_of("]", v, sizeof(v)), -EINVAL);
}

struct seen {
	char keys[8][16];
	char vals[8][32];
	int n;
	const char *text;
	int stop_at;
};

static int member(void *ctx, const char *key, size_t klen, size_t vs, size_t ve)
{
	struct seen *s = ctx;

	snprintf(s->keys[s->n], sizeof(s->keys[0]), "%.*s", (int)klen, key);
	snprintf(s->vals[s->n], sizeof(s->vals[0]), "%.*s", (int)(ve - vs), s->text + vs);
	s->n++;
	return s->n == s->stop_at ? 42 : 0;
}

static int elem(void *ctx, size_t vs, size_t ve, long idx)
{
	struct seen *s = ctx;

	cr_assert_eq(idx, s->n);
	snprintf(s->vals[s->n], sizeof(s->vals[0]), "%.*s", (int)(ve - vs), s->text + vs);
	s->n++;
	return 0;
}

Test(jsonscan, object_members)
{
	const char *t = " { \"a\" : 1 , \"b\\\"c\":[1, \"x\"] ,\"d\":{}} ";
	struct seen s = { .text = t };

	cr_assert_eq(jsonscan_object(t, 0, strlen(t), member, &s), 0);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.keys[0], "a");
	cr_assert_str_eq(s.vals[0], "1");
	cr_assert_str_eq(s.keys[1], "b\\\"c");
	cr_assert_str_eq(s.vals[1], "[1, \"x\"]");
	cr_assert_str_eq(s.vals[2], "{}");
	/* The callback's answer stops the walk and is returned. */
	memset(&s, 0, sizeof(s));
	s.text = t;
	s.stop_at = 2;
	cr_assert_eq(jsonscan_object(t, 0, strlen(t), member, &s), 42);
	cr_assert_eq(s.n, 2);
}

Test(jsonscan, object_structure_checked)
{
	static const char *bad[] = {
		"{\"a\" 1}", "{\"a\":1,}", "{\"a\":1 \"b\":2}", "{a:1}", "{\"a\":}", "[1]",
		"{\"a\":1} x", "{\"a\":1", "{", "", "{,}",
	};
	struct seen s;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&s, 0, sizeof(s));
		s.text = bad[i];
		cr_assert_eq(jsonscan_object(bad[i], 0, strlen(bad[i]), member, &s), -EINVAL, "%s",
			     bad[i]);
	}
	memset(&s, 0, sizeof(s));
	s.text = "{}";
	cr_assert_eq(jsonscan_object("{}", 0, 2, member, &s), 0);
	cr_assert_eq(s.n, 0);
}

Test(jsonscan, array_elements)
{
	const char *t = "[ {\"f\":[1,2]}, 3 ,\"s]\",[] ]";
	struct seen s = { .text = t };

	cr_assert_eq(jsonscan_array(t, 0, strlen(t), elem, &s), 0);
	cr_assert_eq(s.n, 4);
	cr_assert_str_eq(s.vals[0], "{\"f\":[1,2]}");
	cr_assert_str_eq(s.vals[1], "3");
	cr_assert_str_eq(s.vals[2], "\"s]\"");
	cr_assert_str_eq(s.vals[3], "[]");
	memset(&s, 0, sizeof(s));
	s.text = "[]";
	cr_assert_eq(jsonscan_array("[]", 0, 2, elem, &s), 0);
	cr_assert_eq(s.n, 0);
	s.text = "[1,]";
	cr_assert_eq(jsonscan_array(s.text, 0, 4, elem, &s), -EINVAL);
	memset(&s, 0, sizeof(s));
	s.text = "[1 2]";
	cr_assert_eq(jsonscan_array(s.text, 0, 5, elem, &s), -EINVAL);
	cr_assert_eq(jsonscan_array("{}", 0, 2, elem, &s), -EINVAL);
}

/* Every prefix of a valid document: an error, never a read past it. */
Test(jsonscan, truncations)
{
	const char *t = "{\"a\":[1,{\"b\":\"x\\\"y\"}],\"c\":\"]}\"}";
	size_t n;
	struct seen s;

	for (n = 0; n < strlen(t); n++) {
		char *cut = malloc(n ? n : 1); /* exact size: ASan sees any overread */

		memcpy(cut, t, n);
		memset(&s, 0, sizeof(s));
		s.text = cut;
		cr_assert_eq(jsonscan_object(cut, 0, n, member, &s), -EINVAL, "prefix %zu", n);
		free(cut);
	}
}
