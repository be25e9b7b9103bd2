// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dirty tracking on the mock IOMMU: the IOVA bitmap against a brute-force
 * reference, for several page sizes, bitmap alignments and a range longer
 * than one window of the kernel's walk; clear and no-clear reads; and the
 * refusals.
 */
#include "iommufd_utils.h"

#define BASE (1UL << 24)
#define MOCK_PG (PAGE_SZ / 2)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))

FIXTURE(dirty) {
	int fd;
	__u32 ioas, idev, stdev, hwpt;
	struct leak_baseline leak;
};

FIXTURE_SETUP(dirty)
{
	struct iommu_test_cmd mock = { .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc),
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};

	open_with_ioas(&self->leak, &self->fd, &self->ioas);
	mock.id = self->ioas;
	ASSERT_OK(_test_cmd(self->fd, &mock));
	self->stdev = mock.mock_domain.out_stdev_id;
	self->idev = mock.mock_domain.out_idev_id;
	alloc.dev_id = self->idev;
	alloc.pt_id = self->ioas;
	ASSERT_OK(ioctl(self->fd, IOMMU_HWPT_ALLOC, &alloc));
	self->hwpt = alloc.out_hwpt_id;
}

FIXTURE_TEARDOWN(dirty)
{
	ASSERT_OK(close(self->fd));
	leak_check(&self->leak);
}

static int set_tracking(int fd, __u32 hwpt, int on)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd), .hwpt_id = hwpt,
		.flags = on ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
	};

	return ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

static int get_bitmap(int fd, __u32 hwpt, __u64 iova, __u64 len,
		      __u64 page_size, void *data, __u32 flags)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd), .hwpt_id = hwpt, .flags = flags,
		.iova = iova, .length = len, .page_size = page_size,
		.data = (uintptr_t)data,
	};

	return ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

/* The device "writes" the mock pages whose bits are set. */
static int mark(int fd, __u32 hwpt, __u64 iova, __u64 len, void *bits,
		__u64 *count)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DIRTY, .id = hwpt,
		.dirty = { .iova = iova, .length = len, .page_size = MOCK_PG,
			   .uptr = (uintptr_t)bits },
	};
	int rc = _test_cmd(fd, &cmd);

	if (!rc && count)
		*count = cmd.dirty.out_nr_dirty;
	return rc;
}

static int bit(const unsigned char *b, unsigned long n)
{
	return b[n / 8] >> (n % 8) & 1;
}

TEST_F(dirty, bitmap_matches_a_reference)
{
	/* 40 MiB of IOVA: more than one 32768-bit window at 2 KiB a bit. */
	unsigned long len = 40UL << 20, nmock = len / MOCK_PG, i;
	void *buf = test_buffer(1UL << 20);
	__u64 page_sizes[] = { MOCK_PG, PAGE_SZ, 4 * PAGE_SZ, 1UL << 20 };
	unsigned char *marks = calloc(1, nmock / 8 + 1);
	unsigned char *raw = malloc(nmock / 8 + 64);
	__u64 count;

	/* The same MiB of memory mapped 40 times, back to back. */
	for (i = 0; i < 40; i++)
		ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 1UL << 20,
					  BASE + (i << 20)));
	ASSERT_OK(set_tracking(self->fd, self->hwpt, 1));

	for (unsigned int p = 0; p < 4; p++) {
		__u64 ps = page_sizes[p];
		unsigned long nbits = len / ps;

		for (unsigned int off = 0; off < 8; off += 3) {
			unsigned char *bm = raw + off;

			/* Mark a pseudo-random set of mock pages. */
			memset(marks, 0, nmock / 8 + 1);
			for (i = 0; i < nmock; i += 1 + (i * 7919 + p) % 97)
				marks[i / 8] |= 1 << (i % 8);
			ASSERT_OK(mark(self->fd, self->hwpt, BASE, len, marks,
				       &count));
			memset(raw, 0, nmock / 8 + 64);
			ASSERT_OK(get_bitmap(self->fd, self->hwpt, BASE, len,
					     ps, bm, 0));
			/* Bit n is set iff a marked mock page lies in it. */
			for (unsigned long n = 0; n < nbits; n++) {
				int want = 0;

				for (unsigned long m = n * (ps / MOCK_PG);
				     m < (n + 1) * (ps / MOCK_PG) && !want; m++)
					want = bit(marks, m);
				ASSERT_EQ(want, bit(bm, n));
			}
			/* Nothing written outside the bitmap. */
			for (i = 0; i < off; i++)
				ASSERT_EQ(0, raw[i]);
			for (i = off + DIV_ROUND_UP(nbits, 8);
			     i < nmock / 8 + 64; i++)
				ASSERT_EQ(0, raw[i]);
			/* The read cleared them. */
			memset(raw, 0, nmock / 8 + 64);
			ASSERT_OK(get_bitmap(self->fd, self->hwpt, BASE, len,
					     ps, bm, 0));
			for (i = 0; i < nmock / 8 + 64; i++)
				ASSERT_EQ(0, raw[i]);
		}
	}
	free(marks);
	free(raw);
}

TEST_F(dirty, no_clear_keeps_the_bits)
{
	void *buf = test_buffer(4 * PAGE_SZ);
	unsigned char marks[2] = { 0x05 }, bm[2];
	__u64 count;

	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 4 * PAGE_SZ,
				  BASE));
	ASSERT_OK(set_tracking(self->fd, self->hwpt, 1));
	ASSERT_OK(mark(self->fd, self->hwpt, BASE, 4 * PAGE_SZ, marks,
		       &count));
	ASSERT_EQ(2, count);
	for (int i = 0; i < 2; i++) {
		memset(bm, 0, sizeof(bm));
		ASSERT_OK(get_bitmap(self->fd, self->hwpt, BASE, 4 * PAGE_SZ,
				     MOCK_PG, bm,
				     IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR));
		ASSERT_EQ(0x05, bm[0]);
	}
	/* Turning tracking on again starts from a clean slate. */
	ASSERT_OK(set_tracking(self->fd, self->hwpt, 1));
	memset(bm, 0, sizeof(bm));
	ASSERT_OK(get_bitmap(self->fd, self->hwpt, BASE, 4 * PAGE_SZ, MOCK_PG,
			     bm, 0));
	ASSERT_EQ(0, bm[0]);
}

/*
 * A CPU page mapped as one IOVA page has one dirty bit, as a hardware
 * entry would: reading either half reports it, and a clearing read
 * clears all of it.  With MOCK_PG entries each half stands alone.
 */
TEST_F(dirty, part_of_an_iova_page_reads_and_clears_all_of_it)
{
	struct iommu_hwpt_selftest data = {
		.pagetable_type = MOCK_IOMMUPT_DEFAULT,
	};
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc),
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
		.dev_id = self->idev, .pt_id = self->ioas,
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data), .data_uptr = (uintptr_t)&data,
	};
	void *buf = test_buffer(2 * PAGE_SZ);
	/* Mock page 1: the second half of the first CPU page. */
	unsigned char marks[1] = { 0x02 }, bm[1];
	__u32 flags[] = { IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, 0 };
	__u64 count;

	ASSERT_OK(ioctl(self->fd, IOMMU_HWPT_ALLOC, &alloc));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 2 * PAGE_SZ,
				  BASE));
	ASSERT_OK(set_tracking(self->fd, alloc.out_hwpt_id, 1));
	ASSERT_OK(set_tracking(self->fd, self->hwpt, 1));
	ASSERT_OK(mark(self->fd, alloc.out_hwpt_id, BASE, 2 * PAGE_SZ, marks,
		       &count));
	ASSERT_EQ(1, count);
	ASSERT_OK(mark(self->fd, self->hwpt, BASE, 2 * PAGE_SZ, marks,
		       &count));
	ASSERT_EQ(1, count);

	/* The half the device did not write, kept and then cleared. */
	for (int i = 0; i < 2; i++) {
		bm[0] = 0;
		ASSERT_OK(get_bitmap(self->fd, alloc.out_hwpt_id, BASE,
				     MOCK_PG, MOCK_PG, bm, flags[i]));
		ASSERT_EQ(0x01, bm[0]);
	}
	bm[0] = 0;
	ASSERT_OK(get_bitmap(self->fd, alloc.out_hwpt_id, BASE, 2 * PAGE_SZ,
			     MOCK_PG, bm, 0));
	ASSERT_EQ(0, bm[0]);

	/* Entry by entry, only the half written is dirty. */
	bm[0] = 0;
	ASSERT_OK(get_bitmap(self->fd, self->hwpt, BASE, MOCK_PG, MOCK_PG,
			     bm, 0));
	ASSERT_EQ(0, bm[0]);
	ASSERT_OK(get_bitmap(self->fd, self->hwpt, BASE, 2 * PAGE_SZ,
			     MOCK_PG, bm, 0));
	ASSERT_EQ(0x02, bm[0]);
	ASSERT_OK(_destroy(self->fd, alloc.out_hwpt_id));
}

TEST_F(dirty, refusals)
{
	void *buf = test_buffer(4 * PAGE_SZ);
	unsigned char bm[8] = {};
	__u32 plain = self->ioas;

	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 2 * PAGE_SZ,
				  BASE));
	/* Tracking off: no bitmap to read. */
	EXPECT_ERRNO(EINVAL, get_bitmap(self->fd, self->hwpt, BASE, PAGE_SZ,
					MOCK_PG, bm, 0));
	ASSERT_OK(set_tracking(self->fd, self->hwpt, 1));
	/* A hole in the range, misalignment, bad page sizes, bad flags. */
	EXPECT_ERRNO(EINVAL, get_bitmap(self->fd, self->hwpt, BASE,
					4 * PAGE_SZ, MOCK_PG, bm, 0));
	EXPECT_ERRNO(EINVAL, get_bitmap(self->fd, self->hwpt, BASE + 1,
					PAGE_SZ, MOCK_PG, bm, 0));
	EXPECT_ERRNO(EINVAL, get_bitmap(self->fd, self->hwpt, BASE, PAGE_SZ,
					3 * MOCK_PG, bm, 0));
	EXPECT_ERRNO(EINVAL, get_bitmap(self->fd, self->hwpt, BASE, 0,
					MOCK_PG, bm, 0));
	EXPECT_ERRNO(EOVERFLOW, get_bitmap(self->fd, self->hwpt, BASE,
					   UINT64_MAX, MOCK_PG, bm, 0));
	EXPECT_ERRNO(EOPNOTSUPP, get_bitmap(self->fd, self->hwpt, BASE,
					    PAGE_SZ, MOCK_PG, bm, 1U << 4));
	EXPECT_ERRNO(EFAULT, get_bitmap(self->fd, self->hwpt, BASE, PAGE_SZ,
					MOCK_PG, NULL, 0));
	{
		struct iommu_hwpt_set_dirty_tracking cmd = {
			.size = sizeof(cmd), .hwpt_id = self->hwpt,
			.flags = 1U << 1,
		};

		EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd,
					       IOMMU_HWPT_SET_DIRTY_TRACKING,
					       &cmd));
	}
	/* An IOAS id is not a HWPT. */
	EXPECT_ERRNO(ENOENT, set_tracking(self->fd, plain, 1));
	ASSERT_OK(set_tracking(self->fd, self->hwpt, 0));
}

TEST_F(dirty, devices_without_dirty_tracking_are_kept_apart)
{
	struct iommu_test_cmd mock = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, .id = self->hwpt,
		.mock_domain_flags.dev_flags = MOCK_FLAGS_DEVICE_NO_DIRTY,
	};
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc),
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
		.pt_id = self->ioas,
	};

	/* Cannot join a tracking HWPT... */
	EXPECT_ERRNO(EINVAL, _test_cmd(self->fd, &mock));
	/* ...nor have one made for it. */
	mock.id = self->ioas;
	ASSERT_OK(_test_cmd(self->fd, &mock));
	alloc.dev_id = mock.mock_domain_flags.out_idev_id;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_HWPT_ALLOC, &alloc));
	/* Its automatic HWPT cannot track. */
	EXPECT_ERRNO(EOPNOTSUPP,
		     set_tracking(self->fd, mock.mock_domain_flags.out_hwpt_id,
				  1));
}
