/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Everything of the BPF side that depends on the CPU architecture, in one
 * place: which registers say whether a sample interrupted the kernel, the
 * instruction pointer, the system call a task is in, how it last entered
 * the kernel, and where its vDSO is. The generic code (where.bpf.h,
 * tick.bpf.h, the programs) calls only these.
 * x86-64 is the architecture mlprof runs and is tested on. arm64 has the
 * kernel/user and entry checks (written, never run here) and no
 * "where" attribution (ARCH_WHERE_OK 0: those samples stay unknown). Any
 * other architecture stops the build here: its registers are to be added
 * below, not guessed. */
#ifndef MLPROF_ARCH_BPF_H
#define MLPROF_ARCH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define ARCH_ENOSYS 38

#if defined(__TARGET_ARCH_x86)

/* 1 if a perf event sample interrupted kernel code (the registers are
 * those of the interrupted context). The context only allows 8-byte loads
 * of its registers. */
static __always_inline int arch_in_kernel(struct bpf_perf_event_data *ctx)
{
	return (*(volatile __u64 *)&ctx->regs.cs & 3) != 3; /* CPL of the code segment */
}

/* 1 if the task's latest entry into the kernel was not a system call (an
 * interrupt or exception: the scheduler tick, another device's interrupt,
 * a page fault), 0 if it was; 1 where this architecture does not say. */
static __always_inline int arch_entered_by_interrupt(struct task_struct *task)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

	return (long)BPF_CORE_READ(regs, orig_ax) < 0; /* the system call number, or -1 */
}

/* A perf_event context's registers allow only 8-byte loads: read them
 * through these (also fine on a task's pt_regs). */
static __always_inline __u64 arch_ip(const struct pt_regs *r)
{
	return *(volatile const __u64 *)&r->ip;
}

static __always_inline int arch_user_mode(const struct pt_regs *r)
{
	return (*(volatile const __u64 *)&r->cs & 3) == 3;
}

/* The system call the task is in (its user registers, saved at entry),
 * -1 if none. A system call saves its number in orig_ax and enters with
 * ax = -ENOSYS, which it keeps until it returns; an exception saves its
 * error code in orig_ax (a page fault from user mode: 4..7, read as a
 * system call number otherwise) and leaves the user's ax, an interrupt
 * saves ~vector (negative). */
static __always_inline __s32 arch_syscall(const struct pt_regs *u)
{
	long orig = (long)u->orig_ax, ax = (long)u->ax;

	return orig >= 0 && orig < 4096 && ax == -ARCH_ENOSYS ? (__s32)orig : -1;
}

/* The vDSO has no file: named apart from anonymous memory. */
static __always_inline int arch_is_vdso(struct vm_area_struct *vma)
{
	return BPF_CORE_READ(vma, vm_start) == (unsigned long)BPF_CORE_READ(vma, vm_mm, context.vdso);
}

/* The "where" registers above are known (where.bpf.h). */
#define ARCH_WHERE_OK 1

#elif defined(__TARGET_ARCH_arm64)

static __always_inline int arch_in_kernel(struct bpf_perf_event_data *ctx)
{
	return (*(volatile __u64 *)&ctx->regs.pstate & 0xf) != 0; /* not EL0 */
}

static __always_inline int arch_entered_by_interrupt(struct task_struct *task)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

	return BPF_CORE_READ(regs, syscallno) < 0; /* NO_SYSCALL */
}

/* No "where" attribution: the registers are not read (ARCH_WHERE_OK 0). */
static __always_inline __u64 arch_ip(const struct pt_regs *r)
{
	(void)r;
	return 0;
}

static __always_inline int arch_user_mode(const struct pt_regs *r)
{
	(void)r;
	return 1;
}

static __always_inline __s32 arch_syscall(const struct pt_regs *u)
{
	(void)u;
	return -1;
}

static __always_inline int arch_is_vdso(struct vm_area_struct *vma)
{
	(void)vma;
	return 0;
}

#define ARCH_WHERE_OK 0

#else
#error "bpf/arch.bpf.h: unknown architecture (__TARGET_ARCH_*): mlprof's BPF side knows x86-64 (and arm64's kernel/user checks); add this one's registers here"
#endif

#endif /* MLPROF_ARCH_BPF_H */
