/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Renders reports from a snapshot, as text or JSON. */
#ifndef MLPROF_REPORT_H
#define MLPROF_REPORT_H

#include <stddef.h>
#include "snapshot.h"
#include "strbuf.h"

enum report_format {
	REPORT_TEXT = 0,
	REPORT_JSON = 1,
};

/* Report types, in the order `all` renders them. */
extern const char *const report_types[];

/* 1 if name is a report type (or "all"). */
int report_type_valid(const char *name);
/* Appends the report to out. 0, -EINVAL (unknown type, message in err)
 * or -ENOMEM. */
int report_render(const struct snap *s, const char *type, enum report_format fmt,
		  struct strbuf *out, char *err, size_t errlen);

/* Several reports: text one after the other; JSON as one object keyed by
 * report type ("all" expands to every type). */
int report_render_many(const struct snap *s, const char *const *types, size_t n,
		       enum report_format fmt, struct strbuf *out, char *err, size_t errlen);

/* Individual renderers (report_<type>.c). */
int report_raw_text(const struct snap *s, struct strbuf *out);
struct cJSON *report_raw_json(const struct snap *s);
int report_ml_summary_text(const struct snap *s, struct strbuf *out);
struct cJSON *report_ml_summary_json(const struct snap *s);
int report_ml_details_text(const struct snap *s, struct strbuf *out);
struct cJSON *report_ml_details_json(const struct snap *s);
int report_dev_summary_text(const struct snap *s, struct strbuf *out);
struct cJSON *report_dev_summary_json(const struct snap *s);
int report_dev_details_text(const struct snap *s, struct strbuf *out);
struct cJSON *report_dev_details_json(const struct snap *s);

/* Shared pieces. */
/* The title between two 70-wide '=' rules. */
void report_header(struct strbuf *out, const char *title);
/* "1,234.567s" and "12.3%" */
const char *report_fmt_secs(double s, char *buf, size_t len);
const char *report_fmt_pct1(double p, char *buf, size_t len);
/* A process's status for people: "running", "exited(0)", "killed(9)". */
const char *report_proc_state(const struct snap_proc *p, char *buf, size_t len);
/* Lines that say what the numbers miss (drops, truncation...), or none. */
void report_data_notes(const struct snap *s, struct strbuf *out);

#endif
