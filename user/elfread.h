/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Just enough ELF reading (with libelf) to find CPython's runtime in a
 * binary or shared library that a target process has mapped. The input is
 * controlled by targets: every offset is checked. */
#ifndef MLPROF_ELFREAD_H
#define MLPROF_ELFREAD_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#define ELFREAD_MAX_LOADS 16

struct elfread_load {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags;
};

struct elfread;

/* The machine (e_machine) of the files read: the daemon's own, since it
 * reads the binaries of processes running beside it. */
#if defined(__x86_64__)
#define ELFREAD_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define ELFREAD_MACHINE EM_AARCH64
#else
#error "elfread: no ELF machine known for this architecture"
#endif

/* NULL with errno set: ENOENT/EACCES from open, ENOEXEC for not-ELF or a
 * malformed ELF, EPROTONOSUPPORT for a file that is not ELF64 of
 * ELFREAD_MACHINE. */
struct elfread *elfread_open(const char *path);
/* Same on a copy of a memory image (tests, fuzzing). */
struct elfread *elfread_open_mem(const void *image, size_t len);
void elfread_close(struct elfread *ef);

int elfread_type(const struct elfread *ef); /* ET_EXEC, ET_DYN */
size_t elfread_loads(const struct elfread *ef, const struct elfread_load **loads);
/* A symbol's value and size from .dynsym, else .symtab. 0 or -ENOENT. */
int elfread_symbol(struct elfread *ef, const char *name, uint64_t *value, uint64_t *size);
/* A section's address and size. 0 or -ENOENT. */
int elfread_section(struct elfread *ef, const char *name, uint64_t *addr, uint64_t *size);
/* 1 if a DT_NEEDED entry starts with prefix, else 0. */
int elfread_needs(struct elfread *ef, const char *prefix);
/* Copies len bytes of initialised data at a link-time virtual address.
 * 0, or -EFAULT if any byte is not file-backed. */
int elfread_read(struct elfread *ef, uint64_t vaddr, void *buf, size_t len);
/* Load bias (runtime address - link address) of a file whose PT_LOAD
 * segments are loads[], given one mapping of it: `start` maps file offset
 * `offset`. 0 or -ENOENT if no segment holds that offset. */
int elfread_loads_bias(const struct elfread_load *loads, size_t n, int type,
		       uint64_t start, uint64_t offset, uint64_t *bias);

#endif
