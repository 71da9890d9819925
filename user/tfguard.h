/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Users whose files stalled a read (tfread.c): a file on a filesystem the
 * user serves (FUSE) or a hung mount that never answers holds the daemon
 * for TFREAD_TIMEOUT_MS. After one such read, that user's files are not
 * read for TFGUARD_HOLD_NS, so starting many processes costs the daemon
 * one timeout per user and period, not one per process. */
#ifndef MLPROF_TFGUARD_H
#define MLPROF_TFGUARD_H

#include <stdint.h>
#include <sys/types.h>

#define TFGUARD_HOLD_NS (600ULL * 1000000000ULL) /* 10 minutes */
#define TFGUARD_SLOTS 64                          /* users held at once */

struct tfguard;

struct tfguard *tfguard__new(void);
void tfguard__free(struct tfguard *g);
/* 1 if uid's files are not to be read at now_ns (CLOCK_MONOTONIC), else 0. */
int tfguard__held(const struct tfguard *g, uid_t uid, uint64_t now_ns);
/* A read of uid's file timed out at now_ns: hold the user for
 * TFGUARD_HOLD_NS. With every slot held, the one that ends first is
 * reused (its user is read again early: bounded memory, and the event
 * loop still pays at most one timeout per slot and period). */
void tfguard__stalled(struct tfguard *g, uid_t uid, uint64_t now_ns);

#endif
