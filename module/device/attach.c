// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attaching a bound device to an I/O page table, detaching and replacing.
 *
 * Attaching to an IOAS reuses an automatic paging domain of that IOAS the
 * device's IOMMU accepts, or makes one; attaching to a HWPT uses that.
 * While attached, the device's reserved regions (MSI window, RMRRs) are
 * reserved IOVA of the IOAS.  Replace moves the whole group in one
 * iommu_group_replace_domain(), so DMA is never unprotected in between.
 *
 * Locking: igroup->lock serializes everything that changes what a group
 * is attached to; the order of the locks is in iommufd_private.h.
 */
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "../iommufd_private.h"
#include "../fault/fault.h"
#include "../hwpt/hwpt.h"
#include "../ioas/ioas.h"
#include "../selftest/selftest.h"
#include "device_priv.h"

/*
 * A device joins @hwpt; false if it is an automatic HWPT whose last device
 * already left (it is being destroyed).
 */
static bool iommufd_hwpt_join(struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_hwpt_paging *paging;
	bool ok;

	if (!hwpt_is_paging(hwpt))
		return true;
	paging = to_hwpt_paging(hwpt);
	spin_lock(&paging->devices_lock);
	ok = !paging->dying;
	if (ok)
		paging->devices++;
	spin_unlock(&paging->devices_lock);
	return ok;
}

/*
 * A device leaves @hwpt; true if it was the last of an automatic HWPT,
 * which the caller must then destroy.  Deciding this by the count of
 * devices, not of users, keeps a short-lived user (an ioctl that looked
 * the HWPT up) from leaving it alive with no device.
 */
static bool iommufd_hwpt_leave(struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_hwpt_paging *paging;
	bool last;

	if (!hwpt_is_paging(hwpt))
		return false;
	paging = to_hwpt_paging(hwpt);
	spin_lock(&paging->devices_lock);
	last = !--paging->devices && paging->auto_domain;
	if (last)
		paging->dying = true;
	spin_unlock(&paging->devices_lock);
	return last;
}

/*
 * Put @idev (and, if it is the first, its group) on @hwpt.  A group already
 * attached elsewhere refuses: its devices cannot be isolated apart.
 */
static int iommufd_device_do_attach(struct iommufd_device *idev,
				    struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_hwpt_paging *s2 = iommufd_hwpt_s2(hwpt);
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_attach_handle *handle;
	int rc;

	if (idev->enforce_cache_coherency && !s2->enforce_cache_coherency)
		return -EINVAL;

	mutex_lock(&igroup->lock);
	if (idev->hwpt) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (igroup->hwpt && igroup->hwpt != hwpt) {
		rc = -EINVAL;
		goto out_unlock;
	}
	rc = iommufd_pasid_rid_check(idev, hwpt);
	if (rc)
		goto out_unlock;
	if (hwpt->fault) {
		rc = iommufd_device_iopf_get(idev);
		if (rc)
			goto out_unlock;
	}
	rc = iommufd_device_reserve(idev, &s2->ioas->iopt, idev);
	if (rc)
		goto err_iopf;
	if (!igroup->hwpt) {
		handle = iommufd_handle_alloc(idev, hwpt);
		if (!handle) {
			rc = -ENOMEM;
			goto err_unreserve;
		}
		rc = iommu_attach_group_handle(hwpt->domain, igroup->group,
					       &handle->handle);
		if (rc) {
			kfree(handle);
			goto err_unreserve;
		}
		igroup->hwpt = hwpt;
		igroup->handle = handle;
	}
	/* Last: joining cannot be undone without maybe destroying @hwpt. */
	if (!iommufd_hwpt_join(hwpt)) {
		rc = -EINVAL;
		goto err_detach_group;
	}
	igroup->attached++;
	refcount_inc(&hwpt->obj.users);
	idev->hwpt = hwpt;
	mutex_unlock(&igroup->lock);
	return 0;

err_detach_group:
	/* Only the first device attached the group; no sibling is on it. */
	if (!igroup->attached) {
		iommu_detach_group_handle(hwpt->domain, igroup->group);
		iommufd_handle_retire(igroup->handle);
		igroup->handle = NULL;
		igroup->hwpt = NULL;
	}
err_unreserve:
	iopt_unreserve(&s2->ioas->iopt, idev);
err_iopf:
	if (hwpt->fault)
		iommufd_device_iopf_put(idev);
out_unlock:
	mutex_unlock(&igroup->lock);
	return rc;
}

/*
 * Take @idev off its HWPT; returns the HWPT, still holding @idev's use,
 * and in @last whether the HWPT must now be destroyed.
 */
static struct iommufd_hw_pagetable *
iommufd_device_do_detach(struct iommufd_device *idev, bool *last)
{
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_attach_handle *handle = NULL;
	struct iommufd_hw_pagetable *hwpt;

	mutex_lock(&igroup->lock);
	hwpt = idev->hwpt;
	if (hwpt) {
		*last = iommufd_hwpt_leave(hwpt);
		idev->hwpt = NULL;
		if (!--igroup->attached) {
			iommu_detach_group_handle(hwpt->domain, igroup->group);
			handle = igroup->handle;
			igroup->handle = NULL;
			igroup->hwpt = NULL;
		}
		iopt_unreserve(&iommufd_hwpt_s2(hwpt)->ioas->iopt, idev);
		/*
		 * Answer what the attachment left before faults go off: all
		 * of it with the group, else the device's own (turning its
		 * faults off would answer and free those in the core).  With
		 * the group still attached the device can fault up to that
		 * moment: when its faults go off, refuse them from before
		 * the flush, so none is queued after it.
		 */
		if (handle) {
			iommufd_handle_retire(handle);
		} else if (hwpt->fault) {
			if (idev->iopf_users == 1)
				iommufd_device_set_iopf_closing(idev, true);
			iommufd_fault_flush(hwpt->fault, NULL, idev->dev);
		}
		if (hwpt->fault)
			iommufd_device_iopf_put(idev);
	}
	mutex_unlock(&igroup->lock);
	return hwpt;
}

/*
 * Drop the use a device took at attach; destroy @hwpt if it was the last
 * device of an automatic HWPT (waiting for short-lived users to finish).
 */
static void iommufd_hwpt_put(struct iommufd_ctx *ictx,
			     struct iommufd_hw_pagetable *hwpt, bool last)
{
	if (last)
		iommufd_object_destroy_owned(ictx, &hwpt->obj);
	else
		iommufd_put_object(ictx, &hwpt->obj);
}

/*
 * Attach to @ioas through an automatic HWPT: one of the IOAS's the device
 * accepts, else a new one.
 */
static int iommufd_device_auto_attach(struct iommufd_device *idev,
				      struct iommufd_ioas *ioas, u32 *pt_id)
{
	struct iommufd_hwpt_paging *hwpt;
	bool last;
	int rc;

	mutex_lock(&ioas->mutex);
	list_for_each_entry(hwpt, &ioas->hwpt_list, hwpt_item) {
		if (!hwpt->auto_domain ||
		    !refcount_inc_not_zero(&hwpt->common.obj.users))
			continue;
		rc = iommufd_device_do_attach(idev, &hwpt->common);
		iommufd_put_object(idev->ictx, &hwpt->common.obj);
		/* EINVAL: not compatible, try the next one. */
		if (rc == -EINVAL)
			continue;
		if (!rc)
			*pt_id = hwpt->common.obj.id;
		goto out_unlock;
	}

	hwpt = iommufd_hwpt_paging_alloc(idev->ictx, ioas, idev, 0, true,
					 NULL);
	if (IS_ERR(hwpt)) {
		rc = PTR_ERR(hwpt);
		goto out_unlock;
	}
	rc = iommufd_device_do_attach(idev, &hwpt->common);
	if (rc)
		goto err_abort;
	rc = iopt_table_add_domain(&ioas->iopt, hwpt->common.domain);
	if (rc)
		goto err_detach;
	list_add_tail(&hwpt->hwpt_item, &ioas->hwpt_list);
	*pt_id = hwpt->common.obj.id;
	iommufd_object_finalize(idev->ictx, &hwpt->common.obj);
	mutex_unlock(&ioas->mutex);
	return 0;

err_detach:
	/* Not published: the abort below destroys it, whatever @last says. */
	iommufd_device_do_detach(idev, &last);
	refcount_dec(&hwpt->common.obj.users);
err_abort:
	mutex_unlock(&ioas->mutex);
	iommufd_object_abort_and_destroy(idev->ictx, &hwpt->common.obj);
	return rc;
out_unlock:
	mutex_unlock(&ioas->mutex);
	return rc;
}

/**
 * iommufd_device_attach() - attach a bound device to an IOAS or a HWPT
 * @idev: the binding, not attached
 * @pt_id: in: an IOAS or HWPT id; out: the HWPT attached to
 *
 * Context: process context, may sleep.
 * Return: 0; -ENOENT for an unknown id; -EINVAL for an object that is
 * neither, an incompatible HWPT or a group attached elsewhere;
 * -EADDRINUSE if the device's reserved regions are mapped in the IOAS; the
 * errors of the IOMMU driver.
 */
int iommufd_device_attach(struct iommufd_device *idev, u32 *pt_id)
{
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_ioas *ioas;
	struct iommufd_object *pt;
	int rc;

	pt = iommufd_get_object(idev->ictx, *pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt))
		return PTR_ERR(pt);
	switch (pt->type) {
	case IOMMUFD_OBJ_IOAS:
		ioas = container_of(pt, struct iommufd_ioas, obj);
		rc = iommufd_device_auto_attach(idev, ioas, pt_id);
		break;
	case IOMMUFD_OBJ_HWPT_PAGING:
	case IOMMUFD_OBJ_HWPT_NESTED:
		hwpt = container_of(pt, struct iommufd_hw_pagetable, obj);
		rc = iommufd_device_do_attach(idev, hwpt);
		break;
	default:
		rc = -EINVAL;
	}
	iommufd_put_object(idev->ictx, pt);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_attach, IOMMUFD);

/**
 * iommufd_device_detach() - undo iommufd_device_attach()
 * @idev: the binding, attached
 *
 * Context: process context, may sleep.
 */
void iommufd_device_detach(struct iommufd_device *idev)
{
	struct iommufd_hw_pagetable *hwpt;
	bool last = false;

	hwpt = iommufd_device_do_detach(idev, &last);
	if (WARN_ON(!hwpt))
		return;
	iommufd_hwpt_put(idev->ictx, hwpt, last);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_detach, IOMMUFD);

/*
 * Switch @idev's group from its HWPT to @new in one step.  Only a group
 * whose every attached device is @idev can move; DMA keeps going through
 * one page table or the other.  On success *@old is the HWPT left (still
 * holding @idev's use) and *@old_last says it must be destroyed; on
 * failure *@new_last says @new must (its other devices left meanwhile).
 */
static int iommufd_device_do_replace(struct iommufd_device *idev,
				     struct iommufd_hw_pagetable *new,
				     struct iommufd_hw_pagetable **old,
				     bool *old_last, bool *new_last)
{
	struct iommufd_hwpt_paging *new_s2 = iommufd_hwpt_s2(new);
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_attach_handle *handle, *old_handle;
	struct iommufd_ioas *old_ioas;
	bool iopf_on, same_ioas;
	int rc;

	if (idev->enforce_cache_coherency && !new_s2->enforce_cache_coherency)
		return -EINVAL;

	mutex_lock(&igroup->lock);
	*old = idev->hwpt;
	if (!*old) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (*old == new) {
		*old = NULL;
		rc = 0;
		goto out_unlock;
	}
	if (igroup->attached != 1) {
		rc = -EBUSY;
		goto out_unlock;
	}
	rc = iommufd_pasid_rid_check(idev, new);
	if (rc)
		goto out_unlock;
	/* Faults on before a table that takes them, off after the last. */
	iopf_on = new->fault && !(*old)->fault;
	if (iopf_on) {
		rc = iommufd_device_iopf_get(idev);
		if (rc)
			goto out_unlock;
	}
	/* Within one IOAS the reservations stay as they are. */
	old_ioas = iommufd_hwpt_s2(*old)->ioas;
	same_ioas = new_s2->ioas == old_ioas;
	if (!same_ioas) {
		rc = iommufd_device_reserve(idev, &new_s2->ioas->iopt, idev);
		if (rc)
			goto err_iopf;
	}
	handle = iommufd_handle_alloc(idev, new);
	if (!handle) {
		rc = -ENOMEM;
		goto err_unreserve;
	}
	if (!iommufd_hwpt_join(new)) {
		rc = -EINVAL;
		goto err_free_handle;
	}
	rc = iommu_replace_group_handle(igroup->group, new->domain,
					&handle->handle);
	if (rc) {
		*new_last = iommufd_hwpt_leave(new);
		goto err_free_handle;
	}
	if (!same_ioas)
		iopt_unreserve(&old_ioas->iopt, idev);
	*old_last = iommufd_hwpt_leave(*old);
	old_handle = igroup->handle;
	refcount_inc(&new->obj.users);
	igroup->handle = handle;
	igroup->hwpt = new;
	idev->hwpt = new;
	iommufd_handle_retire(old_handle);
	if ((*old)->fault && !new->fault)
		iommufd_device_iopf_put(idev);
	mutex_unlock(&igroup->lock);
	return 0;

err_free_handle:
	kfree(handle);
err_unreserve:
	if (!same_ioas)
		iopt_unreserve(&new_s2->ioas->iopt, idev);
err_iopf:
	if (iopf_on)
		iommufd_device_iopf_put(idev);
out_unlock:
	mutex_unlock(&igroup->lock);
	return rc;
}

/**
 * iommufd_device_replace() - move an attached device to another page table
 * @idev: the binding, attached
 * @pt_id: in: an IOAS or HWPT id; out: the HWPT now attached
 *
 * Context: process context, may sleep.
 * Return: 0, or the errors of iommufd_device_attach(), with the device
 * still attached where it was; -EBUSY if other devices of its group are
 * attached.
 */
int iommufd_device_replace(struct iommufd_device *idev, u32 *pt_id)
{
	struct iommufd_hw_pagetable *hwpt, *old = NULL;
	bool old_last = false, new_last = false;
	struct iommufd_hwpt_paging *new;
	struct iommufd_object *pt;
	struct iommufd_ioas *ioas;
	int rc;

	pt = iommufd_get_object(idev->ictx, *pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt))
		return PTR_ERR(pt);
	if (pt->type == IOMMUFD_OBJ_HWPT_PAGING ||
	    pt->type == IOMMUFD_OBJ_HWPT_NESTED) {
		hwpt = container_of(pt, struct iommufd_hw_pagetable, obj);
		rc = iommufd_device_do_replace(idev, hwpt, &old, &old_last,
					       &new_last);
		/* The lookup's use is the last one that may destroy it. */
		if (new_last) {
			iommufd_object_destroy_owned(idev->ictx, pt);
			return rc;
		}
		goto out_put;
	}
	if (pt->type != IOMMUFD_OBJ_IOAS) {
		rc = -EINVAL;
		goto out_put;
	}

	/* To an IOAS: an automatic domain there, made if needed. */
	ioas = container_of(pt, struct iommufd_ioas, obj);
again:
	mutex_lock(&ioas->mutex);
	list_for_each_entry(new, &ioas->hwpt_list, hwpt_item) {
		/* Skip ones being destroyed (their last user is gone). */
		if (!new->auto_domain ||
		    !refcount_inc_not_zero(&new->common.obj.users))
			continue;
		rc = iommufd_device_do_replace(idev, &new->common, &old,
					       &old_last, &new_last);
		if (new_last) {
			/* Destroyed outside the mutex its teardown takes. */
			mutex_unlock(&ioas->mutex);
			iommufd_object_destroy_owned(idev->ictx,
						     &new->common.obj);
			new_last = false;
			if (rc == -EINVAL)
				goto again;
			goto out_put;
		}
		iommufd_put_object(idev->ictx, &new->common.obj);
		if (rc != -EINVAL)
			goto out_found;
	}
	new = iommufd_hwpt_paging_alloc(idev->ictx, ioas, idev, 0, false,
					NULL);
	if (IS_ERR(new)) {
		rc = PTR_ERR(new);
		mutex_unlock(&ioas->mutex);
		goto out_put;
	}
	rc = iommufd_device_do_replace(idev, &new->common, &old, &old_last,
				       &new_last);
	if (rc) {
		/* Not automatic yet, so no attach picks it meanwhile. */
		mutex_unlock(&ioas->mutex);
		iommufd_object_abort_and_destroy(idev->ictx, &new->common.obj);
		goto out_put;
	}
	new->auto_domain = true;
	iommufd_object_finalize(idev->ictx, &new->common.obj);
out_found:
	if (!rc)
		*pt_id = new->common.obj.id;
	mutex_unlock(&ioas->mutex);
out_put:
	iommufd_put_object(idev->ictx, pt);
	if (!rc && old)
		iommufd_hwpt_put(idev->ictx, old, old_last);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_replace, IOMMUFD);
