// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_HWPT_INVALIDATE: the command checks.
 *
 * Invalidation is for user-managed (nested) page tables, which come with
 * nesting support; until then a well-formed command finds no nested HWPT
 * and fails with ENOENT, after the same validation as then.
 */
#include <linux/errno.h>
#include <linux/err.h>
#include <linux/sizes.h>
#include <uapi/linux/iommufd.h>

#include "../iommufd_private.h"

/* Bounds on one HWPT_INVALIDATE, so a single call cannot hog the CPU. */
#define IOMMUFD_INVALIDATE_MAX_ENTRIES SZ_64K

/**
 * iommufd_hwpt_invalidate_ioctl() - IOMMU_HWPT_INVALIDATE
 * @ucmd: the command; struct iommu_hwpt_invalidate
 *
 * Context: process context, may sleep.
 * Return: -EOPNOTSUPP for a reserved field; -EINVAL for an unbounded or
 * inconsistent request array; -ENOENT for an unknown nested HWPT.
 */
int iommufd_hwpt_invalidate_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct iommufd_object *hwpt;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->entry_num &&
	    (!cmd->data_uptr || !cmd->entry_len || cmd->entry_len > PAGE_SIZE ||
	     cmd->entry_num > IOMMUFD_INVALIDATE_MAX_ENTRIES))
		return -EINVAL;

	hwpt = iommufd_get_object(ucmd->ictx, cmd->hwpt_id,
				  IOMMUFD_OBJ_HWPT_NESTED);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	iommufd_put_object(ucmd->ictx, hwpt);
	return -ENOENT;
}
