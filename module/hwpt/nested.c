// SPDX-License-Identifier: GPL-2.0-only
/*
 * User-managed (nested) hardware page tables and their cache invalidation.
 *
 * A nested HWPT is a stage-1 page table that user space (a VMM, on behalf
 * of its guest) writes in its own memory, described to the IOMMU driver by
 * driver-specific data at IOMMU_HWPT_ALLOC; the IOMMU translates its
 * output through a kernel-managed NEST_PARENT stage-2.  The kernel never
 * sees the stage-1 change, so user space tells the driver which of its
 * caches to drop: IOMMU_HWPT_INVALIDATE passes an array of driver-specific
 * requests, and the driver reports how many it carried out.
 */
#include <linux/errno.h>
#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/sizes.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include "../iommufd_private.h"
#include "../selftest/selftest.h"
#include "../device/device.h"
#include "../fault/fault.h"
#include "../viommu/viommu.h"
#include "hwpt.h"

/* Bounds on one HWPT_INVALIDATE, so a single call cannot hog the CPU. */
#define IOMMUFD_INVALIDATE_MAX_ENTRIES SZ_64K

/**
 * iommufd_hwpt_nested_destroy() - destroy callback of a nested HWPT
 * @obj: the object, attached to no device any more
 *
 * Context: process context, may sleep.
 */
void iommufd_hwpt_nested_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_nested *hwpt =
		container_of(obj, struct iommufd_hwpt_nested, common.obj);

	if (hwpt->common.domain)
		iommu_domain_free(hwpt->common.domain);
	if (hwpt->common.fault)
		iommufd_fault_put(hwpt->common.fault);
	if (hwpt->viommu)
		refcount_dec(&hwpt->viommu->obj.users);
	else
		refcount_dec(&hwpt->parent->common.obj.users);
}

/**
 * iommufd_hwpt_nested_alloc() - make a nested HWPT on @parent for @idev
 * @ictx: the context
 * @parent: the stage-2, which must have been allocated NEST_PARENT
 * @idev: the device whose IOMMU driver reads @user_data
 * @flags: IOMMU_HWPT_ALLOC_* flags; only IOMMU_HWPT_FAULT_ID_VALID and
 *	IOMMU_HWPT_ALLOC_PASID
 * @user_data: the driver's description of the stage-1
 *
 * Context: process context, may sleep.
 * Return: the HWPT, unpublished (the caller finalizes or aborts it), or an
 * ERR_PTR(): -EOPNOTSUPP for other flags or a driver without nesting;
 * -EINVAL for an unsuitable parent; the driver's errors for its data.
 */
struct iommufd_hwpt_nested *
iommufd_hwpt_nested_alloc(struct iommufd_ctx *ictx,
			  struct iommufd_hwpt_paging *parent,
			  struct iommufd_device *idev, u32 flags,
			  const struct iommu_user_data *user_data)
{
	const struct iommu_ops *ops = iommufd_dev_ops(idev->dev);
	struct iommufd_hwpt_nested *hwpt;
	struct iommu_domain *domain;
	int rc;

	if (flags & ~(IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID))
		return ERR_PTR(-EOPNOTSUPP);
	if (!ops->domain_alloc_user)
		return ERR_PTR(-EOPNOTSUPP);
	/*
	 * Only an explicit NEST_PARENT table can be a stage-2: an automatic
	 * one may vanish with its last device.
	 */
	if (parent->auto_domain || !parent->nest_parent)
		return ERR_PTR(-EINVAL);

	hwpt = iommufd_object_alloc_at(ictx, struct iommufd_hwpt_nested,
				       common.obj, IOMMUFD_OBJ_HWPT_NESTED);
	if (IS_ERR(hwpt))
		return hwpt;
	hwpt->parent = parent;
	refcount_inc(&parent->common.obj.users);
	hwpt->common.pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;

	/* Both flags are iommufd's business, not the driver's. */
	domain = ops->domain_alloc_user(idev->dev,
					flags & ~(IOMMU_HWPT_FAULT_ID_VALID |
						  IOMMU_HWPT_ALLOC_PASID),
					parent->common.domain, user_data);
	if (IS_ERR(domain)) {
		rc = PTR_ERR(domain);
		goto err_abort;
	}
	hwpt->common.domain = domain;
	domain->owner = ops;
	/* A nested domain without invalidation would go stale unnoticed. */
	rc = -EINVAL;
	if (WARN_ON_ONCE(domain->type != IOMMU_DOMAIN_NESTED ||
			 !domain->ops->cache_invalidate_user))
		goto err_abort;
	return hwpt;

err_abort:
	iommufd_object_abort_and_destroy(ictx, &hwpt->common.obj);
	return ERR_PTR(rc);
}

/**
 * iommufd_hwpt_invalidate_ioctl() - IOMMU_HWPT_INVALIDATE
 * @ucmd: the command; struct iommu_hwpt_invalidate
 *
 * The driver handles the requests in order and stops at the first it
 * cannot; entry_num is always written back with the number handled.
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP for a reserved field (nothing written back);
 * -EINVAL for an unbounded or inconsistent request array; -ENOENT when
 * hwpt_id names no object, -EINVAL when it names one that is no nested
 * HWPT or vIOMMU; -EOPNOTSUPP for a vIOMMU without
 * invalidation; the driver's error for the first request
 * it refused; -EFAULT if entry_num cannot be written back.
 */
int iommufd_hwpt_invalidate_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct iommu_user_data_array array = {
		.type = cmd->data_type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.entry_len = cmd->entry_len,
		.entry_num = cmd->entry_num,
	};
	struct iommufd_viommu *viommu;
	struct iommufd_object *obj;
	struct iommu_domain *domain;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->entry_num &&
	    (!cmd->data_uptr || !cmd->entry_len || cmd->entry_len > PAGE_SIZE ||
	     cmd->entry_num > IOMMUFD_INVALIDATE_MAX_ENTRIES)) {
		rc = -EINVAL;
		array.entry_num = 0;
		goto out;
	}

	/*
	 * A nested HWPT or a vIOMMU.  Anything else is EINVAL, as newer
	 * upstream says (ENOENT to callers of 6.12's test ABI, as 6.12 said).
	 */
	obj = iommufd_get_object(ucmd->ictx, cmd->hwpt_id, IOMMUFD_OBJ_ANY);
	if (!IS_ERR(obj) && obj->type != IOMMUFD_OBJ_HWPT_NESTED &&
	    obj->type != IOMMUFD_OBJ_VIOMMU) {
		iommufd_put_object(ucmd->ictx, obj);
		obj = ERR_PTR(iommufd_test_abi_6_12(ucmd->ictx) ? -ENOENT :
								   -EINVAL);
	}
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		array.entry_num = 0;
		goto out;
	}
	if (obj->type == IOMMUFD_OBJ_VIOMMU) {
		viommu = container_of(obj, struct iommufd_viommu, obj);
		rc = iommufd_viommu_invalidate(viommu, &array);
	} else {
		domain = container_of(obj, struct iommufd_hw_pagetable,
				      obj)->domain;
		/* A vIOMMU's nested tables may leave it to the vIOMMU. */
		if (domain->ops->cache_invalidate_user) {
			rc = domain->ops->cache_invalidate_user(domain,
								&array);
		} else {
			rc = -EOPNOTSUPP;
			array.entry_num = 0;
		}
	}
	/* The driver can only have handled fewer than it was given. */
	if (WARN_ON_ONCE(array.entry_num > cmd->entry_num))
		array.entry_num = 0;
	iommufd_put_object(ucmd->ictx, obj);
out:
	cmd->entry_num = array.entry_num;
	if (iommufd_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return rc;
}
