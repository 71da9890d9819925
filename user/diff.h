/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Two profiles compared per function (mlprofctl diff A B): CPU seconds
 * self and total in each, matched by the function's label ("fib
 * (hotspots.ml:2)"), sorted by the largest absolute change first (self,
 * then total). Pure functions. */
#ifndef MLPROF_DIFF_H
#define MLPROF_DIFF_H

#include <stddef.h>
#include "snapshot.h"
#include "strbuf.h"

struct diff_row {
	char *name;
	double self_a, self_b;   /* CPU seconds */
	double total_a, total_b;
};

/* rows: b minus a. 0, -EINVAL (bad snapshot) or -ENOMEM; free with diff_free. */
int diff_functions(const struct snap *a, const struct snap *b, struct diff_row **rows,
		   size_t *n);
void diff_free(struct diff_row *rows, size_t n);
/* Text table, or JSON {"functions":[{"name","self_a_s",...,"total_delta_s"}]}. */
int diff_render(const struct diff_row *rows, size_t n, int json, struct strbuf *out);

#endif
