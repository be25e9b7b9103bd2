// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scale: a thousand IOASes on one file, 2 GiB mapped in one call, and a
 * mock domain's whole aperture (2 GiB less 16 MiB) filled in one call.
 * The memory behind them is one 2 MiB huge page mapped a thousand times
 * over, so the tests fit a small VM; the kernel still pins, maps, reads
 * back and unpins half a million pages.
 */
#include <sys/resource.h>

#include "mock_utils.h"

#define TWO_GIB (2UL << 30)

TEST_F(iommufd, a_thousand_ioases_on_one_file)
{
	unsigned char *buf = test_buffer(PAGE_SZ);
	__u32 ioas[1000];
	unsigned int i;

	for (i = 0; i < 1000; i++) {
		ASSERT_OK(_ioas_alloc(self->fd, &ioas[i]));
		ASSERT_OK(_ioas_map_fixed(self->fd, ioas[i], buf, PAGE_SZ,
					  BASE));
	}
	for (i = 0; i < 1000; i++) {
		__u64 got = 0;

		ASSERT_OK(_ioas_unmap(self->fd, ioas[i], BASE, PAGE_SZ, &got));
		ASSERT_EQ(PAGE_SZ, got);
		ASSERT_OK(_destroy(self->fd, ioas[i]));
	}
	munmap(buf, PAGE_SZ);
}

/*
 * @len bytes of shared memory at a 2 MiB aligned address, all of them the
 * same hugetlbfs page; NULL (the caller skips) without a free huge page.
 */
static unsigned char *huge_page_repeated(int *memfd, size_t len)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	unsigned char *va;
	size_t i;

	*memfd = memfd_create("huge", MFD_HUGETLB);
	if (*memfd < 0 || ftruncate(*memfd, HUGE))
		return NULL;
	if (setrlimit(RLIMIT_MEMLOCK, &unlimited))
		return NULL;
	va = mmap(NULL, len + HUGE, PROT_NONE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (va == MAP_FAILED)
		return NULL;
	va = (void *)(((uintptr_t)va + HUGE - 1) & ~(HUGE - 1));
	for (i = 0; i < len / HUGE; i++)
		if (mmap(va + i * HUGE, HUGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, *memfd, 0) == MAP_FAILED)
			return NULL;
	for (i = 0; i < HUGE; i++)
		va[i] = (unsigned char)(i * 11 + 5);
	return va;
}

/* 2 GiB in one area, pinned by an access at both ends. */
TEST_F_TIMEOUT(ioas, two_gib_mapped_in_one_call, 300)
{
	unsigned char head[64], tail[64];
	int memfd, access;
	unsigned char *va;
	__u32 item, item2;
	__u64 got = 0;

	va = huge_page_repeated(&memfd, TWO_GIB);
	if (!va)
		SKIP("no hugetlbfs page free (vm.nr_hugepages)");
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, va, TWO_GIB, BASE));
	access = _access_create(self->fd, self->ioas, 1);
	ASSERT_LE(0, access);
	ASSERT_OK(_access_pin(self->fd, access, BASE, HUGE, 0, &item));
	ASSERT_OK(_access_pin(self->fd, access, BASE + TWO_GIB - HUGE, HUGE, 0,
			      &item2));
	EXPECT_EQ(self->leak.pinned_before + 2 * HUGE / PAGE_SZ,
		  iommufd_pinned_pages());
	ASSERT_OK(_access_rw(self->fd, access, BASE, head, sizeof(head), 0));
	ASSERT_EQ(0, memcmp(head, va, sizeof(head)));
	ASSERT_OK(_access_rw(self->fd, access, BASE + TWO_GIB - sizeof(tail),
			     tail, sizeof(tail), 0));
	ASSERT_EQ(0, memcmp(tail, va + TWO_GIB - sizeof(tail), sizeof(tail)));
	ASSERT_OK(_access_unpin(self->fd, access, item));
	ASSERT_OK(_access_unpin(self->fd, access, item2));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(close(access));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, BASE, TWO_GIB, &got));
	ASSERT_EQ(TWO_GIB, got);
	munmap(va, TWO_GIB);
	close(memfd);
}

/* The mock's aperture is [16 MiB, 2 GiB): all of it, in one call. */
TEST_F_TIMEOUT(ioas, whole_mock_aperture_filled_in_one_call, 300)
{
	const size_t len = (size_t)MOCK_APERTURE_LAST + 1 - MOCK_APERTURE_START;
	__u32 stdev, hwpt;
	unsigned char *va;
	__u64 got = 0;
	int memfd;

	va = huge_page_repeated(&memfd, len);
	if (!va)
		SKIP("no hugetlbfs page free (vm.nr_hugepages)");
	ASSERT_OK(mock_domain(self->fd, self->ioas,
			      MOCK_FLAGS_DEVICE_HUGE_IOVA, &stdev, &hwpt,
			      NULL));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, va, len,
				  MOCK_APERTURE_START));
	EXPECT_EQ(self->leak.pinned_before + len / PAGE_SZ,
		  iommufd_pinned_pages());
	ASSERT_OK(check_map(self->fd, hwpt, MOCK_APERTURE_START, va, HUGE));
	ASSERT_OK(check_map(self->fd, hwpt, (size_t)MOCK_APERTURE_LAST + 1 - HUGE,
			    va + len - HUGE, HUGE));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, MOCK_APERTURE_START, len,
			      &got));
	ASSERT_EQ(len, got);
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(_destroy(self->fd, stdev));
	munmap(va, len);
	close(memfd);
}
