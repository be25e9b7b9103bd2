// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_IOAS_MAP_FILE of a dma-buf (the test ABI's exporter standing in
 * for a device BAR): mapped into every domain without pinning or charging
 * anything, revoked out of every domain at once (including copies in
 * another IOAS and domains added after the revocation), refused to
 * in-kernel accesses, and every refusal leaving nothing behind.
 *
 * Whether a domain maps an IOVA is seen through dirty tracking: the mock
 * device "writes" only pages that are mapped, and says how many it wrote.
 */
#include <fcntl.h>
#include <sys/resource.h>

#include "account_utils.h"
#include "mock_utils.h"

#define BASE (1UL << 24)
#define MOCK_PG (PAGE_SZ / 2)
#define NPAGES 4
#define DMABUF_SZ (NPAGES * PAGE_SZ)

FIXTURE(dmabuf) {
	int fd;
	__u32 ioas, stdev, idev, hwpt[2];
	int dfd;
	struct leak_baseline leak;
};

/* A test dma-buf of @length bytes: its new descriptor, or -1. */
static int dmabuf_get(int fd, __u32 length)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DMABUF_GET,
		.dmabuf_get = { .length = length, .open_flags = O_CLOEXEC },
	};

	return _test_cmd(fd, &cmd);
}

static int dmabuf_revoke(int fd, int dfd, int revoked)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DMABUF_REVOKE,
		.dmabuf_revoke = { .dmabuf_fd = dfd, .revoked = revoked },
	};

	return _test_cmd(fd, &cmd);
}

static int dirty_hwpt(int fd, __u32 idev, __u32 ioas, __u32 *out)
{
	struct iommu_hwpt_set_dirty_tracking on = {
		.size = sizeof(on), .flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};

	if (hwpt_alloc(fd, idev, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 0,
		       IOMMU_HWPT_DATA_NONE, NULL, 0, out))
		return -1;
	on.hwpt_id = *out;
	return ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &on);
}

/* How many mock pages of [iova, iova + length) @hwpt maps. */
static long mapped_in(int fd, __u32 hwpt, __u64 iova, __u64 length)
{
	unsigned char bits[64];
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DIRTY, .id = hwpt,
		.dirty = { .iova = iova, .length = length,
			   .page_size = MOCK_PG, .uptr = (uintptr_t)bits },
	};

	if (length / MOCK_PG > 8 * sizeof(bits))
		return -1;
	memset(bits, 0xff, sizeof(bits));
	if (_test_cmd(fd, &cmd))
		return -1;
	return cmd.dirty.out_nr_dirty;
}

FIXTURE_SETUP(dmabuf)
{
	int i;

	open_with_ioas(&self->leak, &self->fd, &self->ioas);
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &self->stdev, NULL,
			      &self->idev));
	for (i = 0; i < 2; i++)
		ASSERT_OK(dirty_hwpt(self->fd, self->idev, self->ioas,
				     &self->hwpt[i]));
	self->dfd = dmabuf_get(self->fd, DMABUF_SZ);
	ASSERT_GE(self->dfd, 0);
}

FIXTURE_TEARDOWN(dmabuf)
{
	ASSERT_OK(close(self->dfd));
	ASSERT_OK(close(self->fd));
	leak_check(&self->leak);
}

TEST_F(dmabuf, mapped_into_every_domain_pinning_and_charging_nothing)
{
	long pinned = iommufd_pinned_pages();

	/* Without CAP_IPC_LOCK and with no RLIMIT_MEMLOCK at all. */
	ASSERT_OK(drop_cap(CAP_IPC_LOCK));
	ASSERT_OK(set_memlock_pages(0));
	ASSERT_OK(_ioas_map_file_fixed(self->fd, self->ioas, self->dfd, 0, DMABUF_SZ,
			     BASE));
	EXPECT_EQ(2 * NPAGES, mapped_in(self->fd, self->hwpt[0], BASE,
					DMABUF_SZ));
	EXPECT_EQ(2 * NPAGES, mapped_in(self->fd, self->hwpt[1], BASE,
					DMABUF_SZ));
	EXPECT_EQ(pinned, iommufd_pinned_pages());
	EXPECT_EQ(0, proc_status_pages("VmPin"));

	/* A slice of it. */
	ASSERT_OK(_ioas_map_file_fixed(self->fd, self->ioas, self->dfd, PAGE_SZ,
			     2 * PAGE_SZ, BASE + DMABUF_SZ));
	EXPECT_EQ(4, mapped_in(self->fd, self->hwpt[0], BASE + DMABUF_SZ,
			       2 * PAGE_SZ));
	ASSERT_EQ(DMABUF_SZ + 2 * PAGE_SZ, unmap_all(self->fd, self->ioas));
	EXPECT_EQ(0, mapped_in(self->fd, self->hwpt[0], BASE, DMABUF_SZ));
}

TEST_F(dmabuf, refusals_leave_nothing)
{
	int access;
	__u32 item;
	char buf[16];

	EXPECT_ERRNO(EINVAL, _ioas_map_file_fixed(self->fd, self->ioas, self->dfd, 0, 0,
					BASE));
	EXPECT_ERRNO(EINVAL, _ioas_map_file_fixed(self->fd, self->ioas, self->dfd,
					DMABUF_SZ, PAGE_SZ, BASE));
	EXPECT_ERRNO(EINVAL, _ioas_map_file_fixed(self->fd, self->ioas, self->dfd, 0,
					DMABUF_SZ + 1, BASE));
	EXPECT_ERRNO(EBADF, _ioas_map_file_fixed(self->fd, self->ioas, -1, 0, PAGE_SZ,
				       BASE));
	EXPECT_ERRNO(EINVAL, dmabuf_get(self->fd, 0));
	EXPECT_ERRNO(EINVAL, dmabuf_revoke(self->fd, self->fd, 1));
	EXPECT_EQ(0, mapped_in(self->fd, self->hwpt[0], BASE, DMABUF_SZ));

	/* In-kernel accesses have nothing to pin or copy through. */
	ASSERT_OK(_ioas_map_file_fixed(self->fd, self->ioas, self->dfd, 0, DMABUF_SZ,
			     BASE));
	access = _access_create(self->fd, self->ioas, 1);
	ASSERT_GE(access, 0);
	EXPECT_ERRNO(EINVAL, _access_pin(self->fd, access, BASE, PAGE_SZ, 0,
					 &item));
	EXPECT_ERRNO(EINVAL, _access_rw(self->fd, access, BASE, buf,
					sizeof(buf), 0));
	ASSERT_OK(close(access));

	/* Over an existing mapping, nothing changes. */
	EXPECT_ERRNO(EEXIST, _ioas_map_file_fixed(self->fd, self->ioas, self->dfd, 0,
					PAGE_SZ, BASE + PAGE_SZ));
	EXPECT_EQ(2 * NPAGES, mapped_in(self->fd, self->hwpt[0], BASE,
					DMABUF_SZ));
	ASSERT_EQ(DMABUF_SZ, unmap_all(self->fd, self->ioas));
}

TEST_F(dmabuf, revoked_out_of_every_domain_and_copy)
{
	__u32 ioas2, hwpt2, late;

	ASSERT_OK(_ioas_map_file_fixed(self->fd, self->ioas, self->dfd, 0, DMABUF_SZ,
			     BASE));
	/* A copy in a second IOAS shares the mapping, and its revocation. */
	ASSERT_OK(_ioas_alloc(self->fd, &ioas2));
	ASSERT_OK(dirty_hwpt(self->fd, self->idev, ioas2, &hwpt2));
	ASSERT_OK(_ioas_copy(self->fd, ioas2, BASE, self->ioas, BASE,
			     DMABUF_SZ, IOMMU_IOAS_MAP_READABLE));
	EXPECT_EQ(2 * NPAGES, mapped_in(self->fd, hwpt2, BASE, DMABUF_SZ));

	ASSERT_OK(dmabuf_revoke(self->fd, self->dfd, 1));
	EXPECT_EQ(0, mapped_in(self->fd, self->hwpt[0], BASE, DMABUF_SZ));
	EXPECT_EQ(0, mapped_in(self->fd, self->hwpt[1], BASE, DMABUF_SZ));
	EXPECT_EQ(0, mapped_in(self->fd, hwpt2, BASE, DMABUF_SZ));

	/* Revoked: no new mapping; a domain added now maps nothing there. */
	EXPECT_ERRNO(ENODEV, _ioas_map_file_fixed(self->fd, self->ioas, self->dfd, 0,
					DMABUF_SZ, BASE + DMABUF_SZ));
	ASSERT_OK(dirty_hwpt(self->fd, self->idev, self->ioas, &late));
	EXPECT_EQ(0, mapped_in(self->fd, late, BASE, DMABUF_SZ));

	/* Given back, new mappings work; the revoked ones stay revoked. */
	ASSERT_OK(dmabuf_revoke(self->fd, self->dfd, 0));
	ASSERT_OK(_ioas_map_file_fixed(self->fd, self->ioas, self->dfd, 0, DMABUF_SZ,
			     BASE + DMABUF_SZ));
	EXPECT_EQ(2 * NPAGES, mapped_in(self->fd, late, BASE + DMABUF_SZ,
					DMABUF_SZ));
	EXPECT_EQ(0, mapped_in(self->fd, late, BASE, DMABUF_SZ));

	/* The revoked IOVA unmaps like any other, and can be mapped again. */
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, BASE, DMABUF_SZ, NULL));
	ASSERT_OK(_ioas_map_file_fixed(self->fd, self->ioas, self->dfd, 0, DMABUF_SZ,
			     BASE));
	EXPECT_EQ(2 * NPAGES, mapped_in(self->fd, self->hwpt[1], BASE,
					DMABUF_SZ));
	ASSERT_OK(_destroy(self->fd, late));
	/* The rest goes with the file; the teardown checks it all went. */
}
