// SPDX-License-Identifier: GPL-2.0-only
/*
 * Contiguity masks: what a domain user that is read back page by page
 * remembers of its 4 KiB pages, so that reading back is one
 * iommu_iova_to_phys() per run of contiguous pages rather than per page.
 *
 * A domain user's PFNs are only in its IOMMU domain.  Where its folios
 * say nothing (order-0 pages: user->per_page), each page is read back
 * alone, and that read is what unmapping 4 KiB memory mostly costs.  Yet
 * 4 KiB memory mostly comes as physically contiguous stretches of dozens
 * to thousands of pages, and filling saw them: it maps each as one run.
 *
 * So filling keeps, per 2 MiB block of indexes, a mask of the block's 32
 * sub-blocks of 64 KiB: bit k is set when all of sub-block k lies in one
 * stretch that filling mapped contiguously and, for k > 0, that stretch
 * also holds the page before the sub-block.  A run of set bits is then
 * one stretch, read back from its first PFN: a block in one stretch is
 * one read, as is each part of a block that two stretches share (the
 * common case once memory has been freed and handed out again: the
 * block boundaries fall inside the stretches), but for the 64 KiB where
 * a stretch ends or starts.  A stretch that starts exactly at a
 * sub-block boundary inside a block leaves that sub-block unmarked: its
 * bit cannot say whether it continues the page before.
 *
 * The domain still holds every PFN; a bit says only that pages follow
 * one another.  That is 2 KiB per GiB (512 KiB for a 256 GiB area, so
 * vmalloc'd when the page allocator has no such run of pages at hand),
 * allocated only when some sub-block qualifies and kept only for users
 * read page by page (huge folios already read back per folio), and never
 * needed: without it (the allocation failed) reading back goes page by
 * page.  The masks never change while the user is filled: its pages stay
 * pinned and mapped as they were.
 */
#include <linux/bitops.h>
#include <linux/iommu.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../selftest/selftest.h"
#include "pages_priv.h"

/* Masks of @user: one for each block its range touches. */
static unsigned long iopt_user_contig_nblocks(struct iopt_pages_user *user)
{
	return (user->node.last >> IOPT_CONTIG_SHIFT) -
	       iopt_user_contig_base(user) + 1;
}

/**
 * __iopt_user_contig_note() - mark the sub-blocks of a stretch of @user
 * @user: a domain user being filled
 * @first: the stretch's first index
 * @end: the index after its last
 *
 * Called by iopt_user_contig_note() for a stretch of at least a sub-block.
 *
 * Context: pages->mutex held; may sleep.
 * Return: false when the masks cannot be allocated: the caller stops
 * noting, and the user is read back without them.
 */
bool __iopt_user_contig_note(struct iopt_pages_user *user,
			     unsigned long first, unsigned long end)
{
	unsigned long base = iopt_user_contig_base(user);
	unsigned long lo = DIV_ROUND_UP(first, IOPT_CONTIG_SUB_PAGES);
	unsigned long hi = end >> IOPT_CONTIG_SUB_SHIFT;
	unsigned long block, from, to;

	/*
	 * Inside a block, the sub-block the stretch starts exactly at does
	 * not continue the page before: its bit would join it to the stretch
	 * that page is in.
	 */
	if (first == lo << IOPT_CONTIG_SUB_SHIFT &&
	    lo % IOPT_CONTIG_SUBS)
		lo++;
	if (lo >= hi)
		return true;
	if (!user->contig) {
		if (iommufd_should_fail())
			return false;
		user->contig = kvcalloc(iopt_user_contig_nblocks(user),
					sizeof(*user->contig),
					GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!user->contig)
			return false;
	}
	for (; lo < hi; lo = to) {
		block = lo / IOPT_CONTIG_SUBS;
		from = lo % IOPT_CONTIG_SUBS;
		to = min(hi, (block + 1) * IOPT_CONTIG_SUBS);
		user->contig[block - base] |=
			GENMASK(to - 1 - block * IOPT_CONTIG_SUBS, from);
	}
	return true;
}

/**
 * iopt_user_contig_free() - forget @user's contiguity masks
 * @user: a domain user, unfilled or about to be read back by folio
 *
 * Context: pages->mutex held, or @user not yet in the tree.
 */
void iopt_user_contig_free(struct iopt_pages_user *user)
{
	kvfree(user->contig);
	user->contig = NULL;
}

/**
 * iopt_user_contig_split() - give @right the masks of @left that it takes
 * @left: a filled domain user, being cut
 * @right: its part from the cut on, with its range set
 *
 * @left keeps its masks: a run of marked sub-blocks that the cut shortens
 * is still in one stretch, and it reads nothing past its new end; @right
 * takes a copy of those of its blocks, for the same reason.  If @right's
 * cannot be allocated, @right is read back page by page.
 *
 * Context: pages->mutex held; may sleep.
 */
void iopt_user_contig_split(struct iopt_pages_user *left,
			    struct iopt_pages_user *right)
{
	unsigned long shift;
	size_t len;

	right->contig = NULL;
	if (!left->contig)
		return;
	shift = iopt_user_contig_base(right) - iopt_user_contig_base(left);
	len = iopt_user_contig_nblocks(right) * sizeof(*right->contig);
	/* Nothing marked there: @right reads page by page anyway. */
	if (!memchr_inv(left->contig + shift, 0, len))
		return;
	if (iommufd_should_fail())
		return;
	right->contig = kvmemdup(left->contig + shift, len,
				 GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
}

#ifdef IOMMUFD_SELFTEST
/**
 * iopt_user_contig_check() - the test build's check of a run of marked
 *	sub-blocks read back
 * @domain: the user's record
 * @iova_base: the user's iova_base
 * @index: the index read back
 * @pfn: the PFN read there
 * @npages: the pages from @index that the masks say follow it
 *
 * Reads each of them back as if there were no masks and warns if one is
 * not where the masks said: unpinning would then drop another page's pin.
 * Pages after the first are whole in the range, so their first byte is
 * mapped.  Counts them for the debugfs file block_read_pages.
 *
 * Context: pages->mutex held.
 */
void iopt_user_contig_check(struct iommu_domain *domain,
			    unsigned long iova_base, unsigned long index,
			    unsigned long pfn, unsigned long npages)
{
	unsigned long i;
	phys_addr_t phys;

	iommufd_test_block_read(npages);
	for (i = 1; i < npages; i++) {
		phys = iommu_iova_to_phys(domain,
					  iova_base + (index + i) * PAGE_SIZE);
		if (WARN_ON_ONCE(PHYS_PFN(phys) != pfn + i))
			return;
	}
}
#endif
