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
 * IOMMU_GET_HW_INFO out_capabilities: the device cannot use PCI ATS (no
 * such capability, or not a PCI device); without it ATS may be enabled.
 */
enum {
	IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED = 1 << 3,
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
 * vIOMMU objects: a VM's slice of a physical IOMMU (IOMMU_VIOMMU_ALLOC), its
 * devices under their guest-visible IDs (IOMMU_VDEVICE_ALLOC), and queues
 * of events it reports about them (IOMMU_VEVENTQ_ALLOC).
 */
#define IOMMUFD_CMD_VIOMMU_ALLOC 0x90
#define IOMMUFD_CMD_VDEVICE_ALLOC 0x91
#define IOMMUFD_CMD_VEVENTQ_ALLOC 0x93

/* struct iommu_viommu_alloc.type */
enum iommu_viommu_type {
	IOMMU_VIOMMU_TYPE_DEFAULT = 0,
	IOMMU_VIOMMU_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV = 2,
};

/**
 * struct iommu_viommu_alloc - ioctl(IOMMU_VIOMMU_ALLOC)
 * @size: sizeof(struct iommu_viommu_alloc)
 * @flags: must be 0
 * @type: an enum iommu_viommu_type the device's IOMMU driver supports
 * @dev_id: a device behind the physical IOMMU the vIOMMU is a slice of
 * @hwpt_id: the NEST_PARENT HWPT_PAGING its nested tables sit on
 * @out_viommu_id: returns the vIOMMU's object id
 * @data_len: bytes of driver data at @data_uptr (0: none)
 * @__reserved: must be 0
 * @data_uptr: driver data of @type, read and possibly written back
 */
struct iommu_viommu_alloc {
	__u32 size;
	__u32 flags;
	__u32 type;
	__u32 dev_id;
	__u32 hwpt_id;
	__u32 out_viommu_id;
	__u32 data_len;
	__u32 __reserved;
	__aligned_u64 data_uptr;
};

#define IOMMU_VIOMMU_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VIOMMU_ALLOC)

/**
 * struct iommu_vdevice_alloc - ioctl(IOMMU_VDEVICE_ALLOC)
 * @size: sizeof(struct iommu_vdevice_alloc)
 * @viommu_id: the vIOMMU the device appears behind
 * @dev_id: the physical device
 * @out_vdevice_id: returns the vDEVICE's object id
 * @virt_id: the device's ID as the guest sees it on that vIOMMU
 */
struct iommu_vdevice_alloc {
	__u32 size;
	__u32 viommu_id;
	__u32 dev_id;
	__u32 out_vdevice_id;
	__aligned_u64 virt_id;
};

#define IOMMU_VDEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_ALLOC)

/* struct iommufd_vevent_header.flags */
enum iommu_veventq_flag {
	IOMMU_VEVENTQ_FLAG_LOST_EVENTS = (1U << 0),
};

/**
 * struct iommufd_vevent_header - what precedes each event read from a
 *	vEVENTQ
 * @flags: enum iommu_veventq_flag
 * @sequence: the event's number, counting from 0 and wrapping after
 *	INT_MAX; a gap says events were lost.  A LOST_EVENTS header ends
 *	the queue with no data after it.
 */
struct iommufd_vevent_header {
	__u32 flags;
	__u32 sequence;
};

/* struct iommu_veventq_alloc.type */
enum iommu_veventq_type {
	IOMMU_VEVENTQ_TYPE_DEFAULT = 0,
	IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV = 2,
};

/**
 * struct iommu_veventq_alloc - ioctl(IOMMU_VEVENTQ_ALLOC)
 * @size: sizeof(struct iommu_veventq_alloc)
 * @flags: must be 0
 * @viommu_id: the vIOMMU whose events to queue
 * @type: an enum iommu_veventq_type; one queue per type and vIOMMU
 * @veventq_depth: how many events the queue holds before it loses some;
 *	1 to 2^19
 * @out_veventq_id: returns the queue's object id
 * @out_veventq_fd: returns the file descriptor to read events from
 * @__reserved: must be 0
 */
struct iommu_veventq_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 veventq_depth;
	__u32 out_veventq_id;
	__u32 out_veventq_fd;
	__u32 __reserved;
};

#define IOMMU_VEVENTQ_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VEVENTQ_ALLOC)

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

/*
 * IOMMU_HW_QUEUE_ALLOC: a queue of the guest's in guest memory (a command
 * queue, say) that the physical IOMMU reads directly on a vIOMMU's behalf.
 */
#define IOMMUFD_CMD_HW_QUEUE_ALLOC 0x94

/* struct iommu_hw_queue_alloc.type */
enum iommu_hw_queue_type {
	IOMMU_HW_QUEUE_TYPE_DEFAULT = 0,	/* refused: no such queue */
	IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV = 1,
};

/**
 * struct iommu_hw_queue_alloc - ioctl(IOMMU_HW_QUEUE_ALLOC)
 * @size: sizeof(struct iommu_hw_queue_alloc)
 * @flags: must be 0
 * @viommu_id: the vIOMMU the queue belongs to
 * @type: an enum iommu_hw_queue_type the vIOMMU supports
 * @index: which of the vIOMMU's queues of @type this is
 * @out_hw_queue_id: returns the queue's object id
 * @nesting_parent_iova: the queue's guest physical address, an IOVA of the
 *	vIOMMU's nesting parent; the memory there must be physically
 *	contiguous, and stays pinned, and its IOVA unmappable, while the
 *	queue exists
 * @length: the queue's length in bytes, not 0
 */
struct iommu_hw_queue_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 index;
	__u32 out_hw_queue_id;
	__aligned_u64 nesting_parent_iova;
	__aligned_u64 length;
};

#define IOMMU_HW_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HW_QUEUE_ALLOC)

#endif /* _UAPI_IOMMUFD_EXT_H */
