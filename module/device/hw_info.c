// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_GET_HW_INFO: what the IOMMU behind a bound device can do.
 *
 * Until devices can be bound, a well-formed command finds no device and
 * fails with ENOENT after the same checks as it will then.
 */
#include <linux/errno.h>
#include <linux/err.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include "../iommufd_private.h"

/**
 * iommufd_get_hw_info_ioctl() - IOMMU_GET_HW_INFO
 * @ucmd: the command; struct iommu_hw_info
 *
 * Context: process context, may sleep.
 * Return: -EOPNOTSUPP for unknown flags or reserved bytes; -ENOENT for an
 * unknown device.
 */
int iommufd_get_hw_info_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	struct iommufd_object *dev;

	if (cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE)
		return -EOPNOTSUPP;
	if (cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2])
		return -EOPNOTSUPP;

	dev = iommufd_get_object(ucmd->ictx, cmd->dev_id, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	iommufd_put_object(ucmd->ictx, dev);
	return -ENOENT;
}
