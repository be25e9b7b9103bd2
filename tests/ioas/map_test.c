// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_IOAS_MAP and IOMMU_IOAS_UNMAP: success, every refusal with its
 * errno, "a refused command changes nothing", automatic IOVA, scale.
 */
#include <sys/mman.h>

#include "mock_utils.h"
#include "uffd_utils.h"

TEST_F(ioas, map_fixed_then_auto)
{
	void *buf = test_buffer(4 * PAGE_SZ);
	__u64 iova = 0;

	ASSERT_NE(NULL, buf);
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 4 * PAGE_SZ,
				  1UL << 30));
	ASSERT_OK(_ioas_map(self->fd, self->ioas, buf, 4 * PAGE_SZ, &iova,
			    MAP_RW));
	ASSERT_NE(0, iova);
	ASSERT_NE(1UL << 30, iova);
	ASSERT_EQ(8 * PAGE_SZ, unmap_all(self->fd, self->ioas));
	/* Nothing is pinned by a map into an IOAS without users. */
	ASSERT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
}

TEST_F(ioas, map_refuses_bad_flags_and_fields)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd), .ioas_id = self->ioas,
		.user_va = (uintptr_t)&cmd, .length = PAGE_SZ,
	};

	cmd.flags = 1U << 3;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.flags = MAP_RW;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.__reserved = 0;
	cmd.flags = IOMMU_IOAS_MAP_FIXED_IOVA;	/* neither read nor write */
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.flags = MAP_RW;
	cmd.ioas_id = self->ioas + 1;
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	ASSERT_EQ(0, unmap_all(self->fd, self->ioas));
}

TEST_F(ioas, map_refuses_overflow_and_empty)
{
	void *buf = test_buffer(PAGE_SZ);

	EXPECT_ERRNO(EOVERFLOW, _ioas_map_fixed(self->fd, self->ioas, buf,
						PAGE_SZ, UINT64_MAX));
	EXPECT_ERRNO(EOVERFLOW, _ioas_map_fixed(self->fd, self->ioas, buf,
						UINT64_MAX, 0));
	/* iova + length wraps */
	EXPECT_ERRNO(EOVERFLOW, _ioas_map_fixed(self->fd, self->ioas, buf,
						2 * PAGE_SZ,
						UINT64_MAX - PAGE_SZ));
	/* user_va + length wraps */
	EXPECT_ERRNO(EOVERFLOW, _ioas_map_fixed(self->fd, self->ioas,
						(void *)(UINT64_MAX - PAGE_SZ + 1),
						2 * PAGE_SZ, 0));
	EXPECT_ERRNO(EINVAL, _ioas_map_fixed(self->fd, self->ioas, buf, 0, 0));
	ASSERT_EQ(0, unmap_all(self->fd, self->ioas));
}

TEST_F(ioas, overlapping_map_is_eexist_and_changes_nothing)
{
	void *buf = test_buffer(8 * PAGE_SZ);
	__u64 base = 64 * PAGE_SZ;
	__u64 starts[] = { base - PAGE_SZ, base, base + PAGE_SZ,
			   base + 3 * PAGE_SZ };

	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 4 * PAGE_SZ,
				  base));
	for (unsigned int i = 0; i < 4; i++)
		EXPECT_ERRNO(EEXIST, _ioas_map_fixed(self->fd, self->ioas, buf,
						     2 * PAGE_SZ, starts[i]));
	/* Touching but not overlapping is fine. */
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ,
				  base + 4 * PAGE_SZ));
	ASSERT_EQ(5 * PAGE_SZ, unmap_all(self->fd, self->ioas));
}

TEST_F(ioas, map_over_reserved_is_einval)
{
	void *buf = test_buffer(PAGE_SZ);
	__u64 iova = 0;

	ASSERT_OK(_add_reserved(self->fd, self->ioas, 16 * PAGE_SZ, PAGE_SZ));
	EXPECT_ERRNO(EINVAL, _ioas_map_fixed(self->fd, self->ioas, buf,
					     PAGE_SZ, 16 * PAGE_SZ));
	/* Reserving over a mapping is refused instead. */
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ,
				  32 * PAGE_SZ));
	EXPECT_ERRNO(EADDRINUSE, _add_reserved(self->fd, self->ioas,
					       32 * PAGE_SZ, PAGE_SZ));
	/* Automatic IOVA steps around it. */
	for (unsigned int i = 0; i < 40; i++) {
		ASSERT_OK(_ioas_map(self->fd, self->ioas, buf, PAGE_SZ, &iova,
				    MAP_RW));
		ASSERT_NE(16 * PAGE_SZ, iova);
	}
	ASSERT_EQ(41 * PAGE_SZ, unmap_all(self->fd, self->ioas));
}

/* No domain, no pin: the memory is not even looked at until pinned. */
TEST_F(ioas, unmapped_user_memory_fails_only_when_pinned)
{
	int access = _access_create(self->fd, self->ioas, 1);
	void *hole = mmap(NULL, PAGE_SZ, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_GE(access, 0);
	ASSERT_OK(munmap(hole, PAGE_SZ));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, hole, PAGE_SZ,
				  PAGE_SZ));
	EXPECT_ERRNO(EFAULT, _access_pin(self->fd, access, PAGE_SZ, PAGE_SZ,
					 0, NULL));
	/* The failed pin left nothing pinned and nothing charged. */
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	EXPECT_EQ(0, proc_status_pages("VmPin"));
	ASSERT_OK(close(access));
}

TEST_F(ioas, map_whose_reply_faults_is_taken_back)
{
	struct iommu_ioas_map *cmd;
	void *buf = test_buffer(PAGE_SZ);

	cmd = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, cmd);
	*cmd = (struct iommu_ioas_map){
		.size = sizeof(*cmd), .flags = MAP_RW, .ioas_id = self->ioas,
		.user_va = (uintptr_t)buf, .length = PAGE_SZ,
	};
	ASSERT_OK(mprotect(cmd, PAGE_SZ, PROT_READ));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IOMMU_IOAS_MAP, cmd));
	EXPECT_EQ(0, unmap_all(self->fd, self->ioas));
	munmap(cmd, PAGE_SZ);
}

TEST_F(ioas, auto_iova_keeps_huge_alignment_and_offset)
{
	size_t len = 4UL << 20;
	char *raw = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *aligned = (char *)(((uintptr_t)raw + len - 1) & ~(len - 1));
	__u64 iova = 0;

	ASSERT_NE(MAP_FAILED, raw);
	ASSERT_OK(_ioas_map(self->fd, self->ioas, aligned, len, &iova, MAP_RW));
	EXPECT_EQ(0, iova % (2UL << 20));	/* a PMD, not more */
	/* A sub-page user address keeps its offset in the IOVA. */
	ASSERT_OK(_ioas_map(self->fd, self->ioas, aligned + 100, 300, &iova,
			    MAP_RW));
	EXPECT_EQ(100, iova % PAGE_SZ);
	ASSERT_EQ(len + 300, unmap_all(self->fd, self->ioas));
	munmap(raw, 2 * len);
}

TEST_F(ioas, auto_iova_without_room_is_enospc)
{
	struct iommu_iova_range range = { .start = PAGE_SZ,
					  .last = 4 * PAGE_SZ - 1 };
	struct iommu_ioas_allow_iovas allow = {
		.size = sizeof(allow), .ioas_id = self->ioas, .num_iovas = 1,
		.allowed_iovas = (uintptr_t)&range,
	};
	void *buf = test_buffer(4 * PAGE_SZ);
	__u64 iova = 0;

	ASSERT_OK(ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS, &allow));
	ASSERT_OK(_ioas_map(self->fd, self->ioas, buf, 2 * PAGE_SZ, &iova,
			    MAP_RW));
	EXPECT_GE(iova, PAGE_SZ);
	EXPECT_LE(iova + 2 * PAGE_SZ - 1, 4 * PAGE_SZ - 1);
	EXPECT_ERRNO(ENOSPC, _ioas_map(self->fd, self->ioas, buf, 2 * PAGE_SZ,
				       &iova, MAP_RW));
	/* A fixed map outside the allowed ranges is still fine. */
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ,
				  1UL << 32));
	ASSERT_EQ(3 * PAGE_SZ, unmap_all(self->fd, self->ioas));
}

TEST_F(ioas, unmap_cutting_an_area_is_enoent_and_changes_nothing)
{
	void *buf = test_buffer(4 * PAGE_SZ);
	__u64 length;

	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ, 0));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 2 * PAGE_SZ,
				  PAGE_SZ));
	/* Covers the first area and half of the second. */
	EXPECT_ERRNO(ENOENT, _ioas_unmap(self->fd, self->ioas, 0,
					 2 * PAGE_SZ, NULL));
	/* Both are still there, whole. */
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, 0, PAGE_SZ, &length));
	EXPECT_EQ(PAGE_SZ, length);
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, 0, 8 * PAGE_SZ, &length));
	EXPECT_EQ(2 * PAGE_SZ, length);
	/* Nothing left there. */
	EXPECT_ERRNO(ENOENT, _ioas_unmap(self->fd, self->ioas, 0, PAGE_SZ,
					 NULL));
	EXPECT_ERRNO(EINVAL, _ioas_unmap(self->fd, self->ioas, 0, 0, NULL));
	EXPECT_ERRNO(EOVERFLOW, _ioas_unmap(self->fd, self->ioas,
					    UINT64_MAX - 1, 4, NULL));
	EXPECT_ERRNO(ENOENT, _ioas_unmap(self->fd, self->ioas + 1, 0,
					 UINT64_MAX, NULL));
	/* Unmapping everything of nothing is fine. */
	ASSERT_EQ(0, unmap_all(self->fd, self->ioas));
}

TEST_F_TIMEOUT(ioas, hundred_thousand_areas, 300)
{
	unsigned int n = on_debug_kernel() ? 10000 : 100000;
	void *buf = test_buffer(PAGE_SZ);
	__u64 iova = 0, length;

	printf("# %u areas\n", n);
	/* Automatic IOVA, packed one after the other. */
	for (unsigned int i = 0; i < n; i++)
		ASSERT_OK(_ioas_map(self->fd, self->ioas, buf, PAGE_SZ, &iova,
				    MAP_RW));
	/* Fixed IOVA, with holes between. */
	for (unsigned int i = 0; i < n; i++)
		ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ,
					  (1UL << 40) + 2 * i * PAGE_SZ));
	/* Punch holes and refill them automatically, lowest first. */
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, 5 * PAGE_SZ, PAGE_SZ,
			      &length));
	ASSERT_OK(_ioas_map(self->fd, self->ioas, buf, PAGE_SZ, &iova, MAP_RW));
	EXPECT_EQ(5 * PAGE_SZ, iova);
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, 1UL << 40, 1UL << 40,
			      &length));
	EXPECT_EQ((__u64)n * PAGE_SZ, length);
	ASSERT_EQ((__u64)n * PAGE_SZ, unmap_all(self->fd, self->ioas));
}

struct stalled_map {
	int fd;
	__u32 ioas;
	void *va;
	int rc;
};

static void *stalled_map_thread(void *arg)
{
	struct stalled_map *m = arg;

	m->rc = _ioas_map_fixed(m->fd, m->ioas, m->va, PAGE_SZ,
				BASE + 16 * PAGE_SZ);
	return NULL;
}

/*
 * A map waiting for its memory (a userfaultfd page, or just a large guest
 * being faulted in) holds up nothing else of the IOAS: reads of it, access
 * rw of other areas and other maps go on; only its own range is busy.
 */
TEST_F(ioas, map_waiting_for_memory_holds_up_nothing_else)
{
	struct stalled_map m = { .fd = self->fd, .ioas = self->ioas };
	struct iommu_ioas_iova_ranges ranges = {
		.size = sizeof(ranges), .ioas_id = self->ioas,
	};
	void *buf = test_buffer(2 * PAGE_SZ);
	unsigned char tmp[64];
	struct stall_page sp;
	__u32 stdev, hwpt;
	pthread_t t;
	int access;

	if (stall_page_init(&sp, 2000000))
		SKIP("no userfaultfd: %s", strerror(errno));
	/* With a domain the map pins, and so waits, at once. */
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &hwpt, NULL));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ, BASE));
	access = _access_create(self->fd, self->ioas, 0);
	ASSERT_LE(0, access);
	m.va = sp.region;
	ASSERT_OK(pthread_create(&t, NULL, stalled_map_thread, &m));
	ASSERT_OK(stall_page_wait_fault(&sp));

	EXPECT_ERRNO(EMSGSIZE, ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES,
				     &ranges));
	EXPECT_OK(_access_rw(self->fd, access, BASE, tmp, sizeof(tmp), 0));
	EXPECT_OK(_ioas_map_fixed(self->fd, self->ioas, buf + PAGE_SZ,
				  PAGE_SZ, BASE + PAGE_SZ));
	/* The range being mapped is taken, and not yet usable. */
	EXPECT_ERRNO(EEXIST, _ioas_map_fixed(self->fd, self->ioas, buf,
					     PAGE_SZ, BASE + 16 * PAGE_SZ));
	EXPECT_ERRNO(EBUSY, _ioas_unmap(self->fd, self->ioas,
					BASE + 16 * PAGE_SZ, PAGE_SZ, NULL));
	EXPECT_ERRNO(EBUSY, _ioas_unmap(self->fd, self->ioas, 0, UINT64_MAX,
					NULL));
	EXPECT_NE(0, _access_rw(self->fd, access, BASE + 16 * PAGE_SZ, tmp,
				sizeof(tmp), 0));
	/* All of that while the map still waited for its page. */
	EXPECT_EQ(0, sp.filled);

	ASSERT_OK(pthread_join(t, NULL));
	EXPECT_EQ(0, m.rc);
	/* Then it maps the page it waited for. */
	EXPECT_OK(check_map(self->fd, hwpt, BASE + 16 * PAGE_SZ, sp.region,
			    PAGE_SZ));
	ASSERT_OK(close(access));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, 0, UINT64_MAX, NULL));
	stall_page_fini(&sp);
}
