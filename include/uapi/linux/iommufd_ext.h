/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uAPI that newer upstream Linux added to include/uapi/linux/iommufd.h
 * after 6.12, with upstream's numbers and layouts, for the parts this
 * module implements.  Included after the 6.12 header, in the kernel and
 * (through this project's <linux/iommufd.h>) in user space.
 */
#ifndef _UAPI_IOMMUFD_EXT_H
#define _UAPI_IOMMUFD_EXT_H

#include <linux/types.h>

/* IOMMU_GET_HW_INFO: the type the caller asks for, when flagged. */
#define IOMMU_HW_INFO_TYPE_DEFAULT 0

enum iommufd_hw_info_flags {
	IOMMU_HW_INFO_FLAG_INPUT_TYPE = 1 << 0,
};

/*
 * IOMMU_HWPT_ALLOC: the HWPT may be attached to a PASID of a device as well
 * as to the device itself.
 */
enum {
	IOMMU_HWPT_ALLOC_PASID = 1 << 3,
};

#endif /* _UAPI_IOMMUFD_EXT_H */
