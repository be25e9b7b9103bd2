// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dirty tracking of kernel-managed HWPTs, for live migration:
 * IOMMU_HWPT_SET_DIRTY_TRACKING turns the IOMMU's dirty bits on (from a
 * clean state) or off; IOMMU_HWPT_GET_DIRTY_BITMAP reports which pages of
 * an IOVA range the device wrote, clearing the bits unless told not to.
 * Only IOVA that the IOAS maps is walked; the range must be fully mapped.
 */
#include <linux/iommu.h>
#include <uapi/linux/iommufd.h>

#include "../iommufd_private.h"
#include "../ioas/ioas.h"
#include "hwpt.h"

static struct iommufd_hwpt_paging *
iommufd_get_hwpt_paging(struct iommufd_ucmd *ucmd, u32 id)
{
	struct iommufd_object *obj = iommufd_get_object(ucmd->ictx, id,
						       IOMMUFD_OBJ_HWPT_PAGING);

	return IS_ERR(obj) ? ERR_CAST(obj) :
			     container_of(obj, struct iommufd_hwpt_paging, common.obj);
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
	if (domain->dirty_ops)
		rc = iopt_set_dirty_tracking(iopt, domain, enable);
	iommufd_put_object(ucmd->ictx, &hwpt->common.obj);
	return rc;
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
	struct iommufd_hwpt_paging *hwpt;
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

	rc = iopt_read_dirty(iopt, hwpt->common.domain, cmd->iova, cmd->length,
			     cmd->page_size, u64_to_user_ptr(cmd->data),
			     cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR ?
				     IOMMU_DIRTY_NO_CLEAR : 0);
out_put:
	iommufd_put_object(ucmd->ictx, &hwpt->common.obj);
	return rc;
}
