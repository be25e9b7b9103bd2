/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * <linux/iommufd.h> for user space built by this project: Debian's 6.12
 * uAPI header (found next on the include path, not copied) plus what newer
 * upstream uAPI added, with upstream's numbers and layouts.
 *
 * struct iommu_hw_info gained an in_data_type name for its out_data_type
 * field; the 6.12 struct is renamed while it is included so the newer
 * definition can take its name.  Same size, same offsets.
 */
#ifndef _UAPI_IOMMUFD_PROJECT_H
#define _UAPI_IOMMUFD_PROJECT_H

#ifdef __KERNEL__
#error "user space only; the module includes <linux/iommufd_ext.h>"
#endif

#define iommu_hw_info iommufd_6_12_hw_info
#include_next <linux/iommufd.h>
#undef iommu_hw_info

struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	union {
		__u32 in_data_type;
		__u32 out_data_type;
	};
	__u8 out_max_pasid_log2;
	__u8 __reserved[3];
	__aligned_u64 out_capabilities;
};

#include <linux/iommufd_ext.h>

#endif /* _UAPI_IOMMUFD_PROJECT_H */
