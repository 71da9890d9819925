// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Linear probing with backward-shift deletion; the table doubles at 70%. */
#include <errno.h>
#include <stdlib.h>
#include "hashmap.h"

struct slot {
	uint64_t key;
	void *value; /* NULL: empty */
};

struct hashmap {
	hashmap_hash_fn hash;
	hashmap_equal_fn equal;
	struct slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t size;
};

uint64_t hashmap_hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint64_t hashmap_hash_bytes(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return hashmap_hash_u64(h);
}

struct hashmap *hashmap__new(hashmap_hash_fn hash, hashmap_equal_fn equal)
{
	struct hashmap *map = calloc(1, sizeof(*map));

	if (!map) {
		errno = ENOMEM;
		return NULL;
	}
	map->hash = hash ? hash : hashmap_hash_u64;
	map->equal = equal;
	return map;
}

void hashmap__free(struct hashmap *map)
{
	if (map) {
		free(map->slots);
		free(map);
	}
}

size_t hashmap__size(const struct hashmap *map)
{
	return map ? map->size : 0;
}

static int same(const struct hashmap *map, uint64_t a, uint64_t b)
{
	return map->equal ? map->equal(a, b) : a == b;
}

static size_t find_slot(const struct hashmap *map, uint64_t key)
{
	size_t mask = map->cap - 1, i = map->hash(key) & mask;

	while (map->slots[i].value && !same(map, map->slots[i].key, key))
		i = (i + 1) & mask;
	return i;
}

void *hashmap__find(const struct hashmap *map, uint64_t key)
{
	if (!map || !map->cap)
		return NULL;
	return map->slots[find_slot(map, key)].value;
}

static int resize(struct hashmap *map, size_t cap)
{
	struct slot *old = map->slots;
	size_t old_cap = map->cap, i;

	map->slots = calloc(cap, sizeof(*map->slots));
	if (!map->slots) {
		map->slots = old;
		return -ENOMEM;
	}
	map->cap = cap;
	for (i = 0; i < old_cap; i++) {
		if (old[i].value)
			map->slots[find_slot(map, old[i].key)] = old[i];
	}
	free(old);
	return 0;
}

int hashmap__set(struct hashmap *map, uint64_t key, void *value, void **old)
{
	size_t i;
	int err = 0;

	if (old)
		*old = NULL;
	if (!value)
		return -EINVAL;
	if ((map->size + 1) * 10 > map->cap * 7)
		err = resize(map, map->cap ? map->cap * 2 : 16);
	if (err)
		return err;
	i = find_slot(map, key);
	if (map->slots[i].value) {
		if (old)
			*old = map->slots[i].value;
	} else {
		map->size++;
	}
	map->slots[i].key = key;
	map->slots[i].value = value;
	return 0;
}

void *hashmap__delete(struct hashmap *map, uint64_t key)
{
	size_t mask, i, j, home;
	void *value;

	if (!map || !map->cap)
		return NULL;
	mask = map->cap - 1;
	i = find_slot(map, key);
	value = map->slots[i].value;
	if (!value)
		return NULL;
	/* Shift back later entries of the same probe run into the hole. */
	j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!map->slots[j].value)
			break;
		home = map->hash(map->slots[j].key) & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			map->slots[i] = map->slots[j];
			i = j;
		}
	}
	map->slots[i].value = NULL;
	map->size--;
	return value;
}

int hashmap__for_each(const struct hashmap *map,
		      int (*fn)(uint64_t key, void *value, void *ctx), void *ctx)
{
	size_t i;
	int ret = 0;

	for (i = 0; map && i < map->cap && !ret; i++) {
		if (map->slots[i].value)
			ret = fn(map->slots[i].key, map->slots[i].value, ctx);
	}
	return ret;
}
