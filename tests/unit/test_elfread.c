// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* elfread: real interpreters and libraries, and every kind of bad input. */
#include <criterion/criterion.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elfread.h"
#include "fixtures.h"
#include "pylayout.h"

#define PY311 "/usr/bin/python3.11"

static struct elfread *open_or_die(const char *path)
{
	struct elfread *ef;

	cr_assert_eq(access(path, R_OK), 0, "test needs %s (pyenv builds: set PYENV_ROOT)", path);
	ef = elfread_open(path);
	cr_assert_not_null(ef, "elfread_open(%s): %s", path, strerror(errno));
	return ef;
}

Test(elfread, debian_python311_exec)
{
	struct elfread *ef = open_or_die(PY311);
	uint64_t rt, rt_size, sec, sec_size, ver_addr, code, ver = 0;
	const struct elfread_load *loads;
	size_t n;

	cr_assert_eq(elfread_type(ef), ET_EXEC);
	n = elfread_loads(ef, &loads);
	cr_assert_geq(n, 2);
	cr_assert_leq(n, ELFREAD_MAX_LOADS);
	cr_assert_eq(elfread_symbol(ef, "_PyRuntime", &rt, &rt_size), 0);
	cr_assert_eq(elfread_section(ef, ".PyRuntime", &sec, &sec_size), 0);
	/* _PyRuntime is all of .PyRuntime. */
	cr_assert_eq(rt, sec);
	cr_assert_eq(rt_size, sec_size);
	cr_assert_gt(rt_size, 1000);
	cr_assert_eq(elfread_symbol(ef, "PyCode_Type", &code, NULL), 0);
	cr_assert_neq(code, 0);
	cr_assert_eq(elfread_symbol(ef, "Py_Version", &ver_addr, NULL), 0);
	cr_assert_eq(elfread_read(ef, ver_addr, &ver, sizeof(ver)), 0);
	cr_assert_eq(PY_VERSION_MAJOR(ver), 3, "Py_Version 0x%llx", (unsigned long long)ver);
	cr_assert_eq(PY_VERSION_MINOR(ver), 11, "Py_Version 0x%llx", (unsigned long long)ver);
	cr_assert_eq(ver >> 16, 0x030b);
	/* Static libpython: no libpython in DT_NEEDED, but libc. */
	cr_assert_eq(elfread_needs(ef, "libpython"), 0);
	cr_assert_eq(elfread_needs(ef, "libc.so"), 1);
	cr_assert_eq(elfread_symbol(ef, "no_such_symbol_xyz", &code, NULL), -ENOENT);
	cr_assert_eq(elfread_section(ef, ".no_such_section", &sec, NULL), -ENOENT);
	elfread_close(ef);
}

Test(elfread, read_bounds)
{
	struct elfread *ef = open_or_die(PY311);
	const struct elfread_load *loads;
	const struct elfread_load *l;
	uint8_t buf[16], first[4];
	size_t n;

	n = elfread_loads(ef, &loads);
	cr_assert_geq(n, 1);
	l = &loads[0];
	/* The first PT_LOAD starts at file offset 0: the ELF magic. */
	cr_assert_eq(l->offset, 0);
	cr_assert_eq(elfread_read(ef, l->vaddr, first, 4), 0);
	cr_assert_eq(memcmp(first, ELFMAG, 4), 0);
	/* Last byte of the file-backed part reads; one more does not. */
	cr_assert_eq(elfread_read(ef, l->vaddr + l->filesz - 1, buf, 1), 0);
	cr_assert_eq(elfread_read(ef, l->vaddr + l->filesz - 8, buf, 16), -EFAULT);
	cr_assert_eq(elfread_read(ef, 0, buf, 8), -EFAULT);
	cr_assert_eq(elfread_read(ef, UINT64_MAX - 4, buf, 8), -EFAULT);
	elfread_close(ef);
}

Test(elfread, pyenv_libpython312_shared)
{
	struct elfread *ef = open_or_die(fixture_pyenv("versions/3.12.1/lib/libpython3.12.so.1.0"));
	uint64_t rt, rt_size, sec, ver_addr, ver = 0;

	cr_assert_eq(elfread_type(ef), ET_DYN);
	cr_assert_eq(elfread_symbol(ef, "_PyRuntime", &rt, &rt_size), 0);
	cr_assert_eq(elfread_section(ef, ".PyRuntime", &sec, NULL), 0);
	cr_assert_eq(rt, sec);
	cr_assert_eq(elfread_symbol(ef, "Py_Version", &ver_addr, NULL), 0);
	cr_assert_eq(elfread_read(ef, ver_addr, &ver, sizeof(ver)), 0);
	cr_assert_eq(ver >> 16, 0x030c, "Py_Version 0x%llx", (unsigned long long)ver);
	cr_assert_eq(PY_VERSION_MICRO(ver), 1);
	elfread_close(ef);
}

Test(elfread, pyenv_python312_needs_libpython)
{
	struct elfread *ef = open_or_die(fixture_pyenv("versions/3.12.1/bin/python3.12"));
	uint64_t v;

	cr_assert_eq(elfread_type(ef), ET_DYN); /* PIE */
	cr_assert_eq(elfread_needs(ef, "libpython3.12"), 1);
	cr_assert_eq(elfread_needs(ef, "libpython3.11"), 0);
	cr_assert_eq(elfread_needs(ef, "libpython"), 1);
	/* The runtime lives in the library, not the executable. */
	cr_assert_eq(elfread_symbol(ef, "_PyRuntime", &v, NULL), -ENOENT);
	elfread_close(ef);
}

Test(elfread, not_python)
{
	struct elfread *ef = open_or_die("/bin/true");
	uint64_t v;

	cr_assert(elfread_type(ef) == ET_DYN || elfread_type(ef) == ET_EXEC);
	cr_assert_eq(elfread_symbol(ef, "_PyRuntime", &v, NULL), -ENOENT);
	cr_assert_eq(elfread_section(ef, ".PyRuntime", &v, NULL), -ENOENT);
	cr_assert_eq(elfread_needs(ef, "libpython"), 0);
	cr_assert_eq(elfread_section(ef, ".text", &v, NULL), 0);
	elfread_close(ef);
}

Test(elfread, open_mem_matches_open)
{
	size_t len;
	uint8_t *img = fixture_read_file("/bin/true", &len);
	struct elfread *a, *b;
	const struct elfread_load *la, *lb;
	uint64_t va, vb, sa, sb;
	uint8_t x[64], y[64];

	cr_assert_not_null(img);
	a = elfread_open("/bin/true");
	b = elfread_open_mem(img, len);
	free(img); /* open_mem keeps its own copy */
	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_assert_eq(elfread_type(a), elfread_type(b));
	cr_assert_eq(elfread_loads(a, &la), elfread_loads(b, &lb));
	cr_assert_eq(memcmp(la, lb, elfread_loads(a, &la) * sizeof(*la)), 0);
	cr_assert_eq(elfread_section(a, ".text", &va, &sa), 0);
	cr_assert_eq(elfread_section(b, ".text", &vb, &sb), 0);
	cr_assert_eq(va, vb);
	cr_assert_eq(sa, sb);
	cr_assert_eq(elfread_read(a, va, x, sizeof(x)), 0);
	cr_assert_eq(elfread_read(b, vb, y, sizeof(y)), 0);
	cr_assert_eq(memcmp(x, y, sizeof(x)), 0);
	cr_assert_eq(elfread_needs(b, "libc.so.6"), 1);
	elfread_close(a);
	elfread_close(b);
}

Test(elfread, loads_bias)
{
	/* A typical shared library: r--, r-x, r--, rw-. The last two share
	 * file page 0x7000, which is mapped twice: at 0x7000 (r--) and at
	 * 0x8000 (rw-, address and offset differ by a page). */
	static const struct elfread_load loads[] = {
		{ .vaddr = 0x0, .memsz = 0x1000, .offset = 0x0, .filesz = 0x1000, .flags = 4 },
		{ .vaddr = 0x1000, .memsz = 0x5000, .offset = 0x1000, .filesz = 0x5000, .flags = 5 },
		{ .vaddr = 0x6000, .memsz = 0x1130, .offset = 0x6000, .filesz = 0x1130, .flags = 4 },
		{ .vaddr = 0x8d10, .memsz = 0x3000, .offset = 0x7d10, .filesz = 0x400, .flags = 6 },
	};
	const uint64_t base = 0x7f1234500000ULL;
	uint64_t bias = 1;

	cr_assert_eq(elfread_loads_bias(loads, 4, ET_DYN, base, 0, &bias), 0);
	cr_assert_eq(bias, base);
	cr_assert_eq(elfread_loads_bias(loads, 4, ET_DYN, base + 0x1000, 0x1000, &bias), 0);
	cr_assert_eq(bias, base);
	cr_assert_eq(elfread_loads_bias(loads, 4, ET_DYN, base + 0x6000, 0x6000, &bias), 0);
	cr_assert_eq(bias, base);
	/* The rw- mapping: file page 0x7000 at base + 0x8000. */
	cr_assert_eq(elfread_loads_bias(loads, 4, ET_DYN, base + 0x8000, 0x7000, &bias), 0);
	cr_assert_eq(bias, base, "shared page resolved to the wrong segment");
	/* A mapping starting inside a segment (e.g. split by mprotect). */
	cr_assert_eq(elfread_loads_bias(loads, 4, ET_DYN, base + 0x3000, 0x3000, &bias), 0);
	cr_assert_eq(bias, base);
	/* Loaded somewhere else: the bias follows the mapping. */
	cr_assert_eq(elfread_loads_bias(loads, 4, ET_DYN, 0x555500000000ULL + 0x1000, 0x1000, &bias), 0);
	cr_assert_eq(bias, 0x555500000000ULL);
	/* An offset no segment holds. */
	cr_assert_eq(elfread_loads_bias(loads, 4, ET_DYN, base, 0x100000, &bias), -ENOENT);
	cr_assert_eq(elfread_loads_bias(loads, 0, ET_DYN, base, 0, &bias), -ENOENT);
	/* Executables are not relocated. */
	bias = 1;
	cr_assert_eq(elfread_loads_bias(loads, 4, ET_EXEC, base, 0, &bias), 0);
	cr_assert_eq(bias, 0);
}

Test(elfread, loads_bias_of_real_library)
{
	struct elfread *ef = open_or_die(fixture_pyenv("versions/3.12.1/lib/libpython3.12.so.1.0"));
	const struct elfread_load *loads;
	size_t n, i;
	uint64_t bias;

	n = elfread_loads(ef, &loads);
	cr_assert_geq(n, 2);
	/* Map each segment as ld.so would, at bias B: every mapping gives B. */
	for (i = 0; i < n; i++) {
		uint64_t start = 0x7f0000000000ULL + (loads[i].vaddr & ~0xfffULL);

		cr_assert_eq(elfread_loads_bias(loads, n, ET_DYN, start,
						loads[i].offset & ~0xfffULL, &bias), 0);
		cr_assert_eq(bias, 0x7f0000000000ULL, "segment %zu", i);
	}
	elfread_close(ef);
}

/* ---- bad input ---- */

static void expect_mem_fails(const void *img, size_t len, int want_errno, const char *what)
{
	struct elfread *ef;

	errno = 0;
	ef = elfread_open_mem(img, len);
	cr_assert_null(ef, "%s: opened", what);
	cr_assert_eq(errno, want_errno, "%s: errno %d (%s), want %d", what, errno, strerror(errno),
		     want_errno);
}

static void expect_file_fails(const void *img, size_t len, int want_errno, const char *what)
{
	const char *path = fixture_tmpfile(img, len);
	struct elfread *ef;

	cr_assert_not_null(path);
	errno = 0;
	ef = elfread_open(path);
	unlink(path);
	cr_assert_null(ef, "%s: opened", what);
	cr_assert_eq(errno, want_errno, "%s: errno %d (%s), want %d", what, errno, strerror(errno),
		     want_errno);
	expect_mem_fails(img, len, want_errno, what);
}

Test(elfread, missing_file)
{
	errno = 0;
	cr_assert_null(elfread_open("/nonexistent/mlprof/python3"));
	cr_assert_eq(errno, ENOENT);
}

Test(elfread, directory)
{
	errno = 0;
	cr_assert_null(elfread_open("/usr/bin"));
	cr_assert_eq(errno, ENOEXEC);
}

Test(elfread, text_and_empty_files)
{
	static const char text[] = "#!/bin/sh\necho not an ELF file\n";

	expect_file_fails(text, sizeof(text) - 1, ENOEXEC, "text file");
	expect_file_fails("", 0, ENOEXEC, "empty file");
	expect_mem_fails("\x7f" "ELF", 4, ENOEXEC, "bare magic");
}

Test(elfread, truncated_copies)
{
	size_t len;
	uint8_t *img = fixture_read_file("/bin/true", &len);

	cr_assert_not_null(img);
	cr_assert_gt(len, 8192);
	expect_file_fails(img, 100, ENOEXEC, "first 100 bytes");
	expect_file_fails(img, 4096, ENOEXEC, "first 4096 bytes");
	free(img);
}

Test(elfread, section_headers_cut)
{
	size_t len;
	uint8_t *img = fixture_read_file("/bin/true", &len);
	const struct elfread_load *loads;
	Elf64_Ehdr eh;
	struct elfread *ef;
	uint64_t v;

	cr_assert_not_null(img);
	memcpy(&eh, img, sizeof(eh));
	cr_assert_lt(eh.e_shoff, len);
	/* The program headers and segments are intact: it opens, but no
	 * section, symbol or DT_NEEDED can be found, and nothing crashes. */
	ef = elfread_open_mem(img, eh.e_shoff);
	cr_assert_not_null(ef, "errno %d", errno);
	cr_assert_eq(elfread_section(ef, ".text", &v, NULL), -ENOENT);
	cr_assert_eq(elfread_symbol(ef, "_PyRuntime", &v, NULL), -ENOENT);
	cr_assert_eq(elfread_needs(ef, "libc"), 0);
	/* Segment data is still readable through the program headers. */
	cr_assert_geq(elfread_loads(ef, &loads), 1);
	cr_assert_eq(elfread_read(ef, loads[0].vaddr, &v, 4), 0);
	cr_assert_eq(memcmp(&v, ELFMAG, 4), 0);
	elfread_close(ef);
	free(img);
}

Test(elfread, random_bytes_after_magic)
{
	uint8_t img[4096];
	unsigned seed = 12345;
	size_t i, round;
	struct elfread *ef;
	uint64_t v;

	for (round = 0; round < 200; round++) {
		for (i = 0; i < sizeof(img); i++)
			img[i] = (uint8_t)rand_r(&seed);
		memcpy(img, ELFMAG, SELFMAG);
		img[EI_CLASS] = ELFCLASS64;
		img[EI_DATA] = ELFDATA2LSB;
		img[EI_VERSION] = EV_CURRENT;
		ef = elfread_open_mem(img, sizeof(img));
		if (!ef) {
			cr_assert(errno == ENOEXEC || errno == EPROTONOSUPPORT, "errno %d", errno);
			continue;
		}
		elfread_symbol(ef, "_PyRuntime", &v, NULL);
		elfread_section(ef, ".PyRuntime", &v, NULL);
		elfread_needs(ef, "libpython");
		elfread_close(ef);
	}
}

/* A minimal, otherwise valid header with the given class and machine. */
static size_t make_header(uint8_t *img, size_t cap, int cls, uint16_t machine)
{
	memset(img, 0, cap);
	memcpy(img, ELFMAG, SELFMAG);
	img[EI_CLASS] = (uint8_t)cls;
	img[EI_DATA] = ELFDATA2LSB;
	img[EI_VERSION] = EV_CURRENT;
	if (cls == ELFCLASS32) {
		Elf32_Ehdr *h = (Elf32_Ehdr *)img;

		h->e_type = ET_EXEC;
		h->e_machine = machine;
		h->e_version = EV_CURRENT;
		h->e_ehsize = sizeof(*h);
		h->e_phentsize = sizeof(Elf32_Phdr);
		h->e_shentsize = sizeof(Elf32_Shdr);
		return sizeof(*h);
	}
	Elf64_Ehdr *h = (Elf64_Ehdr *)img;

	h->e_type = ET_EXEC;
	h->e_machine = machine;
	h->e_version = EV_CURRENT;
	h->e_ehsize = sizeof(*h);
	h->e_phentsize = sizeof(Elf64_Phdr);
	h->e_shentsize = sizeof(Elf64_Shdr);
	return sizeof(*h);
}

Test(elfread, wrong_class_or_machine)
{
	uint8_t img[256];
	size_t len;

	len = make_header(img, sizeof(img), ELFCLASS32, EM_386);
	expect_file_fails(img, len, EPROTONOSUPPORT, "32-bit i386");
	len = make_header(img, sizeof(img), ELFCLASS64,
			  ELFREAD_MACHINE == EM_X86_64 ? EM_AARCH64 : EM_X86_64);
	expect_file_fails(img, len, EPROTONOSUPPORT, "64-bit, another machine");
	/* Right class and machine, but no PT_LOAD at all. */
	len = make_header(img, sizeof(img), ELFCLASS64, ELFREAD_MACHINE);
	expect_file_fails(img, len, ENOEXEC, "this machine's, without segments");
	/* A relocatable object is not something a process maps. */
	((Elf64_Ehdr *)img)->e_type = ET_REL;
	expect_mem_fails(img, len, ENOEXEC, "ET_REL");
}

Test(elfread, segment_past_end_of_file)
{
	uint8_t img[512];
	Elf64_Ehdr *h;
	Elf64_Phdr ph = { .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0,
			  .p_vaddr = 0x400000, .p_filesz = 4096, .p_memsz = 4096,
			  .p_align = 4096 };
	struct elfread *ef;
	uint64_t x;

	make_header(img, sizeof(img), ELFCLASS64, ELFREAD_MACHINE);
	h = (Elf64_Ehdr *)img;
	h->e_phoff = sizeof(*h);
	h->e_phnum = 1;
	memcpy(img + sizeof(*h), &ph, sizeof(ph));
	expect_mem_fails(img, sizeof(img), ENOEXEC, "PT_LOAD beyond the image");

	/* Shrink the segment to the image: now it opens and reads. */
	ph.p_filesz = ph.p_memsz = sizeof(img);
	memcpy(img + sizeof(*h), &ph, sizeof(ph));
	ef = elfread_open_mem(img, sizeof(img));
	cr_assert_not_null(ef, "errno %d", errno);
	cr_assert_eq(elfread_read(ef, 0x400000, &x, 4), 0);
	cr_assert_eq(memcmp(&x, ELFMAG, 4), 0);
	cr_assert_eq(elfread_read(ef, 0x400000 + sizeof(img) - 4, &x, 8), -EFAULT);
	cr_assert_eq(elfread_symbol(ef, "_PyRuntime", &x, NULL), -ENOENT);
	cr_assert_eq(elfread_section(ef, ".PyRuntime", &x, NULL), -ENOENT);
	cr_assert_eq(elfread_needs(ef, "libpython"), 0);
	elfread_close(ef);

	/* filesz > memsz is malformed. */
	ph.p_memsz = 16;
	memcpy(img + sizeof(*h), &ph, sizeof(ph));
	expect_mem_fails(img, sizeof(img), ENOEXEC, "filesz > memsz");
}

Test(elfread, close_null)
{
	elfread_close(NULL);
}
