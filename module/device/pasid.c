// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page tables at PASIDs: a device with PASID support tags each DMA with a
 * process address space ID, and each PASID can have its own page table
 * beside the one the device's untagged DMA uses.  This is this module's
 * in-kernel API for it, beside iommufd_device_attach() and friends, which
 * keep the signatures VFIO of 6.12 calls.
 *
 * Only HWPTs allocated with IOMMU_HWPT_ALLOC_PASID go to a PASID, and only
 * while the device's untagged DMA (its RID) is on such a HWPT too, or on
 * none; and only for a device alone in its group: the 6.12 core attaches a PASID for the
 * whole group.  The 6.12 core has no atomic PASID replace, so a replace
 * detaches the old table and attaches the new one; meanwhile DMA with that
 * PASID is blocked, never let through, and a failed replace puts the old
 * table back.  Faults with a PASID find their attachment's handle.
 *
 * Locking: idev->igroup->lock serializes all changes of idev->pasids.
 */
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/iommufd_ext.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include "../iommufd_private.h"
#include "../hwpt/hwpt.h"
#include "../ioas/ioas.h"
#include "device_priv.h"

static int iommufd_count_dev(struct device *dev, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

/* May @hwpt go to @pasid of @idev? */
static int iommufd_pasid_check(struct iommufd_device *idev, ioasid_t pasid,
			       struct iommufd_hw_pagetable *hwpt)
{
	unsigned int devices = 0;

	if (pasid == IOMMU_NO_PASID || pasid >= idev->dev->iommu->max_pasids)
		return -EINVAL;
	if (!hwpt->pasid_compat)
		return -EINVAL;
	if (idev->enforce_cache_coherency &&
	    !iommufd_hwpt_s2(hwpt)->enforce_cache_coherency)
		return -EINVAL;
	iommu_group_for_each_dev(idev->igroup->group, &devices,
				 iommufd_count_dev);
	return devices == 1 ? 0 : -EINVAL;
}

/**
 * iommufd_pasid_rid_check() - may @idev's RID go to @hwpt?
 * @idev: the device
 * @hwpt: the HWPT its untagged DMA is to use
 *
 * While PASIDs are attached, the RID stays on HWPTs allocated for PASID
 * use too: some IOMMUs build PASID tables only into such domains.
 *
 * Context: idev->igroup->lock held.
 * Return: 0, or -EINVAL.
 */
int iommufd_pasid_rid_check(struct iommufd_device *idev,
			    struct iommufd_hw_pagetable *hwpt)
{
	lockdep_assert_held(&idev->igroup->lock);
	if (!hwpt->pasid_compat && !xa_empty(&idev->pasids))
		return -EINVAL;
	return 0;
}

/*
 * Attach @hwpt at @pasid with a new handle; on success @hwpt has one more
 * user and the handle is stored in idev->pasids.
 */
static int iommufd_pasid_do_attach(struct iommufd_device *idev,
				   ioasid_t pasid,
				   struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_hwpt_paging *s2 = iommufd_hwpt_s2(hwpt);
	struct iommufd_attach_handle *handle;
	int rc;

	lockdep_assert_held(&idev->igroup->lock);

	/* The other half of iommufd_pasid_rid_check(). */
	if (idev->hwpt && !idev->hwpt->pasid_compat)
		return -EINVAL;
	handle = iommufd_handle_alloc(idev, hwpt);
	if (!handle)
		return -ENOMEM;
	rc = xa_insert(&idev->pasids, pasid, handle, GFP_KERNEL_ACCOUNT);
	if (rc)
		goto err_free;
	if (hwpt->fault) {
		rc = iommufd_device_iopf_get(idev);
		if (rc)
			goto err_erase;
	}
	/* Reservations per attachment: the handle owns them. */
	rc = iommufd_device_reserve(idev, &s2->ioas->iopt, handle);
	if (rc)
		goto err_iopf;
	rc = iommu_attach_device_pasid(hwpt->domain, idev->dev, pasid,
				       &handle->handle);
	if (rc)
		goto err_unreserve;
	refcount_inc(&hwpt->obj.users);
	return 0;

err_unreserve:
	iopt_unreserve(&s2->ioas->iopt, handle);
err_iopf:
	if (hwpt->fault)
		iommufd_device_iopf_put(idev);
err_erase:
	xa_erase(&idev->pasids, pasid);
err_free:
	kfree(handle);
	return rc;
}

/* Undo iommufd_pasid_do_attach(); returns the HWPT, still a user. */
static struct iommufd_hw_pagetable *
iommufd_pasid_do_detach(struct iommufd_device *idev, ioasid_t pasid)
{
	struct iommufd_attach_handle *handle;
	struct iommufd_hw_pagetable *hwpt;

	lockdep_assert_held(&idev->igroup->lock);

	handle = xa_load(&idev->pasids, pasid);
	if (!handle)
		return NULL;
	hwpt = handle->hwpt;
	iommu_detach_device_pasid(hwpt->domain, idev->dev, pasid);
	xa_erase(&idev->pasids, pasid);
	iopt_unreserve(&iommufd_hwpt_s2(hwpt)->ioas->iopt, handle);
	iommufd_handle_retire(handle);
	if (hwpt->fault)
		iommufd_device_iopf_put(idev);
	return hwpt;
}

/* Look up a HWPT @pt_id names, for a PASID. */
static struct iommufd_hw_pagetable *
iommufd_pasid_get_hwpt(struct iommufd_device *idev, u32 pt_id)
{
	struct iommufd_object *pt;

	pt = iommufd_get_object(idev->ictx, pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt))
		return ERR_CAST(pt);
	if (pt->type != IOMMUFD_OBJ_HWPT_PAGING &&
	    pt->type != IOMMUFD_OBJ_HWPT_NESTED) {
		iommufd_put_object(idev->ictx, pt);
		return ERR_PTR(-EINVAL);
	}
	return container_of(pt, struct iommufd_hw_pagetable, obj);
}

/**
 * iommufd_device_attach_pasid() - attach a page table at a PASID of a device
 * @idev: the binding
 * @pasid: the PASID, not IOMMU_NO_PASID and below the device's PASID width
 * @pt_id: a HWPT allocated with IOMMU_HWPT_ALLOC_PASID
 *
 * Context: process context, may sleep.
 * Return: 0; -ENOENT for an unknown @pt_id; -EINVAL for an object that is
 * no such HWPT, a PASID the device does not have, a device that shares
 * its group or whose RID is on a HWPT not allocated for PASID use; -EBUSY
 * if @pasid is attached already; -EADDRINUSE if the device's reserved
 * regions are mapped; the errors of the IOMMU driver.
 */
int iommufd_device_attach_pasid(struct iommufd_device *idev, ioasid_t pasid,
				u32 pt_id)
{
	struct iommufd_hw_pagetable *hwpt;
	int rc;

	hwpt = iommufd_pasid_get_hwpt(idev, pt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	rc = iommufd_pasid_check(idev, pasid, hwpt);
	if (!rc) {
		mutex_lock(&idev->igroup->lock);
		rc = iommufd_pasid_do_attach(idev, pasid, hwpt);
		mutex_unlock(&idev->igroup->lock);
	}
	iommufd_put_object(idev->ictx, &hwpt->obj);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_attach_pasid, IOMMUFD);

/**
 * iommufd_device_replace_pasid() - move a PASID to another page table
 * @idev: the binding
 * @pasid: an attached PASID
 * @pt_id: as for iommufd_device_attach_pasid()
 *
 * DMA with @pasid is blocked between the old table and the new one.
 *
 * Context: process context, may sleep.
 * Return: 0, with @pasid on @pt_id; the errors of
 * iommufd_device_attach_pasid(), with @pasid left on its old table;
 * -EINVAL if @pasid is not attached.
 */
int iommufd_device_replace_pasid(struct iommufd_device *idev, ioasid_t pasid,
				 u32 pt_id)
{
	struct iommufd_hw_pagetable *hwpt, *old = NULL;
	struct iommufd_attach_handle *cur;
	int rc;

	hwpt = iommufd_pasid_get_hwpt(idev, pt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	rc = iommufd_pasid_check(idev, pasid, hwpt);
	if (rc)
		goto out_put;

	mutex_lock(&idev->igroup->lock);
	cur = xa_load(&idev->pasids, pasid);
	if (!cur || cur->hwpt == hwpt) {
		rc = cur ? 0 : -EINVAL;
		goto out_unlock;
	}
	old = iommufd_pasid_do_detach(idev, pasid);
	rc = iommufd_pasid_do_attach(idev, pasid, hwpt);
	if (rc) {
		/* What it was attached to before accepted it then. */
		if (WARN_ON(iommufd_pasid_do_attach(idev, pasid, old)))
			dev_warn(idev->dev, "PASID %u left blocked\n", pasid);
	}
out_unlock:
	mutex_unlock(&idev->igroup->lock);
	/* The old table's use from the attach, or the restored one's twin. */
	if (old)
		refcount_dec(&old->obj.users);
out_put:
	iommufd_put_object(idev->ictx, &hwpt->obj);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_replace_pasid, IOMMUFD);

/**
 * iommufd_device_detach_pasid() - undo iommufd_device_attach_pasid()
 * @idev: the binding
 * @pasid: the PASID; nothing happens if it is not attached
 *
 * Faults pending from the attachment are answered.
 *
 * Context: process context, may sleep.
 */
void iommufd_device_detach_pasid(struct iommufd_device *idev, ioasid_t pasid)
{
	struct iommufd_hw_pagetable *hwpt;

	mutex_lock(&idev->igroup->lock);
	hwpt = iommufd_pasid_do_detach(idev, pasid);
	mutex_unlock(&idev->igroup->lock);
	if (hwpt)
		refcount_dec(&hwpt->obj.users);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_detach_pasid, IOMMUFD);

/**
 * iommufd_device_detach_all_pasids() - detach every PASID of a device
 * @idev: the binding, about to be unbound
 *
 * Context: process context, may sleep.
 */
void iommufd_device_detach_all_pasids(struct iommufd_device *idev)
{
	struct iommufd_attach_handle *handle;
	unsigned long pasid;

	xa_for_each(&idev->pasids, pasid, handle)
		iommufd_device_detach_pasid(idev, pasid);
}
