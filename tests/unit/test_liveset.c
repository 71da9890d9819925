// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <criterion/criterion.h>
#include <errno.h>
#include "liveset.h"

/* Released bytes by the first frame's function id. */
struct tally {
	uint64_t by_func[8];
	unsigned calls;
};

static void tally_fn(void *ctx, const struct frame_ref *frames, uint32_t n, uint64_t bytes)
{
	struct tally *t = ctx;

	cr_assert(n >= 1);
	cr_assert(frames[0].func < 8);
	t->by_func[frames[0].func] += bytes;
	t->calls++;
}

static const struct frame_ref A[] = { { 1, 10 }, { 0, 1 } };
static const struct frame_ref B[] = { { 2, 20 }, { 0, 1 } };
static const struct frame_ref C[] = { { 3, 30 } };

#define K 1024ULL
#define M (1024ULL * 1024ULL)

Test(liveset, map_then_unmap_exactly)
{
	struct liveset *ls = liveset__new();
	struct tally t = { 0 };

	cr_assert_eq(liveset__map(ls, 0x10000000, M, A, 2, tally_fn, &t), 0);
	cr_assert_eq(liveset__map(ls, 0x20000000, 2 * M, B, 2, tally_fn, &t), 0);
	cr_assert_eq(liveset__bytes(ls), 3 * M);
	liveset__unmap(ls, 0x10000000, M, tally_fn, &t);
	cr_assert_eq(t.by_func[1], M);
	cr_assert_eq(t.by_func[2], 0);
	cr_assert_eq(liveset__bytes(ls), 2 * M);
	liveset__unmap(ls, 0x10000000, M, tally_fn, &t); /* twice: nothing */
	cr_assert_eq(t.calls, 1);
	liveset__free(ls);
}

Test(liveset, partial_unmaps_split_and_trim)
{
	struct liveset *ls = liveset__new();
	struct tally t = { 0 };

	cr_assert_eq(liveset__map(ls, 0x100000, 16 * 4 * K, A, 2, tally_fn, &t), 0);
	/* A hole in the middle, then both ends. */
	liveset__unmap(ls, 0x100000 + 4 * 4 * K, 4 * 4 * K, tally_fn, &t);
	cr_assert_eq(t.by_func[1], 16 * K);
	cr_assert_eq(liveset__bytes(ls), 48 * K);
	liveset__unmap(ls, 0x100000, 4 * K, tally_fn, &t);
	liveset__unmap(ls, 0x100000 + 15 * 4 * K, 8 * M, tally_fn, &t);
	cr_assert_eq(t.by_func[1], 16 * K + 4 * K + 4 * K);
	cr_assert_eq(liveset__bytes(ls), 40 * K);
	/* One unmap across both remaining pieces and empty space. */
	liveset__unmap(ls, 0, 0x200000, tally_fn, &t);
	cr_assert_eq(liveset__bytes(ls), 0);
	cr_assert_eq(t.by_func[1], 64 * K);
	liveset__free(ls);
}

Test(liveset, map_over_held_memory_releases_it)
{
	struct liveset *ls = liveset__new();
	struct tally t = { 0 };

	cr_assert_eq(liveset__map(ls, 0x100000, 8 * K, A, 2, tally_fn, &t), 0);
	cr_assert_eq(liveset__map(ls, 0x101000, 8 * K, B, 2, tally_fn, &t), 0); /* MAP_FIXED */
	cr_assert_eq(t.by_func[1], 4 * K);
	cr_assert_eq(liveset__bytes(ls), 12 * K);
	liveset__unmap(ls, 0x100000, 12 * K, tally_fn, &t);
	cr_assert_eq(t.by_func[1], 8 * K);
	cr_assert_eq(t.by_func[2], 8 * K);
	liveset__free(ls);
}

Test(liveset, remap_moves_keeps_owner_and_cuts_on_shrink)
{
	struct liveset *ls = liveset__new();
	struct tally t = { 0 };

	cr_assert_eq(liveset__map(ls, 0x100000, 64 * K, A, 2, tally_fn, &t), 0);
	/* Grown and moved: the old bytes keep their owner at the new place;
	 * the growth is mapped by whoever grew it. */
	cr_assert_eq(liveset__remap(ls, 0x100000, 64 * K, 0x900000, 128 * K, tally_fn, &t), 0);
	cr_assert_eq(liveset__map(ls, 0x900000 + 64 * K, 64 * K, B, 2, tally_fn, &t), 0);
	cr_assert_eq(t.calls, 0);
	cr_assert_eq(liveset__bytes(ls), 128 * K);
	liveset__unmap(ls, 0x100000, 64 * K, tally_fn, &t); /* old place: empty */
	cr_assert_eq(t.calls, 0);
	/* Shrunk in place to 32 KiB: A's tail goes back. */
	cr_assert_eq(liveset__remap(ls, 0x900000, 128 * K, 0x900000, 32 * K, tally_fn, &t), 0);
	cr_assert_eq(t.by_func[1], 32 * K);
	cr_assert_eq(t.by_func[2], 64 * K);
	cr_assert_eq(liveset__bytes(ls), 32 * K);
	liveset__unmap(ls, 0x900000, 32 * K, tally_fn, &t);
	cr_assert_eq(t.by_func[1], 64 * K);
	cr_assert_eq(liveset__bytes(ls), 0);
	liveset__free(ls);
}

Test(liveset, heap_shrinks_last_in_first_out)
{
	struct liveset *ls = liveset__new();
	struct tally t = { 0 };

	cr_assert_eq(liveset__heap_grow(ls, 132 * K, A, 2), 0);
	cr_assert_eq(liveset__heap_grow(ls, 200 * K, B, 2), 0);
	cr_assert_eq(liveset__heap_grow(ls, 0, C, 1), 0);
	liveset__heap_shrink(ls, 250 * K, tally_fn, &t);
	cr_assert_eq(t.by_func[2], 200 * K);
	cr_assert_eq(t.by_func[1], 50 * K);
	liveset__heap_shrink(ls, 1 * M, tally_fn, &t); /* more than held */
	cr_assert_eq(t.by_func[1], 132 * K);
	cr_assert_eq(liveset__bytes(ls), 0);
	liveset__free(ls);
}

Test(liveset, bad_ranges_and_many_regions)
{
	struct liveset *ls = liveset__new();
	struct tally t = { 0 };
	uint64_t i;

	cr_assert_eq(liveset__map(ls, UINT64_MAX - 10, 100, A, 2, tally_fn, &t), -EINVAL);
	cr_assert_eq(liveset__map(ls, 0x1000, 0, A, 2, tally_fn, &t), -EINVAL);
	liveset__unmap(ls, UINT64_MAX - 10, 100, tally_fn, &t);
	cr_assert_eq(liveset__remap(ls, UINT64_MAX - 10, 100, 0, 10, tally_fn, &t), -EINVAL);
	/* 2000 arenas mapped out of order, every other one given back. */
	for (i = 0; i < 2000; i++)
		cr_assert_eq(liveset__map(ls, ((i * 7919) % 2000 + 1) * 2 * M, M,
					  i % 2 ? A : B, 2, tally_fn, &t), 0);
	cr_assert_eq(liveset__bytes(ls), 2000 * M);
	for (i = 1; i <= 2000; i += 2)
		liveset__unmap(ls, i * 2 * M, M, tally_fn, &t);
	cr_assert_eq(liveset__bytes(ls), 1000 * M);
	cr_assert_eq(t.by_func[1] + t.by_func[2], 1000 * M);
	liveset__free(ls);
}

static void count_func(uint32_t func, void *ctx)
{
	unsigned *seen = ctx;

	cr_assert(func < 8);
	seen[func]++;
}

/* Every frame that owns live memory, mapped or on the heap, is visited
 * (the store keeps those function ids); given back, it is not. */
Test(liveset, functions_of_live_memory)
{
	struct liveset *ls = liveset__new();
	struct tally t = { 0 };
	unsigned seen[8] = { 0 };

	cr_assert_eq(liveset__map(ls, 0x10000000, M, A, 2, tally_fn, &t), 0);
	cr_assert_eq(liveset__heap_grow(ls, 64 * K, C, 1), 0);
	liveset__for_each_func(ls, count_func, seen);
	cr_assert_eq(seen[1], 1);
	cr_assert_eq(seen[0], 1);
	cr_assert_eq(seen[3], 1);
	cr_assert_eq(seen[2], 0);
	liveset__unmap(ls, 0x10000000, M, tally_fn, &t);
	liveset__heap_shrink(ls, 64 * K, tally_fn, &t);
	memset(seen, 0, sizeof(seen));
	liveset__for_each_func(ls, count_func, seen);
	cr_assert_eq(seen[0] + seen[1] + seen[3], 0);
	liveset__free(ls);
}
