/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Helpers shared by the report tests: render, parse, compare. */
#ifndef MLPROF_TEST_REPORT_HELPERS_H
#define MLPROF_TEST_REPORT_HELPERS_H

#include <cjson/cJSON.h>
#include "report.h"
#include "snapshot.h"

/* test_view.c: one `mlpy run /w/prog.ml`, 2,000 samples at 1000 Hz. */
void mlrun_snap(struct snap *s);
/* The report as text (malloc'd); fails the test on an error. */
char *render(const struct snap *s, const char *type, enum report_format fmt);
/* The report as parsed JSON; fails the test if it is not JSON. */
cJSON *render_json(const struct snap *s, const char *type);
double num(const cJSON *o, const char *key);
const char *str(const cJSON *o, const char *key);
/* Compares whole texts; on a difference, says where. */
void assert_text(const char *got, const char *want);

#endif
