// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel-managed hardware page tables (HWPT_PAGING): an IOMMU paging
 * domain that mirrors one IOAS.  Made explicitly by IOMMU_HWPT_ALLOC, or
 * automatically when a device attaches to an IOAS and no existing
 * automatic domain of that IOAS suits it.  IOMMU_HWPT_ALLOC on a
 * HWPT_PAGING instead makes a nested table on it (hwpt/nested.c).
 */
#include <linux/iommu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include "../iommufd_private.h"
#include "../selftest/selftest.h"
#include "../device/device.h"
#include "../fault/fault.h"
#include "../ioas/ioas.h"
#include "../viommu/viommu.h"
#include "hwpt.h"

/**
 * iommufd_hwpt_paging_destroy() - destroy callback of a HWPT_PAGING
 * @obj: the object, attached to no device any more
 *
 * Context: process context, may sleep.
 */
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_paging *hwpt =
		container_of(obj, struct iommufd_hwpt_paging, common.obj);

	WARN_ON(hwpt->devices);
	if (!list_empty(&hwpt->hwpt_item)) {
		mutex_lock(&hwpt->ioas->mutex);
		list_del(&hwpt->hwpt_item);
		mutex_unlock(&hwpt->ioas->mutex);
		iopt_table_remove_domain(&hwpt->ioas->iopt, hwpt->common.domain);
	}
	if (hwpt->common.domain)
		iommu_domain_free(hwpt->common.domain);
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
 * @user_data: driver data describing the table, or NULL
 *
 * Context: process context, may sleep; @ioas->mutex held.
 * Return: the HWPT, unpublished (the caller finalizes it, or aborts it
 * once @ioas->mutex is dropped), or an ERR_PTR().
 */
struct iommufd_hwpt_paging *
iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
			  struct iommufd_device *idev, u32 flags,
			  bool auto_domain,
			  const struct iommu_user_data *user_data)
{
	const struct iommu_ops *ops = iommufd_dev_ops(idev->dev);
	struct iommufd_hwpt_paging *hwpt;
	struct iommu_domain *domain;
	bool pasid;
	int rc;

	lockdep_assert_held(&ioas->mutex);

	/* A kernel-managed table cannot fault: the kernel pinned it all. */
	if (flags & ~(IOMMU_HWPT_ALLOC_NEST_PARENT |
		      IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
		      IOMMU_HWPT_ALLOC_PASID))
		return ERR_PTR(-EOPNOTSUPP);
	/*
	 * 6.12 drivers give every paging domain PASID support if they have
	 * any, and know no flag for it: it is iommufd's bookkeeping only.
	 */
	pasid = flags & IOMMU_HWPT_ALLOC_PASID;
	flags &= ~IOMMU_HWPT_ALLOC_PASID;
	if ((flags || user_data) && !ops->domain_alloc_user)
		return ERR_PTR(-EOPNOTSUPP);

	hwpt = iommufd_object_alloc_at(ictx, struct iommufd_hwpt_paging,
				       common.obj, IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(hwpt))
		return hwpt;
	INIT_LIST_HEAD(&hwpt->hwpt_item);
	spin_lock_init(&hwpt->devices_lock);
	hwpt->ioas = ioas;
	refcount_inc(&ioas->obj.users);
	hwpt->auto_domain = auto_domain;
	hwpt->nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	hwpt->common.pasid_compat = pasid;

	if (ops->domain_alloc_user)
		domain = ops->domain_alloc_user(idev->dev, flags, NULL,
						user_data);
	else
		domain = iommu_paging_domain_alloc(idev->dev);
	if (IS_ERR(domain)) {
		rc = PTR_ERR(domain);
		goto err_abort;
	}
	hwpt->common.domain = domain;
	/* domain_alloc_user() leaves the owner to the caller. */
	domain->owner = ops;
	rc = -EOPNOTSUPP;
	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) && !domain->dirty_ops)
		goto err_abort;

	/*
	 * A device that can have its non-coherent DMA blocked needs a domain
	 * that blocks it; the ioctls offer no cache maintenance.
	 */
	if (idev->enforce_cache_coherency) {
		rc = -EINVAL;
		if (!domain->ops->enforce_cache_coherency ||
		    !domain->ops->enforce_cache_coherency(domain))
			goto err_abort;
		hwpt->enforce_cache_coherency = true;
	}

	/*
	 * An automatic domain is attached first, since some drivers only
	 * finish a domain at its first attach; the attacher fills it after.
	 */
	if (!auto_domain) {
		rc = iopt_table_add_domain(&ioas->iopt, domain);
		if (rc)
			goto err_abort;
		list_add_tail(&hwpt->hwpt_item, &ioas->hwpt_list);
	}
	return hwpt;

err_abort:
	iommufd_object_abort_and_destroy(ictx, &hwpt->common.obj);
	return ERR_PTR(rc);
}

/* Route the domain's page faults to the fault object @fault_id. */
static int iommufd_hwpt_set_fault(struct iommufd_ctx *ictx,
				  struct iommufd_hw_pagetable *hwpt,
				  u32 fault_id)
{
	struct iommufd_fault *fault = iommufd_get_fault(ictx, fault_id);

	if (IS_ERR(fault))
		return PTR_ERR(fault);
	/* The lookup's use becomes the HWPT's; see iommufd_hwpt_nested_destroy. */
	hwpt->fault = fault;
	hwpt->domain->iopf_handler = iommufd_fault_iopf_handler;
	hwpt->domain->fault_data = hwpt;
	return 0;
}

/**
 * iommufd_hwpt_alloc_ioctl() - IOMMU_HWPT_ALLOC
 * @ucmd: the command; struct iommu_hwpt_alloc
 *
 * pt_id names an IOAS for a kernel-managed table (data_type
 * IOMMU_HWPT_DATA_NONE), or a NEST_PARENT HWPT_PAGING or a vIOMMU for a
 * nested one described by driver data; only a nested table can take page
 * faults (IOMMU_HWPT_FAULT_ID_VALID).
 *
 * Context: process context, may sleep.
 * Return: 0 with out_hwpt_id set; -EOPNOTSUPP for a reserved field,
 * unsupported flags or data; -EINVAL when data_type and data_len disagree,
 * for bad driver data, or when pt_id names nothing usable; -ENOENT for an
 * unknown device or fault object; -EFAULT for unreadable data.
 */
int iommufd_hwpt_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	const struct iommu_user_data user_data = {
		.type = cmd->data_type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.len = cmd->data_len,
	};
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_hwpt_paging *paging;
	struct iommufd_hwpt_nested *nested;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	struct iommufd_object *pt;
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	/* Data comes with a data type, and only then. */
	if (cmd->data_type == IOMMU_HWPT_DATA_NONE ? cmd->data_len :
						     !cmd->data_len)
		return -EINVAL;

	iommufd_test_note_hwpt_data(ucmd->ictx, cmd->data_type, cmd->data_len);

	idev = iommufd_get_device(ucmd, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	pt = iommufd_get_object(ucmd->ictx, cmd->pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt)) {
		rc = -EINVAL;
		goto out_put_idev;
	}

	switch (pt->type) {
	case IOMMUFD_OBJ_IOAS:
		ioas = container_of(pt, struct iommufd_ioas, obj);
		mutex_lock(&ioas->mutex);
		paging = iommufd_hwpt_paging_alloc(ucmd->ictx, ioas, idev,
						   cmd->flags, false,
						   cmd->data_len ? &user_data :
								   NULL);
		mutex_unlock(&ioas->mutex);
		hwpt = IS_ERR(paging) ? ERR_CAST(paging) : &paging->common;
		break;
	case IOMMUFD_OBJ_HWPT_PAGING:
		paging = container_of(pt, struct iommufd_hwpt_paging,
				      common.obj);
		nested = iommufd_hwpt_nested_alloc(ucmd->ictx, paging, idev,
						   cmd->flags, &user_data);
		hwpt = IS_ERR(nested) ? ERR_CAST(nested) : &nested->common;
		break;
	case IOMMUFD_OBJ_VIOMMU:
		viommu = container_of(pt, struct iommufd_viommu, obj);
		nested = iommufd_viommu_alloc_nested(ucmd->ictx, viommu, idev,
						     cmd->flags, &user_data);
		hwpt = IS_ERR(nested) ? ERR_CAST(nested) : &nested->common;
		break;
	default:
		rc = -EINVAL;
		goto out_put_pt;
	}
	if (IS_ERR(hwpt)) {
		rc = PTR_ERR(hwpt);
		goto out_put_pt;
	}

	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) {
		rc = iommufd_hwpt_set_fault(ucmd->ictx, hwpt, cmd->fault_id);
		if (rc)
			goto out_abort;
	}
	cmd->out_hwpt_id = hwpt->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ucmd->ictx, &hwpt->obj);
	goto out_put_pt;

out_abort:
	/* The destroy callbacks take ioas->mutex; it is not held here. */
	iommufd_object_abort_and_destroy(ucmd->ictx, &hwpt->obj);
out_put_pt:
	iommufd_put_object(ucmd->ictx, pt);
out_put_idev:
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

/**
 * iommufd_hwpt_show() - a HWPT's line in the debugfs view (stat/)
 * @m: where it goes
 * @obj: the object of a paging or nested HWPT
 *
 * A paging HWPT: its IOAS, the devices attached (not at a PASID), and how
 * it was made.  A nested one: its parent and vIOMMU (0: none).
 *
 * Context: under ictx->show_rwsem for read (iommufd_ctx_show()); every
 * object it points to has it as a user.
 */
void iommufd_hwpt_show(struct seq_file *m, struct iommufd_object *obj)
{
	struct iommufd_hw_pagetable *hwpt =
		container_of(obj, struct iommufd_hw_pagetable, obj);
	struct iommufd_hwpt_paging *paging;
	struct iommufd_hwpt_nested *nested;
	unsigned int devices;

	if (!hwpt_is_paging(hwpt)) {
		nested = to_hwpt_nested(hwpt);
		seq_printf(m, "hwpt id=%u kind=nested parent=%u viommu=%u pasid=%d\n",
			   obj->id, nested->parent->common.obj.id,
			   nested->viommu ? nested->viommu->obj.id : 0,
			   hwpt->pasid_compat);
		return;
	}
	paging = to_hwpt_paging(hwpt);
	spin_lock(&paging->devices_lock);
	devices = paging->devices;
	spin_unlock(&paging->devices_lock);
	seq_printf(m, "hwpt id=%u kind=paging ioas=%u devices=%u auto=%d nest_parent=%d pasid=%d coherent=%d\n",
		   obj->id, paging->ioas->obj.id, devices, paging->auto_domain,
		   paging->nest_parent, hwpt->pasid_compat,
		   paging->enforce_cache_coherency);
}
