// SPDX-License-Identifier: GPL-2.0-only
/*
 * Contiguity blocks: what a domain user that is read back page by page
 * remembers of its 4 KiB pages, so that reading back is one
 * iommu_iova_to_phys() per run of contiguous pages rather than per page.
 *
 * A domain user's PFNs are only in its IOMMU domain.  Where its folios
 * say nothing (order-0 pages: user->per_page), each page is read back
 * alone, and that read is what unmapping 4 KiB memory mostly costs.  Yet
 * memory faulted in on a quiet machine often comes as long physically
 * contiguous stretches, and filling saw them: it maps each as one run.
 *
 * So filling keeps one bit per IOPT_CONTIG_PAGES-aligned block of indexes
 * (2 MiB of memory): set when all of the block's pages lie inside the
 * user's range and in one stretch that filling mapped contiguously.  The
 * domain still holds every PFN; the bit only says that the block's pages
 * follow one another, so the first one read back gives the rest.  That is
 * 64 bytes per GiB, allocated only when some block qualifies and kept only
 * for users read page by page (huge folios already read back per folio),
 * and never needed: without it (the allocation failed) reading back goes
 * page by page as before.  The bits never change while the user is
 * filled: its pages stay pinned and mapped as they were.
 */
#include <linux/bitmap.h>
#include <linux/iommu.h>
#include <linux/slab.h>

#include "../selftest/selftest.h"
#include "pages_priv.h"

/* Bits of @user's bitmap: a block for each block its range touches. */
static unsigned long iopt_user_contig_nbits(struct iopt_pages_user *user)
{
	return (user->node.last >> IOPT_CONTIG_SHIFT) -
	       iopt_user_contig_base(user) + 1;
}

/**
 * __iopt_user_contig_note() - mark blocks [@lo, @hi) of @user contiguous
 * @user: a domain user being filled
 * @lo: first block
 * @hi: the block after the last
 *
 * Called by iopt_user_contig_note() with whole blocks of one stretch.
 *
 * Context: pages->mutex held; may sleep.
 * Return: false when the bitmap cannot be allocated: the caller stops
 * noting, and the user is read back without it.
 */
bool __iopt_user_contig_note(struct iopt_pages_user *user, unsigned long lo,
			     unsigned long hi)
{
	unsigned long base = iopt_user_contig_base(user);

	if (!user->contig) {
		if (iommufd_should_fail())
			return false;
		user->contig = bitmap_zalloc(iopt_user_contig_nbits(user),
					     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!user->contig)
			return false;
	}
	bitmap_set(user->contig, lo - base, hi - lo);
	return true;
}

/**
 * iopt_user_contig_free() - forget @user's contiguity blocks
 * @user: a domain user, unfilled or about to be read back by folio
 *
 * Context: pages->mutex held, or @user not yet in the tree.
 */
void iopt_user_contig_free(struct iopt_pages_user *user)
{
	bitmap_free(user->contig);
	user->contig = NULL;
}

/**
 * iopt_user_contig_split() - give @right the blocks of @left that it takes
 * @left: a filled domain user, being cut
 * @right: its part from the cut on, with its range set
 *
 * @left keeps its bitmap: a block that the cut shortens is still in one
 * stretch, and it reads nothing past its new end.  If @right's cannot be
 * allocated, @right is read back page by page.
 *
 * Context: pages->mutex held; may sleep.
 */
void iopt_user_contig_split(struct iopt_pages_user *left,
			    struct iopt_pages_user *right)
{
	unsigned long from, nbits, shift;

	right->contig = NULL;
	if (!left->contig)
		return;
	nbits = iopt_user_contig_nbits(right);
	shift = iopt_user_contig_base(right) - iopt_user_contig_base(left);
	from = find_next_bit(left->contig, shift + nbits, shift);
	if (from >= shift + nbits)
		return;
	if (iommufd_should_fail())
		return;
	right->contig = bitmap_zalloc(nbits,
				      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!right->contig)
		return;
	for_each_set_bit_from(from, left->contig, shift + nbits)
		__set_bit(from - shift, right->contig);
}

#ifdef IOMMUFD_SELFTEST
/**
 * iopt_user_contig_check() - the test build's check of a block read back
 * @domain: the user's record
 * @iova_base: the user's iova_base
 * @index: the index read back
 * @pfn: the PFN read there
 * @npages: the pages from @index that the block says follow it
 *
 * Reads each of them back as if there were no bitmap and warns if one is
 * not where the block said: unpinning would then drop another page's pin.
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
