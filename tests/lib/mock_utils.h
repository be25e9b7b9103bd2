/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for tests with mock devices (the test ABI): make one, move it,
 * and the HWPT and fault ioctls they use.
 */
#ifndef MOCK_UTILS_H
#define MOCK_UTILS_H

#include "iommufd_utils.h"

#define BASE (1UL << 24)	/* MOCK_APERTURE_START */

static inline int mock_domain(int fd, __u32 pt, __u32 flags, __u32 *stdev,
			      __u32 *hwpt, __u32 *idev)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, .id = pt,
		.mock_domain_flags.dev_flags = flags,
	};

	if (_test_cmd(fd, &cmd))
		return -1;
	if (stdev)
		*stdev = cmd.mock_domain_flags.out_stdev_id;
	if (hwpt)
		*hwpt = cmd.mock_domain_flags.out_hwpt_id;
	if (idev)
		*idev = cmd.mock_domain_flags.out_idev_id;
	return 0;
}

static inline int mock_replace(int fd, __u32 stdev, __u32 *pt)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = stdev,
		.mock_domain_replace.pt_id = *pt,
	};

	if (_test_cmd(fd, &cmd))
		return -1;
	*pt = cmd.mock_domain_replace.pt_id;
	return 0;
}

static inline int check_map(int fd, __u32 hwpt, __u64 iova, void *buf,
			    __u64 len)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_MAP, .id = hwpt,
		.check_map = { .iova = iova, .length = len,
			       .uptr = (uintptr_t)buf },
	};

	return _test_cmd(fd, &cmd);
}

/* IOMMU_HWPT_ALLOC; @data of @len bytes and type @type, or none. */
static inline int hwpt_alloc(int fd, __u32 idev, __u32 pt, __u32 flags,
			     __u32 fault_id, __u32 type, void *data,
			     __u32 len, __u32 *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = flags, .dev_id = idev,
		.pt_id = pt, .data_type = type, .data_len = len,
		.data_uptr = (uintptr_t)data, .fault_id = fault_id,
	};
	int rc = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_hwpt_id;
	return rc;
}

/*
 * IOMMU_HWPT_INVALIDATE of *@num requests of @entry_len bytes at @reqs on
 * HWPT or vIOMMU @id; *@num becomes how many were done.
 */
static inline int invalidate(int fd, __u32 id, __u32 type, void *reqs,
			     __u32 entry_len, __u32 *num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd), .hwpt_id = id,
		.data_uptr = (uintptr_t)reqs, .data_type = type,
		.entry_len = entry_len, .entry_num = *num,
	};
	int rc = ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);

	*num = cmd.entry_num;
	return rc;
}

/* A NEST_PARENT HWPT_PAGING on @ioas for @idev. */
static inline int parent_alloc(int fd, __u32 idev, __u32 ioas, __u32 *out)
{
	return hwpt_alloc(fd, idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
			  IOMMU_HWPT_DATA_NONE, NULL, 0, out);
}

/* A mock device (@flags) on @ioas, and a NEST_PARENT HWPT for it. */
static inline int device_and_parent(int fd, __u32 ioas, __u32 flags,
				    __u32 *stdev, __u32 *idev, __u32 *parent)
{
	if (mock_domain(fd, ioas, flags, stdev, NULL, idev))
		return -1;
	return parent_alloc(fd, *idev, ioas, parent);
}

/* A mock nested HWPT on @parent whose IOTLB starts at @iotlb. */
static inline int nested_alloc(int fd, __u32 idev, __u32 parent,
			       __u32 fault_id, __u32 iotlb, __u32 *out)
{
	struct iommu_hwpt_selftest data = { .iotlb = iotlb };

	return hwpt_alloc(fd, idev, parent,
			  fault_id ? IOMMU_HWPT_FAULT_ID_VALID : 0, fault_id,
			  IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data), out);
}

static inline int check_iotlb(int fd, __u32 hwpt, __u32 index, __u32 value)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_IOTLB, .id = hwpt,
		.check_iotlb = { .id = index, .iotlb = value },
	};

	return _test_cmd(fd, &cmd);
}

static inline int fault_alloc(int fd, __u32 *id, int *fault_fd)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };

	if (ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd))
		return -1;
	*id = cmd.out_fault_id;
	*fault_fd = cmd.out_fault_fd;
	return 0;
}

/* The mock device @idev sends a page request; @last completes its group. */
static inline int trigger_iopf(int fd, __u32 idev, __u32 pasid, __u32 grpid,
			       __u64 addr, int last)
{
	struct iommu_test_cmd cmd = {
		.op = last ? IOMMU_TEST_OP_TRIGGER_IOPF :
			     IOMMU_TEST_OP_TRIGGER_IOPF_PARTIAL,
		.trigger_iopf = {
			.dev_id = idev, .pasid = pasid, .grpid = grpid,
			.perm = IOMMU_PGFAULT_PERM_READ, .addr = addr,
		},
	};

	return _test_cmd(fd, &cmd);
}

/* Page responses mock device @idev received: success, invalid, failure. */
struct iopf_counts {
	__u32 success, invalid, failure;
};

static inline int iopf_responses(int fd, __u32 idev, struct iopf_counts *c)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_IOPF_RESPONSES, .id = idev,
	};

	if (_test_cmd(fd, &cmd))
		return -1;
	c->success = cmd.iopf_responses.out_success;
	c->invalid = cmd.iopf_responses.out_invalid;
	c->failure = cmd.iopf_responses.out_failure;
	return 0;
}

#endif /* MOCK_UTILS_H */
