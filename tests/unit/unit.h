/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the unit tests share: a seeded generator, so that a failing run of
 * random operations is repeated exactly with UNIT_SEED=N.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <stdlib.h>

static unsigned long long rng_state;

static inline unsigned long rnd(void)
{
	/* xorshift64*: reproducible from the seed alone. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned long)(rng_state * 2685821657736338717ULL);
}

static inline unsigned long rnd_below(unsigned long n)
{
	return n ? rnd() % n : 0;
}

/* Seed from UNIT_SEED, or a fixed default; say which. */
static inline void seed(void)
{
	const char *env = getenv("UNIT_SEED");

	rng_state = env ? strtoull(env, NULL, 0) : 0x10a5;
	if (!rng_state)
		rng_state = 1;
	printf("# seed %llu (UNIT_SEED=%llu repeats it)\n", rng_state,
	       rng_state);
}

#endif /* UNIT_H */
