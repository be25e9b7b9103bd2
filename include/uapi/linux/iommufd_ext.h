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

/* IOMMU_IOAS_MAP_FILE: map part of a memfd instead of a user address. */
#define IOMMUFD_CMD_IOAS_MAP_FILE 0x8f

/**
 * struct iommu_ioas_map_file - ioctl(IOMMU_IOAS_MAP_FILE)
 * @size: sizeof(struct iommu_ioas_map_file)
 * @flags: enum iommufd_ioas_map_flags, as for IOMMU_IOAS_MAP
 * @ioas_id: the IOAS to map into
 * @fd: the memfd (shmem or hugetlbfs file) holding the memory
 * @start: byte offset in the file of the first byte to map
 * @length: bytes to map
 * @iova: the IOVA to map at with IOMMU_IOAS_MAP_FIXED_IOVA; else returns
 *        the IOVA the kernel chose
 *
 * IOMMU_IOAS_MAP with the memory named by a file range instead of a user
 * address; everything else behaves as for IOMMU_IOAS_MAP.
 */
struct iommu_ioas_map_file {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__s32 fd;
	__aligned_u64 start;
	__aligned_u64 length;
	__aligned_u64 iova;
};

#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP_FILE)

#endif /* _UAPI_IOMMUFD_EXT_H */
