// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dirty tracking over an I/O page table (for hwpt/dirty.c): the IOMMU
 * domain's dirty bits read only where the IOAS maps something, walking
 * the areas under iova_rwsem, so that a range must be fully mapped and
 * no map or unmap changes it meanwhile.
 */
#include <linux/iommu.h>
#include <linux/iova_bitmap.h>

#include "io_pagetable.h"

/* Clear every dirty bit of the domain's mappings of @iopt. */
static int iopt_clear_dirty(struct io_pagetable *iopt,
			    struct iommu_domain *domain)
{
	const struct iommu_dirty_ops *ops = domain->dirty_ops;
	struct iommu_iotlb_gather gather;
	struct iommu_dirty_bitmap dirty;
	struct iopt_area *area;
	int rc = 0;

	lockdep_assert_held(&iopt->iova_rwsem);

	iommu_iotlb_gather_init(&gather);
	iommu_dirty_bitmap_init(&dirty, NULL, &gather);
	for (area = iopt_area_first(iopt, 0, ULONG_MAX); area && !rc;
	     area = iopt_area_next(area, 0, ULONG_MAX))
		rc = ops->read_and_clear_dirty(domain, iopt_area_iova(area),
					       iopt_area_length(area), 0,
					       &dirty);
	iommu_iotlb_sync(domain, &gather);
	return rc;
}

/**
 * iopt_set_dirty_tracking() - turn a domain's dirty tracking on or off
 * @iopt: the page table the domain mirrors
 * @domain: the domain, with dirty_ops
 * @enable: on (from a clean state: old writes do not show up) or off
 *
 * Context: process context, may sleep.
 * Return: 0, or the driver's errno.
 */
int iopt_set_dirty_tracking(struct io_pagetable *iopt,
			    struct iommu_domain *domain, bool enable)
{
	int rc;

	down_read(&iopt->iova_rwsem);
	rc = enable ? iopt_clear_dirty(iopt, domain) : 0;
	if (!rc)
		rc = domain->dirty_ops->set_dirty_tracking(domain, enable);
	up_read(&iopt->iova_rwsem);
	return rc;
}

struct iopt_dirty_walk {
	struct io_pagetable *iopt;
	struct iommu_domain *domain;
	struct iommu_dirty_bitmap *dirty;
	unsigned long flags;
};

/* One window of the bitmap: read the dirty bits of the areas under it. */
static int iopt_dirty_window(struct iova_bitmap *bitmap, unsigned long iova,
			     size_t length, void *opaque)
{
	struct iopt_dirty_walk *walk = opaque;
	const struct iommu_dirty_ops *ops = walk->domain->dirty_ops;
	unsigned long last = iova + length - 1, pos = iova;
	struct iopt_area *area;
	int rc;

	iopt_for_each_area(area, walk->iopt, iova, last) {
		unsigned long end = min(last, iopt_area_last_iova(area));

		if (iopt_area_iova(area) > pos)
			return -EINVAL;	/* a hole in the range */
		rc = ops->read_and_clear_dirty(walk->domain, pos,
					       end - pos + 1, walk->flags,
					       walk->dirty);
		if (rc)
			return rc;
		if (end == last)
			return 0;
		pos = end + 1;
	}
	return -EINVAL;
}

/**
 * iopt_read_dirty() - report (and clear) the dirty bits of an IOVA range
 * @iopt: the page table the domain mirrors
 * @domain: the domain, with dirty_ops
 * @iova: first IOVA, aligned to @page_size
 * @length: bytes, non-zero, not wrapping, a multiple of @page_size
 * @page_size: bytes one bit of the bitmap stands for, a power of two
 * @data: the user's bitmap
 * @flags: IOMMU_DIRTY_NO_CLEAR to leave the bits set, else 0
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for a range misaligned to the IOAS or not fully
 * mapped; -EFAULT; -ENOMEM; or the driver's errno.
 */
int iopt_read_dirty(struct io_pagetable *iopt, struct iommu_domain *domain,
		    unsigned long iova, unsigned long length,
		    unsigned long page_size, u64 __user *data,
		    unsigned long flags)
{
	struct iommu_iotlb_gather gather;
	struct iommu_dirty_bitmap dirty;
	struct iopt_dirty_walk walk;
	struct iova_bitmap *bitmap;
	int rc;

	bitmap = iova_bitmap_alloc(iova, length, page_size, data);
	if (IS_ERR(bitmap))
		return PTR_ERR(bitmap);
	iommu_iotlb_gather_init(&gather);
	iommu_dirty_bitmap_init(&dirty, bitmap, &gather);
	walk = (struct iopt_dirty_walk){
		.iopt = iopt,
		.domain = domain,
		.dirty = &dirty,
		.flags = flags,
	};
	down_read(&iopt->iova_rwsem);
	rc = -EINVAL;
	if (!((iova | (iova + length)) & (iopt->iova_alignment - 1)))
		rc = iova_bitmap_for_each(bitmap, &walk, iopt_dirty_window);
	iommu_iotlb_sync(domain, &gather);
	up_read(&iopt->iova_rwsem);
	iova_bitmap_free(bitmap);
	return rc;
}
