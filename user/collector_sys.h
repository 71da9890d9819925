/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The collector's real dependencies: BPF maps, the sampler, the
 * inspector and /proc (struct collector_ops). */
#ifndef MLPROF_COLLECTOR_SYS_H
#define MLPROF_COLLECTOR_SYS_H

#include "collector.h"

struct sampler;
struct inspector;

/* bpf and smp may be set after the collector is made (the BPF side needs
 * its event callback), before events flow. */
struct collector_sys {
	struct bpf_ctx *bpf;
	struct sampler *smp;
	struct inspector *in;
};

/* The ops over sys (which must outlive the collector). */
void collector_sys_ops(struct collector_sys *sys, struct collector_ops *ops);

#endif
