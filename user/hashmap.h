/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* An open-addressing hash map from 64-bit keys to pointers. A key may itself
 * be a pointer to a structure: give hash and equal functions that follow it
 * (hashmap__new), or NULL for plain integer keys. */
#ifndef MLPROF_HASHMAP_H
#define MLPROF_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t (*hashmap_hash_fn)(uint64_t key);
typedef int (*hashmap_equal_fn)(uint64_t a, uint64_t b);

struct hashmap;

struct hashmap *hashmap__new(hashmap_hash_fn hash, hashmap_equal_fn equal);
void hashmap__free(struct hashmap *map);
size_t hashmap__size(const struct hashmap *map);
/* Returns the value, or NULL. */
void *hashmap__find(const struct hashmap *map, uint64_t key);
/* Adds or replaces; *old (if given) receives a replaced value. 0 or -ENOMEM. */
int hashmap__set(struct hashmap *map, uint64_t key, void *value, void **old);
/* Removes key; returns its value or NULL. */
void *hashmap__delete(struct hashmap *map, uint64_t key);
/* Visits every entry; stops when fn returns non-zero and returns that. The
 * map must not change during the visit. */
int hashmap__for_each(const struct hashmap *map,
		      int (*fn)(uint64_t key, void *value, void *ctx), void *ctx);

uint64_t hashmap_hash_u64(uint64_t x);
uint64_t hashmap_hash_bytes(const void *data, size_t len, uint64_t seed);

#endif
