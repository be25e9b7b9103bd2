// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_OPTION_HUGE_PAGES and what it allows: with large pages off, every
 * area is mapped page by page, so VFIO type1's v1 unmap can cut an area
 * at any page edge (iopt_cut_iova()) and remove part of what one MAP made,
 * as type1 does.
 */
#include <linux/iommu.h>
#include <linux/slab.h>

#include "io_pagetable.h"

/**
 * iopt_set_large_pages() - IOMMU_OPTION_HUGE_PAGES
 * @iopt: the page table
 * @enable: allow large IOMMU pages
 *
 * Disabling raises the alignment to PAGE_SIZE, which existing areas must
 * satisfy.
 *
 * Context: process context, may sleep.
 * Return: 0, or with nothing changed -EADDRINUSE, or -EINVAL when
 * disabling while domains already map areas.
 */
int iopt_set_large_pages(struct io_pagetable *iopt, bool enable)
{
	bool old;
	int rc;

	down_write(&iopt->iova_rwsem);
	old = iopt->disable_large_pages;
	/* Domains already hold large mappings of the areas. */
	if (!enable && !old && !xa_empty(&iopt->domains) &&
	    !RB_EMPTY_ROOT(&iopt->area_itree.rb_root)) {
		up_write(&iopt->iova_rwsem);
		return -EINVAL;
	}
	iopt->disable_large_pages = !enable;
	rc = iopt_check_alignment(iopt, iopt_needed_alignment(iopt));
	if (rc)
		iopt->disable_large_pages = old;
	else
		iopt->iova_alignment = iopt_needed_alignment(iopt);
	up_write(&iopt->iova_rwsem);
	return rc;
}

/**
 * iopt_page_sizes() - the IOMMU page sizes mappings of the IOAS can use
 * @iopt: the page table
 *
 * Context: process context; takes iova_rwsem for read.
 * Return: a bitmap of sizes every domain supports, only PAGE_SIZE when
 * large pages are off; at least PAGE_SIZE.
 */
u64 iopt_page_sizes(struct io_pagetable *iopt)
{
	u64 sizes = ULONG_MAX & PAGE_MASK;
	struct iommu_domain *domain;
	unsigned long index;

	down_read(&iopt->iova_rwsem);
	xa_for_each(&iopt->domains, index, domain)
		sizes &= domain->pgsize_bitmap | (PAGE_SIZE - 1);
	sizes &= PAGE_MASK;
	if (iopt->disable_large_pages || !sizes)
		sizes = PAGE_SIZE;
	up_read(&iopt->iova_rwsem);
	return sizes;
}

/* Split @area so that a new area starts at @iova, inside it. */
static int iopt_area_split(struct io_pagetable *iopt, struct iopt_area *area,
			   unsigned long iova)
{
	unsigned long left_len = iova - iopt_area_iova(area);
	unsigned long start_byte = iopt_area_start_byte(area);
	struct iopt_pages *pages = area->pages;
	struct iopt_area *right;
	bool filled = !xa_empty(&iopt->domains);
	int rc;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	mutex_lock(&pages->mutex);
	rc = area->prevent_access || area->num_locks ? -EBUSY :
	     area->num_accesses ? -EINVAL : 0;
	/* Revoking a dma-buf finds its areas by their domain users, uncut. */
	if (!rc && iopt_pages_is_dmabuf(pages))
		rc = -EOPNOTSUPP;
	mutex_unlock(&pages->mutex);
	if (rc)
		return rc;
	if ((iova | ((start_byte + left_len) % PAGE_SIZE)) &
	    (iopt->iova_alignment - 1))
		return -EINVAL;
	/* A cut through a large IOMMU page could not be unmapped alone. */
	if (filled && !area->user.small_pages)
		return -EINVAL;

	right = kzalloc(sizeof(*right), GFP_KERNEL_ACCOUNT);
	if (!right)
		return -ENOMEM;
	right->iopt = iopt;
	right->pages = pages;
	right->iommu_prot = area->iommu_prot;
	right->node.start = iova;
	right->node.last = iopt_area_last_iova(area);
	right->start_byte = start_byte + left_len;
	iopt_area_init_user(right, area->user.small_pages);

	/* Both halves stay pinned and mapped as the whole was. */
	if (filled) {
		iopt_pages_split_user(pages, &area->user, &right->user,
				      start_byte + left_len);
	} else {
		area->user.end_byte = start_byte + left_len;
		area->user.node.last = (start_byte + left_len - 1) / PAGE_SIZE;
	}
	iopt_pages_get(pages);
	interval_tree_remove(&area->node, &iopt->area_itree);
	area->node.last = iova - 1;
	interval_tree_insert(&area->node, &iopt->area_itree);
	interval_tree_insert(&right->node, &iopt->area_itree);
	return 0;
}

/**
 * iopt_cut_iova() - split areas so that each IOVA in @iovas ends one
 * @iopt: the page table, with IOMMU_OPTION_HUGE_PAGES off (domains then
 *	map page by page, so an area's mapping can be split too)
 * @iovas: last IOVAs of the pieces to make
 * @count: how many
 *
 * For VFIO type1 (v1), whose unmap may cut a mapping.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for a cut off the alignment or through pins of an
 * in-kernel access; -EBUSY during an unmap of that area or while a map
 * of it is still pinning; -ENOMEM.
 */
int iopt_cut_iova(struct io_pagetable *iopt, unsigned long *iovas,
		  unsigned int count)
{
	unsigned int i;
	int rc = 0;

	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	for (i = 0; i < count && !rc; i++) {
		struct iopt_area *area;

		if (iopt_range_filling(iopt, iovas[i], iovas[i])) {
			rc = -EBUSY;
			break;
		}
		area = iopt_area_first(iopt, iovas[i], iovas[i]);
		if (!area || iopt_area_last_iova(area) == iovas[i])
			continue;
		rc = iopt_area_split(iopt, area, iovas[i] + 1);
	}
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
	return rc;
}
