// SPDX-License-Identifier: GPL-2.0-only
/*
 * Mirroring an IOAS into IOMMU domains.
 *
 * Every domain attached to an IOAS maps every area of it; the pages behind
 * an area are pinned once (one pin range per area, shared by all domains)
 * for as long as the IOAS has any domain.  An area is handed to the IOMMU
 * in runs of physically contiguous memory, so a huge page or a large folio
 * becomes one iommu_map() call that the IOMMU core can map with its largest
 * page sizes; with IOMMU_OPTION_HUGE_PAGES off, page by page.
 */
#include <linux/iommu.h>
#include <linux/mm.h>

#include "../iommufd_private.h"
#include "io_pagetable.h"

static void iopt_area_unmap_domain(struct iopt_area *area,
				   struct iommu_domain *domain)
{
	size_t unmapped;

	unmapped = iommu_unmap(domain, iopt_area_iova(area),
			       iopt_area_length(area));
	WARN_ON(unmapped != iopt_area_length(area));
}

/* Map @area into @domain; on failure nothing of it stays mapped. */
static int iopt_area_map_domain(struct io_pagetable *iopt,
				struct iopt_area *area,
				struct iommu_domain *domain)
{
	unsigned long index = area->pages_node.start;
	unsigned long offset = area->page_offset;
	unsigned long iova = iopt_area_iova(area);
	unsigned long left = iopt_area_length(area);
	struct iopt_pages *pages = area->pages;
	int rc;

	while (left) {
		unsigned long pfn = iopt_pages_pinned_pfn(pages, index);
		unsigned long run = min(PAGE_SIZE - offset, left);
		unsigned long npages = 1;

		/* Grow the run over physically contiguous pages. */
		while (!iopt->disable_large_pages && run < left &&
		       iopt_pages_pinned_pfn(pages, index + npages) ==
			       pfn + npages) {
			run += min(PAGE_SIZE, left - run);
			npages++;
		}
		rc = iommu_map(domain, iova, PFN_PHYS(pfn) + offset, run,
			       area->iommu_prot, GFP_KERNEL_ACCOUNT);
		if (rc) {
			if (iova != iopt_area_iova(area))
				iommu_unmap(domain, iopt_area_iova(area),
					    iova - iopt_area_iova(area));
			return rc;
		}
		iova += run;
		left -= run;
		index += (offset + run) / PAGE_SIZE;
		offset = 0;
		cond_resched();
	}
	return 0;
}

/**
 * iopt_area_fill_domains() - pin an area's pages and map it in every domain
 * @iopt: the page table, with domains_rwsem held
 * @area: the area, not yet mapped anywhere
 *
 * Context: process context, may sleep.
 * Return: 0, or a negative errno with nothing pinned or mapped.
 */
int iopt_area_fill_domains(struct io_pagetable *iopt, struct iopt_area *area)
{
	struct iommu_domain *domain, *failed;
	unsigned long index;
	int rc;

	lockdep_assert_held(&iopt->domains_rwsem);

	if (xa_empty(&iopt->domains))
		return 0;
	rc = iopt_pages_pin(area->pages, area->pages_node.start,
			    area->pages_node.last);
	if (rc)
		return rc;
	xa_for_each(&iopt->domains, index, domain) {
		rc = iopt_area_map_domain(iopt, area, domain);
		if (rc)
			goto err_unmap;
	}
	return 0;

err_unmap:
	failed = domain;
	xa_for_each(&iopt->domains, index, domain) {
		if (domain == failed)
			break;
		iopt_area_unmap_domain(area, domain);
	}
	iopt_pages_unpin(area->pages, area->pages_node.start,
			 area->pages_node.last);
	return rc;
}

/**
 * iopt_area_unfill_domains() - undo iopt_area_fill_domains()
 * @iopt: the page table, with domains_rwsem held
 * @area: the area
 *
 * Context: process context, may sleep.
 */
void iopt_area_unfill_domains(struct io_pagetable *iopt,
			      struct iopt_area *area)
{
	struct iommu_domain *domain;
	unsigned long index;

	lockdep_assert_held(&iopt->domains_rwsem);

	if (xa_empty(&iopt->domains))
		return;
	xa_for_each(&iopt->domains, index, domain)
		iopt_area_unmap_domain(area, domain);
	iopt_pages_unpin(area->pages, area->pages_node.start,
			 area->pages_node.last);
}

/*
 * Reserve what @domain cannot translate: everything outside its aperture.
 * Owner is the domain, so removal takes exactly these back.
 */
static int iopt_reserve_outside_aperture(struct io_pagetable *iopt,
					 struct iommu_domain *domain)
{
	unsigned long start = domain->geometry.aperture_start;
	unsigned long end = domain->geometry.aperture_end;
	int rc;

	if (start) {
		rc = iopt_reserve(iopt, 0, start - 1, domain);
		if (rc)
			return rc;
	}
	if (end != ULONG_MAX) {
		rc = iopt_reserve(iopt, end + 1, ULONG_MAX, domain);
		if (rc)
			return rc;
	}
	return 0;
}

/**
 * iopt_table_add_domain() - mirror the IOAS into a new domain
 * @iopt: the page table
 * @domain: a paging domain
 *
 * The IOVA outside the domain's aperture becomes reserved, the alignment
 * rises to the domain's smallest page, and every area is mapped (the first
 * domain also pins every area's pages).
 *
 * Context: process context, may sleep.
 * Return: 0; -EADDRINUSE if existing mappings lie outside the aperture or
 * break the alignment; -EINVAL for a domain with pages above PAGE_SIZE
 * only; the errors of pinning and mapping.  Nothing changes on failure.
 */
int iopt_table_add_domain(struct io_pagetable *iopt,
			  struct iommu_domain *domain)
{
	unsigned long align = 1UL << __ffs(domain->pgsize_bitmap);
	struct iopt_area *area, *failed;
	bool first;
	u32 id;
	int rc;

	if (align > PAGE_SIZE)
		return -EINVAL;

	down_write(&iopt->domains_rwsem);
	rc = iopt_reserve_outside_aperture(iopt, domain);
	if (rc)
		goto err_unreserve;

	down_write(&iopt->iova_rwsem);
	align = max(align, iopt_needed_alignment(iopt));
	rc = iopt_check_alignment(iopt, align);
	if (rc)
		goto err_unlock_iova;

	first = xa_empty(&iopt->domains);
	for (area = iopt_area_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_next(area, 0, ULONG_MAX)) {
		if (first) {
			rc = iopt_pages_pin(area->pages,
					    area->pages_node.start,
					    area->pages_node.last);
			if (rc)
				goto err_unmap;
		}
		rc = iopt_area_map_domain(iopt, area, domain);
		if (rc) {
			if (first)
				iopt_pages_unpin(area->pages,
						 area->pages_node.start,
						 area->pages_node.last);
			goto err_unmap;
		}
	}
	rc = xa_alloc(&iopt->domains, &id, domain, xa_limit_32b,
		      GFP_KERNEL_ACCOUNT);
	if (rc) {
		area = NULL;
		goto err_unmap;
	}
	iopt->iova_alignment = align;
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	return 0;

err_unmap:
	failed = area;
	for (area = iopt_area_first(iopt, 0, ULONG_MAX); area != failed;
	     area = iopt_area_next(area, 0, ULONG_MAX)) {
		iopt_area_unmap_domain(area, domain);
		if (first)
			iopt_pages_unpin(area->pages, area->pages_node.start,
					 area->pages_node.last);
	}
err_unlock_iova:
	up_write(&iopt->iova_rwsem);
err_unreserve:
	iopt_unreserve(iopt, domain);
	up_write(&iopt->domains_rwsem);
	return rc;
}

/**
 * iopt_table_remove_domain() - stop mirroring the IOAS into @domain
 * @iopt: the page table
 * @domain: a domain added by iopt_table_add_domain()
 *
 * Unmaps every area from the domain; the last domain also unpins them.
 *
 * Context: process context, may sleep.
 */
void iopt_table_remove_domain(struct io_pagetable *iopt,
			      struct iommu_domain *domain)
{
	struct iommu_domain *cur;
	struct iopt_area *area;
	unsigned long index;
	bool last;

	down_write(&iopt->domains_rwsem);
	xa_for_each(&iopt->domains, index, cur)
		if (cur == domain)
			break;
	if (WARN_ON(cur != domain)) {
		up_write(&iopt->domains_rwsem);
		return;
	}
	down_write(&iopt->iova_rwsem);
	xa_erase(&iopt->domains, index);
	last = xa_empty(&iopt->domains);
	for (area = iopt_area_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_next(area, 0, ULONG_MAX)) {
		iopt_area_unmap_domain(area, domain);
		if (last)
			iopt_pages_unpin(area->pages, area->pages_node.start,
					 area->pages_node.last);
	}
	iopt->iova_alignment = iopt_needed_alignment(iopt);
	up_write(&iopt->iova_rwsem);
	iopt_unreserve(iopt, domain);
	up_write(&iopt->domains_rwsem);
}
