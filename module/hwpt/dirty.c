// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dirty tracking of kernel-managed HWPTs, for live migration:
 * IOMMU_HWPT_SET_DIRTY_TRACKING turns the IOMMU's dirty bits on (from a
 * clean state) or off; IOMMU_HWPT_GET_DIRTY_BITMAP reports which pages of
 * an IOVA range the device wrote, clearing the bits unless told not to.
 * Only IOVA that the IOAS maps is walked; the range must be fully mapped.
 */
#include <linux/iommu.h>
#include <linux/iova_bitmap.h>
#include <uapi/linux/iommufd.h>

#include "../iommufd_private.h"

static struct iommufd_hwpt_paging *
iommufd_get_hwpt_paging(struct iommufd_ucmd *ucmd, u32 id)
{
	struct iommufd_object *obj = iommufd_get_object(ucmd->ictx, id,
						       IOMMUFD_OBJ_HWPT_PAGING);

	return IS_ERR(obj) ? ERR_CAST(obj) :
			     container_of(obj, struct iommufd_hwpt_paging, common.obj);
}

/* Clear every dirty bit of the domain's mappings of @iopt. */
static int iommufd_dirty_clear_all(struct io_pagetable *iopt,
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
 * iommufd_hwpt_set_dirty_tracking_ioctl() - IOMMU_HWPT_SET_DIRTY_TRACKING
 * @ucmd: the command; struct iommu_hwpt_set_dirty_tracking
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP for unknown flags, a reserved field or a HWPT
 * without dirty tracking; -ENOENT for an unknown HWPT.
 */
int iommufd_hwpt_set_dirty_tracking_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	bool enable = cmd->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	struct iommufd_hwpt_paging *hwpt;
	struct iommu_domain *domain;
	struct io_pagetable *iopt;
	int rc;

	if ((cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE) || cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = iommufd_get_hwpt_paging(ucmd, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	domain = hwpt->common.domain;
	iopt = &hwpt->ioas->iopt;

	rc = -EOPNOTSUPP;
	if (!domain->dirty_ops)
		goto out_put;
	down_read(&iopt->iova_rwsem);
	/* Start from a clean slate, so old writes do not show up. */
	rc = enable ? iommufd_dirty_clear_all(iopt, domain) : 0;
	if (!rc)
		rc = domain->dirty_ops->set_dirty_tracking(domain, enable);
	up_read(&iopt->iova_rwsem);
out_put:
	iommufd_put_object(ucmd->ictx, &hwpt->common.obj);
	return rc;
}

struct iommufd_dirty_walk {
	struct io_pagetable *iopt;
	struct iommu_domain *domain;
	struct iommu_dirty_bitmap *dirty;
	unsigned long flags;
};

/* One window of the bitmap: read the dirty bits of the areas under it. */
static int iommufd_dirty_window(struct iova_bitmap *bitmap, unsigned long iova,
				size_t length, void *opaque)
{
	struct iommufd_dirty_walk *walk = opaque;
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
 * iommufd_hwpt_get_dirty_bitmap_ioctl() - IOMMU_HWPT_GET_DIRTY_BITMAP
 * @ucmd: the command; struct iommu_hwpt_get_dirty_bitmap
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP for unknown flags, a reserved field or a HWPT
 * without dirty tracking; -ENOENT for an unknown HWPT; -EINVAL for a
 * range that is empty, misaligned to the IOAS or to page_size, or not
 * fully mapped, or a page_size that is not a power of two; -EOVERFLOW;
 * -EFAULT.
 */
int iommufd_hwpt_get_dirty_bitmap_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct iommu_iotlb_gather gather;
	struct iommufd_hwpt_paging *hwpt;
	struct iommu_dirty_bitmap dirty;
	struct iommufd_dirty_walk walk;
	struct iova_bitmap *bitmap;
	struct io_pagetable *iopt;
	u64 last;
	int rc;

	if ((cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) ||
	    cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = iommufd_get_hwpt_paging(ucmd, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	iopt = &hwpt->ioas->iopt;

	rc = -EOPNOTSUPP;
	if (!hwpt->common.domain->dirty_ops)
		goto out_put;
	rc = -EINVAL;
	if (!cmd->length || !cmd->page_size || !is_power_of_2(cmd->page_size))
		goto out_put;
	rc = -EOVERFLOW;
	if (check_add_overflow(cmd->iova, cmd->length - 1, &last) ||
	    last > ULONG_MAX)
		goto out_put;
	rc = -EINVAL;
	if ((cmd->iova | (last + 1)) & (cmd->page_size - 1))
		goto out_put;

	bitmap = iova_bitmap_alloc(cmd->iova, cmd->length, cmd->page_size,
				   u64_to_user_ptr(cmd->data));
	if (IS_ERR(bitmap)) {
		rc = PTR_ERR(bitmap);
		goto out_put;
	}
	iommu_iotlb_gather_init(&gather);
	iommu_dirty_bitmap_init(&dirty, bitmap, &gather);
	walk = (struct iommufd_dirty_walk){
		.iopt = iopt,
		.domain = hwpt->common.domain,
		.dirty = &dirty,
		.flags = cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR ?
				 IOMMU_DIRTY_NO_CLEAR : 0,
	};
	down_read(&iopt->iova_rwsem);
	rc = -EINVAL;
	if (!((cmd->iova | (last + 1)) & (iopt->iova_alignment - 1)))
		rc = iova_bitmap_for_each(bitmap, &walk, iommufd_dirty_window);
	iommu_iotlb_sync(hwpt->common.domain, &gather);
	up_read(&iopt->iova_rwsem);
	iova_bitmap_free(bitmap);
out_put:
	iommufd_put_object(ucmd->ictx, &hwpt->common.obj);
	return rc;
}
