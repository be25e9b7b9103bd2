// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of pages/contig.c, built from the module's own source in user
 * space: a domain user's range is cut into random physically contiguous
 * stretches, noted the way filling notes them, and every answer of the
 * bitmap is checked against the stretches themselves.  A block may only
 * say that pages follow one another when they are in one stretch (else
 * unpinning would drop the pins of other pages), and must say it for
 * every block that lies in one (else nothing is gained).  The same after
 * cutting the user in two, and with the bitmap's allocation failing.
 */
#include "kshim.h"

#include "../../module/pages/pages_priv.h"

#include "harness.h"
#include "unit.h"

#define P IOPT_CONTIG_PAGES
#define MAX_PAGES (12 * P)

/* Where each stretch starts: stretch_of[i] is the start of i's stretch. */
struct layout {
	unsigned long first;
	unsigned long last;
	unsigned long stretch_of[MAX_PAGES + 4 * P];
};

/* Cut [first, last] into stretches: long ones, short ones, or a mix. */
static void layout_make(struct layout *l)
{
	unsigned int kind = rnd_below(3);
	unsigned long i, start = l->first;

	for (i = l->first; i <= l->last; i++) {
		unsigned long odds = kind == 0 ? 4 * P : kind == 1 ? 3 : 200;

		if (i != l->first && !rnd_below(odds))
			start = i;
		l->stretch_of[i] = start;
	}
}

/* Note the stretches as filling does: at each break, then at the end. */
static bool fill(struct iopt_pages_user *user, const struct layout *l)
{
	unsigned long i, stretch = l->first;

	for (i = l->first + 1; i <= l->last; i++) {
		if (l->stretch_of[i] == i) {
			if (!iopt_user_contig_note(user, stretch, i))
				return false;
			stretch = i;
		}
	}
	return iopt_user_contig_note(user, stretch, l->last + 1);
}

/* Is the whole block @b inside [first, last] and inside one stretch? */
static bool block_whole(const struct layout *l, unsigned long first,
			unsigned long last, unsigned long b)
{
	unsigned long lo = b * P, hi = lo + P - 1;

	return lo >= first && hi <= last &&
	       l->stretch_of[lo] == l->stretch_of[hi];
}

/*
 * Check every answer @user gives for [first, last]; @complete: it must
 * also know every whole block (its bitmap was not refused).
 */
static int check(struct iopt_pages_user *user, const struct layout *l,
		 unsigned long first, unsigned long last, bool complete)
{
	unsigned long base = iopt_user_contig_base(user), i, b;

	for (i = first; i <= last; i++) {
		unsigned long stop = i + rnd_below(last - i + 1);
		unsigned long n = 1;

		if (user->contig)
			n = iopt_contig_pages(user->contig, base, i, stop) ?: 1;
		if (i + n - 1 > stop)
			return -1;
		if (l->stretch_of[i + n - 1] != l->stretch_of[i])
			return -2;
	}
	/* Each whole block, from its first page: all of it. */
	for (b = first / P; complete && b <= last / P; b++)
		if (block_whole(l, first, last, b) &&
		    (!user->contig ||
		     iopt_contig_pages(user->contig, base, b * P, last) != P))
			return -3;
	return 0;
}

TEST_TIMEOUT(contig, blocks_match_the_stretches, 300)
{
	static struct layout l;
	unsigned long marked = 0;

	seed();
	for (unsigned int run = 0; run < 600; run++) {
		struct iopt_pages_user left = {}, right = {};
		bool refuse = !rnd_below(10), complete;
		unsigned long split;

		l.first = rnd_below(3 * P);
		l.last = l.first + rnd_below(MAX_PAGES);
		layout_make(&l);
		left.node.start = l.first;
		left.node.last = l.last;

		kshim_alloc_fail = refuse;
		complete = fill(&left, &l);
		kshim_alloc_fail = 0;
		if (!refuse)
			ASSERT_TRUE(complete);
		if (!complete)
			ASSERT_TRUE(!left.contig);
		if (!complete) {
			/* The fill stops noting; what it has is still true. */
			ASSERT_EQ(0, check(&left, &l, l.first, l.last, false));
			iopt_user_contig_free(&left);
			continue;
		}
		ASSERT_EQ(0, check(&left, &l, l.first, l.last, true));
		if (left.contig)
			marked++;

		/* Cut it in two, the right half's bitmap maybe refused. */
		if (l.first == l.last) {
			iopt_user_contig_free(&left);
			continue;
		}
		split = l.first + 1 + rnd_below(l.last - l.first);
		right.node.start = split;
		right.node.last = l.last;
		refuse = !rnd_below(10);
		kshim_alloc_fail = refuse;
		iopt_user_contig_split(&left, &right);
		kshim_alloc_fail = 0;
		left.node.last = split - 1;
		ASSERT_EQ(0, check(&left, &l, l.first, split - 1, true));
		ASSERT_EQ(0, check(&right, &l, split, l.last, !refuse));
		iopt_user_contig_free(&left);
		iopt_user_contig_free(&right);
		ASSERT_TRUE(!left.contig);
	}
	/* Some runs had long stretches: the bitmap was used. */
	ASSERT_GT(marked, 50UL);
	ASSERT_EQ(0UL, kshim_warnings);
}

TEST(contig, short_stretches_allocate_nothing)
{
	struct iopt_pages_user user = { .node = { .start = 7,
						  .last = 7 + 3 * P } };
	unsigned long i;

	/* Every page its own stretch: no block is whole, no bitmap. */
	for (i = user.node.start; i <= user.node.last; i++)
		ASSERT_TRUE(iopt_user_contig_note(&user, i, i + 1));
	ASSERT_TRUE(!user.contig);

	/* A stretch one page short of a block on either side: none. */
	ASSERT_TRUE(iopt_user_contig_note(&user, 2 * P + 1, 3 * P));
	ASSERT_TRUE(iopt_user_contig_note(&user, 2 * P, 3 * P - 1));
	ASSERT_TRUE(!user.contig);

	/* Exactly one block. */
	ASSERT_TRUE(iopt_user_contig_note(&user, 2 * P, 3 * P));
	ASSERT_TRUE(user.contig);
	ASSERT_EQ(P, iopt_contig_pages(user.contig,
				       iopt_user_contig_base(&user), 2 * P,
				       user.node.last));
	ASSERT_EQ(0UL, iopt_contig_pages(user.contig,
					 iopt_user_contig_base(&user), P,
					 user.node.last));
	/* From inside the block, to its end or to the last page asked. */
	ASSERT_EQ(P - 5, iopt_contig_pages(user.contig,
					   iopt_user_contig_base(&user),
					   2 * P + 5, user.node.last));
	ASSERT_EQ(3UL, iopt_contig_pages(user.contig,
					 iopt_user_contig_base(&user),
					 2 * P + 5, 2 * P + 7));
	iopt_user_contig_free(&user);
	ASSERT_EQ(0UL, kshim_warnings);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
