/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The architecture-specific part of bpf/where.bpf.h: which registers say
 * the mode a sample interrupted, its instruction pointer, and the system
 * call a task is in. */
#ifndef MLPROF_WHERE_ARCH_BPF_H
#define MLPROF_WHERE_ARCH_BPF_H

#define WHERE_ENOSYS 38

#if defined(__TARGET_ARCH_x86)

/* A perf_event context's registers allow only 8-byte loads: read them
 * through these (also fine on a task's pt_regs). */
static __always_inline __u64 where_arch_ip(const struct pt_regs *r)
{
	return *(volatile const __u64 *)&r->ip;
}

static __always_inline int where_arch_user_mode(const struct pt_regs *r)
{
	return (*(volatile const __u64 *)&r->cs & 3) == 3;
}

/* The system call the task is in (its user registers, saved at entry),
 * -1 if none. A system call saves its number in orig_ax and enters with
 * ax = -ENOSYS, which it keeps until it returns; an exception saves its
 * error code in orig_ax (a page fault from user mode: 4..7, read as a
 * system call number otherwise) and leaves the user's ax, an interrupt
 * saves ~vector (negative). */
static __always_inline __s32 where_arch_syscall(const struct pt_regs *u)
{
	long orig = (long)u->orig_ax, ax = (long)u->ax;

	return orig >= 0 && orig < 4096 && ax == -WHERE_ENOSYS ? (__s32)orig : -1;
}

/* The vDSO has no file: named apart from anonymous memory. */
static __always_inline int where_arch_is_vdso(struct vm_area_struct *vma)
{
	return BPF_CORE_READ(vma, vm_start) == (unsigned long)BPF_CORE_READ(vma, vm_mm, context.vdso);
}

#define WHERE_ARCH_OK 1

#else

static __always_inline __u64 where_arch_ip(const struct pt_regs *r)
{
	(void)r;
	return 0;
}

static __always_inline int where_arch_user_mode(const struct pt_regs *r)
{
	(void)r;
	return 1;
}

static __always_inline __s32 where_arch_syscall(const struct pt_regs *u)
{
	(void)u;
	return -1;
}

static __always_inline int where_arch_is_vdso(struct vm_area_struct *vma)
{
	(void)vma;
	return 0;
}

#define WHERE_ARCH_OK 0

#endif

#endif /* MLPROF_WHERE_ARCH_BPF_H */
