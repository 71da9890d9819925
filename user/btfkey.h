/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The key and file format of the minimized kernel BTF cache (decision 30):
 * the kernel's build id (from /sys/kernel/notes) and a hash of the BPF
 * object, and a header that repeats them with the BTF's length and
 * checksum. Pure: no I/O. */
#ifndef MLPROF_BTFKEY_H
#define MLPROF_BTFKEY_H

#include <stddef.h>
#include <stdint.h>

#define BTFKEY_ID_MAX 64
/* Longer than any minimized BTF of this object (2 KiB here). */
#define BTFKEY_BTF_MAX (4u << 20)
/* "<build id hex>-<object hash hex>.btf" and its NUL. */
#define BTFKEY_NAME_MAX (2 * BTFKEY_ID_MAX + 1 + 16 + 4 + 1)

struct btfkey {
	uint8_t id[BTFKEY_ID_MAX];
	uint32_t idlen;
	uint64_t obj_hash;
	uint64_t obj_len;
};

struct btfkey_hdr {
	char magic[8];
	uint32_t idlen;
	uint8_t id[BTFKEY_ID_MAX];
	uint32_t zero;
	uint64_t obj_hash;
	uint64_t obj_len;
	uint64_t btf_len;
	uint64_t btf_sum;
};

/* FNV-1a, 64 bits. */
uint64_t btfkey_hash(const void *p, size_t n);
/* The GNU build id in an ELF note section's bytes (/sys/kernel/notes):
 * 0, -ENOENT (no such note), -EINVAL (a malformed note or an id longer
 * than BTFKEY_ID_MAX). */
int btfkey_build_id(const void *notes, size_t len, uint8_t id[BTFKEY_ID_MAX], uint32_t *idlen);
/* The cache file's name for the key: 0 or -EINVAL. */
int btfkey_name(const struct btfkey *k, char name[BTFKEY_NAME_MAX]);
/* Fills the header for BTF of n bytes: 0 or -EINVAL. */
int btfkey_header(const struct btfkey *k, const void *btf, size_t n, struct btfkey_hdr *h);
/* Checks a cache file's bytes against the key. 0 with the BTF at
 * file + sizeof(struct btfkey_hdr), *btf_len bytes; -EINVAL (not a cache
 * file, truncated, corrupt) or -ESTALE (another kernel or object). */
int btfkey_check(const void *file, size_t n, const struct btfkey *k, size_t *btf_len);

#endif
