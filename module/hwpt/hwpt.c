// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel-managed hardware page tables (HWPT_PAGING): an IOMMU paging
 * domain that mirrors one IOAS.  Made explicitly by IOMMU_HWPT_ALLOC, or
 * automatically when a device attaches to an IOAS and no existing
 * automatic domain of that IOAS suits it.
 */
#include <linux/iommu.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "../iommufd_private.h"

/**
 * iommufd_dev_ops() - the IOMMU driver ops behind a probed device
 * @dev: a device with an IOMMU group
 *
 * Return: the ops.
 */
const struct iommu_ops *iommufd_dev_ops(struct device *dev)
{
	return dev->iommu->iommu_dev->ops;
}

/**
 * iommufd_hwpt_paging_destroy() - destroy callback of a HWPT_PAGING
 * @obj: the object, attached to no device any more
 *
 * Context: process context, may sleep.
 */
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_paging *hwpt =
		container_of(obj, struct iommufd_hwpt_paging, obj);

	if (!list_empty(&hwpt->hwpt_item)) {
		mutex_lock(&hwpt->ioas->mutex);
		list_del(&hwpt->hwpt_item);
		mutex_unlock(&hwpt->ioas->mutex);
		iopt_table_remove_domain(&hwpt->ioas->iopt, hwpt->domain);
	}
	if (hwpt->domain)
		iommu_domain_free(hwpt->domain);
	refcount_dec(&hwpt->ioas->obj.users);
}

/**
 * iommufd_hwpt_paging_alloc() - make a HWPT_PAGING for @idev on @ioas
 * @ictx: the context
 * @ioas: the IOAS to mirror
 * @idev: the device whose IOMMU makes the domain
 * @flags: IOMMU_HWPT_ALLOC_* flags
 * @auto_domain: made by an attach: not published here, and the caller
 *	attaches the device before the IOAS fills the domain
 *
 * Context: process context, may sleep; @ioas->mutex held.
 * Return: the HWPT, unpublished (the caller finalizes it, or aborts it
 * once @ioas->mutex is dropped), or an ERR_PTR().
 */
struct iommufd_hwpt_paging *
iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
			  struct iommufd_device *idev, u32 flags,
			  bool auto_domain)
{
	const struct iommu_ops *ops = iommufd_dev_ops(idev->dev);
	struct iommufd_hwpt_paging *hwpt;
	int rc;

	lockdep_assert_held(&ioas->mutex);

	if (flags & ~(IOMMU_HWPT_ALLOC_NEST_PARENT |
		      IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return ERR_PTR(-EOPNOTSUPP);
	if (flags && !ops->domain_alloc_user)
		return ERR_PTR(-EOPNOTSUPP);

	hwpt = iommufd_object_alloc(ictx, struct iommufd_hwpt_paging,
				    IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(hwpt))
		return hwpt;
	INIT_LIST_HEAD(&hwpt->hwpt_item);
	hwpt->ioas = ioas;
	refcount_inc(&ioas->obj.users);
	hwpt->auto_domain = auto_domain;
	hwpt->nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;

	if (ops->domain_alloc_user) {
		hwpt->domain = ops->domain_alloc_user(idev->dev, flags, NULL,
						      NULL);
		if (IS_ERR(hwpt->domain)) {
			rc = PTR_ERR(hwpt->domain);
			hwpt->domain = NULL;
			goto err_abort;
		}
		hwpt->domain->owner = ops;
		rc = -EOPNOTSUPP;
		if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
		    !hwpt->domain->dirty_ops)
			goto err_abort;
	} else {
		hwpt->domain = iommu_paging_domain_alloc(idev->dev);
		if (IS_ERR(hwpt->domain)) {
			rc = PTR_ERR(hwpt->domain);
			hwpt->domain = NULL;
			goto err_abort;
		}
	}

	/*
	 * A device that can have its non-coherent DMA blocked needs a domain
	 * that blocks it; the ioctls offer no cache maintenance.
	 */
	if (idev->enforce_cache_coherency) {
		rc = -EINVAL;
		if (!hwpt->domain->ops->enforce_cache_coherency ||
		    !hwpt->domain->ops->enforce_cache_coherency(hwpt->domain))
			goto err_abort;
		hwpt->enforce_cache_coherency = true;
	}

	/*
	 * An automatic domain is attached first, since some drivers only
	 * finish a domain at its first attach; the attacher fills it after.
	 */
	if (!auto_domain) {
		rc = iopt_table_add_domain(&ioas->iopt, hwpt->domain);
		if (rc)
			goto err_abort;
		list_add_tail(&hwpt->hwpt_item, &ioas->hwpt_list);
	}
	return hwpt;

err_abort:
	iommufd_object_abort_and_destroy(ictx, &hwpt->obj);
	return ERR_PTR(rc);
}

/**
 * iommufd_hwpt_alloc_ioctl() - IOMMU_HWPT_ALLOC
 * @ucmd: the command; struct iommu_hwpt_alloc
 *
 * Kernel-managed page tables only for now: pt_id names an IOAS and
 * data_type is IOMMU_HWPT_DATA_NONE.
 *
 * Context: process context, may sleep.
 * Return: 0 with out_hwpt_id set; -EOPNOTSUPP for a reserved field,
 * unsupported flags or data; -EINVAL when data_type and data_len disagree
 * or pt_id names nothing usable; -ENOENT for an unknown device.
 */
int iommufd_hwpt_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct iommufd_hwpt_paging *hwpt;
	struct iommufd_device *idev;
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	/* Data comes with a data type, and only then. */
	if (cmd->data_type == IOMMU_HWPT_DATA_NONE ? cmd->data_len :
						     !cmd->data_len)
		return -EINVAL;

	idev = iommufd_get_device(ucmd, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->pt_id);
	if (IS_ERR(ioas)) {
		rc = -EINVAL;
		goto out_put_idev;
	}
	if (cmd->data_type != IOMMU_HWPT_DATA_NONE) {
		rc = -EOPNOTSUPP;
		goto out_put_ioas;
	}

	mutex_lock(&ioas->mutex);
	hwpt = iommufd_hwpt_paging_alloc(ucmd->ictx, ioas, idev, cmd->flags,
					 false);
	mutex_unlock(&ioas->mutex);
	if (IS_ERR(hwpt)) {
		rc = PTR_ERR(hwpt);
		goto out_put_ioas;
	}
	cmd->out_hwpt_id = hwpt->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)	/* the destroy callback takes ioas->mutex */
		iommufd_object_abort_and_destroy(ucmd->ictx, &hwpt->obj);
	else
		iommufd_object_finalize(ucmd->ictx, &hwpt->obj);
out_put_ioas:
	iommufd_put_object(ucmd->ictx, &ioas->obj);
out_put_idev:
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}
