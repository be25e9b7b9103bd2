// SPDX-License-Identifier: GPL-2.0-only
/*
 * In-kernel access (the emulated-device API) through the test ABI: pin and
 * unpin, rw with and without pins, the unmap callback, replace, and the
 * object rules around it (an IOAS in use cannot be destroyed).
 */
#include "iommufd_utils.h"

#define BASE (1UL << 24)

TEST_F(ioas, destroy_of_ioas_in_use_is_ebusy)
{
	int access = _access_create(self->fd, self->ioas, 0);

	ASSERT_GE(access, 0);
	/* The access is a user of the IOAS: destroy refused, nothing lost. */
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, self->ioas));
	ASSERT_OK(close(access));
	/* Once the user is gone, destroy works. */
	ASSERT_OK(_destroy(self->fd, self->ioas));
}

TEST_F(ioas, access_object_is_not_user_destroyable)
{
	int access = _access_create(self->fd, self->ioas, 0);
	__u32 id;

	ASSERT_GE(access, 0);
	/* The access took the id after the IOAS. */
	id = self->ioas + 1;
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, id));
	ASSERT_OK(close(access));
	EXPECT_ERRNO(ENOENT, _destroy(self->fd, id));
}

TEST_F(ioas, pin_counts_pages_once)
{
	void *buf = test_buffer(8 * PAGE_SZ);
	int a1 = _access_create(self->fd, self->ioas, 1);
	int a2 = _access_create(self->fd, self->ioas, 1);
	__u32 i1, i2, i3;

	ASSERT_GE(a1, 0);
	ASSERT_GE(a2, 0);
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 8 * PAGE_SZ,
				  BASE));
	ASSERT_OK(_access_pin(self->fd, a1, BASE, 4 * PAGE_SZ, 0, &i1));
	EXPECT_EQ(self->leak.pinned_before + 4, iommufd_pinned_pages());
	EXPECT_EQ(4, proc_status_pages("VmPin"));
	/* Overlapping pins by another access: only the new pages count. */
	ASSERT_OK(_access_pin(self->fd, a2, BASE + 2 * PAGE_SZ, 4 * PAGE_SZ,
			      0, &i2));
	EXPECT_EQ(self->leak.pinned_before + 6, iommufd_pinned_pages());
	/* The same range twice is shared. */
	ASSERT_OK(_access_pin(self->fd, a1, BASE, 4 * PAGE_SZ, 0, &i3));
	EXPECT_EQ(self->leak.pinned_before + 6, iommufd_pinned_pages());

	ASSERT_OK(_access_unpin(self->fd, a1, i1));
	EXPECT_EQ(self->leak.pinned_before + 6, iommufd_pinned_pages());
	ASSERT_OK(_access_unpin(self->fd, a1, i3));
	/* Pages 2..5 are still held by the second access. */
	EXPECT_EQ(self->leak.pinned_before + 4, iommufd_pinned_pages());
	EXPECT_ERRNO(ENOENT, _access_unpin(self->fd, a1, i3));
	ASSERT_OK(_access_unpin(self->fd, a2, i2));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	EXPECT_EQ(0, proc_status_pages("VmPin"));
	ASSERT_OK(close(a1));
	ASSERT_OK(close(a2));
}

TEST_F(ioas, pin_refusals)
{
	void *buf = test_buffer(4 * PAGE_SZ);
	int plain = _access_create(self->fd, self->ioas, 0);
	int access = _access_create(self->fd, self->ioas, 1);
	__u64 iova = BASE + 8 * PAGE_SZ;

	ASSERT_GE(access, 0);
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 2 * PAGE_SZ,
				  BASE));
	ASSERT_OK(_ioas_map(self->fd, self->ioas, buf, 2 * PAGE_SZ, &iova,
			    IOMMU_IOAS_MAP_READABLE |
				    IOMMU_IOAS_MAP_FIXED_IOVA));
	/* A gap inside the range. */
	EXPECT_ERRNO(ENOENT, _access_pin(self->fd, access, BASE,
					 4 * PAGE_SZ, 0, NULL));
	EXPECT_ERRNO(ENOENT, _access_pin(self->fd, access, BASE - PAGE_SZ,
					 2 * PAGE_SZ, 0, NULL));
	/* Write to a read-only mapping. */
	EXPECT_ERRNO(EPERM, _access_pin(self->fd, access, iova, PAGE_SZ,
					MOCK_FLAGS_ACCESS_WRITE, NULL));
	EXPECT_ERRNO(EINVAL, _access_pin(self->fd, access, BASE, 0, 0, NULL));
	/* An access that never said it pins may not. */
	EXPECT_ERRNO(EOPNOTSUPP, _access_pin(self->fd, plain, BASE, PAGE_SZ,
					     0, NULL));
	EXPECT_ERRNO(EBADFD, _access_pin(self->fd, self->fd, BASE, PAGE_SZ,
					 0, NULL));
	/* A pin-capable access forces page alignment on new maps. */
	EXPECT_ERRNO(EINVAL, _ioas_map_fixed(self->fd, self->ioas, buf,
					     PAGE_SZ, BASE + 100 * PAGE_SZ + 1));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(close(access));
	ASSERT_OK(close(plain));
}

TEST_F(ioas, unmap_of_pinned_iova_asks_the_access_first)
{
	void *buf = test_buffer(4 * PAGE_SZ);
	int access = _access_create(self->fd, self->ioas, 1);
	__u64 length;
	__u32 item;

	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 4 * PAGE_SZ,
				  BASE));
	ASSERT_OK(_access_pin(self->fd, access, BASE + PAGE_SZ, PAGE_SZ, 0,
			      &item));
	EXPECT_EQ(self->leak.pinned_before + 1, iommufd_pinned_pages());
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, BASE, 4 * PAGE_SZ,
			      &length));
	EXPECT_EQ(4 * PAGE_SZ, length);
	/* The access let go from its unmap callback. */
	EXPECT_ERRNO(ENOENT, _access_unpin(self->fd, access, item));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(close(access));
}

TEST_F(ioas, closing_the_access_unpins)
{
	void *buf = test_buffer(4 * PAGE_SZ);
	int access = _access_create(self->fd, self->ioas, 1);

	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 4 * PAGE_SZ,
				  BASE));
	ASSERT_OK(_access_pin(self->fd, access, BASE, 4 * PAGE_SZ, 0, NULL));
	ASSERT_OK(_access_pin(self->fd, access, BASE, PAGE_SZ, 0, NULL));
	ASSERT_OK(close(access));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	/* And the IOAS can go now. */
	ASSERT_OK(_destroy(self->fd, self->ioas));
}

TEST_F(ioas, rw_with_and_without_pins)
{
	size_t len = 3 * PAGE_SZ;
	unsigned char *buf = test_buffer(len);
	unsigned char *tmp = malloc(len);
	int access = _access_create(self->fd, self->ioas, 1);
	__u32 flags[] = { 0, MOCK_ACCESS_RW_SLOW_PATH };

	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, len, BASE));
	for (int pinned = 0; pinned < 2; pinned++) {
		__u32 item = 0;

		if (pinned)
			ASSERT_OK(_access_pin(self->fd, access, BASE, len, 0,
					      &item));
		for (unsigned int f = 0; f < 2; f++) {
			/* Read across page boundaries. */
			ASSERT_OK(_access_rw(self->fd, access, BASE + 100, tmp,
					     len - 200, flags[f]));
			ASSERT_EQ(0, memcmp(tmp, buf + 100, len - 200));
			/* Write, and see it in the process's memory. */
			memset(tmp, 0x5a + f + pinned, len);
			ASSERT_OK(_access_rw(self->fd, access,
					     BASE + PAGE_SZ - 7, tmp, 14,
					     flags[f] | MOCK_ACCESS_RW_WRITE));
			ASSERT_EQ(0, memcmp(buf + PAGE_SZ - 7, tmp, 14));
		}
		if (pinned)
			ASSERT_OK(_access_unpin(self->fd, access, item));
	}
	EXPECT_ERRNO(ENOENT, _access_rw(self->fd, access, BASE + len - 1, tmp,
					2, 0));
	EXPECT_ERRNO(EINVAL, _access_rw(self->fd, access, BASE, tmp, 0, 0));
	free(tmp);
	ASSERT_OK(close(access));
}

TEST_F(ioas, rw_respects_read_only_mappings)
{
	unsigned char *buf = test_buffer(PAGE_SZ), tmp[16] = {};
	int access = _access_create(self->fd, self->ioas, 0);
	__u64 iova = BASE;

	ASSERT_OK(_ioas_map(self->fd, self->ioas, buf, PAGE_SZ, &iova,
			    IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_OK(_access_rw(self->fd, access, BASE, tmp, 16, 0));
	EXPECT_ERRNO(EPERM, _access_rw(self->fd, access, BASE, tmp, 16,
				       MOCK_ACCESS_RW_WRITE));
	/* The refused write changed nothing. */
	ASSERT_EQ(0, memcmp(tmp, buf, 16));
	ASSERT_OK(close(access));
}

TEST_F(ioas, replace_moves_the_access)
{
	void *buf = test_buffer(2 * PAGE_SZ);
	int access = _access_create(self->fd, self->ioas, 1);
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
				      .id = access };
	__u32 other, item;

	ASSERT_OK(_ioas_alloc(self->fd, &other));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ, BASE));
	ASSERT_OK(_ioas_map_fixed(self->fd, other, buf, 2 * PAGE_SZ, BASE));
	ASSERT_OK(_access_pin(self->fd, access, BASE, PAGE_SZ, 0, &item));

	cmd.access_replace_ioas.ioas_id = other;
	ASSERT_OK(_test_cmd(self->fd, &cmd));
	/* The old IOAS's pins were dropped through the unmap callback. */
	EXPECT_ERRNO(ENOENT, _access_unpin(self->fd, access, item));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	/* The old IOAS is free to go; the new one is in use. */
	ASSERT_OK(_destroy(self->fd, self->ioas));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, other));
	ASSERT_OK(_access_pin(self->fd, access, BASE + PAGE_SZ, PAGE_SZ, 0,
			      &item));
	cmd.access_replace_ioas.ioas_id = 9999;
	EXPECT_ERRNO(ENOENT, _test_cmd(self->fd, &cmd));
	ASSERT_OK(_access_unpin(self->fd, access, item));
	ASSERT_OK(close(access));
}

TEST_F(ioas, copy_shares_pins)
{
	void *buf = test_buffer(4 * PAGE_SZ);
	int a1 = _access_create(self->fd, self->ioas, 1);
	int a2;
	__u32 other;

	ASSERT_OK(_ioas_alloc(self->fd, &other));
	a2 = _access_create(self->fd, other, 1);
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 4 * PAGE_SZ,
				  BASE));
	ASSERT_OK(_ioas_copy(self->fd, other, 2 * BASE, self->ioas, BASE,
			     4 * PAGE_SZ, MAP_RW));
	ASSERT_OK(_access_pin(self->fd, a1, BASE, 4 * PAGE_SZ, 0, NULL));
	ASSERT_OK(_access_pin(self->fd, a2, 2 * BASE, 4 * PAGE_SZ, 0, NULL));
	/* Same pages, pinned and charged once. */
	EXPECT_EQ(self->leak.pinned_before + 4, iommufd_pinned_pages());
	EXPECT_EQ(4, proc_status_pages("VmPin"));
	ASSERT_OK(close(a1));
	EXPECT_EQ(self->leak.pinned_before + 4, iommufd_pinned_pages());
	ASSERT_OK(close(a2));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	EXPECT_EQ(0, proc_status_pages("VmPin"));
}

TEST_F(ioas, copy_refusals_change_nothing)
{
	void *buf = test_buffer(4 * PAGE_SZ);
	__u64 iova = BASE, length;

	ASSERT_OK(_ioas_map(self->fd, self->ioas, buf, 2 * PAGE_SZ, &iova,
			    IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA));
	/* Writable copy of read-only memory. */
	EXPECT_ERRNO(EPERM, _ioas_copy(self->fd, self->ioas, 2 * BASE,
				       self->ioas, BASE, PAGE_SZ, MAP_RW));
	/* Source not fully mapped. */
	EXPECT_ERRNO(ENOENT, _ioas_copy(self->fd, self->ioas, 2 * BASE,
					self->ioas, BASE, 3 * PAGE_SZ,
					IOMMU_IOAS_MAP_READABLE));
	/* Over itself. */
	EXPECT_ERRNO(EEXIST, _ioas_copy(self->fd, self->ioas, BASE, self->ioas,
					BASE, PAGE_SZ,
					IOMMU_IOAS_MAP_READABLE));
	EXPECT_ERRNO(EOPNOTSUPP, _ioas_copy(self->fd, self->ioas, 2 * BASE,
					    self->ioas, BASE, PAGE_SZ,
					    1U << 10));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, 0, UINT64_MAX, &length));
	EXPECT_EQ(2 * PAGE_SZ, length);
}

/* Regression: a pin at IOVA 0 once made every unmap of it -EDEADLOCK. */
TEST_F(ioas, unmap_of_pinned_iova_zero)
{
	void *buf = test_buffer(2 * PAGE_SZ);
	int access = _access_create(self->fd, self->ioas, 1);
	__u32 item;

	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 2 * PAGE_SZ, 0));
	ASSERT_OK(_access_pin(self->fd, access, 0, PAGE_SZ, 0, &item));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, 0, 2 * PAGE_SZ, NULL));
	EXPECT_ERRNO(ENOENT, _access_unpin(self->fd, access, item));
	ASSERT_OK(close(access));
}

/*
 * Regressions: an unmap refused for cutting an area asked the accesses
 * pinning the areas before it to unpin (found by the model fuzzer), and
 * then left those areas blocked for new pins for good.
 */
TEST_F(ioas, failed_unmap_leaves_pins_and_areas_usable)
{
	void *buf = test_buffer(4 * PAGE_SZ);
	int access = _access_create(self->fd, self->ioas, 1);
	__u32 item, again;

	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ, BASE));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 2 * PAGE_SZ,
				  BASE + 2 * PAGE_SZ));
	ASSERT_OK(_access_pin(self->fd, access, BASE, PAGE_SZ, 0, &item));
	/* Covers the pinned area whole and cuts the second one. */
	EXPECT_ERRNO(ENOENT, _ioas_unmap(self->fd, self->ioas, BASE,
					 3 * PAGE_SZ, NULL));
	/* Refused, so the pin is still there... */
	EXPECT_EQ(self->leak.pinned_before + 1, iommufd_pinned_pages());
	/* ...and the first area is still mapped and can be pinned again. */
	ASSERT_OK(_access_pin(self->fd, access, BASE, PAGE_SZ, 0, &again));
	ASSERT_OK(_access_unpin(self->fd, access, again));
	ASSERT_OK(_access_unpin(self->fd, access, item));
	ASSERT_OK(close(access));
}
