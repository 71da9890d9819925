/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What differs between CPU architectures, kept out of the generic code. */
#ifndef MLPROF_ARCH_BPF_H
#define MLPROF_ARCH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* 1 if a perf event sample interrupted kernel code (the registers are
 * those of the interrupted context). The context only allows 8-byte loads
 * of its registers. */
static __always_inline int arch_in_kernel(struct bpf_perf_event_data *ctx)
{
#if defined(__TARGET_ARCH_x86)
	return (*(volatile __u64 *)&ctx->regs.cs & 3) != 3; /* CPL of the code segment */
#elif defined(__TARGET_ARCH_arm64)
	return (*(volatile __u64 *)&ctx->regs.pstate & 0xf) != 0; /* not EL0 */
#else
	(void)ctx;
	return 0; /* unknown: counted as user time */
#endif
}

/* 1 if the task's latest entry into the kernel was not a system call (an
 * interrupt or exception: the scheduler tick, another device's interrupt,
 * a page fault), 0 if it was; 1 where this architecture does not say. */
static __always_inline int arch_entered_by_interrupt(struct task_struct *task)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

#if defined(__TARGET_ARCH_x86)
	return (long)BPF_CORE_READ(regs, orig_ax) < 0; /* the system call number, or -1 */
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ(regs, syscallno) < 0; /* NO_SYSCALL */
#else
	(void)regs;
	return 1;
#endif
}

#endif /* MLPROF_ARCH_BPF_H */
