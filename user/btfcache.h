/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The minimized kernel BTF cache (decision 30): a one-shot whose cache
 * holds the BTF that `bpftool gen min_core_btf` made for this kernel and
 * this BPF object passes it to libbpf for the CO-RE relocations instead of
 * parsing the kernel's 5.4 MB. The directory and its files must be root's
 * and writable by no one else; anything else is a miss. */
#ifndef MLPROF_BTFCACHE_H
#define MLPROF_BTFCACHE_H

#include <stddef.h>
#include "btfkey.h"

#define BTFCACHE_BPFTOOL "/usr/sbin/bpftool"

/* The key of the running kernel (its build id) and the object: 0 or
 * -errno. */
int btfcache_key(const void *obj, size_t objlen, struct btfkey *k);
/* A memfd holding the BTF of DIR's file for k, checked, or -errno:
 * -ENOENT (no file), -EPERM (directory or file not root's alone),
 * -EINVAL (corrupt), -ESTALE (another kernel's or object's). */
int btfcache_load(const char *dir, const struct btfkey *k);
/* Makes DIR's file for k by running bpftool on obj (DIR is made 0700 if
 * missing): written under a temporary name, then renamed. 0 or -errno. */
int btfcache_make(const char *dir, const struct btfkey *k, const void *obj, size_t objlen);
/* Words for a btfcache_load error. */
const char *btfcache_strerror(int err);

#endif
