/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * In-kernel API of this module beyond 6.12's <linux/iommufd.h>, whose
 * functions keep the signatures 6.12 callers (VFIO) use.  Exported in
 * namespace IOMMUFD like the rest.
 */
#ifndef _LINUX_IOMMUFD_EXT_H
#define _LINUX_IOMMUFD_EXT_H

#include <linux/iommu.h>
#include <linux/types.h>

struct iommufd_device;

int iommufd_device_attach_pasid(struct iommufd_device *idev, ioasid_t pasid,
				u32 pt_id);
int iommufd_device_replace_pasid(struct iommufd_device *idev, ioasid_t pasid,
				 u32 pt_id);
void iommufd_device_detach_pasid(struct iommufd_device *idev, ioasid_t pasid);

#endif /* _LINUX_IOMMUFD_EXT_H */
