// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: any bytes as a saved snapshot file. Loading it one
 * element at a time (snap_from_text) must never read out of bounds, must
 * say why it refuses, and whatever it accepts must be exactly what the
 * whole-tree loader (cJSON + snap_from_json) makes of the same text. */
#include <assert.h>
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot.h"

static char *canon(const struct snap *s)
{
	cJSON *j = snap_to_json(s);
	char *t = j ? cJSON_PrintUnformatted(j) : NULL;

	cJSON_Delete(j);
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1), err[256] = "", err2[256] = "", *a, *b;
	struct snap s1, s2;
	cJSON *root, *obj;

	if (!text)
		return 0;
	memcpy(text, data, size); /* exactly size bytes: no terminator to lean on */
	if (snap_from_text(text, size, &s1, err, sizeof(err))) {
		assert(err[0]);
		assert(s1.nfuncs + s1.nprocs + s1.nstacks == 0);
	} else {
		root = cJSON_ParseWithLength(text, size);
		assert(root);
		obj = cJSON_GetObjectItemCaseSensitive(root, "snapshot");
		assert(snap_from_json(cJSON_IsObject(obj) ? obj : root, &s2, err2, sizeof(err2)) == 0);
		a = canon(&s1);
		b = canon(&s2);
		assert(a && b && !strcmp(a, b));
		free(a);
		free(b);
		snap_free(&s2);
		snap_free(&s1);
		cJSON_Delete(root);
	}
	free(text);
	return 0;
}
