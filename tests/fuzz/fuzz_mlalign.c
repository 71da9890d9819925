// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: any bytes split at the first NUL into generated Python
 * and an .ml source (the first byte picks from_line). Every mapped line
 * must be a line of the .ml, in increasing order (lines of one statement
 * share its line). */
#include <assert.h>
#include <stdint.h>
#include <string.h>
#include "mlalign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nul;
	struct mlalign a;
	size_t pylen, mllen, nml = 1, npy, i;
	int32_t from = 1, last = 0, l;

	if (size) {
		from = data[0] % 8;
		text++;
		size--;
	}
	nul = memchr(text, '\0', size);
	pylen = nul ? (size_t)(nul - text) : size;
	mllen = nul ? size - pylen - 1 : 0;
	for (i = 0; i < mllen; i++)
		nml += nul[1 + i] == '\n';
	if (mlalign_build(&a, text, pylen, from, nul ? nul + 1 : "", mllen))
		return 0;
	for (i = 1; i <= a.n; i++) {
		l = mlalign_line(&a, (int32_t)i);
		assert(l == -1 || (l >= 1 && (size_t)l <= nml));
		if (l > 0) {
			assert((int32_t)i >= from);
			/* a continuation line repeats its statement's line */
			assert(l > last || (l == last && mlalign_line(&a, (int32_t)i - 1) == l));
			last = l;
		}
	}
	assert(a.mapped + a.unmapped <= a.n);
	mlalign_free(&a);
	/* The preamble ends within the text's lines. */
	for (i = 0, npy = 1; i < pylen; i++)
		npy += text[i] == '\n';
	l = mlalign_preamble(text, pylen, from, "\"\"\"G");
	assert(l >= 0 && (size_t)l <= npy + 1);
	return 0;
}
