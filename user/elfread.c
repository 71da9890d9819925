// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ELF symbol, section and data lookup for interpreter inspection. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "elfread.h"

struct elfread {
	Elf *elf;
	int fd;            /* -1 for a memory image */
	char *image;       /* the memory image, or NULL */
	uint64_t file_size;
	int type;
	struct elfread_load loads[ELFREAD_MAX_LOADS];
	size_t nloads;
};

static int libelf_ready(void)
{
	/* elf_version is idempotent and cheap; no state of ours. */
	return elf_version(EV_CURRENT) == EV_NONE ? -ENOEXEC : 0;
}

static int read_header(struct elfread *ef)
{
	GElf_Ehdr eh;
	GElf_Phdr ph;
	size_t n, i;

	if (elf_kind(ef->elf) != ELF_K_ELF || !gelf_getehdr(ef->elf, &eh))
		return -ENOEXEC;
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != ELFREAD_MACHINE)
		return -EPROTONOSUPPORT;
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return -ENOEXEC;
	ef->type = eh.e_type;
	if (elf_getphdrnum(ef->elf, &n))
		return -ENOEXEC;
	for (i = 0; i < n && ef->nloads < ELFREAD_MAX_LOADS; i++) {
		if (!gelf_getphdr(ef->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > ef->file_size ||
		    ph.p_filesz > ef->file_size - ph.p_offset ||
		    ph.p_vaddr > UINT64_MAX - ph.p_memsz)
			return -ENOEXEC;
		ef->loads[ef->nloads++] = (struct elfread_load){
			.vaddr = ph.p_vaddr, .memsz = ph.p_memsz, .offset = ph.p_offset,
			.filesz = ph.p_filesz, .flags = ph.p_flags,
		};
	}
	return ef->nloads ? 0 : -ENOEXEC;
}

static struct elfread *finish_open(struct elfread *ef)
{
	int err = ef->elf ? read_header(ef) : -ENOEXEC;

	if (err) {
		elfread_close(ef);
		errno = -err;
		return NULL;
	}
	return ef;
}

struct elfread *elfread_open(const char *path)
{
	struct elfread *ef;
	struct stat st;
	int err;

	err = libelf_ready();
	ef = err ? NULL : calloc(1, sizeof(*ef));
	if (!ef) {
		errno = err ? -err : ENOMEM;
		return NULL;
	}
	ef->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ef->fd < 0)
		err = errno;
	else if (fstat(ef->fd, &st))
		err = errno;
	else if (!S_ISREG(st.st_mode))
		err = ENOEXEC;
	if (err) {
		elfread_close(ef);
		errno = err;
		return NULL;
	}
	ef->file_size = (uint64_t)st.st_size;
	ef->elf = elf_begin(ef->fd, ELF_C_READ_MMAP, NULL);
	return finish_open(ef);
}

struct elfread *elfread_open_mem(const void *image, size_t len)
{
	struct elfread *ef;
	int err;

	err = libelf_ready();
	ef = err ? NULL : calloc(1, sizeof(*ef));
	if (!ef) {
		errno = err ? -err : ENOMEM;
		return NULL;
	}
	ef->fd = -1;
	ef->image = malloc(len ? len : 1);
	if (!ef->image) {
		elfread_close(ef);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(ef->image, image, len);
	ef->file_size = len;
	ef->elf = elf_memory(ef->image, len);
	return finish_open(ef);
}

void elfread_close(struct elfread *ef)
{
	if (!ef)
		return;
	if (ef->elf)
		elf_end(ef->elf);
	if (ef->fd >= 0)
		close(ef->fd);
	free(ef->image);
	free(ef);
}

int elfread_type(const struct elfread *ef)
{
	return ef->type;
}

size_t elfread_loads(const struct elfread *ef, const struct elfread_load **loads)
{
	*loads = ef->loads;
	return ef->nloads;
}

static int find_in_symtab(Elf_Scn *scn, const GElf_Shdr *sh, Elf *elf, const char *name,
			  uint64_t *value, uint64_t *size)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n, i;
	GElf_Sym sym;
	const char *s;

	if (!data || !sh->sh_entsize)
		return -ENOENT;
	n = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < n; i++) {
		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		s = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (s && !strcmp(s, name)) {
			*value = sym.st_value;
			if (size)
				*size = sym.st_size;
			return 0;
		}
	}
	return -ENOENT;
}

int elfread_symbol(struct elfread *ef, const char *name, uint64_t *value, uint64_t *size)
{
	static const Elf64_Word kinds[] = { SHT_DYNSYM, SHT_SYMTAB };
	Elf_Scn *scn;
	GElf_Shdr sh;
	size_t k;
	int err = -ENOENT;

	for (k = 0; k < 2 && err; k++) {
		scn = NULL;
		while (err && (scn = elf_nextscn(ef->elf, scn)) != NULL) {
			if (gelf_getshdr(scn, &sh) && sh.sh_type == kinds[k])
				err = find_in_symtab(scn, &sh, ef->elf, name, value, size);
		}
	}
	return err;
}

int elfread_section(struct elfread *ef, const char *name, uint64_t *addr, uint64_t *size)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;
	const char *s;

	if (elf_getshdrstrndx(ef->elf, &shstrndx))
		return -ENOENT;
	while ((scn = elf_nextscn(ef->elf, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		s = elf_strptr(ef->elf, shstrndx, sh.sh_name);
		if (s && !strcmp(s, name)) {
			*addr = sh.sh_addr;
			if (size)
				*size = sh.sh_size;
			return 0;
		}
	}
	return -ENOENT;
}

int elfread_needs(struct elfread *ef, const char *prefix)
{
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr sh;
	GElf_Dyn dyn;
	const char *s;
	size_t i, n;

	while ((scn = elf_nextscn(ef->elf, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; data && i < n; i++) {
			if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag != DT_NEEDED)
				continue;
			s = elf_strptr(ef->elf, sh.sh_link, dyn.d_un.d_val);
			if (s && !strncmp(s, prefix, strlen(prefix)))
				return 1;
		}
	}
	return 0;
}

int elfread_read(struct elfread *ef, uint64_t vaddr, void *buf, size_t len)
{
	const struct elfread_load *l;
	uint64_t off;
	size_t i;
	ssize_t got;

	for (i = 0; i < ef->nloads; i++) {
		l = &ef->loads[i];
		if (vaddr < l->vaddr || vaddr - l->vaddr > l->filesz ||
		    len > l->filesz - (vaddr - l->vaddr))
			continue;
		off = l->offset + (vaddr - l->vaddr);
		if (ef->image) {
			memcpy(buf, ef->image + off, len);
			return 0;
		}
		got = pread(ef->fd, buf, len, (off_t)off);
		return got == (ssize_t)len ? 0 : -EFAULT;
	}
	return -EFAULT;
}

int elfread_loads_bias(const struct elfread_load *loads, size_t n, int type,
		       uint64_t start, uint64_t offset, uint64_t *bias)
{
	const struct elfread_load *l;
	size_t i, pass;

	if (type == ET_EXEC) {
		*bias = 0;
		return 0;
	}
	/* Two segments can share a file page (the end of r-- and the start of
	 * rw- in most libraries); ld.so maps each segment from its own first
	 * page, so a segment that starts at `offset` wins over one that only
	 * holds it. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			l = &loads[i];
			if (pass == 0 && offset != (l->offset & ~0xfffULL))
				continue;
			/* The segment whose file pages hold the mapping's offset. */
			if (offset >= (l->offset & ~0xfffULL) &&
			    offset - (l->offset & ~0xfffULL) < l->filesz + (l->offset & 0xfffULL)) {
				*bias = start - offset -
					((l->vaddr & ~0xfffULL) - (l->offset & ~0xfffULL));
				return 0;
			}
		}
	}
	return -ENOENT;
}
