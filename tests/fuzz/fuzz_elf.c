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
	const struct elfread_load *loads;
	struct elfread *ef;
	uint64_t v, sz, bias;
	uint8_t buf[256];
	size_t n, i;

	ef = elfread_open_mem(data, size);
	if (!ef) {
		assert(errno == ENOEXEC || errno == EPROTONOSUPPORT || errno == ENOMEM);
		return 0;
	}
	assert(elfread_type(ef) == ET_EXEC || elfread_type(ef) == ET_DYN);
	n = elfread_loads(ef, &loads);
	assert(n >= 1 && n <= ELFREAD_MAX_LOADS);
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if (!elfread_symbol(ef, syms[i], &v, &sz))
			elfread_read(ef, v, buf, sz < sizeof(buf) ? sz : sizeof(buf));
	}
	if (!elfread_section(ef, ".PyRuntime", &v, &sz))
		elfread_read(ef, v, buf, sizeof(buf));
	elfread_section(ef, ".text", &v, NULL);
	elfread_needs(ef, "libpython3");
	for (i = 0; i < n; i++) {
		/* Reads at the edges of each segment: inside must work. */
		if (loads[i].filesz >= 8)
			assert(!elfread_read(ef, loads[i].vaddr + loads[i].filesz - 8, buf, 8));
		elfread_read(ef, loads[i].vaddr + loads[i].filesz, buf, 1);
		elfread_read(ef, loads[i].vaddr, buf, sizeof(buf));
		elfread_loads_bias(loads, n, elfread_type(ef), 0x7f0000000000ULL + loads[i].vaddr,
				   loads[i].offset & ~0xfffULL, &bias);
	}
	elfread_close(ef);
	return 0;
}
