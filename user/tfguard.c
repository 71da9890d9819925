// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A small fixed table of (uid, until): a linear scan, as it holds at most
 * TFGUARD_SLOTS users and is looked at once per file read. */
#include <stdlib.h>
#include "tfguard.h"

struct tfguard_slot {
	uid_t uid;
	uint64_t until_ns; /* 0: free */
};

struct tfguard {
	struct tfguard_slot slot[TFGUARD_SLOTS];
};

struct tfguard *tfguard__new(void)
{
	return calloc(1, sizeof(struct tfguard));
}

void tfguard__free(struct tfguard *g)
{
	free(g);
}

int tfguard__held(const struct tfguard *g, uid_t uid, uint64_t now_ns)
{
	int held = 0;
	size_t i;

	for (i = 0; g && i < TFGUARD_SLOTS && !held; i++)
		held = g->slot[i].until_ns > now_ns && g->slot[i].uid == uid;
	return held;
}

void tfguard__stalled(struct tfguard *g, uid_t uid, uint64_t now_ns)
{
	struct tfguard_slot *use = NULL;
	size_t i;

	for (i = 0; g && i < TFGUARD_SLOTS; i++) {
		struct tfguard_slot *s = &g->slot[i];

		if (s->until_ns > now_ns && s->uid == uid) {
			use = s; /* already held: extend */
			break;
		}
		if (!use || s->until_ns < use->until_ns)
			use = s; /* free, expired, or ending first */
	}
	if (use) {
		use->uid = uid;
		use->until_ns = now_ns + TFGUARD_HOLD_NS;
	}
}
