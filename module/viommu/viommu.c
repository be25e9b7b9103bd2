// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_VIOMMU_ALLOC, the registry of drivers offering vIOMMU types, and
 * what other parts do on a vIOMMU: allocate nested HWPTs on it, invalidate
 * its caches.
 *
 * What holds what: a vIOMMU holds its nesting parent; its vDEVICEs,
 * vEVENTQs and nested HWPTs hold it, so it cannot be destroyed (EBUSY)
 * while any exists.  It does not hold the device it was made for.
 */
#include <linux/iommu.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include "../device/device.h"
#include "../hwpt/hwpt.h"
#include "viommu.h"

/* Registered drivers; iommufd_viommu_drivers_lock protects the list. */
static LIST_HEAD(iommufd_viommu_drivers);
static DEFINE_MUTEX(iommufd_viommu_drivers_lock);

/**
 * iommufd_viommu_driver_register() - offer a vIOMMU type
 * @drv: the type, for the devices of one IOMMU driver; stays registered
 *	until iommufd_viommu_driver_unregister(), which the driver calls only
 *	once no vIOMMU of it exists
 *
 * Context: process context, may sleep.
 */
void iommufd_viommu_driver_register(struct iommufd_viommu_driver *drv)
{
	mutex_lock(&iommufd_viommu_drivers_lock);
	list_add_tail(&drv->item, &iommufd_viommu_drivers);
	mutex_unlock(&iommufd_viommu_drivers_lock);
}

/**
 * iommufd_viommu_driver_unregister() - withdraw a vIOMMU type
 * @drv: as registered
 *
 * Context: process context, may sleep.
 */
void iommufd_viommu_driver_unregister(struct iommufd_viommu_driver *drv)
{
	mutex_lock(&iommufd_viommu_drivers_lock);
	list_del(&drv->item);
	mutex_unlock(&iommufd_viommu_drivers_lock);
}

/**
 * iommufd_viommu_parent_domain() - the nesting parent's IOMMU domain
 * @viommu: a vIOMMU, for its driver
 *
 * Return: the stage-2 domain nested domains on @viommu translate through.
 */
struct iommu_domain *iommufd_viommu_parent_domain(struct iommufd_viommu *viommu)
{
	return viommu->hwpt->common.domain;
}

/* The ops for vIOMMUs of @type on @dev's IOMMU, or NULL. */
static const struct iommufd_viommu_ops *
iommufd_viommu_find_ops(struct device *dev, u32 type)
{
	const struct iommu_ops *iommu_ops = iommufd_dev_ops(dev);
	const struct iommufd_viommu_ops *ops = NULL;
	struct iommufd_viommu_driver *drv;

	mutex_lock(&iommufd_viommu_drivers_lock);
	list_for_each_entry(drv, &iommufd_viommu_drivers, item) {
		if (drv->iommu_ops == iommu_ops && drv->type == type) {
			ops = drv->ops;
			break;
		}
	}
	mutex_unlock(&iommufd_viommu_drivers_lock);
	return ops;
}

/**
 * iommufd_viommu_destroy() - destroy callback of a vIOMMU
 * @obj: the object; nothing uses it any more
 *
 * Context: process context, may sleep.
 */
void iommufd_viommu_destroy(struct iommufd_object *obj)
{
	struct iommufd_viommu *viommu =
		container_of(obj, struct iommufd_viommu, obj);

	/* No ops: the driver's init failed, or never ran. */
	if (viommu->ops && viommu->ops->destroy)
		viommu->ops->destroy(viommu);
	WARN_ON(!xa_empty(&viommu->vdevs) || !list_empty(&viommu->veventqs));
	xa_destroy(&viommu->vdevs);
	refcount_dec(&viommu->hwpt->common.obj.users);
}

/**
 * iommufd_viommu_alloc_ioctl() - IOMMU_VIOMMU_ALLOC
 * @ucmd: the command; struct iommu_viommu_alloc
 *
 * Context: process context, may sleep.
 * Return: 0 with out_viommu_id set; -EOPNOTSUPP for flags, the default
 * type or a type the device's IOMMU does not offer; -ENOENT for an unknown
 * device or a hwpt_id that names no HWPT_PAGING; -EINVAL if that is no
 * NEST_PARENT; the driver's errors for its data.
 */
int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_viommu_alloc *cmd = ucmd->cmd;
	const struct iommu_user_data data = {
		.type = cmd->type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.len = cmd->data_len,
	};
	const struct iommufd_viommu_ops *ops;
	struct iommufd_hwpt_paging *hwpt;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	idev = iommufd_get_device(ucmd, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	ops = iommufd_viommu_find_ops(idev->dev, cmd->type);
	if (!ops) {
		rc = -EOPNOTSUPP;
		goto out_put_idev;
	}
	obj = iommufd_get_object(ucmd->ictx, cmd->hwpt_id,
				 IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out_put_idev;
	}
	hwpt = container_of(obj, struct iommufd_hwpt_paging, common.obj);
	if (!hwpt->nest_parent) {
		rc = -EINVAL;
		goto out_put_hwpt;
	}

	viommu = iommufd_object_alloc(ucmd->ictx, struct iommufd_viommu,
				      IOMMUFD_OBJ_VIOMMU);
	if (IS_ERR(viommu)) {
		rc = PTR_ERR(viommu);
		goto out_put_hwpt;
	}
	viommu->ictx = ucmd->ictx;
	viommu->iommu_dev = idev->dev->iommu->iommu_dev;
	viommu->type = cmd->type;
	viommu->hwpt = hwpt;
	refcount_inc(&hwpt->common.obj.users);
	xa_init(&viommu->vdevs);
	init_rwsem(&viommu->veventqs_rwsem);
	INIT_LIST_HEAD(&viommu->veventqs);

	/* Data is optional; without it the driver gets none. */
	rc = ops->init(viommu, cmd->data_len ? &data : NULL);
	if (rc)
		goto out_abort;
	viommu->ops = ops;
	cmd->out_viommu_id = viommu->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ucmd->ictx, &viommu->obj);
	goto out_put_hwpt;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &viommu->obj);
out_put_hwpt:
	iommufd_put_object(ucmd->ictx, &hwpt->common.obj);
out_put_idev:
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

/**
 * iommufd_viommu_alloc_mmap() - offer a region of the IOMMU to user space
 * @viommu: the vIOMMU whose region it is (in the driver's @init)
 * @base: its physical address, page aligned
 * @length: its length, page aligned
 * @offset: returns the offset user space must mmap() /dev/iommu at
 *
 * Each mapping of the region is a user of @viommu.  The driver withdraws
 * the region with iommufd_viommu_destroy_mmap() in its @destroy.
 *
 * Context: process context, may sleep.
 * Return: as iommufd_mmap_add().
 */
int iommufd_viommu_alloc_mmap(struct iommufd_viommu *viommu,
			      phys_addr_t base, size_t length,
			      unsigned long *offset)
{
	return iommufd_mmap_add(viommu->ictx, &viommu->obj, base, length,
				offset);
}

/**
 * iommufd_viommu_destroy_mmap() - withdraw iommufd_viommu_alloc_mmap()
 * @viommu: the vIOMMU
 * @offset: the region's offset
 *
 * Context: process context.
 */
void iommufd_viommu_destroy_mmap(struct iommufd_viommu *viommu,
				 unsigned long offset)
{
	iommufd_mmap_remove(viommu->ictx, &viommu->obj, offset);
}

/**
 * iommufd_viommu_alloc_nested() - a nested HWPT on a vIOMMU
 * @ictx: the context
 * @viommu: the vIOMMU; its parent is the stage-2
 * @idev: the device asking, behind the same physical IOMMU
 * @flags: IOMMU_HWPT_FAULT_ID_VALID and IOMMU_HWPT_ALLOC_PASID only
 * @user_data: the driver's description of the stage-1
 *
 * Context: process context, may sleep.
 * Return: the HWPT, unpublished (the caller finalizes or aborts it), or an
 * ERR_PTR(): -EINVAL for a device of another IOMMU; -EOPNOTSUPP for other
 * flags, no data, or a driver without nested domains; the driver's errors.
 */
struct iommufd_hwpt_nested *
iommufd_viommu_alloc_nested(struct iommufd_ctx *ictx,
			    struct iommufd_viommu *viommu,
			    struct iommufd_device *idev, u32 flags,
			    const struct iommu_user_data *user_data)
{
	struct iommufd_hwpt_nested *hwpt;
	struct iommu_domain *domain;
	int rc;

	if (idev->dev->iommu->iommu_dev != viommu->iommu_dev)
		return ERR_PTR(-EINVAL);
	if (flags & ~(IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID))
		return ERR_PTR(-EOPNOTSUPP);
	if (!user_data->len || !viommu->ops->alloc_domain_nested)
		return ERR_PTR(-EOPNOTSUPP);

	hwpt = iommufd_object_alloc_at(ictx, struct iommufd_hwpt_nested,
				       common.obj, IOMMUFD_OBJ_HWPT_NESTED);
	if (IS_ERR(hwpt))
		return hwpt;
	hwpt->parent = viommu->hwpt;
	hwpt->viommu = viommu;
	refcount_inc(&viommu->obj.users);
	hwpt->common.pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;

	domain = viommu->ops->alloc_domain_nested(viommu,
						  flags & ~(IOMMU_HWPT_FAULT_ID_VALID |
							    IOMMU_HWPT_ALLOC_PASID),
						  user_data);
	if (IS_ERR(domain)) {
		rc = PTR_ERR(domain);
		goto err_abort;
	}
	hwpt->common.domain = domain;
	domain->owner = iommufd_dev_ops(idev->dev);
	rc = -EOPNOTSUPP;
	if (WARN_ON_ONCE(domain->type != IOMMU_DOMAIN_NESTED))
		goto err_abort;
	return hwpt;

err_abort:
	iommufd_object_abort_and_destroy(ictx, &hwpt->common.obj);
	return ERR_PTR(rc);
}

/**
 * iommufd_viommu_invalidate() - IOMMU_HWPT_INVALIDATE on a vIOMMU
 * @viommu: the vIOMMU
 * @array: the requests; entry_num is set to the number done
 *
 * Context: process context, may sleep.
 * Return: 0, -EOPNOTSUPP if the driver has no such invalidation, or its
 * error for the first request it refused.
 */
int iommufd_viommu_invalidate(struct iommufd_viommu *viommu,
			      struct iommu_user_data_array *array)
{
	if (!viommu->ops->cache_invalidate) {
		array->entry_num = 0;
		return -EOPNOTSUPP;
	}
	return viommu->ops->cache_invalidate(viommu, array);
}

/**
 * iommufd_viommu_find_dev() - the device a vIOMMU knows by @virt_id
 * @viommu: the vIOMMU
 * @virt_id: the guest's ID
 *
 * Context: @viommu->vdevs' xa_lock held; the device may be used until it
 * is released.
 * Return: the device, or NULL.
 */
struct device *iommufd_viommu_find_dev(struct iommufd_viommu *viommu,
				       u64 virt_id)
{
	struct iommufd_vdevice *vdev;

	lockdep_assert_held(&viommu->vdevs.xa_lock);

	vdev = xa_load(&viommu->vdevs, virt_id);
	return vdev ? vdev->idev->dev : NULL;
}

/**
 * iommufd_viommu_virt_id() - the ID a vIOMMU knows @dev by
 * @viommu: the vIOMMU
 * @dev: a device
 * @virt_id: out: its ID
 *
 * Context: any; takes @viommu->vdevs' xa_lock.
 * Return: 0, or -ENOENT if @dev has no vDEVICE on @viommu.
 */
int iommufd_viommu_virt_id(struct iommufd_viommu *viommu, struct device *dev,
			   u64 *virt_id)
{
	struct iommufd_vdevice *vdev;
	unsigned long index;
	int rc = -ENOENT;

	xa_lock(&viommu->vdevs);
	xa_for_each(&viommu->vdevs, index, vdev) {
		if (vdev->idev->dev == dev) {
			*virt_id = vdev->virt_id;
			rc = 0;
			break;
		}
	}
	xa_unlock(&viommu->vdevs);
	return rc;
}

/**
 * iommufd_viommu_show() - a vIOMMU's line in the debugfs view (stat/)
 * @m: where it goes
 * @obj: the vIOMMU's object
 *
 * Context: under ictx->show_rwsem for read (iommufd_ctx_show()).
 */
void iommufd_viommu_show(struct seq_file *m, struct iommufd_object *obj)
{
	struct iommufd_viommu *viommu =
		container_of(obj, struct iommufd_viommu, obj);
	unsigned int vdevices = 0;
	unsigned long index;
	void *entry;

	/* Only counted, never followed: RCU is enough. */
	xa_for_each(&viommu->vdevs, index, entry)
		vdevices++;
	seq_printf(m, "viommu id=%u hwpt=%u type=%u vdevices=%u\n", obj->id,
		   viommu->hwpt->common.obj.id, viommu->type, vdevices);
}
