// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Decodes the location table format of CPython 3.11+ (Objects/locations.md):
 * entries start with a byte that has bit 7 set; bits 3-6 say how the line
 * changes, bits 0-2 how many code units (minus one) the entry covers. */
#include <errno.h>
#include <stdlib.h>
#include "linetable.h"

enum {
	LOC_ONE_LINE0 = 10,
	LOC_NO_COLUMNS = 13,
	LOC_LONG = 14,
	LOC_NONE = 15,
};

/* Unsigned varint in 6-bit chunks, least significant first, 0x40 = more.
 * Stops at the end of the table or at the next entry's first byte. */
static uint64_t read_varint(const uint8_t *tab, size_t len, size_t *pos)
{
	uint64_t val = 0;
	unsigned shift = 0;
	uint8_t b;

	while (*pos < len && !(tab[*pos] & 128)) {
		b = tab[(*pos)++];
		if (shift < 60)
			val |= (uint64_t)(b & 63) << shift;
		shift += 6;
		if (!(b & 64))
			break;
	}
	return val;
}

static int64_t read_svarint(const uint8_t *tab, size_t len, size_t *pos)
{
	uint64_t u = read_varint(tab, len, pos);

	return (u & 1) ? -(int64_t)(u >> 1) : (int64_t)(u >> 1);
}

static int add_range(struct linetable *map, size_t *cap, uint32_t start, int32_t line)
{
	struct linetable_range *p;

	if (map->n && map->ranges[map->n - 1].line == line)
		return 0;
	if (map->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		p = realloc(map->ranges, *cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		map->ranges = p;
	}
	map->ranges[map->n].start = start;
	map->ranges[map->n].line = line;
	map->n++;
	return 0;
}

static int32_t clamp_line(int64_t line)
{
	if (line < 0 || line > INT32_MAX)
		return -1;
	return (int32_t)line;
}

int linetable_build(struct linetable *map, const uint8_t *tab, size_t len, int32_t firstlineno)
{
	size_t pos = 0, cap = 0, next;
	int64_t line = firstlineno;
	uint64_t unit = 0;
	int code, err = 0;
	uint8_t b;

	map->ranges = NULL;
	map->n = 0;
	map->end = 0;
	map->firstlineno = firstlineno;
	while (pos < len && !err) {
		b = tab[pos];
		if (!(b & 128)) { /* not an entry start: resynchronise */
			pos++;
			continue;
		}
		code = (b >> 3) & 15;
		next = pos + 1;
		if (code == LOC_NO_COLUMNS || code == LOC_LONG)
			line += read_svarint(tab, len, &next);
		else if (code >= LOC_ONE_LINE0 && code <= LOC_ONE_LINE0 + 2)
			line += code - LOC_ONE_LINE0;
		if (line < INT32_MIN || line > INT32_MAX)
			line = -1;
		err = add_range(map, &cap, (uint32_t)unit, code == LOC_NONE ? -1 : clamp_line(line));
		unit += (uint64_t)(b & 7) + 1;
		if (unit > UINT32_MAX)
			break;
		/* Skip this entry's remaining bytes (columns, end line). */
		pos = next;
		while (pos < len && !(tab[pos] & 128))
			pos++;
	}
	map->end = unit > UINT32_MAX ? UINT32_MAX : (uint32_t)unit;
	if (err)
		linetable_free(map);
	return err;
}

int32_t linetable_line(const struct linetable *map, int64_t unit)
{
	size_t lo = 0, hi = map->n;

	if (unit < 0)
		return map->firstlineno;
	if (!map->n || unit >= map->end)
		return -1;
	/* Last range whose start <= unit. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (map->ranges[mid].start <= unit)
			lo = mid;
		else
			hi = mid;
	}
	return map->ranges[lo].line;
}

void linetable_free(struct linetable *map)
{
	free(map->ranges);
	map->ranges = NULL;
	map->n = 0;
	map->end = 0;
}
