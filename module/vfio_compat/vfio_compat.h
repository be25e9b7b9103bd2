/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio_compat/: the VFIO type1 container ioctls answered on a /dev/iommu
 * file, and IOMMU_VFIO_IOAS.  What the core dispatches to.
 */
#ifndef IOMMUFD_VFIO_COMPAT_H
#define IOMMUFD_VFIO_COMPAT_H

#include "../iommufd_private.h"

int iommufd_vfio_ioas_ioctl(struct iommufd_ucmd *ucmd);
long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd,
			unsigned long arg);

#endif /* IOMMUFD_VFIO_COMPAT_H */
