// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mock paging domain's I/O page table: an xarray indexed by IOVA /
 * MOCK_IO_PAGE_SIZE (half a CPU page, so IOVA granularity finer than
 * PAGE_SIZE is exercised) whose entries hold the physical address and
 * marks for the first and last IOVA of each map call: an unmap that starts
 * or ends inside one map call means the caller split a mapping, and warns.
 * Domains allocated for dirty tracking keep an xarray mark (MOCK_DIRTY) per
 * dirty entry, which IOMMU_TEST_OP_DIRTY sets (the "device" wrote) and
 * read_and_clear_dirty() reports, a huge IOVA page, or a CPU page mapped
 * as one entry, as a whole.  Erasing an entry drops its mark.
 */
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "../selftest/selftest.h"
#include "mock_priv.h"

/* The iommu_domain_ops of a mock paging domain, with mock_domain_ops. */
int mock_map_pages(struct iommu_domain *domain, unsigned long iova,
		   phys_addr_t paddr, size_t pgsize, size_t pgcount, int prot,
		   gfp_t gfp, size_t *mapped)
{
	struct mock_domain *mock = to_mock_domain(domain);
	unsigned long first = iova, n = pgsize * pgcount / MOCK_IO_PAGE_SIZE;
	unsigned long i;

	if (WARN_ON(iova % MOCK_IO_PAGE_SIZE || pgsize % MOCK_IO_PAGE_SIZE))
		return -EINVAL;
	/*
	 * As a driver out of page-table memory: a sweep makes a fill fail at
	 * each of its runs in turn, not only between the batches of runs.
	 * One point per map call is too many for the kernel's fail-nth.
	 */
	if (iommufd_should_fail_own())
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		unsigned long ent = paddr / MOCK_IO_PAGE_SIZE + i;
		void *old;

		if (i == 0)
			ent |= MOCK_ENT_FIRST;
		if (i == n - 1)
			ent |= MOCK_ENT_LAST;
		if (pgsize == MOCK_HUGE_PAGE_SIZE)
			ent |= MOCK_ENT_HUGE;
		else if (pgsize == PAGE_SIZE)
			ent |= MOCK_ENT_PAGE;
		old = xa_store(&mock->ptes, iova / MOCK_IO_PAGE_SIZE,
			       xa_mk_value(ent), gfp);
		if (xa_is_err(old)) {
			for (; first != iova; first += MOCK_IO_PAGE_SIZE)
				xa_erase(&mock->ptes, first / MOCK_IO_PAGE_SIZE);
			return xa_err(old);
		}
		WARN_ON(old);	/* mapped over a mapping */
		iova += MOCK_IO_PAGE_SIZE;
		*mapped += MOCK_IO_PAGE_SIZE;
	}
	return 0;
}

size_t mock_unmap_pages(struct iommu_domain *domain, unsigned long iova,
			size_t pgsize, size_t pgcount,
			struct iommu_iotlb_gather *gather)
{
	struct mock_domain *mock = to_mock_domain(domain);
	unsigned long n = pgsize * pgcount / MOCK_IO_PAGE_SIZE, i;
	bool huge = domain->pgsize_bitmap & MOCK_HUGE_PAGE_SIZE;

	for (i = 0; i < n; i++, iova += MOCK_IO_PAGE_SIZE) {
		void *ent = xa_erase(&mock->ptes, iova / MOCK_IO_PAGE_SIZE);

		/*
		 * Unmaps cover whole map calls.  (With huge IOVA pages the
		 * core splits differently and the marks say nothing.)
		 */
		if (!ent || huge)
			continue;
		if (i == 0)
			WARN_ON(!(xa_to_value(ent) & MOCK_ENT_FIRST));
		if (i == n - 1)
			WARN_ON(!(xa_to_value(ent) & MOCK_ENT_LAST));
	}
	return n * MOCK_IO_PAGE_SIZE;
}

phys_addr_t mock_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova)
{
	struct mock_domain *mock = to_mock_domain(domain);
	void *ent = xa_load(&mock->ptes, iova / MOCK_IO_PAGE_SIZE);

	if (!ent)
		return 0;
	return (xa_to_value(ent) & MOCK_ENT_ADDR) * MOCK_IO_PAGE_SIZE +
	       iova % MOCK_IO_PAGE_SIZE;
}

void mock_domain_free(struct iommu_domain *domain)
{
	struct mock_domain *mock = to_mock_domain(domain);

	WARN_ON(!xa_empty(&mock->ptes));
	xa_destroy(&mock->ptes);
	kfree(mock);
}

static int mock_set_dirty_tracking(struct iommu_domain *domain, bool enable)
{
	if (iommufd_should_fail())
		return -ENOMEM;
	to_mock_domain(domain)->dirty_tracking = enable;
	return 0;
}

/* How many entries the map call that wrote @ent mapped as one IOVA page. */
static unsigned long mock_ent_unit(void *ent)
{
	if (xa_to_value(ent) & MOCK_ENT_HUGE)
		return MOCK_HUGE_PAGE_SIZE / MOCK_IO_PAGE_SIZE;
	if (xa_to_value(ent) & MOCK_ENT_PAGE)
		return PAGE_SIZE / MOCK_IO_PAGE_SIZE;
	return 1;
}

/* The entries of the IOVA page that holds entry @index (itself if none). */
static unsigned long mock_unit_at(struct mock_domain *mock,
				  unsigned long index)
{
	void *ent = xa_load(&mock->ptes, index);

	return ent ? mock_ent_unit(ent) : 1;
}

/*
 * Walks only the entries marked dirty, as a real IOMMU's walk skips
 * clean page-table levels.  An IOVA page has one dirty bit, as its
 * hardware entry would: the walk widens the range to whole IOVA pages,
 * reports a page once if any of its entries is marked (the bitmap keeps
 * what lies in the range) and clears all of its marks.  The xarray's lock
 * keeps marks and entries still; it is dropped every MOCK_DIRTY_BATCH
 * entries so that a long walk lets others in.
 */
#define MOCK_DIRTY_BATCH 4096

static int mock_read_and_clear_dirty(struct iommu_domain *domain,
				     unsigned long iova, size_t size,
				     unsigned long flags,
				     struct iommu_dirty_bitmap *dirty)
{
	struct mock_domain *mock = to_mock_domain(domain);
	unsigned long first = iova / MOCK_IO_PAGE_SIZE;
	unsigned long last = (iova + size - 1) / MOCK_IO_PAGE_SIZE;
	unsigned long recorded_end = 0, n = 0;
	XA_STATE(xas, &mock->ptes, 0);
	void *ent;

	if (iommufd_should_fail())
		return -EIO;
	/* Reading needs tracking on; clearing (no bitmap) does not. */
	if (!mock->dirty_tracking && dirty->bitmap)
		return -EINVAL;
	if (!size)
		return 0;
	first = round_down(first, mock_unit_at(mock, first));
	last = round_up(last + 1, mock_unit_at(mock, last)) - 1;
	xas_set(&xas, first);
	xas_lock(&xas);
	xas_for_each_marked(&xas, ent, last, MOCK_DIRTY) {
		unsigned long unit = mock_ent_unit(ent);
		unsigned long head = round_down(xas.xa_index, unit);

		if (head >= recorded_end) {
			iommu_dirty_bitmap_record(dirty, head * MOCK_IO_PAGE_SIZE,
						  unit * MOCK_IO_PAGE_SIZE);
			recorded_end = head + unit;
		}
		if (!(flags & IOMMU_DIRTY_NO_CLEAR))
			xas_clear_mark(&xas, MOCK_DIRTY);
		if (++n % MOCK_DIRTY_BATCH == 0) {
			xas_pause(&xas);
			xas_unlock(&xas);
			cond_resched();
			xas_lock(&xas);
		}
	}
	xas_unlock(&xas);
	return 0;
}

const struct iommu_dirty_ops mock_dirty_ops = {
	.set_dirty_tracking = mock_set_dirty_tracking,
	.read_and_clear_dirty = mock_read_and_clear_dirty,
};

/**
 * iommufd_mock_mark_dirty() - the "device" writes: mark pages dirty
 * @domain: a mock domain with dirty tracking on
 * @iova: start, page_size aligned
 * @length: bytes, a multiple of page_size
 * @page_size: bytes per bit of @bits
 * @bits: one bit per page; set bits are marked
 * @count: out: mapped pages marked
 *
 * Context: process context.
 * Return: 0, or -EINVAL with tracking off.
 */
int iommufd_mock_mark_dirty(struct iommu_domain *domain, unsigned long iova,
			    unsigned long length, unsigned long page_size,
			    const unsigned long *bits, unsigned long *count)
{
	struct mock_domain *mock = to_mock_domain(domain);
	unsigned long i;

	if (!mock->dirty_tracking)
		return -EINVAL;
	*count = 0;
	for (i = 0; i < length / page_size; i++) {
		unsigned long index = (iova + i * page_size) / MOCK_IO_PAGE_SIZE;

		if (!test_bit(i, bits))
			continue;
		if (!xa_load(&mock->ptes, index))
			continue;
		xa_set_mark(&mock->ptes, index, MOCK_DIRTY);
		(*count)++;
	}
	return 0;
}

/**
 * iommufd_mock_check_map() - does @domain map [@iova, +@length) to the
 *	memory at @uptr?
 * @domain: a mock domain
 * @iova: start, MOCK_IO_PAGE_SIZE aligned
 * @length: bytes, a multiple of MOCK_IO_PAGE_SIZE
 * @uptr: user address of the memory it should map, same alignment
 *
 * Context: process context, may fault.
 * Return: 0; -EINVAL for a misaligned request or a wrong or missing
 * translation; the errors of looking up the user page.
 */
int iommufd_mock_check_map(struct iommu_domain *domain, unsigned long iova,
			   unsigned long length, void __user *uptr)
{
	struct mock_domain *mock = to_mock_domain(domain);

	if (iova % MOCK_IO_PAGE_SIZE || length % MOCK_IO_PAGE_SIZE ||
	    (unsigned long)uptr % MOCK_IO_PAGE_SIZE)
		return -EINVAL;
	for (; length; length -= MOCK_IO_PAGE_SIZE) {
		unsigned long uaddr = (unsigned long)uptr;
		struct page *page;
		phys_addr_t want;
		void *ent;
		long got;

		got = get_user_pages_fast(uaddr & PAGE_MASK, 1, 0, &page);
		if (got < 0)
			return got;
		if (got != 1)
			return -EFAULT;
		want = page_to_phys(page) + offset_in_page(uaddr);
		put_page(page);
		ent = xa_load(&mock->ptes, iova / MOCK_IO_PAGE_SIZE);
		if (!ent)
			return -EINVAL;
		if (want != (xa_to_value(ent) & MOCK_ENT_ADDR) * MOCK_IO_PAGE_SIZE)
			return -EINVAL;
		iova += MOCK_IO_PAGE_SIZE;
		uptr += MOCK_IO_PAGE_SIZE;
	}
	return 0;
}
