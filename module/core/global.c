// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every part of the module may read of the module as a whole: the
 * device of /dev/iommu.  core/main.c sets it; it lives here, apart from the
 * file's code, so that reading it (pages/dmabuf.c) does not make those
 * parts depend on core/main.c, which depends on them.
 */
#include <linux/compiler.h>

#include "../iommufd_private.h"

/* Set before /dev/iommu can be opened and cleared after it no longer can. */
static struct device *iommufd_dev;

/**
 * iommufd_global_device_set() - record the device of /dev/iommu
 * @dev: the misc device's struct device, or NULL at unload
 *
 * Context: module init and exit.
 */
void iommufd_global_device_set(struct device *dev)
{
	WRITE_ONCE(iommufd_dev, dev);
}

/**
 * iommufd_global_device() - the device of /dev/iommu
 *
 * What this module names itself by where the kernel wants a device, such
 * as attaching to a dma-buf.  Called only through an open /dev/iommu.
 *
 * Context: any.
 * Return: the misc device's struct device, valid while the module is.
 */
struct device *iommufd_global_device(void)
{
	return READ_ONCE(iommufd_dev);
}
