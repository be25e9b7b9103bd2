// SPDX-License-Identifier: GPL-2.0-only
/*
 * Devices: the in-kernel API a passthrough framework (VFIO) uses to hand a
 * device to an iommufd context; attaching it to an I/O page table is
 * attach.c's.
 *
 * Binding claims the device's DMA ownership, so no kernel driver can use
 * its DMA API any more, and refuses a device whose interrupts are not
 * isolated (MSI writes could be aimed at other devices' interrupts) unless
 * allow_unsafe_interrupts says otherwise.  Here too is what every kind of
 * attachment (attach.c, pasid.c) shares: reserving the device's reserved
 * regions, turning its I/O page faults on and off, and attach handles.
 *
 * Locking: igroup->lock serializes everything that changes what a group
 * is attached to; the order of the locks is in iommufd_private.h.
 */
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "../iommufd_private.h"
#include "../fault/fault.h"
#include "../hwpt/hwpt.h"
#include "../ioas/ioas.h"
#include "../selftest/selftest.h"
#include "device_priv.h"

static bool allow_unsafe_interrupts;
module_param(allow_unsafe_interrupts, bool, 0644);
MODULE_PARM_DESC(allow_unsafe_interrupts,
		 "Allow binding devices whose MSI writes are not isolated (unsafe: a device could raise other devices' interrupts)");

/**
 * iommufd_device_bind() - hand a device to an iommufd context
 * @ictx: the context
 * @dev: the device, with an IOMMU group and no DMA-API driver bound
 * @id: out: the device's object id
 *
 * Context: process context, may sleep.
 * Return: the binding, or ERR_PTR(): -ENODEV without an IOMMU group;
 * -EINVAL if the IOMMU cannot keep its DMA cache coherent; -EPERM for
 * non-isolated interrupts (see allow_unsafe_interrupts); -EBUSY if a
 * kernel driver owns its DMA.
 */
struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   struct device *dev, u32 *id)
{
	struct iommufd_group *igroup;
	struct iommufd_device *idev;
	int rc;

	if (!device_iommu_capable(dev, IOMMU_CAP_CACHE_COHERENCY))
		return ERR_PTR(-EINVAL);

	igroup = iommufd_group_get(ictx, dev);
	if (IS_ERR(igroup))
		return ERR_CAST(igroup);

	if (!iommufd_test_is_mock_dev(dev) &&
	    !iommu_group_has_isolated_msi(igroup->group)) {
		if (!allow_unsafe_interrupts) {
			rc = -EPERM;
			goto err_group;
		}
		dev_warn(dev,
			 "MSI writes are not isolated; bound anyway (allow_unsafe_interrupts)\n");
	}

	rc = iommu_device_claim_dma_owner(dev, ictx);
	if (rc)
		goto err_group;

	idev = iommufd_object_alloc(ictx, struct iommufd_device,
				    IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto err_release_owner;
	}
	idev->ictx = ictx;
	/*
	 * The binding keeps the file alive, except for mock devices, which
	 * the file itself binds (a reference would never let it close).
	 */
	if (!iommufd_test_is_mock_dev(dev))
		iommufd_ctx_get(ictx);
	idev->dev = get_device(dev);
	idev->igroup = igroup;
	xa_init(&idev->pasids);
	idev->enforce_cache_coherency =
		device_iommu_capable(dev, IOMMU_CAP_ENFORCE_CACHE_COHERENCY);
	spin_lock(&igroup->devices_lock);
	list_add_tail(&idev->group_item, &igroup->devices);
	spin_unlock(&igroup->devices_lock);
	/* The binding driver is a user until iommufd_device_unbind(). */
	refcount_inc(&idev->obj.users);
	*id = idev->obj.id;
	iommufd_object_finalize(ictx, &idev->obj);
	return idev;

err_release_owner:
	iommu_device_release_dma_owner(dev);
err_group:
	iommufd_group_put(igroup);
	return ERR_PTR(rc);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_bind, IOMMUFD);

/**
 * iommufd_device_destroy() - destroy callback of a device object
 * @obj: the object, detached
 *
 * Context: process context, may sleep.
 */
void iommufd_device_destroy(struct iommufd_object *obj)
{
	struct iommufd_device *idev =
		container_of(obj, struct iommufd_device, obj);

	WARN_ON(idev->hwpt || !xa_empty(&idev->pasids));
	xa_destroy(&idev->pasids);
	spin_lock(&idev->igroup->devices_lock);
	list_del(&idev->group_item);
	spin_unlock(&idev->igroup->devices_lock);
	iommu_device_release_dma_owner(idev->dev);
	iommufd_group_put(idev->igroup);
	if (!iommufd_test_is_mock_dev(idev->dev))
		iommufd_ctx_put(idev->ictx);
	put_device(idev->dev);
}

/*
 * Destroy @idev's vDEVICE at unbind, and let no new one be made.  No locks
 * held; sleeps.
 */
static void iommufd_device_forget_vdevice(struct iommufd_device *idev)
{
	struct iommufd_object *vdev;

	mutex_lock(&idev->igroup->lock);
	idev->unbinding = true;
	vdev = idev->vdev;
	/*
	 * Its destroy callback clears idev->vdev under this lock, so it is
	 * alive here.  No use to take: user space is destroying it right
	 * now, which releases the device by itself, and unbind waits for it.
	 */
	if (vdev && !refcount_inc_not_zero(&vdev->users))
		vdev = NULL;
	mutex_unlock(&idev->igroup->lock);
	if (vdev)
		iommufd_object_tombstone_user(idev->ictx, vdev);
}

/**
 * iommufd_device_unbind() - undo iommufd_device_bind()
 * @idev: the binding, detached
 *
 * Destroys its vDEVICE, if any, and waits for ioctls still using the
 * device object.
 *
 * Context: process context, sleeps.
 */
void iommufd_device_unbind(struct iommufd_device *idev)
{
	/* Its vDEVICE holds it: that goes first. */
	iommufd_device_forget_vdevice(idev);
	iommufd_object_destroy_owned(idev->ictx, &idev->obj);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_unbind, IOMMUFD);

/**
 * iommufd_device_to_ictx() - the context a device is bound to
 * @idev: the binding
 *
 * Return: the context; no reference is taken.
 */
struct iommufd_ctx *iommufd_device_to_ictx(struct iommufd_device *idev)
{
	return idev->ictx;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_to_ictx, IOMMUFD);

/**
 * iommufd_device_to_id() - the object id of a binding
 * @idev: the binding
 *
 * Return: the id user space knows the device by.
 */
u32 iommufd_device_to_id(struct iommufd_device *idev)
{
	return idev->obj.id;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_to_id, IOMMUFD);

/**
 * iommufd_device_reserve() - reserve @idev's reserved regions in @iopt
 * @idev: the device
 * @iopt: the page table it is about to reach
 * @owner: what the reservations belong to, for iopt_unreserve()
 *
 * Context: process context, may sleep.
 * Return: 0, or -EADDRINUSE if a region is mapped, with nothing reserved.
 */
int iommufd_device_reserve(struct iommufd_device *idev,
			   struct io_pagetable *iopt, void *owner)
{
	struct iommu_resv_region *resv;
	LIST_HEAD(regions);
	int rc = 0;

	if (iommufd_should_fail())
		return -ENOMEM;
	iommu_get_resv_regions(idev->dev, &regions);
	list_for_each_entry(resv, &regions, list) {
		if (resv->type == IOMMU_RESV_DIRECT_RELAXABLE)
			continue;
		rc = iopt_reserve(iopt, resv->start,
				  resv->start + resv->length - 1, owner);
		if (rc)
			break;
	}
	iommu_put_resv_regions(idev->dev, &regions);
	if (rc)
		iopt_unreserve(iopt, owner);
	return rc;
}

/**
 * iommufd_device_set_iopf_closing() - refuse, or again take, @idev's page
 *	requests (see struct iommufd_device's @iopf_closing)
 * @idev: the device
 * @closing: refuse them
 *
 * Context: @idev->igroup->lock held.
 */
void iommufd_device_set_iopf_closing(struct iommufd_device *idev,
				     bool closing)
{
	lockdep_assert_held(&idev->igroup->lock);

	spin_lock(&idev->igroup->devices_lock);
	idev->iopf_closing = closing;
	spin_unlock(&idev->igroup->devices_lock);
}

/**
 * iommufd_device_iopf_get() - I/O page faults on, for one more attachment
 *	of @idev to a HWPT that takes them
 * @idev: the device
 *
 * A PCI virtual function shares PRI with its physical function, whose
 * responses it must not disturb, so it cannot.
 *
 * Context: process context; @idev->igroup->lock held.
 * Return: 0, -EINVAL for a virtual function, or the driver's error.
 */
int iommufd_device_iopf_get(struct iommufd_device *idev)
{
	int rc;

	lockdep_assert_held(&idev->igroup->lock);

	if (idev->iopf_users) {
		idev->iopf_users++;
		return 0;
	}
	if (dev_is_pci(idev->dev) && to_pci_dev(idev->dev)->is_virtfn)
		return -EINVAL;
	rc = iommu_dev_enable_feature(idev->dev, IOMMU_DEV_FEAT_IOPF);
	if (!rc) {
		idev->iopf_users = 1;
		iommufd_device_set_iopf_closing(idev, false);
	}
	return rc;
}

/**
 * iommufd_device_iopf_put() - undo iommufd_device_iopf_get()
 * @idev: the device
 *
 * Context: process context; @idev->igroup->lock held.
 */
void iommufd_device_iopf_put(struct iommufd_device *idev)
{
	lockdep_assert_held(&idev->igroup->lock);

	if (WARN_ON(!idev->iopf_users))
		return;
	if (!--idev->iopf_users)
		iommu_dev_disable_feature(idev->dev, IOMMU_DEV_FEAT_IOPF);
}

/**
 * iommufd_handle_alloc() - a new attach handle for @idev on @hwpt
 * @idev: the device attaching
 * @hwpt: where to
 *
 * Context: process context, may sleep.
 * Return: the handle, or NULL without memory.
 */
struct iommufd_attach_handle *
iommufd_handle_alloc(struct iommufd_device *idev,
		     struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_attach_handle *handle;

	handle = kzalloc(sizeof(*handle), GFP_KERNEL_ACCOUNT);
	if (handle) {
		handle->igroup = idev->igroup;
		handle->hwpt = hwpt;
	}
	return handle;
}

/**
 * iommufd_handle_retire() - free the handle of an ended attachment
 * @handle: the handle; the IOMMU core no longer finds it, and the driver
 *	has drained the faults it had in flight
 *
 * Faults that came through it and are still pending are answered.
 *
 * Context: process context, may sleep.
 */
void iommufd_handle_retire(struct iommufd_attach_handle *handle)
{
	if (handle->hwpt->fault)
		iommufd_fault_flush(handle->hwpt->fault, handle, NULL);
	kfree(handle);
}

/**
 * iommufd_device_show() - a device's line in the debugfs view (stat/)
 * @m: where it goes
 * @obj: the device's object
 *
 * Its group, the HWPT it is attached to (0: none) and each PASID attached,
 * as PASID:HWPT.  (Its vDEVICE has a line of its own.)
 *
 * Context: under ictx->show_rwsem for read (iommufd_ctx_show()).  What it
 * is attached to may change as it is read, but every HWPT it points to
 * has it as a user, so none is freed before the walk ends.
 */
void iommufd_device_show(struct seq_file *m, struct iommufd_object *obj)
{
	struct iommufd_device *idev =
		container_of(obj, struct iommufd_device, obj);
	struct iommufd_attach_handle *handle;
	struct iommufd_hw_pagetable *hwpt;
	unsigned long pasid;
	bool first = true;

	/* Changed under igroup->lock, which the view does not take. */
	hwpt = READ_ONCE(idev->hwpt);
	seq_printf(m, "device id=%u dev=%s driver=%s group=%d hwpt=%u pasids=",
		   obj->id, dev_name(idev->dev), dev_driver_string(idev->dev),
		   iommu_group_id(idev->igroup->group), hwpt ? hwpt->obj.id : 0);
	/* Detaching frees a handle after erasing it under this lock. */
	xa_lock(&idev->pasids);
	xa_for_each(&idev->pasids, pasid, handle) {
		seq_printf(m, "%s%lu:%u", first ? "" : ",", pasid,
			   handle->hwpt->obj.id);
		first = false;
	}
	xa_unlock(&idev->pasids);
	seq_puts(m, first ? "-\n" : "\n");
}
