/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The iommufd test ABI: IOMMU_TEST_CMD and the mock IOMMU's data formats.
 *
 * Numbers, names and layouts are upstream Linux's test ABI
 * (drivers/iommu/iommufd/iommufd_test.h), so the upstream selftests run
 * against this module unchanged.  Only a test build of iommufd.ko answers
 * IOMMU_TEST_CMD.  Used by the module and by user-space tests.
 */
#ifndef _UAPI_IOMMUFD_PROJECT_TEST_H
#define _UAPI_IOMMUFD_PROJECT_TEST_H

#include <linux/types.h>
#ifndef __KERNEL__
/* IOMMUFD_TYPE and friends; kernel includers include the uAPI first. */
#include <linux/iommufd.h>
#endif

/* struct iommu_test_cmd.op */
enum {
	IOMMU_TEST_OP_ADD_RESERVED = 1,
	IOMMU_TEST_OP_MOCK_DOMAIN,
	IOMMU_TEST_OP_MD_CHECK_MAP,
	IOMMU_TEST_OP_MD_CHECK_REFS,
	IOMMU_TEST_OP_CREATE_ACCESS,
	IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
	IOMMU_TEST_OP_ACCESS_PAGES,
	IOMMU_TEST_OP_ACCESS_RW,
	IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
	IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
	IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
	IOMMU_TEST_OP_DIRTY,
	IOMMU_TEST_OP_MD_CHECK_IOTLB,
	IOMMU_TEST_OP_TRIGGER_IOPF,
	IOMMU_TEST_OP_DEV_CHECK_CACHE,
	IOMMU_TEST_OP_TRIGGER_VEVENT,
	IOMMU_TEST_OP_PASID_ATTACH,
	IOMMU_TEST_OP_PASID_REPLACE,
	IOMMU_TEST_OP_PASID_DETACH,
	IOMMU_TEST_OP_PASID_CHECK_HWPT,
	IOMMU_TEST_OP_DMABUF_GET,
	IOMMU_TEST_OP_DMABUF_REVOKE,
};

/*
 * This project's additions to the test ABI, numbered far above upstream's
 * so that new upstream operations never collide with them.
 *
 * IOMMU_TEST_OP_TRIGGER_IOPF_PARTIAL: as IOMMU_TEST_OP_TRIGGER_IOPF, but
 *	the request is not the last of its group; the group is handed to the
 *	fault queue when a TRIGGER_IOPF with the same grpid completes it.
 * IOMMU_TEST_OP_IOPF_RESPONSES: the page responses mock device @id (a
 *	device object id) has received so far, by code.
 */
enum {
	IOMMU_TEST_OP_TRIGGER_IOPF_PARTIAL = 0x1000,
	IOMMU_TEST_OP_IOPF_RESPONSES,
};

/* iommu_hwpt_selftest.pagetable_type: the page sizes of a paging domain. */
enum {
	MOCK_IOMMUPT_DEFAULT = 0,
	MOCK_IOMMUPT_HUGE,	/* MOCK_PAGE_SIZE and MOCK_HUGE_PAGE_SIZE */
};

/* The IOVA window and the page sizes of a mock domain. */
enum {
	MOCK_APERTURE_START = 1UL << 24,
	MOCK_APERTURE_LAST = (1UL << 31) - 1,
	MOCK_PAGE_SIZE = 2048,
	MOCK_HUGE_PAGE_SIZE = 512 * MOCK_PAGE_SIZE,
};

/* access_pages.flags */
enum {
	MOCK_FLAGS_ACCESS_WRITE = 1 << 0,
	MOCK_FLAGS_ACCESS_SYZ = 1 << 16,
};

/* access_rw.flags */
enum {
	MOCK_ACCESS_RW_WRITE = 1 << 0,
	MOCK_ACCESS_RW_SLOW_PATH = 1 << 2,
};

/* create_access.flags */
enum {
	MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES = 1 << 0,
};

/* mock_domain_flags.dev_flags */
enum {
	MOCK_FLAGS_DEVICE_NO_DIRTY = 1 << 0,
	MOCK_FLAGS_DEVICE_HUGE_IOVA = 1 << 1,	/* 6.12's; newer: MOCK_IOMMUPT_HUGE */
	MOCK_FLAGS_DEVICE_PASID = 1 << 2,
	/*
	 * This project's, far above upstream's:
	 * SHARED_GROUP: one IOMMU group with every other device made with
	 *	it while the module is loaded, as behind a PCIe-to-PCI bridge;
	 * IOPF_LAST_WORD: when its I/O page faults are turned off it sends
	 *	one last page request first, as a device may up to that moment.
	 */
	MOCK_FLAGS_DEVICE_SHARED_GROUP = 1 << 16,
	MOCK_FLAGS_DEVICE_IOPF_LAST_WORD = 1 << 17,
};

/* PASID width a MOCK_FLAGS_DEVICE_PASID device reports, in bits. */
#define MOCK_PASID_WIDTH 20

/*
 * A mock device fails replacing the table at this PASID by another, once,
 * so that tests see a failed replace leave the old table in place.
 */
#define IOMMU_TEST_PASID_RESERVED 1024

enum {
	MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = 3,
	MOCK_NESTED_DOMAIN_IOTLB_NUM = 4,
};

/* The "device cache" of a mock device, invalidated through a vIOMMU. */
enum {
	MOCK_DEV_CACHE_ID_MAX = 3,
	MOCK_DEV_CACHE_NUM = 4,
};

struct iommu_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct {
			__aligned_u64 start;
			__aligned_u64 length;
		} add_reserved;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;	/* a device bound as by iommufd_device_bind() */
		} mock_domain;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
			__u32 dev_flags;	/* MOCK_FLAGS_DEVICE_* */
		} mock_domain_flags;
		struct {
			__u32 pt_id;
		} mock_domain_replace;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} check_map;
		struct {
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 refs;
		} check_refs;
		struct {
			__u32 out_access_fd;
			__u32 flags;
		} create_access;
		struct {
			__u32 access_pages_id;
		} destroy_access_pages;
		struct {
			__u32 flags;
			__u32 out_access_pages_id;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} access_pages;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 flags;
		} access_rw;
		struct {
			__u32 limit;
		} memory_limit;
		struct {
			__u32 ioas_id;
		} access_replace_ioas;
		struct {
			__u32 flags;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 page_size;
			__aligned_u64 uptr;
			__aligned_u64 out_nr_dirty;
		} dirty;
		struct {
			__u32 id;
			__u32 iotlb;
		} check_iotlb;
		struct {
			__u32 dev_id;
			__u32 pasid;
			__u32 grpid;
			__u32 perm;
			__u64 addr;
		} trigger_iopf;
		struct {
			__u32 id;
			__u32 cache;
		} check_dev_cache;
		struct {
			__u32 dev_id;
		} trigger_vevent;
		/* In the four PASID operations @id is the mock device object. */
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_attach;
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_replace;
		struct {
			__u32 pasid;
		} pasid_detach;
		struct {
			__u32 pasid;
			__u32 hwpt_id;	/* 0: nothing may be attached there */
		} pasid_check;
		struct {
			__u32 length;
			__u32 open_flags;
		} dmabuf_get;
		struct {
			__s32 dmabuf_fd;
			__u32 revoked;
		} dmabuf_revoke;
		struct {
			__u32 out_success;
			__u32 out_invalid;
			__u32 out_failure;
		} iopf_responses;
	};
	__u32 last;
};

#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

/* IOMMU_GET_HW_INFO data of a mock device. */
#define IOMMU_HW_INFO_TYPE_SELFTEST 0xfeedbeef
#define IOMMU_HW_INFO_SELFTEST_REGVAL 0xdeadbeef

struct iommu_test_hw_info {
	__u32 flags;
	__u32 test_reg;
};

/* IOMMU_HWPT_ALLOC data type of a mock nested domain. */
#define IOMMU_HWPT_DATA_SELFTEST 0xdead
#define IOMMU_TEST_IOTLB_DEFAULT 0xbadbeef

/*
 * @iotlb: the initial value of a nested domain's IOTLB entries
 * @pagetable_type: MOCK_IOMMUPT_*, for a paging domain; newer upstream's
 *	field: callers passing only @iotlb get MOCK_IOMMUPT_DEFAULT
 *
 * A program written for Debian 6.12's test ABI defines
 * IOMMUFD_TEST_ABI_6_12 and gets the struct as 6.12 had it; the module
 * answers it with 6.12's errnos where upstream changed them since.
 */
struct iommu_hwpt_selftest {
	__u32 iotlb;
#ifndef IOMMUFD_TEST_ABI_6_12
	__u32 pagetable_type;
#endif
};

/* IOMMU_HWPT_INVALIDATE data types of a mock nested domain. */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

#define IOMMU_TEST_INVALIDATE_FLAG_ALL (1 << 0)

struct iommu_hwpt_invalidate_selftest {
	__u32 flags;
	__u32 iotlb_id;
};

#define IOMMU_TEST_DEV_CACHE_DEFAULT 0xbaddad

/*
 * IOMMU_VIOMMU_ALLOC type of the mock, and its data: out_data = in_data;
 * newer callers also get the offset and length of a region of the
 * iommufd to mmap(), one page standing for the vIOMMU's hardware page.
 */
#define IOMMU_VIOMMU_TYPE_SELFTEST 0xdeadbeef

struct iommu_viommu_selftest {
	__u32 in_data;
	__u32 out_data;
	__aligned_u64 out_mmap_offset;
	__aligned_u64 out_mmap_length;
};

/* IOMMU_HWPT_INVALIDATE data types of a mock vIOMMU. */
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/*
 * Drop entry @cache_id of the device cache of the device whose virtual ID
 * on the vIOMMU is @vdev_id (all entries with IOMMU_TEST_INVALIDATE_FLAG_ALL).
 */
struct iommu_viommu_invalidate_selftest {
	__u32 flags;
	__u32 vdev_id;
	__u32 cache_id;
};

/* IOMMU_VEVENTQ_ALLOC type of the mock, and its event data. */
#define IOMMU_VEVENTQ_TYPE_SELFTEST 0xbeefbeef

struct iommu_viommu_event_selftest {
	__u32 virt_id;
};

/* IOMMU_HW_QUEUE_ALLOC type of the mock vIOMMU, and its queues per vIOMMU. */
#define IOMMU_HW_QUEUE_TYPE_SELFTEST 0xdeadbeef
#define IOMMU_TEST_HW_QUEUE_MAX 2

#endif /* _UAPI_IOMMUFD_PROJECT_TEST_H */
