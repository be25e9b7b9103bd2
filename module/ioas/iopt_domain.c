// SPDX-License-Identifier: GPL-2.0-only
/*
 * Mirroring an IOAS into IOMMU domains.
 *
 * Every domain attached to an IOAS maps every area of it; the pages behind
 * an area are pinned once (the area's struct iopt_pages_user, shared by
 * all domains) for as long as the IOAS has any domain, and the domains are
 * the record of which pages those are.  pages/pages_domain.c maps and
 * unmaps the areas; this file decides which areas go into which domains.
 */
#include <linux/iommu.h>
#include <linux/mm.h>

#include "../iommufd_private.h"
#include "io_pagetable.h"

/**
 * iopt_area_fill_domains() - pin an area's pages and map it in every domain
 * @iopt: the page table, with domains_rwsem held
 * @area: the area, its user set up (iopt_area_init_user()), not yet
 *	mapped anywhere, and marked filling so nothing else touches it:
 *	iova_rwsem need not be held
 *
 * Context: process context, may sleep.
 * Return: 0, or a negative errno with nothing pinned or mapped.
 */
int iopt_area_fill_domains(struct io_pagetable *iopt, struct iopt_area *area)
{
	lockdep_assert_held(&iopt->domains_rwsem);

	if (xa_empty(&iopt->domains))
		return 0;
	return iopt_pages_fill_user(area->pages, &area->user, &iopt->domains);
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
	lockdep_assert_held(&iopt->domains_rwsem);

	if (xa_empty(&iopt->domains))
		return;
	iopt_pages_unfill_user(area->pages, &area->user, &iopt->domains);
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
	struct iommu_iotlb_gather gather;
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

	/*
	 * The first domain pins and maps every area; later ones are mapped
	 * from what the first holds.  Either way, the domain joins the
	 * xarray first: fill maps into the domains there.
	 */
	first = xa_empty(&iopt->domains);
	rc = xa_alloc(&iopt->domains, &id, domain, xa_limit_32b,
		      GFP_KERNEL_ACCOUNT);
	if (rc)
		goto err_unlock_iova;
	iopt_for_each_area(area, iopt, 0, ULONG_MAX) {
		if (first) {
			area->user.small_pages = iopt->disable_large_pages;
			rc = iopt_pages_fill_user(area->pages, &area->user,
						  &iopt->domains);
		} else {
			rc = iopt_pages_map_user(area->pages, &area->user,
						 domain);
		}
		if (rc)
			goto err_unmap;
	}
	iopt->iova_alignment = align;
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	return 0;

err_unmap:
	failed = area;
	iommu_iotlb_gather_init(&gather);
	for (area = iopt_area_first(iopt, 0, ULONG_MAX); area != failed;
	     area = iopt_area_next(area, 0, ULONG_MAX)) {
		if (first)
			iopt_pages_unfill_user(area->pages, &area->user,
					       &iopt->domains);
		else
			iopt_pages_unmap_user(area->pages, &area->user, domain,
					      area->user.domain, &gather);
	}
	iommu_iotlb_sync(domain, &gather);
	xa_erase(&iopt->domains, id);
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
 * Unmaps every area from the domain, with one IOTLB flush; the last domain
 * also unpins them.
 *
 * Context: process context, may sleep.
 */
void iopt_table_remove_domain(struct io_pagetable *iopt,
			      struct iommu_domain *domain)
{
	struct iommu_domain *cur, *record = NULL;
	struct iommu_iotlb_gather gather;
	unsigned long index = ULONG_MAX, i;
	struct iopt_area *area;

	down_write(&iopt->domains_rwsem);
	/*
	 * Stop as soon as both are known: past the last entry the walk
	 * would read every empty slot of the node, some 60 of them.
	 */
	xa_for_each(&iopt->domains, i, cur) {
		if (cur == domain)
			index = i;
		else if (!record)
			record = cur;
		if (index != ULONG_MAX && record)
			break;
	}
	if (WARN_ON(xa_load(&iopt->domains, index) != domain)) {
		up_write(&iopt->domains_rwsem);
		return;
	}
	down_write(&iopt->iova_rwsem);
	iommu_iotlb_gather_init(&gather);
	iopt_for_each_area(area, iopt, 0, ULONG_MAX) {
		/* The last domain: its xarray holds only it, as unfill needs. */
		if (!record)
			iopt_pages_unfill_user(area->pages, &area->user,
					       &iopt->domains);
		else
			iopt_pages_unmap_user(area->pages, &area->user, domain,
					      record, &gather);
	}
	if (record)
		iommu_iotlb_sync(domain, &gather);
	xa_erase(&iopt->domains, index);
	iopt->iova_alignment = iopt_needed_alignment(iopt);
	up_write(&iopt->iova_rwsem);
	iopt_unreserve(iopt, domain);
	up_write(&iopt->domains_rwsem);
}
