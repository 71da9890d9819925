// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <criterion/criterion.h>
#include "tfguard.h"

#define S 1000000000ULL

Test(tfguard, holds_a_user_for_the_period_only)
{
	struct tfguard *g = tfguard__new();

	cr_assert_not_null(g);
	cr_expect_eq(tfguard__held(g, 1000, 5 * S), 0);
	tfguard__stalled(g, 1000, 5 * S);
	cr_expect_eq(tfguard__held(g, 1000, 5 * S), 1);
	cr_expect_eq(tfguard__held(g, 1001, 5 * S), 0, "another user is read");
	cr_expect_eq(tfguard__held(g, 1000, 5 * S + TFGUARD_HOLD_NS - 1), 1);
	cr_expect_eq(tfguard__held(g, 1000, 5 * S + TFGUARD_HOLD_NS), 0, "held for the period only");
	tfguard__free(g);
}

Test(tfguard, uid_zero_and_null_table)
{
	struct tfguard *g = tfguard__new();

	cr_expect_eq(tfguard__held(g, 0, 1), 0, "a free slot (uid 0, until 0) holds nobody");
	tfguard__stalled(g, 0, 1);
	cr_expect_eq(tfguard__held(g, 0, 2), 1);
	cr_expect_eq(tfguard__held(NULL, 0, 2), 0);
	tfguard__stalled(NULL, 0, 2); /* no table: nothing held, no crash */
	tfguard__free(g);
}

Test(tfguard, a_stall_again_extends_without_taking_a_second_slot)
{
	struct tfguard *g = tfguard__new();
	uid_t u;

	tfguard__stalled(g, 7, 1 * S);
	tfguard__stalled(g, 7, 100 * S);
	cr_expect_eq(tfguard__held(g, 7, 100 * S + TFGUARD_HOLD_NS - 1), 1, "extended");
	/* the other slots are still free: TFGUARD_SLOTS - 1 more users fit */
	for (u = 100; u < 100 + TFGUARD_SLOTS - 1; u++)
		tfguard__stalled(g, u, 100 * S);
	cr_expect_eq(tfguard__held(g, 7, 101 * S), 1);
	for (u = 100; u < 100 + TFGUARD_SLOTS - 1; u++)
		cr_expect_eq(tfguard__held(g, u, 101 * S), 1, "uid %u", (unsigned)u);
	tfguard__free(g);
}

Test(tfguard, full_table_reuses_the_slot_ending_first)
{
	struct tfguard *g = tfguard__new();
	uid_t u;

	for (u = 0; u < TFGUARD_SLOTS; u++)
		tfguard__stalled(g, 500 + u, (1 + u) * S); /* 500 ends first */
	tfguard__stalled(g, 9999, 100 * S);
	cr_expect_eq(tfguard__held(g, 9999, 100 * S), 1);
	cr_expect_eq(tfguard__held(g, 500, 100 * S), 0, "the earliest ending user gave its slot");
	cr_expect_eq(tfguard__held(g, 501, 100 * S), 1);
	cr_expect_eq(tfguard__held(g, 500 + TFGUARD_SLOTS - 1, 100 * S), 1);
	tfguard__free(g);
}
