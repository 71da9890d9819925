/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Profiles in the formats other tools read, rendered from a snapshot (pure
 * functions, like the reports):
 *   collapsed   "proc;outer;...;inner count" lines (FlameGraph, inferno,
 *               speedscope, Grafana Pyroscope): CPU samples
 *   speedscope  speedscope's JSON file format: one sampled profile per
 *               process image (CPU time in ns; memory mapped in bytes too
 *               when memory was measured)
 *   pprof       gzipped pprof protobuf (go tool pprof, Pyroscope, Parca):
 *               samples/count, cpu/nanoseconds [, alloc_space/bytes,
 *               alloc_objects/count, resident_space/bytes], labels
 *               category, pid, process
 * ML frames are named by their .ml function, file and line. Stacks that
 * occur several times (time buckets) are summed (collapsed) or kept as
 * separate samples (speedscope, pprof; the tools add them up). */
#ifndef MLPROF_EXPORT_H
#define MLPROF_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"
#include "strbuf.h"

/* Each appends to out; 0 or -errno (-ENOMEM, -EINVAL for a snapshot whose
 * indices are out of range). */
int export_collapsed(const struct snap *s, struct strbuf *out);
int export_speedscope(const struct snap *s, struct strbuf *out);
int export_pprof(const struct snap *s, struct strbuf *out); /* gzipped pprof bytes */
/* One self-contained HTML page (flame graph, timeline, memory, the text
 * reports), the profile inline; export_html_diff shows s against base (a
 * differential flame graph); export_html_page is the page with no data
 * (the live page, which reads the daemon's html-data endpoint). */
int export_html(const struct snap *s, struct strbuf *out);
int export_html_diff(const struct snap *s, const struct snap *base, struct strbuf *out);
int export_html_page(struct strbuf *out);
/* The page's data object alone (the live page's /html-data). */
int export_html_data(const struct snap *s, struct strbuf *out);
/* s as a JSON string, with '<', '>', '&' and control characters escaped. */
void export_json_str(struct strbuf *out, const char *s);

/* By format name ("collapsed", "speedscope", "pprof"); -EINVAL if unknown. */
int export_render(const struct snap *s, const char *format, struct strbuf *out);
/* 1 if format names an export format. */
int export_format_valid(const char *format);
/* 1 if the format's output is binary (not for a terminal). */
int export_format_binary(const char *format);

/* Shared by the exporters (export.c). */
/* A function's name for people: the ML name for ML code, the qualified
 * name for Python, never empty ("<unnamed>"). */
const char *export_func_name(const struct snap_func *f);
/* "name (file.ml:line)", "qualname (file.py:line)" or a pseudo function's
 * name, with ';' and control characters replaced (folded-stack safe). */
void export_func_label(const struct snap_func *f, char *buf, size_t len);
/* A process image's name: comm, else its executable's base name, else "?". */
const char *export_proc_name(const struct snap_proc *p);
/* "name [pid]" of a process image, folded-stack safe. */
void export_proc_label(const struct snap_proc *p, char *buf, size_t len);
/* Nanoseconds of CPU one sample stands for (1e9 / freq_hz), 0 if unknown. */
uint64_t export_period_ns(const struct snap *s);
/* The time the profile covers (CLOCK_MONOTONIC ns): the time range it was
 * cut to, else daemon start (or reset) to the snapshot. */
void export_window(const struct snap *s, uint64_t *from, uint64_t *to);
/* a + b and a * b, stopping at max instead of wrapping. */
uint64_t export_add_sat(uint64_t a, uint64_t b, uint64_t max);
uint64_t export_mul_sat(uint64_t a, uint64_t b, uint64_t max);
/* 0 if every stack's process and functions are in range, else -EINVAL. */
int export_check(const struct snap *s);
/* Name of the frame shown for a stack with no frames at all. */
#define EXPORT_NO_FRAMES "<no frames>"

#endif
