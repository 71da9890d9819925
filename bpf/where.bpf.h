/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Where a CPU sample's thread spent its own time: in the interpreter's
 * text, in another native object (named by the file of the mapping of the
 * user IP, found with bpf_find_vma: only for IPs outside the interpreter,
 * and read here so a process that exits at once is still named), or in
 * the kernel (with the system call it is in). docs/design.md decision 26. */
#ifndef MLPROF_WHERE_BPF_H
#define MLPROF_WHERE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "mlprof_abi.h"
#include "arch.bpf.h"
#include "maps.bpf.h"

struct where_vma_ctx {
	char name[MLPROF_OBJ_NAME];
};

static long where_vma_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct where_vma_ctx *w = data;
	struct file *f = BPF_CORE_READ(vma, vm_file);

	(void)task;
	if (f)
		bpf_probe_read_kernel_str(w->name, sizeof(w->name),
					  BPF_CORE_READ(f, f_path.dentry, d_name.name));
	else if (arch_is_vdso(vma))
		__builtin_memcpy(w->name, "[vdso]", sizeof("[vdso]"));
	else
		__builtin_memcpy(w->name, "[anonymous]", sizeof("[anonymous]"));
	return 0;
}

/* Fills s->where, s->syscall and s->obj for a CPU sample. mode: 1 the
 * sample interrupted user code at ip, 0 the kernel, -1 unknown (then the
 * task's user registers decide: in a system call is kernel, else user code
 * at the IP it left). */
static __always_inline void where_capture_at(struct mlprof_sample *s,
					     const struct mlprof_target *t, int mode, __u64 ip)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct pt_regs *u = (const struct pt_regs *)bpf_task_pt_regs(task);
	struct where_vma_ctx w = {};
	__s32 nr;

	s->where = MLPROF_WH_UNKNOWN;
	s->syscall = -1;
	s->obj[0] = 0;
	if (!ARCH_WHERE_OK || !u || (pieces_off & MLPROF_OFF_WHERE))
		mode = 2; /* cannot tell (or not asked): stays unknown */
	nr = u && mode != 2 ? arch_syscall(u) : -1;
	if (mode < 0 && u) {
		mode = nr < 0;
		ip = arch_ip(u);
	}
	if (mode == 2) {
		s->where = MLPROF_WH_UNKNOWN;
	} else if (!mode) {
		s->where = MLPROF_WH_KERNEL;
		s->syscall = nr;
	} else if (!t->text_hi) {
		s->where = MLPROF_WH_UNKNOWN;
	} else if (ip >= t->text_lo && ip < t->text_hi) {
		s->where = MLPROF_WH_INTERP;
	} else {
		s->where = MLPROF_WH_NATIVE;
		if (!bpf_find_vma(task, ip, where_vma_cb, &w, 0))
			__builtin_memcpy(s->obj, w.name, sizeof(s->obj));
	}
}

/* The same from a task's registers (a BTF pt_regs the program was given),
 * or NULL: from the task's user registers (a tracepoint on the scheduler
 * path, e.g. the tick program). */
static __always_inline void where_capture(struct mlprof_sample *s, const struct mlprof_target *t,
					  const struct pt_regs *regs)
{
	int mode = -1;
	__u64 ip = 0;

	if (regs) {
		mode = arch_user_mode(regs);
		ip = arch_ip(regs);
	}
	where_capture_at(s, t, mode, ip);
}

/* The same from a perf_event program's context (its registers allow only
 * 8-byte loads, and must not share an instruction with a BTF pointer:
 * both are read here, before anything else). */
static __always_inline void where_capture_perf(struct mlprof_sample *s,
					       const struct mlprof_target *t,
					       struct bpf_perf_event_data *ctx)
{
	int mode = arch_user_mode((const struct pt_regs *)&ctx->regs);
	__u64 ip = arch_ip((const struct pt_regs *)&ctx->regs);

	where_capture_at(s, t, mode, ip);
}

/* A thread that blocks is in the kernel: just the system call it is in
 * (no bpf_find_vma on the scheduler's path). */
static __always_inline void where_capture_blocked(struct mlprof_sample *s)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct pt_regs *u = (const struct pt_regs *)bpf_task_pt_regs(task);

	s->where = MLPROF_WH_KERNEL;
	s->syscall = u && ARCH_WHERE_OK ? arch_syscall(u) : -1;
	s->obj[0] = 0;
}

/* For samples that are not CPU samples. */
static __always_inline void where_clear(struct mlprof_sample *s)
{
	s->where = MLPROF_WH_UNKNOWN;
	s->syscall = -1;
	s->obj[0] = 0;
}

#endif /* MLPROF_WHERE_BPF_H */
