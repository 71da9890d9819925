// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: any bytes as a co_linetable (the first 4 bytes are
 * co_firstlineno), then lookups. The map must stay well formed. */
#include <assert.h>
#include <stdint.h>
#include <string.h>
#include "linetable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linetable map;
	int32_t first = 0, line;
	size_t i;
	uint64_t u;

	if (size >= 4) {
		memcpy(&first, data, 4);
		data += 4;
		size -= 4;
	}
	if (linetable_build(&map, data, size, first))
		return 0;
	/* Every entry covers at least one code unit and comes from at least
	 * one byte; ranges are sorted, merged and inside the table. */
	assert(map.n <= size);
	assert(map.end <= 8 * (uint64_t)size);
	for (i = 0; i < map.n; i++) {
		assert(map.ranges[i].line >= -1);
		assert(map.ranges[i].start < map.end);
		if (i) {
			assert(map.ranges[i - 1].start < map.ranges[i].start);
			assert(map.ranges[i - 1].line != map.ranges[i].line);
		}
	}
	assert(!map.n || map.ranges[0].start == 0);
	assert(linetable_line(&map, -1) == first);
	assert(linetable_line(&map, map.end) == -1);
	for (u = 0; u < map.end && u < 4096; u++) {
		line = linetable_line(&map, (int64_t)u);
		assert(line >= -1);
	}
	for (i = 0; i < map.n; i++)
		assert(linetable_line(&map, map.ranges[i].start) == map.ranges[i].line);
	linetable_free(&map);
	return 0;
}
