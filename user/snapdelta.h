/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The profile of a time window: a later snapshot minus an earlier one of
 * the same daemon. Stack and function indices differ between snapshots, so
 * stacks are matched by identity: the process image (pid, exec_seq,
 * start_ns) and the frames as (function name, file, definition line, kind,
 * sampled line) sequences, and time bucket by time bucket (the "t" of an
 * entry): a bucket that aged out of the later snapshot takes nothing off
 * the growth of the others. Entries with the same identity and bucket are
 * summed. */
#ifndef MLPROF_SNAPDELTA_H
#define MLPROF_SNAPDELTA_H

#include "snapshot.h"

/* Builds out = later - earlier: every stack whose counts grew, with the
 * growth; processes alive in the window (start_ns = earlier->now_ns,
 * now_ns = later->now_ns) with their sample growth; stats as growth.
 * A stack, process or counter missing from earlier counts from 0; one
 * missing from later (an evicted process) contributes nothing (its loss is
 * in stats.evicted_samples, as an aged-out bucket's is in
 * stats.evicted_bucket_samples). range_from_ns/range_to_ns are the window.
 * When the profiles were reset in between
 * (start_ns differs) earlier is ignored: out is what later holds.
 * Function indices are later's. 0, -EINVAL (mismatched snapshots) or
 * -ENOMEM; out is untouched on error. */
int snapdelta_window(const struct snap *later, const struct snap *earlier, struct snap *out);

/* A deep copy. 0 or -ENOMEM (out untouched). */
int snapdelta_copy(const struct snap *in, struct snap *out);

#endif
