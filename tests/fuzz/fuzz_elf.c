// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: any bytes as an ELF image, then every lookup the
 * inspector makes. elfread must never read outside the image. */
#include <assert.h>
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "elfread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const syms[] = { "_PyRuntime", "Py_Version", "PyCode_Type",
					    "_Py_NoneStruct" };
	const struct elf_load *loads;
	struct elf_file *ef;
	uint64_t v, sz, bias;
	uint8_t buf[256];
	size_t n, i;

	ef = elf_file_open_mem(data, size);
	if (!ef) {
		assert(errno == ENOEXEC || errno == EPROTONOSUPPORT || errno == ENOMEM);
		return 0;
	}
	assert(elf_file_type(ef) == ET_EXEC || elf_file_type(ef) == ET_DYN);
	n = elf_file_loads(ef, &loads);
	assert(n >= 1 && n <= ELFREAD_MAX_LOADS);
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if (!elf_file_symbol(ef, syms[i], &v, &sz))
			elf_file_read(ef, v, buf, sz < sizeof(buf) ? sz : sizeof(buf));
	}
	if (!elf_file_section(ef, ".PyRuntime", &v, &sz))
		elf_file_read(ef, v, buf, sizeof(buf));
	elf_file_section(ef, ".text", &v, NULL);
	elf_file_needs(ef, "libpython3");
	for (i = 0; i < n; i++) {
		/* Reads at the edges of each segment: inside must work. */
		if (loads[i].filesz >= 8)
			assert(!elf_file_read(ef, loads[i].vaddr + loads[i].filesz - 8, buf, 8));
		elf_file_read(ef, loads[i].vaddr + loads[i].filesz, buf, 1);
		elf_file_read(ef, loads[i].vaddr, buf, sizeof(buf));
		elf_loads_bias(loads, n, elf_file_type(ef), 0x7f0000000000ULL + loads[i].vaddr,
			       loads[i].offset & ~0xfffULL, &bias);
	}
	elf_file_close(ef);
	return 0;
}
