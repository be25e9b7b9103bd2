// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_GET_HW_INFO: what the IOMMU behind a bound device can do: the
 * driver's own information block (copied up to the caller's buffer, the
 * rest of which is zeroed), its type, generic capabilities and the PASID
 * width.
 */
#include <linux/errno.h>
#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/log2.h>
#include <linux/pci-ats.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include "../iommufd_private.h"
#include "device.h"

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

/* Capabilities of the device's PASID support, for a PCI device. */
static u64 iommufd_pasid_caps(struct device *dev)
{
	u64 caps = 0;
	int ctrl;

	if (!dev_is_pci(dev))
		return 0;
	ctrl = pci_pasid_status(to_pci_dev(dev));
	if (ctrl < 0)
		return 0;
	if (ctrl & PCI_PASID_CTRL_EXEC)
		caps |= IOMMU_HW_CAP_PCI_PASID_EXEC;
	if (ctrl & PCI_PASID_CTRL_PRIV)
		caps |= IOMMU_HW_CAP_PCI_PASID_PRIV;
	return caps;
}

/**
 * iommufd_get_hw_info_ioctl() - IOMMU_GET_HW_INFO
 * @ucmd: the command; struct iommu_hw_info
 *
 * With IOMMU_HW_INFO_FLAG_INPUT_TYPE, in_data_type names the type wanted;
 * the 6.12 drivers have one type each, so another type is EOPNOTSUPP.
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP for unknown flags, reserved bytes or a type the
 * driver does not have; -ENOENT for an unknown device; -EFAULT.
 */
int iommufd_get_hw_info_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	void __user *uptr = u64_to_user_ptr(cmd->data_uptr);
	u32 wanted = IOMMU_HW_INFO_TYPE_DEFAULT, len = 0, copy;
	const struct iommu_ops *ops;
	struct iommufd_device *idev;
	struct device *dev;
	void *data = NULL;
	int rc;

	if (cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE)
		return -EOPNOTSUPP;
	if (cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2])
		return -EOPNOTSUPP;
	/* Without the flag the field is output only, whatever it held. */
	if (cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE)
		wanted = cmd->out_data_type;

	idev = iommufd_get_device(ucmd, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	dev = idev->dev;
	ops = iommufd_dev_ops(dev);

	cmd->out_data_type = IOMMU_HW_INFO_TYPE_NONE;
	if (ops->hw_info) {
		data = ops->hw_info(dev, &len, &cmd->out_data_type);
		if (IS_ERR(data)) {
			rc = PTR_ERR(data);
			data = NULL;
			goto out_put;
		}
	}
	if (wanted != IOMMU_HW_INFO_TYPE_DEFAULT &&
	    wanted != cmd->out_data_type) {
		rc = -EOPNOTSUPP;
		goto out_free;
	}

	copy = min(cmd->data_len, len);
	if (copy_to_user(uptr, data, copy) ||
	    clear_user(uptr + copy, cmd->data_len - copy)) {
		rc = -EFAULT;
		goto out_free;
	}
	/* The full size, so user space learns when its buffer was short. */
	cmd->data_len = len;

	cmd->out_capabilities = 0;
	if (device_iommu_capable(dev, IOMMU_CAP_DIRTY_TRACKING))
		cmd->out_capabilities |= IOMMU_HW_CAP_DIRTY_TRACKING;
	/*
	 * The 6.12 core cannot ask the IOMMU driver whether it would enable
	 * ATS; a device without the capability certainly cannot use it.
	 */
	if (!dev_is_pci(dev) || !pci_ats_supported(to_pci_dev(dev)))
		cmd->out_capabilities |= IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED;
	cmd->out_max_pasid_log2 = 0;
	if (dev->iommu->max_pasids) {
		cmd->out_max_pasid_log2 = ilog2(dev->iommu->max_pasids);
		cmd->out_capabilities |= iommufd_pasid_caps(dev);
	}
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	kfree(data);
out_put:
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}
