// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* linetable: real co_linetable bytes from 3.11, 3.12 and 3.13 decode to the
 * lines co_lines() reports; malformed tables decode safely. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include "linetable.h"
#include "linetable_vectors.h"

#define NVECTORS (sizeof(lt_vectors) / sizeof(lt_vectors[0]))

static void check_vector(const struct lt_vector *v)
{
	struct linetable map;
	size_t i;
	uint32_t u;

	cr_assert_eq(linetable_build(&map, v->table, v->len, v->firstlineno), 0, "%s", v->name);
	cr_assert_eq(map.end, v->units, "%s: table covers %u units, code has %u", v->name,
		     map.end, v->units);
	for (i = 0; i < v->nspans; i++) {
		for (u = v->spans[i].start; u < v->spans[i].end; u++)
			cr_assert_eq(linetable_line(&map, u), v->spans[i].line,
				     "%s: unit %u: got %d, co_lines() says %d", v->name, u,
				     linetable_line(&map, u), v->spans[i].line);
	}
	cr_assert_eq(linetable_line(&map, -1), v->firstlineno, "%s: before the first unit",
		     v->name);
	cr_assert_eq(linetable_line(&map, v->units), -1, "%s: one past the end", v->name);
	cr_assert_eq(linetable_line(&map, INT64_MAX), -1, "%s: far past the end", v->name);
	/* Ranges are sorted and merged: neighbours never share a line. */
	for (i = 1; i < map.n; i++) {
		cr_assert_lt(map.ranges[i - 1].start, map.ranges[i].start, "%s", v->name);
		cr_assert_neq(map.ranges[i - 1].line, map.ranges[i].line, "%s", v->name);
	}
	linetable_free(&map);
}

Test(linetable, real_tables_match_co_lines)
{
	size_t i;

	cr_assert_eq(NVECTORS, 18, "3 interpreters x 6 functions");
	for (i = 0; i < NVECTORS; i++)
		check_vector(&lt_vectors[i]);
}

/* The vectors must exercise what the format has; check they do. */
static int has_code(const struct lt_vector *v, int code)
{
	size_t i;

	for (i = 0; i < v->len; i++) {
		if ((v->table[i] & 0x80) && ((v->table[i] >> 3) & 15) == code)
			return 1;
	}
	return 0;
}

Test(linetable, vectors_cover_entry_kinds)
{
	int none = 0, lng = 0, oneline = 0, short_form = 0, negative = 0;
	size_t i, k;

	for (i = 0; i < NVECTORS; i++) {
		const struct lt_vector *v = &lt_vectors[i];

		none |= has_code(v, 15);
		lng |= has_code(v, 14);
		oneline |= has_code(v, 11) || has_code(v, 12);
		short_form |= has_code(v, 0);
		for (k = 1; k < v->nspans; k++)
			negative |= v->spans[k].line >= 0 && v->spans[k - 1].line > v->spans[k].line;
	}
	cr_assert(none && lng && oneline && short_form && negative,
		  "none %d long %d one-line %d short %d negative %d", none, lng, oneline,
		  short_form, negative);
}

Test(linetable, loop_311_jumps_back)
{
	/* 3.11 `loop` (def on line 17): the `while` test (24) runs again after
	 * its body (25), so the line goes back. */
	const struct lt_vector *v = NULL;
	struct linetable map;
	size_t i;

	for (i = 0; i < NVECTORS; i++) {
		if (!strcmp(lt_vectors[i].name, "311_loop"))
			v = &lt_vectors[i];
	}
	cr_assert_not_null(v);
	cr_assert_eq(linetable_build(&map, v->table, v->len, v->firstlineno), 0);
	cr_assert_eq(linetable_line(&map, 0), 17);
	cr_assert_eq(linetable_line(&map, 37), 24);
	cr_assert_eq(linetable_line(&map, 43), 25);
	cr_assert_eq(linetable_line(&map, 48), 24);
	cr_assert_eq(linetable_line(&map, 55), 26);
	cr_assert_eq(linetable_line(&map, 56), -1);
	linetable_free(&map);
}

Test(linetable, hand_made_entries)
{
	static const uint8_t tab[] = {
		0x80 | (0 << 3) | 1, 0x05,             /* short form, 2 units: line 10 */
		0x80 | (11 << 3) | 0, 0x04, 0x08,      /* one-line +1: line 11 */
		0x80 | (13 << 3) | 2, 0x0a,            /* no columns, +5: line 16, 3 units */
		0x80 | (14 << 3) | 0, 0x0d, 0x00, 0x01, 0x05, /* long, -6: line 10 */
		0x80 | (15 << 3) | 3,                  /* no location, 4 units */
		0x80 | (10 << 3) | 0, 0x01, 0x02,      /* one-line +0: still 10 */
		0x80 | (13 << 3) | 0, 0x41, 0x01,      /* two-chunk varint 65 = -32 */
	};
	static const int32_t want[] = { 10, 10, 11, 16, 16, 16, 10, -1, -1, -1, -1, 10, -1 };
	struct linetable map;
	size_t u;

	cr_assert_eq(linetable_build(&map, tab, sizeof(tab), 10), 0);
	cr_assert_eq(map.end, 13);
	for (u = 0; u < 12; u++)
		cr_assert_eq(linetable_line(&map, (int64_t)u), want[u], "unit %zu: %d", u,
			     linetable_line(&map, (int64_t)u));
	/* 10 - 32 < 0: no line. */
	cr_assert_eq(linetable_line(&map, 12), -1);
	cr_assert_eq(linetable_line(&map, 13), -1);
	linetable_free(&map);
}

Test(linetable, empty_table)
{
	struct linetable map;

	cr_assert_eq(linetable_build(&map, NULL, 0, 7), 0);
	cr_assert_eq(map.n, 0);
	cr_assert_eq(map.end, 0);
	cr_assert_eq(linetable_line(&map, -1), 7);
	cr_assert_eq(linetable_line(&map, 0), -1);
	cr_assert_eq(linetable_line(&map, 5), -1);
	linetable_free(&map);
	linetable_free(&map); /* twice is harmless */
}

Test(linetable, bytes_without_entry_bit_are_skipped)
{
	static const uint8_t junk[] = { 0x00, 0x12, 0x7f, 0x40 };
	static const uint8_t lead[] = { 0x01, 0x02, 0x80 | (11 << 3) | 1, 0x00, 0x01 };
	struct linetable map;

	cr_assert_eq(linetable_build(&map, junk, sizeof(junk), 3), 0);
	cr_assert_eq(map.n, 0);
	cr_assert_eq(linetable_line(&map, 0), -1);
	linetable_free(&map);

	cr_assert_eq(linetable_build(&map, lead, sizeof(lead), 3), 0);
	cr_assert_eq(map.end, 2);
	cr_assert_eq(linetable_line(&map, 0), 4);
	cr_assert_eq(linetable_line(&map, 1), 4);
	linetable_free(&map);
}

Test(linetable, truncated_varint_at_end)
{
	/* Code 13 whose varint says "more" and then the table ends. */
	static const uint8_t tab[] = { 0x80 | (13 << 3) | 0, 0x44 };
	struct linetable map;

	cr_assert_eq(linetable_build(&map, tab, sizeof(tab), 20), 0);
	cr_assert_eq(map.end, 1);
	cr_assert_eq(linetable_line(&map, 0), 22); /* the chunk read: 4 -> +2 */
	linetable_free(&map);
}

Test(linetable, truncated_varint_before_next_entry)
{
	/* A varint cut by the next entry's first byte: the next entry must
	 * still be decoded (it starts with bit 7 set). */
	static const uint8_t tab[] = {
		0x80 | (13 << 3) | 0, 0x44,  /* +2, "more" but cut */
		0x80 | (12 << 3) | 1, 0x01, 0x02, /* +2, 2 units */
	};
	struct linetable map;

	cr_assert_eq(linetable_build(&map, tab, sizeof(tab), 20), 0);
	cr_assert_eq(map.end, 3, "the second entry was swallowed by the varint");
	cr_assert_eq(linetable_line(&map, 0), 22);
	cr_assert_eq(linetable_line(&map, 1), 24);
	cr_assert_eq(linetable_line(&map, 2), 24);
	linetable_free(&map);
}

Test(linetable, huge_deltas)
{
	/* A delta far beyond int32 (a 13-chunk varint) means "no line"; the
	 * entries after it still decode. */
	uint8_t tab[64];
	struct linetable map;
	size_t n = 0, i;

	tab[n++] = 0x80 | (13 << 3) | 0;
	for (i = 0; i < 12; i++) /* 12 chunks of all ones: more than 64 bits */
		tab[n++] = 0x40 | 0x3e;
	tab[n++] = 0x00;
	tab[n++] = 0x80 | (14 << 3) | 7; /* long form, +1, 8 units */
	tab[n++] = 0x02;
	tab[n++] = 0x00;
	tab[n++] = 0x01;
	tab[n++] = 0x01;
	cr_assert_eq(linetable_build(&map, tab, n, 1), 0);
	cr_assert_eq(map.end, 9);
	cr_assert_eq(linetable_line(&map, 0), -1);
	for (i = 0; i < map.n; i++)
		cr_assert_geq(map.ranges[i].line, -1);
	linetable_free(&map);
}

Test(linetable, negative_result_is_no_line)
{
	static const uint8_t tab[] = {
		0x80 | (13 << 3) | 0, 0x0b, /* -5 from 3 */
		0x80 | (13 << 3) | 0, 0x14, /* +10: back to 8 */
	};
	struct linetable map;

	cr_assert_eq(linetable_build(&map, tab, sizeof(tab), 3), 0);
	cr_assert_eq(linetable_line(&map, 0), -1);
	cr_assert_eq(linetable_line(&map, 1), 8);
	linetable_free(&map);
}

Test(linetable, many_entries_binary_search)
{
	/* 1000 one-unit entries alternating +1 and +0 lines. */
	uint8_t tab[2000];
	struct linetable map;
	size_t i;

	for (i = 0; i < 1000; i++) {
		tab[2 * i] = 0x80 | (13 << 3) | 0;
		tab[2 * i + 1] = (i % 2) ? 0x00 : 0x02;
	}
	cr_assert_eq(linetable_build(&map, tab, sizeof(tab), 0), 0);
	cr_assert_eq(map.end, 1000);
	cr_assert_eq(map.n, 500, "equal neighbours are merged");
	for (i = 0; i < 1000; i++)
		cr_assert_eq(linetable_line(&map, (int64_t)i), (int32_t)(i / 2 + 1));
	linetable_free(&map);
}
