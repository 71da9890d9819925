/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Copies a code object's names and line table into a code event, so that
 * user space can symbolise samples of a process that is already gone. */
#ifndef MLPROF_PYCODE_BPF_H
#define MLPROF_PYCODE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "mlprof_abi.h"
#include "maps.bpf.h"

/* Reads a pointer-sized field of a buffer at a layout offset. The mask keeps
 * the verifier's bounds and the 8-byte alignment of pointer fields. */
#define FIELD64(buf, off, size) (*(__u64 *)((buf) + ((off) & ((size) - 8))))
#define FIELD32(buf, off, size) (*(__u32 *)((buf) + ((off) & ((size) - 4))))

/* Copies the code units of a str object into dst; returns bytes copied. */
static __always_inline __u32 copy_str(struct scratch *s, const struct mlprof_layout *L,
				      __u64 str, __u32 off, __u32 cap, __u8 *kind_out,
				      __u32 *flags, __u32 cut_flag)
{
	__u64 len, data, bytes;
	__u32 state, kind;

	*kind_out = 0;
	/* Only the header: a short str can end right before an unmapped page. */
	if (!str || bpf_probe_read_user(s->obj, MLPROF_STR_HEAD_READ, (void *)str)) {
		*flags |= MLPROF_CF_READ_ERR;
		return 0;
	}
	len = FIELD64(s->obj, L->str_length, sizeof(s->obj));
	state = FIELD32(s->obj, L->str_state, sizeof(s->obj));
	kind = (state >> 2) & 7;
	if (!((state >> 5) & 1) || (kind != 1 && kind != 2 && kind != 4))
		return 0; /* not a compact str: nothing we can read safely */
	data = str + (((state >> 6) & 1) ? L->str_ascii_size : L->str_compact_size);
	bytes = len * kind;
	if (bytes > cap) {
		bytes = cap; /* caps are multiples of 4: whole code units */
		*flags |= cut_flag;
	}
	if (off > MLPROF_CODE_DATA_MAX - cap || bytes > cap)
		return 0;
	if (bpf_probe_read_user(s->code.data + off, bytes, (void *)data)) {
		*flags |= MLPROF_CF_READ_ERR;
		return 0;
	}
	*kind_out = kind;
	return bytes;
}

static __always_inline __u32 copy_linetable(struct scratch *s, const struct mlprof_layout *L,
					    __u64 bytes_obj, __u32 off)
{
	__u64 size, n;

	s->code.linetable_size = 0;
	if (!bytes_obj || bpf_probe_read_user(s->obj, MLPROF_BYTES_HEAD_READ, (void *)bytes_obj)) {
		s->code.flags |= MLPROF_CF_READ_ERR;
		return 0;
	}
	size = FIELD64(s->obj, L->bytes_size, sizeof(s->obj));
	n = size;
	if (n > MLPROF_LINETABLE_MAX) {
		n = MLPROF_LINETABLE_MAX;
		s->code.flags |= MLPROF_CF_LINETABLE_CUT;
	}
	if (off > MLPROF_CODE_DATA_MAX - MLPROF_LINETABLE_MAX || n > MLPROF_LINETABLE_MAX)
		return 0;
	if (bpf_probe_read_user(s->code.data + off, n, (void *)(bytes_obj + L->bytes_sval))) {
		s->code.flags |= MLPROF_CF_READ_ERR;
		return 0;
	}
	s->code.linetable_size = size > 0xffffffffULL ? 0xffffffffU : (__u32)size;
	return n;
}

/* Builds and sends the code event for the code object in s->codeobj, with
 * the header of the sample in s. Returns 0 if it was sent. A global
 * function: verified once on its own, not once per path of each walk that
 * calls it. */
__noinline int emit_code(struct scratch *s, const struct mlprof_layout *L, __u64 code)
{
	struct mlprof_code *ev;
	__u32 off = 0, n;
	long err;

	if (!s || !L)
		return -1;
	ev = &s->code;
	ev->hdr = s->sample.hdr;
	ev->hdr.type = MLPROF_EV_CODE;
	ev->code = code;
	ev->flags = 0;
	ev->firstlineno = (__s32)FIELD32(s->codeobj, L->co_firstlineno, MLPROF_CODE_READ);

	n = copy_str(s, L, FIELD64(s->codeobj, L->co_filename, MLPROF_CODE_READ), off,
		     MLPROF_FILENAME_MAX, &ev->filename_kind, &ev->flags, MLPROF_CF_FILENAME_CUT);
	if (n > MLPROF_FILENAME_MAX)
		return -1;
	ev->filename_len = n;
	off += n;
	n = copy_str(s, L, FIELD64(s->codeobj, L->co_name, MLPROF_CODE_READ), off,
		     MLPROF_NAME_MAX, &ev->name_kind, &ev->flags, MLPROF_CF_NAME_CUT);
	if (n > MLPROF_NAME_MAX)
		return -1;
	ev->name_len = n;
	off += n;
	n = copy_str(s, L, FIELD64(s->codeobj, L->co_qualname, MLPROF_CODE_READ), off,
		     MLPROF_QUALNAME_MAX, &ev->qualname_kind, &ev->flags, MLPROF_CF_QUALNAME_CUT);
	if (n > MLPROF_QUALNAME_MAX)
		return -1;
	ev->qualname_len = n;
	off += n;
	n = copy_linetable(s, L, FIELD64(s->codeobj, L->co_linetable, MLPROF_CODE_READ), off);
	if (n > MLPROF_LINETABLE_MAX)
		return -1;
	ev->linetable_len = n;
	off += n;
	/* A wake-up now: rare (once per code object), and user space reads
	 * the code's file while the process still has it (an mlpy sandbox
	 * deletes its script as it exits). */
	err = bpf_ringbuf_output(&events, ev, offsetof(struct mlprof_code, data) + off, 0);
	if (err) {
		stat_inc(MLPROF_STAT_CODE_DROPS);
		return -1;
	}
	stat_inc(MLPROF_STAT_CODE_EVENTS);
	return 0;
}

/* Changes when a code object's address is reused by another one. */
static __always_inline __u64 code_identity(const struct scratch *s, const struct mlprof_layout *L)
{
	__u64 h = FIELD64(s->codeobj, L->co_linetable, MLPROF_CODE_READ);

	h ^= FIELD64(s->codeobj, L->co_name, MLPROF_CODE_READ) * 0x9e3779b97f4a7c15ULL;
	h ^= FIELD64(s->codeobj, L->co_filename, MLPROF_CODE_READ) * 0xc2b2ae3d27d4eb4fULL;
	h ^= (__u64)FIELD32(s->codeobj, L->co_firstlineno, MLPROF_CODE_READ) << 17;
	return h | 1;
}

#endif /* MLPROF_PYCODE_BPF_H */
