// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_IOAS_MAP_FILE: memfd ranges mapped at fixed and automatic IOVA,
 * seen through in-kernel accesses and a mock domain, copied, unmapped,
 * outliving the caller's file descriptor, charged like user memory, and
 * every refusal with its errno leaving nothing mapped or pinned.
 */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <linux/capability.h>

#include "account_utils.h"
#include "mock_utils.h"

static int map_file(int fd, __u32 ioas, int mfd, __u64 start, __u64 length,
		    __u64 *iova, __u32 flags)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd), .flags = flags, .ioas_id = ioas,
		.fd = mfd, .start = start, .length = length,
		.iova = iova ? *iova : 0,
	};
	int rc = ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);

	if (!rc && iova)
		*iova = cmd.iova;
	return rc;
}

static int map_file_fixed(int fd, __u32 ioas, int mfd, __u64 start,
			  __u64 length, __u64 iova)
{
	return map_file(fd, ioas, mfd, start, length, &iova,
			MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA);
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 13 + 5);
}

/* A memfd of @length bytes filled with pattern(); -1 on failure. */
static int test_memfd(size_t length)
{
	unsigned char *buf = malloc(length);
	int mfd = memfd_create("map_file_test", MFD_ALLOW_SEALING);

	if (mfd < 0 || !buf)
		return -1;
	for (size_t i = 0; i < length; i++)
		buf[i] = pattern(i);
	if (pwrite(mfd, buf, length, 0) != (ssize_t)length) {
		close(mfd);
		mfd = -1;
	}
	free(buf);
	return mfd;
}

/* Are @length bytes at @buf the pattern from file offset @start? */
static int is_pattern(const unsigned char *buf, size_t start, size_t length)
{
	for (size_t i = 0; i < length; i++)
		if (buf[i] != pattern(start + i))
			return 0;
	return 1;
}

TEST_F(ioas, map_file_fixed_and_auto)
{
	int mfd = test_memfd(8 * PAGE_SZ);
	__u64 iova = 0, length;

	ASSERT_GE(mfd, 0);
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, 0, 4 * PAGE_SZ,
				 BASE));
	ASSERT_OK(map_file(self->fd, self->ioas, mfd, 4 * PAGE_SZ,
			   4 * PAGE_SZ, &iova, MAP_RW));
	EXPECT_NE(0, iova);
	EXPECT_EQ(0, iova % PAGE_SZ);
	EXPECT_TRUE(iova + 4 * PAGE_SZ <= BASE || iova >= BASE + 4 * PAGE_SZ);
	/* Nothing is pinned without a domain or an access. */
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	/* The same IOVA again is taken. */
	EXPECT_ERRNO(EEXIST, map_file_fixed(self->fd, self->ioas, mfd, 0,
					    PAGE_SZ, BASE));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, iova, 4 * PAGE_SZ,
			      &length));
	EXPECT_EQ(4 * PAGE_SZ, length);
	EXPECT_EQ(4 * PAGE_SZ, unmap_all(self->fd, self->ioas));
	ASSERT_OK(close(mfd));
}

TEST_F(ioas, map_file_access_rw_reads_and_writes_the_file)
{
	size_t len = 8 * PAGE_SZ;
	unsigned char *buf = malloc(len), *back = malloc(len);
	int access = _access_create(self->fd, self->ioas, 0);
	int mfd = test_memfd(len);

	ASSERT_GE(mfd, 0);
	ASSERT_GE(access, 0);
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, 0, len, BASE));

	/* Not pinned: read through the file, both paths. */
	memset(buf, 0, len);
	ASSERT_OK(_access_rw(self->fd, access, BASE, buf, len, 0));
	EXPECT_TRUE(is_pattern(buf, 0, len));
	memset(buf, 0, len);
	ASSERT_OK(_access_rw(self->fd, access, BASE + 100, buf,
			     2 * PAGE_SZ, MOCK_ACCESS_RW_SLOW_PATH));
	EXPECT_TRUE(is_pattern(buf, 100, 2 * PAGE_SZ));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());

	/* A write across a page boundary lands in the file. */
	memset(buf, 0xa5, 300);
	ASSERT_OK(_access_rw(self->fd, access, BASE + PAGE_SZ - 150, buf, 300,
			     MOCK_ACCESS_RW_WRITE));
	ASSERT_EQ((ssize_t)len, pread(mfd, back, len, 0));
	EXPECT_TRUE(is_pattern(back, 0, PAGE_SZ - 150));
	for (size_t i = PAGE_SZ - 150; i < PAGE_SZ + 150; i++)
		ASSERT_EQ(0xa5, back[i]);
	EXPECT_TRUE(is_pattern(back + PAGE_SZ + 150, PAGE_SZ + 150,
			       len - PAGE_SZ - 150));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());

	ASSERT_OK(close(access));
	EXPECT_EQ(len, unmap_all(self->fd, self->ioas));
	ASSERT_OK(close(mfd));
	free(buf);
	free(back);
}

TEST_F(ioas, map_file_access_pages_are_the_file_pages)
{
	size_t len = 8 * PAGE_SZ;
	int access = _access_create(self->fd, self->ioas, 1);
	int mfd = test_memfd(len);
	unsigned char *map, *buf = malloc(len);
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.access_pages = { .iova = BASE + PAGE_SZ,
				  .length = 4 * PAGE_SZ },
	};
	__u32 item;

	ASSERT_GE(mfd, 0);
	ASSERT_GE(access, 0);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, 0, len, BASE));

	/* The kernel compares the pinned pages with those behind uptr. */
	cmd.id = access;
	cmd.access_pages.uptr = (uintptr_t)(map + PAGE_SZ);
	ASSERT_OK(_test_cmd(self->fd, &cmd));
	item = cmd.access_pages.out_access_pages_id;
	EXPECT_EQ(self->leak.pinned_before + 4, iommufd_pinned_pages());
	EXPECT_EQ(4, proc_status_pages("VmPin"));
	/* Another file range is not the same memory. */
	cmd.access_pages.uptr = (uintptr_t)(map + 2 * PAGE_SZ);
	EXPECT_ERRNO(EBADE, _test_cmd(self->fd, &cmd));
	EXPECT_EQ(self->leak.pinned_before + 4, iommufd_pinned_pages());

	/* rw on pinned pages sees writes made through the file's mmap. */
	map[PAGE_SZ + 7] = 0x3c;
	ASSERT_OK(_access_rw(self->fd, access, BASE, buf, len, 0));
	EXPECT_EQ(0x3c, buf[PAGE_SZ + 7]);
	EXPECT_TRUE(is_pattern(buf + 2 * PAGE_SZ, 2 * PAGE_SZ,
			       len - 2 * PAGE_SZ));
	/* And writes into pinned pages show in the mapping. */
	buf[0] = 0x11;
	ASSERT_OK(_access_rw(self->fd, access, BASE + 2 * PAGE_SZ, buf, 1,
			     MOCK_ACCESS_RW_WRITE));
	EXPECT_EQ(0x11, map[2 * PAGE_SZ]);

	ASSERT_OK(_access_unpin(self->fd, access, item));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	EXPECT_EQ(0, proc_status_pages("VmPin"));
	ASSERT_OK(close(access));
	EXPECT_EQ(len, unmap_all(self->fd, self->ioas));
	ASSERT_OK(munmap(map, len));
	ASSERT_OK(close(mfd));
	free(buf);
}

TEST_F(ioas, map_file_into_mock_domain)
{
	size_t len = 16 * PAGE_SZ;
	int mfd = test_memfd(len);
	__u32 stdev, hwpt, stdev2, hwpt2;
	unsigned char *map;
	__u64 iova = 0;

	ASSERT_GE(mfd, 0);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, map);
	/* Mapped before the domain: pinned when it comes. */
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, 0, 8 * PAGE_SZ,
				 BASE));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &hwpt, NULL));
	EXPECT_EQ(self->leak.pinned_before + 8, iommufd_pinned_pages());
	ASSERT_OK(check_map(self->fd, hwpt, BASE, map, 8 * PAGE_SZ));
	/* Mapped after: pinned and mapped at once, at an automatic IOVA. */
	ASSERT_OK(map_file(self->fd, self->ioas, mfd, 8 * PAGE_SZ,
			   8 * PAGE_SZ, &iova, MAP_RW));
	EXPECT_EQ(self->leak.pinned_before + 16, iommufd_pinned_pages());
	ASSERT_OK(check_map(self->fd, hwpt, iova, map + 8 * PAGE_SZ,
			    8 * PAGE_SZ));
	/* A second domain shares the pins. */
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev2, &hwpt2, NULL));
	EXPECT_EQ(self->leak.pinned_before + 16, iommufd_pinned_pages());
	ASSERT_OK(check_map(self->fd, hwpt2, BASE, map, 8 * PAGE_SZ));
	/* The wrong memory does not compare equal. */
	EXPECT_ERRNO(EINVAL, check_map(self->fd, hwpt, BASE,
				       map + PAGE_SZ, PAGE_SZ));

	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, iova, 8 * PAGE_SZ, NULL));
	EXPECT_EQ(self->leak.pinned_before + 8, iommufd_pinned_pages());
	ASSERT_OK(_destroy(self->fd, stdev2));
	ASSERT_OK(_destroy(self->fd, stdev));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	EXPECT_EQ(8 * PAGE_SZ, unmap_all(self->fd, self->ioas));
	ASSERT_OK(munmap(map, len));
	ASSERT_OK(close(mfd));
}

TEST_F(ioas, map_file_copy_to_second_ioas)
{
	size_t len = 4 * PAGE_SZ;
	unsigned char *buf = malloc(len);
	int mfd = test_memfd(len);
	__u32 ioas2, stdev;
	int access;

	ASSERT_GE(mfd, 0);
	ASSERT_OK(_ioas_alloc(self->fd, &ioas2));
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, NULL, NULL));
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, 0, len, BASE));
	EXPECT_EQ(self->leak.pinned_before + 4, iommufd_pinned_pages());
	ASSERT_OK(_ioas_copy(self->fd, ioas2, BASE + len, self->ioas, BASE,
			     len, MAP_RW));
	/* The copy shares the pins. */
	access = _access_create(self->fd, ioas2, 1);
	ASSERT_GE(access, 0);
	ASSERT_OK(_access_pin(self->fd, access, BASE + len, len, 0, NULL));
	EXPECT_EQ(self->leak.pinned_before + 4, iommufd_pinned_pages());

	/* The source goes; the copy still reads the file. */
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, BASE, len, NULL));
	ASSERT_OK(_destroy(self->fd, stdev));
	EXPECT_EQ(self->leak.pinned_before + 4, iommufd_pinned_pages());
	ASSERT_OK(_access_rw(self->fd, access, BASE + len, buf, len, 0));
	EXPECT_TRUE(is_pattern(buf, 0, len));

	ASSERT_OK(close(access));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	EXPECT_EQ(len, unmap_all(self->fd, ioas2));
	ASSERT_OK(_destroy(self->fd, ioas2));
	ASSERT_OK(close(mfd));
	free(buf);
}

TEST_F(ioas, map_file_outlives_the_fd)
{
	size_t len = 4 * PAGE_SZ;
	unsigned char *buf = malloc(len);
	int mfd = test_memfd(len), mfd2 = test_memfd(len);
	__u32 stdev;
	int access;

	ASSERT_GE(mfd, 0);
	ASSERT_GE(mfd2, 0);
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, NULL, NULL));
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, 0, len, BASE));
	/* Not pinned at close: pinned from the file later. */
	ASSERT_OK(_destroy(self->fd, stdev));
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd2, 0, len,
				 BASE + len));
	ASSERT_OK(close(mfd));
	ASSERT_OK(close(mfd2));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());

	access = _access_create(self->fd, self->ioas, 1);
	ASSERT_GE(access, 0);
	ASSERT_OK(_access_pin(self->fd, access, BASE, 2 * len, 0, NULL));
	EXPECT_EQ(self->leak.pinned_before + 8, iommufd_pinned_pages());
	memset(buf, 0, len);
	ASSERT_OK(_access_rw(self->fd, access, BASE, buf, len, 0));
	EXPECT_TRUE(is_pattern(buf, 0, len));
	memset(buf, 0, len);
	ASSERT_OK(_access_rw(self->fd, access, BASE + len, buf, len,
			     MOCK_ACCESS_RW_SLOW_PATH));
	EXPECT_TRUE(is_pattern(buf, 0, len));
	ASSERT_OK(close(access));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());

	/* A domain attached now still finds the memory. */
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, NULL, NULL));
	EXPECT_EQ(self->leak.pinned_before + 8, iommufd_pinned_pages());
	EXPECT_EQ(2 * len, unmap_all(self->fd, self->ioas));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(_destroy(self->fd, stdev));
	free(buf);
}

TEST_F(ioas, map_file_at_an_offset)
{
	size_t len = 8 * PAGE_SZ, start = 3 * PAGE_SZ + 100;
	unsigned char *buf = malloc(len);
	int access = _access_create(self->fd, self->ioas, 0);
	int mfd = test_memfd(len);
	__u64 iova = 0;

	ASSERT_GE(mfd, 0);
	ASSERT_GE(access, 0);
	/* Page-aligned offset at a fixed IOVA. */
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, 2 * PAGE_SZ,
				 2 * PAGE_SZ, BASE));
	ASSERT_OK(_access_rw(self->fd, access, BASE, buf, 2 * PAGE_SZ, 0));
	EXPECT_TRUE(is_pattern(buf, 2 * PAGE_SZ, 2 * PAGE_SZ));
	/* A sub-page offset: the automatic IOVA keeps it. */
	ASSERT_OK(map_file(self->fd, self->ioas, mfd, start, 2 * PAGE_SZ,
			   &iova, MAP_RW));
	EXPECT_EQ(100, iova % PAGE_SZ);
	ASSERT_OK(_access_rw(self->fd, access, iova, buf, 2 * PAGE_SZ, 0));
	EXPECT_TRUE(is_pattern(buf, start, 2 * PAGE_SZ));
	/* The last byte of the file, alone. */
	iova = BASE + 16 * PAGE_SZ + PAGE_SZ - 1;
	ASSERT_OK(map_file(self->fd, self->ioas, mfd, len - 1, 1, &iova,
			   MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_OK(_access_rw(self->fd, access, iova, buf, 1, 0));
	EXPECT_EQ(pattern(len - 1), buf[0]);

	ASSERT_OK(close(access));
	EXPECT_EQ(4 * PAGE_SZ + 1, unmap_all(self->fd, self->ioas));
	ASSERT_OK(close(mfd));
	free(buf);
}

/* A refused MAP_FILE maps nothing; the fixture checks pins and objects. */
TEST_F(ioas, map_file_refusals)
{
	size_t len = 4 * PAGE_SZ;
	int mfd = test_memfd(len), ro, wo, pipefd[2], dn;
	char path[64];
	__u64 iova = BASE;
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd), .flags = MAP_RW, .ioas_id = self->ioas,
		.fd = mfd, .length = PAGE_SZ,
	};

	ASSERT_GE(mfd, 0);
	ASSERT_OK(pipe(pipefd));
	dn = open("/dev/null", O_RDWR);
	ASSERT_GE(dn, 0);

	EXPECT_ERRNO(EOPNOTSUPP, map_file(self->fd, self->ioas, mfd, 0,
					  PAGE_SZ, &iova, MAP_RW | 1U << 3));
	EXPECT_ERRNO(EINVAL, map_file(self->fd, self->ioas, mfd, 0, PAGE_SZ,
				      &iova, IOMMU_IOAS_MAP_FIXED_IOVA));
	EXPECT_ERRNO(ENOENT, map_file(self->fd, self->ioas + 100, mfd, 0,
				      PAGE_SZ, &iova, MAP_RW));
	EXPECT_ERRNO(EBADF, map_file(self->fd, self->ioas, -1, 0, PAGE_SZ,
				     &iova, MAP_RW));
	EXPECT_ERRNO(EBADF, map_file(self->fd, self->ioas, 1000, 0, PAGE_SZ,
				     &iova, MAP_RW));
	/* Only a memfd's memory can be pinned. */
	EXPECT_ERRNO(EINVAL, map_file(self->fd, self->ioas, pipefd[0], 0,
				      PAGE_SZ, &iova, IOMMU_IOAS_MAP_READABLE));
	EXPECT_ERRNO(EINVAL, map_file(self->fd, self->ioas, dn, 0, PAGE_SZ,
				      &iova, MAP_RW));
	EXPECT_ERRNO(EINVAL, map_file(self->fd, self->ioas, self->fd, 0,
				      PAGE_SZ, &iova, MAP_RW));
	/* Ranges. */
	EXPECT_ERRNO(EINVAL, map_file(self->fd, self->ioas, mfd, 0, 0, &iova,
				      MAP_RW));
	EXPECT_ERRNO(EOVERFLOW, map_file(self->fd, self->ioas, mfd,
					 UINT64_MAX - 10, PAGE_SZ, &iova,
					 MAP_RW));
	EXPECT_ERRNO(EOVERFLOW, map_file(self->fd, self->ioas, mfd, 0,
					 UINT64_MAX, &iova, MAP_RW));
	iova = UINT64_MAX;
	EXPECT_ERRNO(EOVERFLOW, map_file(self->fd, self->ioas, mfd, 0,
					 PAGE_SZ, &iova,
					 MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	/* The struct rules: too short, or a non-zero byte past its end. */
	cmd.size = offsetof(struct iommu_ioas_map_file, iova);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_IOAS_MAP_FILE, &cmd));
	{
		struct {
			struct iommu_ioas_map_file cmd;
			__u64 extra;
		} big = { .cmd = cmd, .extra = 1 };

		big.cmd.size = sizeof(big);
		EXPECT_ERRNO(E2BIG, ioctl(self->fd, IOMMU_IOAS_MAP_FILE,
					  &big));
	}

	/* Writable DMA needs a file open for writing... */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	ro = open(path, O_RDONLY);
	ASSERT_GE(ro, 0);
	iova = BASE;
	EXPECT_ERRNO(EPERM, map_file(self->fd, self->ioas, ro, 0, PAGE_SZ,
				     &iova, MAP_RW));
	iova = BASE;
	ASSERT_OK(map_file(self->fd, self->ioas, ro, 0, PAGE_SZ, &iova,
			   IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA));
	/* ...and one not sealed against writes; a writable map blocks it. */
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, 0, PAGE_SZ,
				 BASE + PAGE_SZ));
	EXPECT_ERRNO(EBUSY, fcntl(mfd, F_ADD_SEALS, F_SEAL_WRITE));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, BASE + PAGE_SZ, PAGE_SZ,
			      NULL));
	ASSERT_OK(fcntl(mfd, F_ADD_SEALS, F_SEAL_WRITE));
	EXPECT_ERRNO(EPERM, map_file_fixed(self->fd, self->ioas, mfd, 0,
					   PAGE_SZ, BASE + PAGE_SZ));

	/* DMA reads the file: a file not open for reading is refused. */
	wo = open(path, O_WRONLY);
	ASSERT_GE(wo, 0);
	iova = BASE + PAGE_SZ;
	EXPECT_ERRNO(EACCES, map_file(self->fd, self->ioas, wo, 0, PAGE_SZ,
				      &iova, IOMMU_IOAS_MAP_READABLE |
					     IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_OK(close(wo));

	EXPECT_EQ(PAGE_SZ, unmap_all(self->fd, self->ioas));
	ASSERT_OK(close(ro));
	ASSERT_OK(close(dn));
	ASSERT_OK(close(pipefd[0]));
	ASSERT_OK(close(pipefd[1]));
	ASSERT_OK(close(mfd));
}

/*
 * F_SEAL_FUTURE_WRITE forbids new writable mappings, as it does for
 * mmap(): a writable MAP_FILE is refused, a read-only one works, and what
 * was mapped writable before the seal stays.
 */
TEST_F(ioas, map_file_future_write_seal_refuses_writable_maps)
{
	int mfd = test_memfd(2 * PAGE_SZ);
	__u64 iova = BASE + PAGE_SZ;

	ASSERT_GE(mfd, 0);
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, 0, PAGE_SZ, BASE));
	ASSERT_OK(fcntl(mfd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	EXPECT_ERRNO(EPERM, map_file_fixed(self->fd, self->ioas, mfd, PAGE_SZ,
					   PAGE_SZ, BASE + PAGE_SZ));
	EXPECT_ERRNO(EPERM, mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
				 MAP_SHARED, mfd, 0) == MAP_FAILED ? -1 : 0);
	ASSERT_OK(map_file(self->fd, self->ioas, mfd, PAGE_SZ, PAGE_SZ, &iova,
			   IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA));
	EXPECT_EQ(2 * PAGE_SZ, unmap_all(self->fd, self->ioas));
	ASSERT_OK(close(mfd));
}

/* Past the end of the file: nothing to pin, refused once pins are needed. */
TEST_F(ioas, map_file_past_the_end_fails_when_pinned)
{
	int mfd = test_memfd(2 * PAGE_SZ);
	__u32 stdev;

	ASSERT_GE(mfd, 0);
	/* Without a domain nothing is pinned, so the map works. */
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, 0, 4 * PAGE_SZ,
				 BASE));
	EXPECT_ERRNO(EINVAL, mock_domain(self->fd, self->ioas, 0, &stdev,
					 NULL, NULL));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	EXPECT_EQ(4 * PAGE_SZ, unmap_all(self->fd, self->ioas));

	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, NULL, NULL));
	EXPECT_ERRNO(EINVAL, map_file_fixed(self->fd, self->ioas, mfd, 0,
					    4 * PAGE_SZ, BASE));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	EXPECT_EQ(0, unmap_all(self->fd, self->ioas));
	/*
	 * Whole pin batches (16 pages in the test build) succeed before the
	 * one past the end fails: they are all given back.
	 */
	ASSERT_OK(ftruncate(mfd, 40 * PAGE_SZ));
	EXPECT_ERRNO(EINVAL, map_file_fixed(self->fd, self->ioas, mfd, 0,
					    64 * PAGE_SZ, BASE));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	EXPECT_EQ(0, unmap_all(self->fd, self->ioas));
	/* Within the file it works. */
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, 0, 4 * PAGE_SZ,
				 BASE));
	EXPECT_EQ(self->leak.pinned_before + 4, iommufd_pinned_pages());
	ASSERT_OK(_destroy(self->fd, stdev));
	EXPECT_EQ(4 * PAGE_SZ, unmap_all(self->fd, self->ioas));
	ASSERT_OK(close(mfd));
}

TEST_F(ioas, map_file_pins_are_charged)
{
	int mfd = test_memfd(8 * PAGE_SZ);
	struct iommu_option opt = {
		.size = sizeof(opt), .option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_SET, .val64 = 1,
	};
	__u32 item, ioas;
	int access, fd;

	ASSERT_GE(mfd, 0);
	ASSERT_OK(drop_cap(CAP_IPC_LOCK));
	ASSERT_OK(set_memlock_pages(4));
	access = _access_create(self->fd, self->ioas, 1);
	ASSERT_GE(access, 0);
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, 0, 8 * PAGE_SZ,
				 BASE));
	/* Per user (the default): VmPin counts, the user's limit holds. */
	/* 3 + 2 > 4: refused, and nothing of it stays pinned or charged. */
	pin_three_refuse_two(self->fd, access, BASE, self->leak.pinned_before,
			     &item);
	ASSERT_OK(_access_unpin(self->fd, access, item));
	EXPECT_EQ(0, proc_status_pages("VmPin"));
	ASSERT_OK(close(access));
	EXPECT_EQ(8 * PAGE_SZ, unmap_all(self->fd, self->ioas));

	/* Per process (set on a file with no objects yet): VmLck too. */
	fd = iommufd_open();
	ASSERT_OK(ioctl(fd, IOMMU_OPTION, &opt));
	ASSERT_OK(_ioas_alloc(fd, &ioas));
	access = _access_create(fd, ioas, 1);
	ASSERT_GE(access, 0);
	ASSERT_OK(map_file_fixed(fd, ioas, mfd, 0, 8 * PAGE_SZ, BASE));
	ASSERT_OK(_access_pin(fd, access, BASE, 4 * PAGE_SZ, 0, &item));
	EXPECT_EQ(4, proc_status_pages("VmPin"));
	EXPECT_EQ(4, proc_status_pages("VmLck"));
	EXPECT_ERRNO(ENOMEM, _access_pin(fd, access, BASE + 4 * PAGE_SZ,
					 PAGE_SZ, 0, NULL));
	EXPECT_EQ(4, proc_status_pages("VmPin"));
	ASSERT_OK(_access_unpin(fd, access, item));
	EXPECT_EQ(0, proc_status_pages("VmPin"));
	EXPECT_EQ(0, proc_status_pages("VmLck"));
	ASSERT_OK(close(access));
	ASSERT_OK(close(fd));
	ASSERT_OK(close(mfd));
}

TEST_F(ioas, map_file_hugetlb)
{
	size_t len = 2 * HUGE;
	unsigned char *map, *buf = malloc(PAGE_SZ);
	int mfd = memfd_create("map_file_huge", MFD_HUGETLB);
	int access;
	__u32 hwpt, stdev;
	__u64 iova = 0;

	if (mfd < 0)
		SKIP("memfd_create(MFD_HUGETLB): %s", strerror(errno));
	if (ftruncate(mfd, len))
		SKIP("hugetlb memfd of %zu bytes: %s", len, strerror(errno));
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (map == MAP_FAILED)
		SKIP("no free 2 MiB huge pages (vm.nr_hugepages): %s",
		     strerror(errno));
	for (size_t i = 0; i < len; i++)
		map[i] = pattern(i);

	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &hwpt, NULL));
	/* Across the boundary of the two huge pages, at an offset. */
	ASSERT_OK(map_file(self->fd, self->ioas, mfd, HUGE / 2, HUGE,
			   &iova, MAP_RW));
	EXPECT_EQ(self->leak.pinned_before + HUGE / PAGE_SZ,
		  iommufd_pinned_pages());
	ASSERT_OK(check_map(self->fd, hwpt, iova, map + HUGE / 2,
			    HUGE));
	access = _access_create(self->fd, self->ioas, 0);
	ASSERT_GE(access, 0);
	ASSERT_OK(_access_rw(self->fd, access, iova + HUGE / 2 - 10, buf,
			     20, 0));
	EXPECT_TRUE(is_pattern(buf, HUGE - 10, 20));
	buf[0] = 0x77;
	ASSERT_OK(_access_rw(self->fd, access, iova + 1, buf, 1,
			     MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH));
	EXPECT_EQ(0x77, map[HUGE / 2 + 1]);
	ASSERT_OK(close(access));

	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, iova, HUGE, NULL));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(_destroy(self->fd, stdev));
	ASSERT_OK(munmap(map, len));
	ASSERT_OK(close(mfd));
	free(buf);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Pinning a memfd costs about what pinning user memory does. */
TEST_F(ioas, map_file_pin_speed)
{
	size_t len = 16UL << 20;
	void *buf = test_buffer(len);
	int mfd = test_memfd(len);
	double t0, t_va, t_file;
	__u32 stdev;

	ASSERT_GE(mfd, 0);
	ASSERT_NE(NULL, buf);
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, NULL, NULL));
	t0 = seconds();
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, len, BASE));
	t_va = seconds() - t0;
	t0 = seconds();
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, 0, len,
				 BASE + len));
	t_file = seconds() - t0;
	EXPECT_EQ(self->leak.pinned_before + 2 * len / PAGE_SZ,
		  iommufd_pinned_pages());
	printf("# map+pin of 16 MiB into a mock domain: user VA %.3f s, memfd %.3f s\n",
	       t_va, t_file);
	ASSERT_OK(_destroy(self->fd, stdev));
	EXPECT_EQ(2 * len, unmap_all(self->fd, self->ioas));
	ASSERT_OK(close(mfd));
	ASSERT_OK(munmap(buf, len));
}
