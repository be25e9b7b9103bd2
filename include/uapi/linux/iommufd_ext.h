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

/*
 * IOMMU_IOAS_CHANGE_PROCESS: charge every MAP_FILE mapping of the file to
 * the calling process instead of the one that mapped it.
 */
#define IOMMUFD_CMD_IOAS_CHANGE_PROCESS 0x92

/**
 * struct iommu_ioas_change_process - ioctl(IOMMU_IOAS_CHANGE_PROCESS)
 * @size: sizeof(struct iommu_ioas_change_process)
 * @__reserved: must be 0
 *
 * Moves the pinned-memory charge of every mapping of every IOAS in the file
 * to the calling process, which takes over from the one that mapped it (for
 * example across a live update of the user-space driver).  Only mappings
 * made with IOMMU_IOAS_MAP_FILE can move; any other mapping makes the call
 * fail with EINVAL.  On any failure nothing has changed.
 */
struct iommu_ioas_change_process {
	__u32 size;
	__u32 __reserved;
};

#define IOMMU_IOAS_CHANGE_PROCESS \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_CHANGE_PROCESS)

#endif /* _UAPI_IOMMUFD_EXT_H */
