// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested (user-managed) HWPTs on the mock IOMMU: allocation on a
 * NEST_PARENT stage-2 and its refusals, attach and replace through nested
 * tables, and IOMMU_HWPT_INVALIDATE with its count of requests handled.
 * The fixture's teardown checks that nothing is left behind.
 */
#include "mock_utils.h"

#define IOTLB IOMMU_TEST_IOTLB_DEFAULT

/* The four IOTLB entries of @hwpt hold @a, @b, @c, @d. */
static int iotlb_is(int fd, __u32 hwpt, __u32 a, __u32 b, __u32 c, __u32 d)
{
	return check_iotlb(fd, hwpt, 0, a) || check_iotlb(fd, hwpt, 1, b) ||
	       check_iotlb(fd, hwpt, 2, c) || check_iotlb(fd, hwpt, 3, d);
}

TEST_F(ioas, nested_alloc_refusals)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOTLB };
	__u32 stdev, idev, parent, plain, auto_hwpt, nested, out = 0;

	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &auto_hwpt,
			      &idev));
	ASSERT_OK(parent_alloc(self->fd, idev, self->ioas, &parent));
	ASSERT_OK(hwpt_alloc(self->fd, idev, self->ioas, 0, 0,
			     IOMMU_HWPT_DATA_NONE, NULL, 0, &plain));

	/* Data and data type come together. */
	EXPECT_ERRNO(EINVAL, hwpt_alloc(self->fd, idev, parent, 0, 0,
					IOMMU_HWPT_DATA_NONE, &data,
					sizeof(data), &out));
	EXPECT_ERRNO(EINVAL, hwpt_alloc(self->fd, idev, parent, 0, 0,
					IOMMU_HWPT_DATA_SELFTEST, &data, 0,
					&out));
	/* The driver's data: unknown type, short, unreadable, too long. */
	EXPECT_ERRNO(EOPNOTSUPP, hwpt_alloc(self->fd, idev, parent, 0, 0,
					    IOMMU_HWPT_DATA_SELFTEST + 1,
					    &data, sizeof(data), &out));
	EXPECT_ERRNO(EINVAL, hwpt_alloc(self->fd, idev, parent, 0, 0,
					IOMMU_HWPT_DATA_SELFTEST, &data,
					sizeof(data.iotlb) - 1,
					&out));
	EXPECT_ERRNO(EFAULT, hwpt_alloc(self->fd, idev, parent, 0, 0,
					IOMMU_HWPT_DATA_SELFTEST, NULL,
					sizeof(data), &out));
	EXPECT_ERRNO(EINVAL, hwpt_alloc(self->fd, idev, parent, 0, 0,
					IOMMU_HWPT_DATA_SELFTEST, &data,
					sizeof(data) + 8, &out));
	/* Stage-2 flags mean nothing for a stage-1. */
	EXPECT_ERRNO(EOPNOTSUPP, hwpt_alloc(self->fd, idev, parent,
					    IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
					    IOMMU_HWPT_DATA_SELFTEST, &data,
					    sizeof(data), &out));
	EXPECT_ERRNO(EOPNOTSUPP, hwpt_alloc(self->fd, idev, parent,
					    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 0,
					    IOMMU_HWPT_DATA_SELFTEST, &data,
					    sizeof(data), &out));
	/* Only an explicit NEST_PARENT table can be the parent. */
	EXPECT_ERRNO(EINVAL, nested_alloc(self->fd, idev, plain, 0, IOTLB,
					  &out));
	EXPECT_ERRNO(EINVAL, nested_alloc(self->fd, idev, auto_hwpt, 0, IOTLB,
					  &out));
	/*
	 * On an IOAS, driver data describes a kernel-managed table (the
	 * mock's page sizes); an unknown page table type is refused.
	 */
	{
		struct iommu_hwpt_selftest data = { .pagetable_type = 99 };

		EXPECT_ERRNO(EOPNOTSUPP,
			     hwpt_alloc(self->fd, idev, self->ioas, 0, 0,
					IOMMU_HWPT_DATA_SELFTEST, &data,
					sizeof(data), &out));
		data.pagetable_type = MOCK_IOMMUPT_HUGE;
		ASSERT_OK(hwpt_alloc(self->fd, idev, self->ioas, 0, 0,
				     IOMMU_HWPT_DATA_SELFTEST, &data,
				     sizeof(data), &out));
		ASSERT_OK(_destroy(self->fd, out));
		out = 0;
	}
	/* Nested ones on a nested one or on a device are refused. */
	ASSERT_OK(nested_alloc(self->fd, idev, parent, 0, IOTLB, &nested));
	EXPECT_ERRNO(EINVAL, nested_alloc(self->fd, idev, nested, 0, IOTLB,
					  &out));
	EXPECT_ERRNO(EINVAL, nested_alloc(self->fd, idev, idev, 0, IOTLB,
					  &out));
	/* A fault queue that does not exist. */
	EXPECT_ERRNO(ENOENT, nested_alloc(self->fd, idev, parent, 12345,
					  IOTLB, &out));
	/* Faults only for user-managed tables. */
	EXPECT_ERRNO(EOPNOTSUPP, hwpt_alloc(self->fd, idev, self->ioas,
					    IOMMU_HWPT_FAULT_ID_VALID, 0,
					    IOMMU_HWPT_DATA_NONE, NULL, 0,
					    &out));
	EXPECT_EQ(0, out);

	/* The parent stays while a nested table uses it. */
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, parent));
	ASSERT_OK(iotlb_is(self->fd, nested, IOTLB, IOTLB, IOTLB, IOTLB));
	ASSERT_OK(_destroy(self->fd, nested));
	ASSERT_OK(_destroy(self->fd, parent));
	ASSERT_OK(_destroy(self->fd, plain));
	ASSERT_OK(_destroy(self->fd, stdev));
}

/* Invalidate the nested HWPT's "IOTLB" with *@num requests of @reqs. */
static int invalidate_iotlb(int fd, __u32 nested,
			    struct iommu_hwpt_invalidate_selftest *reqs,
			    __u32 *num)
{
	return invalidate(fd, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
			  reqs, sizeof(*reqs), num);
}

TEST_F(ioas, invalidate_counts_requests_handled)
{
	struct iommu_hwpt_invalidate_selftest reqs[3] = {};
	__u32 stdev, idev, parent, nested, num;

	ASSERT_OK(device_and_parent(self->fd, self->ioas, 0, &stdev, &idev,
				    &parent));
	ASSERT_OK(nested_alloc(self->fd, idev, parent, 0, IOTLB, &nested));

	/* An empty array only checks the HWPT. */
	num = 0;
	ASSERT_OK(invalidate_iotlb(self->fd, nested, NULL, &num));
	ASSERT_EQ(0, num);

	/* Entry 1 fails: entry 0 is done and counted, 1 and 2 are not. */
	reqs[0].iotlb_id = 0;
	reqs[1].iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1;
	reqs[2].iotlb_id = 2;
	num = 3;
	EXPECT_ERRNO(EINVAL, invalidate_iotlb(self->fd, nested, reqs, &num));
	EXPECT_EQ(1, num);
	ASSERT_OK(iotlb_is(self->fd, nested, 0, IOTLB, IOTLB, IOTLB));

	/* Unknown request flags: EOPNOTSUPP, again after what was done. */
	reqs[1].iotlb_id = 1;
	reqs[2].flags = 0x80;
	num = 3;
	EXPECT_ERRNO(EOPNOTSUPP,
		     invalidate_iotlb(self->fd, nested, reqs, &num));
	EXPECT_EQ(2, num);
	ASSERT_OK(iotlb_is(self->fd, nested, 0, 0, IOTLB, IOTLB));

	/* All of them. */
	reqs[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	num = 1;
	ASSERT_OK(invalidate_iotlb(self->fd, nested, reqs, &num));
	EXPECT_EQ(1, num);
	ASSERT_OK(iotlb_is(self->fd, nested, 0, 0, 0, 0));

	ASSERT_OK(_destroy(self->fd, nested));
	ASSERT_OK(_destroy(self->fd, parent));
	ASSERT_OK(_destroy(self->fd, stdev));
}

TEST_F(ioas, invalidate_refusals_handle_nothing)
{
	struct iommu_hwpt_invalidate_selftest reqs[2] = {};
	struct iommu_hwpt_invalidate cmd = { .size = sizeof(cmd) };
	__u32 stdev, idev, parent, nested, num;

	ASSERT_OK(device_and_parent(self->fd, self->ioas, 0, &stdev, &idev,
				    &parent));
	ASSERT_OK(nested_alloc(self->fd, idev, parent, 0, IOTLB, &nested));

#define REFUSED(err, hwpt, type, ptr, len, n)				\
	do {								\
		num = (n);						\
		EXPECT_ERRNO(err, invalidate(self->fd, hwpt, type, ptr,	\
					     len, &num));		\
		EXPECT_EQ(0, num);					\
	} while (0)

	/*
	 * Only nested HWPTs have caches user space manages: another object
	 * is EINVAL, as newer upstream says; no object at all is ENOENT.
	 */
	REFUSED(EINVAL, parent, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, reqs,
		sizeof(reqs[0]), 1);
	REFUSED(EINVAL, self->ioas, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, reqs,
		sizeof(reqs[0]), 1);
	REFUSED(ENOENT, 12345, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, reqs,
		sizeof(reqs[0]), 1);
	REFUSED(EINVAL, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID,
		reqs, sizeof(reqs[0]), 1);
	/* Entries of the wrong size, or none to read. */
	REFUSED(EINVAL, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, reqs,
		sizeof(reqs[0]) + 1, 1);
	REFUSED(EINVAL, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, reqs, 1,
		1);
	REFUSED(EINVAL, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, reqs, 0,
		1);
	REFUSED(EINVAL, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, NULL,
		sizeof(reqs[0]), 1);
	/* Unbounded arrays are refused before anything is read. */
	REFUSED(EINVAL, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, reqs,
		PAGE_SZ + 1, 1);
	REFUSED(EINVAL, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, reqs,
		sizeof(reqs[0]), 1U << 30);
	/* An unreadable array. */
	REFUSED(EFAULT, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		(void *)8, sizeof(reqs[0]), 1);
	ASSERT_OK(iotlb_is(self->fd, nested, IOTLB, IOTLB, IOTLB, IOTLB));

	/* A reserved field: refused, and entry_num left as it was. */
	cmd.hwpt_id = nested;
	cmd.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
	cmd.data_uptr = (uintptr_t)reqs;
	cmd.entry_len = sizeof(reqs[0]);
	cmd.entry_num = 1;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &cmd));
	EXPECT_EQ(1, cmd.entry_num);
	ASSERT_OK(iotlb_is(self->fd, nested, IOTLB, IOTLB, IOTLB, IOTLB));

	ASSERT_OK(_destroy(self->fd, nested));
	ASSERT_OK(_destroy(self->fd, parent));
	ASSERT_OK(_destroy(self->fd, stdev));
}

TEST_F(ioas, attach_and_replace_through_nested_tables)
{
	void *buf = test_buffer(2 * PAGE_SZ);
	__u32 stdev, stdev2, idev, parent, n1, n2, pt;

	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ, BASE));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, (char *)buf + PAGE_SZ,
				  PAGE_SZ, BASE + PAGE_SZ));
	ASSERT_OK(device_and_parent(self->fd, self->ioas, 0, &stdev, &idev,
				    &parent));
	ASSERT_OK(nested_alloc(self->fd, idev, parent, 0, IOTLB, &n1));
	ASSERT_OK(nested_alloc(self->fd, idev, parent, 0, 1, &n2));

	/* The stage-2 mirrors the IOAS whatever sits on top of it. */
	ASSERT_OK(check_map(self->fd, parent, BASE, buf, 2 * PAGE_SZ));

	/* A new device attaches straight to a nested table. */
	ASSERT_OK(mock_domain(self->fd, n1, 0, &stdev2, &pt, NULL));
	ASSERT_EQ(n1, pt);
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, n1));

	/* nested -> nested -> parent -> IOAS -> nested */
	pt = n1;
	ASSERT_OK(mock_replace(self->fd, stdev, &pt));
	pt = n2;
	ASSERT_OK(mock_replace(self->fd, stdev, &pt));
	ASSERT_EQ(n2, pt);
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, n2));
	pt = parent;
	ASSERT_OK(mock_replace(self->fd, stdev, &pt));
	ASSERT_OK(_destroy(self->fd, n2));
	pt = self->ioas;
	ASSERT_OK(mock_replace(self->fd, stdev, &pt));
	ASSERT_NE(parent, pt);
	pt = n1;
	ASSERT_OK(mock_replace(self->fd, stdev, &pt));

	/* Mapping changes reach the stage-2 under attached nested tables. */
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, BASE + PAGE_SZ, PAGE_SZ,
			      NULL));
	EXPECT_ERRNO(EINVAL, check_map(self->fd, parent, BASE + PAGE_SZ,
				       (char *)buf + PAGE_SZ, PAGE_SZ));
	ASSERT_OK(check_map(self->fd, parent, BASE, buf, PAGE_SZ));

	/* Everything still attached: the teardown's close cleans up. */
	ASSERT_OK(_destroy(self->fd, stdev2));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, parent));
}

TEST_F(ioas, nested_tables_of_two_parents_and_ioases)
{
	__u32 other, stdev, idev, p1, p2, n1, n2, pt;
	void *buf = test_buffer(PAGE_SZ);

	ASSERT_OK(_ioas_alloc(self->fd, &other));
	ASSERT_OK(_ioas_map_fixed(self->fd, other, buf, PAGE_SZ, BASE));
	ASSERT_OK(device_and_parent(self->fd, self->ioas, 0, &stdev, &idev,
				    &p1));
	ASSERT_OK(parent_alloc(self->fd, idev, other, &p2));
	ASSERT_OK(nested_alloc(self->fd, idev, p1, 0, IOTLB, &n1));
	ASSERT_OK(nested_alloc(self->fd, idev, p2, 0, IOTLB, &n2));

	pt = n1;
	ASSERT_OK(mock_replace(self->fd, stdev, &pt));
	/* Moving to another IOAS's stage-2, under a nested table. */
	pt = n2;
	ASSERT_OK(mock_replace(self->fd, stdev, &pt));
	/* The other IOAS is held by its parent, which is held by n2. */
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, other));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, p2));
	ASSERT_OK(_destroy(self->fd, n1));
	ASSERT_OK(_destroy(self->fd, p1));
	ASSERT_OK(_destroy(self->fd, stdev));
	ASSERT_OK(_destroy(self->fd, n2));
	ASSERT_OK(_destroy(self->fd, p2));
	ASSERT_OK(_destroy(self->fd, other));
}
