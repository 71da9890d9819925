// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A process that is not a target, allocating in a loop: small and large
 * malloc/free (large ones always through mmap/munmap), to show that the
 * daemon's memory probes cost it nothing. usage: malloc_loop [ROUNDS] */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 200000, i;
	unsigned long sum = 0;
	size_t size;
	char *p;

	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	for (i = 0; i < rounds; i++) {
		size = (i % 64 == 0) ? 256 * 1024 : (size_t)(16 + (i * 37) % 4000);
		p = malloc(size);
		if (!p)
			return 1;
		p[0] = (char)i;
		p[size - 1] = (char)(i >> 3);
		sum += (unsigned char)p[0] + (unsigned char)p[size - 1];
		free(p);
	}
	printf("malloc_loop %lu\n", sum);
	return 0;
}
