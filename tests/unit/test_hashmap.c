// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hashmap: many keys, deletion inside probe chains, custom hash/equal. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "hashmap.h"

#define VAL(k) ((void *)(uintptr_t)((k) * 2 + 1)) /* never NULL */

Test(hashmap, many_keys)
{
	struct hashmap *m = hashmap__new(NULL, NULL);
	void *old;
	uint64_t k;

	cr_assert_not_null(m);
	cr_assert_null(hashmap__find(m, 1));
	cr_assert_null(hashmap__delete(m, 1));
	for (k = 0; k < 20000; k++)
		cr_assert_eq(hashmap__set(m, k * 7919, VAL(k), &old), 0);
	cr_assert_eq(hashmap__size(m), 20000);
	for (k = 0; k < 20000; k++)
		cr_assert_eq(hashmap__find(m, k * 7919), VAL(k));
	cr_assert_null(hashmap__find(m, 7919 * 20000));
	/* Delete every odd key, then check all. */
	for (k = 1; k < 20000; k += 2)
		cr_assert_eq(hashmap__delete(m, k * 7919), VAL(k));
	cr_assert_eq(hashmap__size(m), 10000);
	for (k = 0; k < 20000; k++)
		cr_assert_eq(hashmap__find(m, k * 7919), k % 2 ? NULL : VAL(k), "key %llu",
			     (unsigned long long)k);
	cr_assert_null(hashmap__delete(m, 7919)); /* already gone */
	hashmap__free(m);
	hashmap__free(NULL);
}

Test(hashmap, replace_returns_old)
{
	struct hashmap *m = hashmap__new(NULL, NULL);
	void *old = (void *)1;

	cr_assert_eq(hashmap__set(m, 5, VAL(1), &old), 0);
	cr_assert_null(old);
	cr_assert_eq(hashmap__set(m, 5, VAL(2), &old), 0);
	cr_assert_eq(old, VAL(1));
	cr_assert_eq(hashmap__size(m), 1);
	cr_assert_eq(hashmap__find(m, 5), VAL(2));
	cr_assert_eq(hashmap__set(m, 6, NULL, &old), -EINVAL, "NULL means empty: refused");
	cr_assert_eq(hashmap__size(m), 1);
	hashmap__free(m);
}

/* Every key lands in one of 4 home slots: long probe runs that wrap. */
static uint64_t bad_hash(uint64_t k)
{
	return (k & 3) + UINT64_MAX - 1;
}

Test(hashmap, deletes_inside_probe_chains)
{
	struct hashmap *m = hashmap__new(bad_hash, NULL);
	uint64_t k;
	int round;

	for (k = 0; k < 300; k++)
		cr_assert_eq(hashmap__set(m, k, VAL(k), NULL), 0);
	/* Remove from the middle of chains in several passes, checking every
	 * remaining key after each pass. */
	for (round = 0; round < 5; round++) {
		for (k = (uint64_t)round; k < 300; k += 5)
			cr_assert_eq(hashmap__delete(m, k), VAL(k), "round %d key %llu", round,
				     (unsigned long long)k);
		for (k = 0; k < 300; k++)
			cr_assert_eq(hashmap__find(m, k), (int)(k % 5) <= round ? NULL : VAL(k),
				     "round %d key %llu", round, (unsigned long long)k);
	}
	cr_assert_eq(hashmap__size(m), 0);
	/* Usable again after emptying. */
	for (k = 0; k < 50; k++)
		cr_assert_eq(hashmap__set(m, k, VAL(k), NULL), 0);
	for (k = 0; k < 50; k++)
		cr_assert_eq(hashmap__find(m, k), VAL(k));
	hashmap__free(m);
}

Test(hashmap, interleaved_set_delete)
{
	struct hashmap *m = hashmap__new(bad_hash, NULL);
	uint64_t k;

	/* Insert k, delete k-3, over a long run: the table stays consistent. */
	for (k = 0; k < 2000; k++) {
		cr_assert_eq(hashmap__set(m, k, VAL(k), NULL), 0);
		if (k >= 3)
			cr_assert_eq(hashmap__delete(m, k - 3), VAL(k - 3));
	}
	cr_assert_eq(hashmap__size(m), 3);
	cr_assert_eq(hashmap__find(m, 1997), VAL(1997));
	cr_assert_eq(hashmap__find(m, 1998), VAL(1998));
	cr_assert_eq(hashmap__find(m, 1999), VAL(1999));
	cr_assert_null(hashmap__find(m, 1996));
	hashmap__free(m);
}

/* Keys are pointers to strings. */
static uint64_t str_hash(uint64_t k)
{
	const char *s = (const char *)(uintptr_t)k;

	return hashmap_hash_bytes(s, strlen(s), 0);
}

static int str_equal(uint64_t a, uint64_t b)
{
	return !strcmp((const char *)(uintptr_t)a, (const char *)(uintptr_t)b);
}

#define KEY(s) ((uint64_t)(uintptr_t)(s))

Test(hashmap, custom_hash_and_equal)
{
	struct hashmap *m = hashmap__new(str_hash, str_equal);
	char a[] = "linetable", b[] = "linetable", c[] = "elfread";
	void *old;

	cr_assert_eq(hashmap__set(m, KEY(a), VAL(1), NULL), 0);
	cr_assert_eq(hashmap__set(m, KEY(c), VAL(2), NULL), 0);
	/* Another pointer to equal text finds and replaces the same entry. */
	cr_assert_eq(hashmap__find(m, KEY(b)), VAL(1));
	cr_assert_eq(hashmap__set(m, KEY(b), VAL(3), &old), 0);
	cr_assert_eq(old, VAL(1));
	cr_assert_eq(hashmap__size(m), 2);
	cr_assert_null(hashmap__find(m, KEY("pylayout")));
	cr_assert_eq(hashmap__delete(m, KEY("elfread")), VAL(2));
	cr_assert_eq(hashmap__size(m), 1);
	hashmap__free(m);
}

static int count(uint64_t key, void *value, void *ctx)
{
	uint64_t *sum = ctx;

	cr_assert_eq(value, VAL(key));
	sum[0]++;
	sum[1] += key;
	return sum[0] == sum[2] ? 7 : 0;
}

Test(hashmap, for_each)
{
	struct hashmap *m = hashmap__new(NULL, NULL);
	uint64_t k, acc[3] = { 0, 0, 0 };

	for (k = 1; k <= 100; k++)
		hashmap__set(m, k, VAL(k), NULL);
	cr_assert_eq(hashmap__for_each(m, count, acc), 0);
	cr_assert_eq(acc[0], 100);
	cr_assert_eq(acc[1], 5050);
	/* A non-zero return stops the walk and is passed on. */
	acc[0] = acc[1] = 0;
	acc[2] = 10;
	cr_assert_eq(hashmap__for_each(m, count, acc), 7);
	cr_assert_eq(acc[0], 10);
	hashmap__free(m);
}

Test(hashmap, hash_functions)
{
	cr_assert_neq(hashmap_hash_u64(1), hashmap_hash_u64(2));
	cr_assert_eq(hashmap_hash_bytes("abc", 3, 0), hashmap_hash_bytes("abc", 3, 0));
	cr_assert_neq(hashmap_hash_bytes("abc", 3, 0), hashmap_hash_bytes("abc", 3, 1));
	cr_assert_neq(hashmap_hash_bytes("abc", 3, 0), hashmap_hash_bytes("abd", 3, 0));
}
