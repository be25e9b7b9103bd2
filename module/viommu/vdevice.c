// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_VDEVICE_ALLOC: a bound device under the ID a vIOMMU's guest knows
 * it by, so the driver can translate the guest's requests (invalidations
 * naming that ID) and report events in it.
 *
 * A device has at most one vDEVICE, and an ID names at most one device per
 * vIOMMU.  A vDEVICE holds its vIOMMU and its device.  When the device is
 * unbound first, its vDEVICE is destroyed then, and its id stays reserved
 * until the file closes, so a late IOMMU_DESTROY by user space finds
 * nothing (ENOENT) rather than an unrelated new object.
 *
 * Locking: idev->igroup->lock guards idev->vdev and idev->unbinding, then
 * the vIOMMU's vdevs xa_lock.  idev->vdev is set only together with
 * publishing the vDEVICE, under the lock, so unbind never meets one half
 * made.
 */
#include <linux/iommu.h>
#include <linux/seq_file.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include "../device/device.h"
#include "viommu.h"

/**
 * iommufd_vdevice_destroy() - destroy callback of a vDEVICE
 * @obj: the object
 *
 * Context: process context, may sleep.
 */
void iommufd_vdevice_destroy(struct iommufd_object *obj)
{
	struct iommufd_vdevice *vdev =
		container_of(obj, struct iommufd_vdevice, obj);
	struct iommufd_device *idev = vdev->idev;

	mutex_lock(&idev->igroup->lock);
	/* An aborted one may not be in the table, or not there yet. */
	xa_cmpxchg(&vdev->viommu->vdevs, vdev->virt_id, vdev, NULL,
		   GFP_KERNEL);
	if (idev->vdev == &vdev->obj)
		idev->vdev = NULL;
	mutex_unlock(&idev->igroup->lock);
	refcount_dec(&vdev->viommu->obj.users);
	/* Last: unbind may be waiting for this use to go. */
	iommufd_put_object(idev->ictx, &idev->obj);
}

/**
 * iommufd_vdevice_alloc_ioctl() - IOMMU_VDEVICE_ALLOC
 * @ucmd: the command; struct iommu_vdevice_alloc
 *
 * Context: process context, may sleep.
 * Return: 0 with out_vdevice_id set; -ENOENT for an unknown vIOMMU or
 * device, or a device being unbound; -EINVAL for a device behind another
 * IOMMU; -EEXIST if the device has a vDEVICE or the vIOMMU knows virt_id.
 */
int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vdevice_alloc *cmd = ucmd->cmd;
	struct iommufd_viommu *viommu;
	struct iommufd_vdevice *vdev;
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	int rc;

	obj = iommufd_get_object(ucmd->ictx, cmd->viommu_id,
				 IOMMUFD_OBJ_VIOMMU);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	viommu = container_of(obj, struct iommufd_viommu, obj);
	idev = iommufd_get_device(ucmd, cmd->dev_id);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto out_put_viommu;
	}
	if (idev->dev->iommu->iommu_dev != viommu->iommu_dev) {
		rc = -EINVAL;
		goto out_put_idev;
	}

	vdev = iommufd_object_alloc(ucmd->ictx, struct iommufd_vdevice,
				    IOMMUFD_OBJ_VDEVICE);
	if (IS_ERR(vdev)) {
		rc = PTR_ERR(vdev);
		goto out_put_idev;
	}
	/* The lookup's use of the device becomes the vDEVICE's. */
	vdev->idev = idev;
	vdev->viommu = viommu;
	refcount_inc(&viommu->obj.users);
	vdev->virt_id = cmd->virt_id;

	/*
	 * Answer first: once linked to the device the vDEVICE is published
	 * in the same locked step, and no failure can follow.
	 */
	cmd->out_vdevice_id = vdev->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;

	mutex_lock(&idev->igroup->lock);
	if (idev->unbinding)
		rc = -ENOENT;
	else if (idev->vdev)
		rc = -EEXIST;
	else
		rc = xa_insert(&viommu->vdevs, cmd->virt_id, vdev,
			       GFP_KERNEL_ACCOUNT);
	if (rc == -EBUSY)
		rc = -EEXIST;
	if (!rc) {
		idev->vdev = &vdev->obj;
		iommufd_object_finalize(ucmd->ictx, &vdev->obj);
	}
	mutex_unlock(&idev->igroup->lock);
	if (rc)
		goto out_abort;
	goto out_put_viommu;

out_abort:
	/* Its destroy callback lets go of the device. */
	iommufd_object_abort_and_destroy(ucmd->ictx, &vdev->obj);
	goto out_put_viommu;
out_put_idev:
	iommufd_put_object(ucmd->ictx, &idev->obj);
out_put_viommu:
	iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}

/**
 * iommufd_vdevice_show() - a vDEVICE's line in the debugfs view (stat/)
 * @m: where it goes
 * @obj: the vDEVICE's object
 *
 * Context: under ictx->show_rwsem for read (iommufd_ctx_show()); its
 * vIOMMU and device have it as a user.
 */
void iommufd_vdevice_show(struct seq_file *m, struct iommufd_object *obj)
{
	struct iommufd_vdevice *vdev =
		container_of(obj, struct iommufd_vdevice, obj);

	seq_printf(m, "vdevice id=%u viommu=%u device=%u virt_id=0x%llx\n",
		   obj->id, vdev->viommu->obj.id, vdev->idev->obj.id,
		   vdev->virt_id);
}
