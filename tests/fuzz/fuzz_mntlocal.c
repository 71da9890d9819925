// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: any bytes as a mountinfo file (a user names its mount
 * points inside its own namespaces), the first line's text as the path.
 * Must not crash or read out of bounds; the answers are 0 or 1 (also of
 * the device lookup). */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mntlocal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t plen = nl ? (size_t)(nl - (const char *)data) : 0;
	char *path = malloc(plen + 2);
	int r;

	if (!path)
		return 0;
	path[0] = '/';
	memcpy(path + 1, data, plen);
	path[plen + 1] = '\0';
	r = mntlocal_path_is_local((const char *)data, size, path);
	assert(r == 0 || r == 1);
	r = mntlocal_dev_is_local((const char *)data, size, size ? data[0] : 0, 1);
	assert(r == 0 || r == 1);
	free(path);
	return 0;
}
