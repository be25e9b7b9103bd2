// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of pages/contig.c, built from the module's own source in user
 * space: a domain user's range is cut into random physically contiguous
 * stretches, noted the way filling notes them, and every answer of the
 * masks is checked against the stretches themselves.  The masks may only
 * say that pages follow one another when they are in one stretch (else
 * unpinning would drop the pins of other pages), and must say it as far
 * as the rule of contig.c allows (else nothing is gained).  The same after
 * cutting the user in two, and with the masks' allocation failing.
 */
#include "kshim.h"

#include "../../module/pages/pages_priv.h"

#include "harness.h"
#include "unit.h"

#define P IOPT_CONTIG_PAGES
#define S IOPT_CONTIG_SUB_PAGES
#define MAX_PAGES (12 * P)

/* Where each stretch starts: stretch_of[i] is the start of i's stretch. */
struct layout {
	unsigned long first;
	unsigned long last;
	unsigned long stretch_of[MAX_PAGES + 4 * P];
};

/*
 * Cut [first, last] into stretches: long ones, short ones, about a
 * sub-block long, or a mix.
 */
static void layout_make(struct layout *l)
{
	static const unsigned long odds_of[] = { 4 * P, 3, S + 3, 200 };
	unsigned long odds = odds_of[rnd_below(ARRAY_SIZE(odds_of))];
	unsigned long i, start = l->first;

	for (i = l->first; i <= l->last; i++) {
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

/*
 * The rule of contig.c: sub-block @s is marked when it lies in one
 * stretch of the range and, but at a block's start, continues the page
 * before it.
 */
static bool sub_marked(const struct layout *l, unsigned long s)
{
	unsigned long lo = s * S, hi = lo + S - 1;

	if (lo < l->first || hi > l->last ||
	    l->stretch_of[lo] != l->stretch_of[hi])
		return false;
	return s % IOPT_CONTIG_SUBS == 0 ||
	       (lo > l->first && l->stretch_of[lo - 1] == l->stretch_of[lo]);
}

/* What the masks must answer at @i, up to @stop, by that rule. */
static unsigned long expected(const struct layout *l, unsigned long i,
			      unsigned long stop)
{
	unsigned long s = i / S, end = s + 1;

	if (!sub_marked(l, s))
		return 0;
	while (end % IOPT_CONTIG_SUBS && sub_marked(l, end))
		end++;
	return min(end * S, stop + 1) - i;
}

/*
 * Check every answer @user gives for [first, last]; @complete: it must
 * give all that the rule allows (its masks were not refused), else it
 * may give less.
 */
static int check(struct iopt_pages_user *user, const struct layout *l,
		 unsigned long first, unsigned long last, bool complete)
{
	unsigned long base = iopt_user_contig_base(user), i;

	for (i = first; i <= last; i++) {
		unsigned long stop = i + rnd_below(last - i + 1);
		unsigned long n = 0, want = expected(l, i, stop);

		if (user->contig)
			n = iopt_contig_pages(user->contig, base, i, stop);
		if (n && (i + n - 1 > stop ||
			  l->stretch_of[i + n - 1] != l->stretch_of[i]))
			return -1;
		if (complete ? n != want : n > want)
			return -2;
	}
	return 0;
}

TEST_TIMEOUT(contig, masks_match_the_stretches, 300)
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

		/* Cut it in two, the right half's masks maybe refused. */
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
	/* Some runs had long stretches: the masks were used. */
	ASSERT_GT(marked, 50UL);
	ASSERT_EQ(0UL, kshim_warnings);
}

TEST(contig, short_stretches_allocate_nothing)
{
	struct iopt_pages_user user = { .node = { .start = 7,
						  .last = 7 + 3 * P } };
	unsigned long i;

	/* Every page its own stretch: no sub-block is whole, no masks. */
	for (i = user.node.start; i <= user.node.last; i++)
		ASSERT_TRUE(iopt_user_contig_note(&user, i, i + 1));
	ASSERT_TRUE(!user.contig);

	/* A stretch one page short of a sub-block on either side: none. */
	ASSERT_TRUE(iopt_user_contig_note(&user, 2 * P + 1, 2 * P + S));
	ASSERT_TRUE(iopt_user_contig_note(&user, 2 * P, 2 * P + S - 1));
	/* Sub-block 1 exactly: it cannot say it continues page S - 1. */
	ASSERT_TRUE(iopt_user_contig_note(&user, 2 * P + S, 2 * P + 2 * S));
	ASSERT_TRUE(!user.contig);

	/* Sub-block 0 exactly, at the block's start. */
	ASSERT_TRUE(iopt_user_contig_note(&user, 2 * P, 2 * P + S));
	ASSERT_TRUE(user.contig);
	ASSERT_EQ(S, iopt_contig_pages(user.contig,
				       iopt_user_contig_base(&user), 2 * P,
				       user.node.last));
	ASSERT_EQ(0UL, iopt_contig_pages(user.contig,
					 iopt_user_contig_base(&user),
					 2 * P + S, user.node.last));
	iopt_user_contig_free(&user);
	ASSERT_EQ(0UL, kshim_warnings);
}

/*
 * Two stretches meet inside a block, as when the block boundaries of
 * reused memory fall inside its stretches: each part of the block is
 * one read, but for the sub-block where the second starts.
 */
TEST(contig, a_block_of_two_stretches_reads_in_parts)
{
	struct iopt_pages_user user = { .node = { .start = 0,
						  .last = 3 * P - 1 } };
	unsigned long base = iopt_user_contig_base(&user);
	const unsigned long cut = P + P / 2;

	ASSERT_TRUE(iopt_user_contig_note(&user, 0, cut));
	ASSERT_TRUE(iopt_user_contig_note(&user, cut, 3 * P));
	/* Block 0 whole, in one read, and block 2. */
	ASSERT_EQ(P, iopt_contig_pages(user.contig, base, 0, 3 * P - 1));
	ASSERT_EQ(P, iopt_contig_pages(user.contig, base, 2 * P, 3 * P - 1));
	/* Block 1: the first stretch's end, from anywhere in it. */
	ASSERT_EQ(P / 2, iopt_contig_pages(user.contig, base, P, 3 * P - 1));
	ASSERT_EQ(P / 2 - 5,
		  iopt_contig_pages(user.contig, base, P + 5, 3 * P - 1));
	/* The sub-block where the second starts: page by page. */
	ASSERT_EQ(0UL, iopt_contig_pages(user.contig, base, cut, 3 * P - 1));
	ASSERT_EQ(0UL,
		  iopt_contig_pages(user.contig, base, cut + S - 1, 3 * P - 1));
	/* Then the rest of the block, or up to the last page asked. */
	ASSERT_EQ(P / 2 - S,
		  iopt_contig_pages(user.contig, base, cut + S, 3 * P - 1));
	ASSERT_EQ(3UL, iopt_contig_pages(user.contig, base, cut + S + 5,
					 cut + S + 7));
	iopt_user_contig_free(&user);
	ASSERT_EQ(0UL, kshim_warnings);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
