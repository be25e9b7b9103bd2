// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pinned pages move in runs: a domain is the record of an area's PFNs and
 * is read back one folio at a time where the mapping keeps each folio in
 * order, page by page where it does not.  These tests build the case
 * where it does not (a transparent huge page with a foreign page mapped
 * into its middle) and check that every path that reads the record back
 * (a second domain, IOAS_COPY, access rw, unmap) sees the right pages and
 * that unmapping unpins exactly what was pinned.  The same for order-0
 * pages that lie in physical order, which are read back a stretch of
 * 64 KiB sub-blocks at a time, up to a 2 MiB block (pages/contig.c).
 */
#include "mem_utils.h"
#include "mock_utils.h"

static int check_refs(int fd, void *buf, __u64 len, __u32 refs)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = len, .uptr = (uintptr_t)buf,
				.refs = refs },
	};

	return _test_cmd(fd, &cmd);
}

/*
 * 2 MiB of a transparent huge page, but for page 2, which is a page of
 * its own: the folio is then mapped out of order around it.  NULL (and a
 * skip) where no THP can be had.
 */
static unsigned char *broken_thp(void **raw)
{
	unsigned char *thp = thp_buffer(raw, 1), *foreign;

	if (!thp)
		return NULL;
	foreign = mmap(thp + 2 * PAGE_SZ, PAGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (foreign == MAP_FAILED)
		return NULL;
	memset(foreign, 0xa5, PAGE_SZ);
	/* Still one large folio around the foreign page? */
	if (page_is_thp(thp) != 1 || page_is_thp(thp + 3 * PAGE_SZ) != 1)
		return NULL;
	return thp;
}

TEST_F(ioas, folio_broken_by_a_foreign_page_reads_back_page_by_page)
{
	unsigned char *tmp = malloc(HUGE), *thp;
	__u32 stdev_a, stdev_b, hwpt_a, hwpt_b;
	void *raw;
	int access;

	thp = broken_thp(&raw);
	if (!thp)
		SKIP("no transparent huge page to break");
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev_a, &hwpt_a,
			      NULL));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, thp, HUGE, BASE));
	EXPECT_EQ(self->leak.pinned_before + HUGE / PAGE_SZ,
		  iommufd_pinned_pages());
	ASSERT_OK(check_map(self->fd, hwpt_a, BASE, thp, HUGE));

	/* A second domain is filled from what the first holds. */
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev_b, &hwpt_b,
			      NULL));
	ASSERT_OK(check_map(self->fd, hwpt_b, BASE, thp, HUGE));

	/* Access rw uses the pinned pages, read back from the record. */
	access = _access_create(self->fd, self->ioas, 0);
	ASSERT_LE(0, access);
	ASSERT_OK(_access_rw(self->fd, access, BASE, tmp, HUGE, 0));
	ASSERT_EQ(0, memcmp(tmp, thp, HUGE));
	ASSERT_OK(close(access));

	/* The record moves to the domain that stays. */
	ASSERT_OK(_destroy(self->fd, stdev_a));
	ASSERT_OK(check_map(self->fd, hwpt_b, BASE, thp, HUGE));
	EXPECT_EQ(self->leak.pinned_before + HUGE / PAGE_SZ,
		  iommufd_pinned_pages());

	/* Unmapping unpins exactly the pages pinned: the foreign one too. */
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, BASE, HUGE, NULL));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(check_refs(self->fd, thp, HUGE, 0));
	ASSERT_OK(_destroy(self->fd, stdev_b));
	munmap(raw, 2 * HUGE);
	free(tmp);
}

TEST_F(ioas, copy_of_a_broken_folio_maps_the_same_pages)
{
	unsigned char *thp;
	__u32 stdev, hwpt, dst, dst_stdev, dst_hwpt;
	void *raw;

	thp = broken_thp(&raw);
	if (!thp)
		SKIP("no transparent huge page to break");
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &hwpt, NULL));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, thp, HUGE, BASE));
	ASSERT_OK(_ioas_alloc(self->fd, &dst));
	ASSERT_OK(mock_domain(self->fd, dst, 0, &dst_stdev, &dst_hwpt, NULL));
	ASSERT_OK(_ioas_copy(self->fd, dst, BASE + HUGE, self->ioas, BASE,
			     HUGE, MAP_RW));
	ASSERT_OK(check_map(self->fd, dst_hwpt, BASE + HUGE, thp, HUGE));
	/* Shared, so pinned once. */
	EXPECT_EQ(self->leak.pinned_before + HUGE / PAGE_SZ,
		  iommufd_pinned_pages());

	/* The source goes first; the copy keeps every page pinned. */
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, BASE, HUGE, NULL));
	EXPECT_EQ(self->leak.pinned_before + HUGE / PAGE_SZ,
		  iommufd_pinned_pages());
	ASSERT_OK(check_map(self->fd, dst_hwpt, BASE + HUGE, thp, HUGE));
	ASSERT_OK(_ioas_unmap(self->fd, dst, BASE + HUGE, HUGE, NULL));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(check_refs(self->fd, thp, HUGE, 0));
	ASSERT_OK(_destroy(self->fd, stdev));
	ASSERT_OK(_destroy(self->fd, dst_stdev));
	munmap(raw, 2 * HUGE);
}

TEST_F(ioas, huge_folio_pinned_by_access_and_domain_counts_once)
{
	unsigned char *raw, *thp, *tmp = malloc(HUGE);
	__u32 stdev, hwpt, item;
	int access;

	raw = mmap(NULL, 2 * HUGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, raw);
	thp = (void *)(((uintptr_t)raw + HUGE - 1) & ~(HUGE - 1));
	madvise(thp, HUGE, MADV_HUGEPAGE);
	for (size_t i = 0; i < HUGE; i++)
		thp[i] = (unsigned char)(i * 3 + 7);
	if (page_is_thp(thp) != 1)
		SKIP("no transparent huge page");

	/* An access pins a middle piece first; the domain fills around it. */
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, thp, HUGE, BASE));
	access = _access_create(self->fd, self->ioas, 1);
	ASSERT_LE(0, access);
	ASSERT_OK(_access_pin(self->fd, access, BASE + 4 * PAGE_SZ,
			      8 * PAGE_SZ, 0, &item));
	EXPECT_EQ(self->leak.pinned_before + 8, iommufd_pinned_pages());
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &hwpt, NULL));
	EXPECT_EQ(self->leak.pinned_before + HUGE / PAGE_SZ,
		  iommufd_pinned_pages());
	ASSERT_OK(check_map(self->fd, hwpt, BASE, thp, HUGE));

	/* The domain goes; the access's piece stays pinned, alone. */
	ASSERT_OK(_destroy(self->fd, stdev));
	EXPECT_EQ(self->leak.pinned_before + 8, iommufd_pinned_pages());
	ASSERT_OK(_access_rw(self->fd, access, BASE, tmp, HUGE, 0));
	ASSERT_EQ(0, memcmp(tmp, thp, HUGE));
	ASSERT_OK(_access_unpin(self->fd, access, item));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(close(access));
	munmap(raw, 2 * HUGE);
	free(tmp);
}

/*
 * 64 MiB of scattered 4 KiB pages is more runs than one unmap step reads
 * back, so unmap goes in steps, cutting the IOVA range between runs; an
 * access's pin in the middle stays pinned and mapped through it.
 */
TEST_F(ioas, large_unmap_in_steps_unpins_every_page_once)
{
	const size_t len = 64UL << 20;
	__u32 stdev, hwpt, item;
	unsigned char *buf;
	int access;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	madvise(buf, len, MADV_NOHUGEPAGE);
	/*
	 * Odd pages from the top down, then even ones: no page lands next to
	 * its neighbours in memory, so every page is a run of its own.
	 */
	for (long parity = 1; parity >= 0; parity--)
		for (long page = len / PAGE_SZ - 2 + parity; page >= 0;
		     page -= 2)
			buf[page * PAGE_SZ] = (unsigned char)page;

	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &hwpt, NULL));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, len, BASE));
	EXPECT_EQ(self->leak.pinned_before + len / PAGE_SZ,
		  iommufd_pinned_pages());
	ASSERT_OK(check_map(self->fd, hwpt, BASE, buf, len));

	access = _access_create(self->fd, self->ioas, 1);
	ASSERT_LE(0, access);
	ASSERT_OK(_access_pin(self->fd, access, BASE + len / 2, 4 * PAGE_SZ,
			      0, &item));
	/* The domain goes: everything but the access's pages is unpinned. */
	ASSERT_OK(_destroy(self->fd, stdev));
	EXPECT_EQ(self->leak.pinned_before + 4, iommufd_pinned_pages());
	ASSERT_OK(check_refs(self->fd, buf, len / 2, 0));
	ASSERT_OK(check_refs(self->fd, buf + len / 2, 4 * PAGE_SZ, 1));
	ASSERT_OK(check_refs(self->fd, buf + len / 2 + 4 * PAGE_SZ,
			     len / 2 - 4 * PAGE_SZ, 0));

	/* And back: a new domain fills around the access's pin. */
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &hwpt, NULL));
	ASSERT_OK(check_map(self->fd, hwpt, BASE, buf, len));
	ASSERT_OK(check_refs(self->fd, buf, len, 1));
	ASSERT_OK(_access_unpin(self->fd, access, item));
	ASSERT_OK(close(access));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, BASE, len, NULL));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(check_refs(self->fd, buf, len, 0));
	ASSERT_OK(_destroy(self->fd, stdev));
	munmap(buf, len);
}

/*
 * Access rw goes through the pinned pages where there are some and
 * through the process's memory elsewhere: with page 5 of 16 remapped
 * after an access pinned pages 4-7, a read sees the old page 5, and every
 * page around the pin as the process sees it now.
 */
TEST_F(ioas, rw_uses_pinned_pages_where_pinned_and_memory_elsewhere)
{
	const size_t len = 16 * PAGE_SZ;
	unsigned char *buf = test_buffer(len), *expect = malloc(len);
	unsigned char *got = malloc(len);
	int access;
	__u32 item;

	ASSERT_NE(NULL, buf);
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, len, BASE));
	access = _access_create(self->fd, self->ioas, 1);
	ASSERT_LE(0, access);
	ASSERT_OK(_access_pin(self->fd, access, BASE + 4 * PAGE_SZ,
			      4 * PAGE_SZ, 0, &item));
	memcpy(expect, buf, len);
	ASSERT_NE(MAP_FAILED, mmap(buf + 5 * PAGE_SZ, PAGE_SZ,
				   PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				   0));
	memset(buf + 5 * PAGE_SZ, 0xee, PAGE_SZ);
	buf[0] = expect[0] = 0x11;		/* unpinned: seen as it is now */
	buf[len - 1] = expect[len - 1] = 0x22;

	/* Odd offsets and lengths cross the pin's edges inside pages. */
	ASSERT_OK(_access_rw(self->fd, access, BASE + 100, got + 100,
			     len - 200, 0));
	ASSERT_EQ(0, memcmp(got + 100, expect + 100, len - 200));
	ASSERT_OK(_access_rw(self->fd, access, BASE, got, len, 0));
	ASSERT_EQ(0, memcmp(got, expect, len));

	/* A write lands in the pinned page, not in the new one. */
	memset(got, 0x77, len);
	ASSERT_OK(_access_rw(self->fd, access, BASE + 5 * PAGE_SZ, got,
			     PAGE_SZ, MOCK_ACCESS_RW_WRITE));
	ASSERT_EQ(0xee, buf[5 * PAGE_SZ]);
	ASSERT_OK(_access_rw(self->fd, access, BASE + 5 * PAGE_SZ, got + PAGE_SZ,
			     PAGE_SZ, 0));
	ASSERT_EQ(0x77, got[PAGE_SZ]);

	ASSERT_OK(_access_unpin(self->fd, access, item));
	ASSERT_OK(close(access));
	munmap(buf, len);
	free(expect);
	free(got);
}

/*
 * 8 MiB of small pages in physical order but for page 3 of the third
 * 2 MiB, a page of its own: every path that reads the record back reads
 * the three whole blocks a block at a time, the broken one page by page
 * for its first 64 KiB and then in one read, and sees the right pages
 * either way (the test build also checks each page it did not read
 * against the domain).
 */
TEST_F(ioas, contiguous_small_pages_are_read_back_a_block_at_a_time)
{
	const size_t nblocks = 4, len = nblocks * HUGE;
	/* What is read through the masks: all but one sub-block. */
	const size_t whole = len - 16 * PAGE_SZ;
	unsigned char *buf, *foreign, *tmp = malloc(len);
	__u32 stdev_a, idev_a, hwpt_a, hwpt_b, dst, dst_stdev, dst_hwpt;
	long reads;
	void *raw;
	int access;

	buf = split_thps(&raw, nblocks);
	if (!buf)
		SKIP("no transparent huge pages to split in place");
	/*
	 * A page faulted in elsewhere first, then moved in: a new page mapped
	 * there would likely be the very frame just freed, still in order.
	 */
	foreign = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, foreign);
	memset(foreign, 0xa5, PAGE_SZ);
	ASSERT_EQ(buf + 2 * HUGE + 3 * PAGE_SZ,
		  mremap(foreign, PAGE_SZ, PAGE_SZ,
			 MREMAP_MAYMOVE | MREMAP_FIXED,
			 buf + 2 * HUGE + 3 * PAGE_SZ));
	ASSERT_NE(page_pfn(buf + 2 * HUGE + 2 * PAGE_SZ) + 1,
		  page_pfn(buf + 2 * HUGE + 3 * PAGE_SZ));
	reads = iommufd_block_read_pages();
	ASSERT_LE(0, reads);

	/* Filling reads nothing back. */
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev_a, &hwpt_a,
			      &idev_a));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, len, BASE));
	EXPECT_EQ(self->leak.pinned_before + len / PAGE_SZ,
		  iommufd_pinned_pages());
	ASSERT_OK(check_map(self->fd, hwpt_a, BASE, buf, len));
	ASSERT_EQ(reads, iommufd_block_read_pages());

	/* A second domain, from the first: the whole blocks in one read each. */
	ASSERT_OK(hwpt_alloc(self->fd, idev_a, self->ioas, 0, 0, 0, NULL, 0,
			     &hwpt_b));
	ASSERT_OK(check_map(self->fd, hwpt_b, BASE, buf, len));
	ASSERT_EQ(reads + whole / PAGE_SZ, iommufd_block_read_pages());
	reads = iommufd_block_read_pages();

	/* Access rw through the pinned pages, from odd offsets too. */
	access = _access_create(self->fd, self->ioas, 0);
	ASSERT_LE(0, access);
	ASSERT_OK(_access_rw(self->fd, access, BASE, tmp, len, 0));
	ASSERT_EQ(0, memcmp(tmp, buf, len));
	ASSERT_OK(_access_rw(self->fd, access, BASE + HUGE - 100, tmp,
			     2 * HUGE + 200, 0));
	ASSERT_EQ(0, memcmp(tmp, buf + HUGE - 100, 2 * HUGE + 200));
	ASSERT_OK(close(access));
	ASSERT_LT(reads, iommufd_block_read_pages());

	/* IOAS_COPY reads the source's record. */
	reads = iommufd_block_read_pages();
	ASSERT_OK(_ioas_alloc(self->fd, &dst));
	ASSERT_OK(mock_domain(self->fd, dst, 0, &dst_stdev, &dst_hwpt, NULL));
	ASSERT_OK(_ioas_copy(self->fd, dst, BASE, self->ioas, BASE, len,
			     MAP_RW));
	ASSERT_OK(check_map(self->fd, dst_hwpt, BASE, buf, len));
	ASSERT_EQ(reads + whole / PAGE_SZ, iommufd_block_read_pages());
	EXPECT_EQ(self->leak.pinned_before + len / PAGE_SZ,
		  iommufd_pinned_pages());

	/*
	 * The first domain goes (the record moves to the second), then the
	 * source: the copy holds every pin.
	 */
	reads = iommufd_block_read_pages();
	ASSERT_OK(_destroy(self->fd, stdev_a));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, BASE, len, NULL));
	ASSERT_EQ(reads, iommufd_block_read_pages());
	EXPECT_EQ(self->leak.pinned_before + len / PAGE_SZ,
		  iommufd_pinned_pages());

	/* Unmapping the copy reads its own record and unpins every page. */
	ASSERT_OK(_ioas_unmap(self->fd, dst, BASE, len, NULL));
	ASSERT_EQ(reads + whole / PAGE_SZ, iommufd_block_read_pages());
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(check_refs(self->fd, buf, len, 0));
	ASSERT_OK(_destroy(self->fd, hwpt_b));
	ASSERT_OK(_destroy(self->fd, dst_stdev));
	munmap(raw, len + HUGE);
	free(tmp);
}

/*
 * A type1 v1 unmap cuts a mapping of contiguous small pages through two
 * blocks: the middle goes and both halves keep their blocks, the cut ones
 * included (what is left of a block is still one stretch).
 */
TEST_F(ioas, cut_mapping_keeps_its_blocks_on_both_sides)
{
	const size_t nblocks = 4, len = nblocks * HUGE;
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = BASE + 3 * MIB,
		.size = 2 * MIB,
	};
	__u32 stdev, hwpt;
	unsigned char *buf;
	long reads;
	void *raw;

	buf = split_thps(&raw, nblocks);
	if (!buf)
		SKIP("no transparent huge pages to split in place");
	ASSERT_OK(_vfio_ioas_set(self->fd, self->ioas));
	ASSERT_OK(ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &hwpt, NULL));
	ASSERT_OK(_vfio_map_dma(self->fd, buf, BASE, len));
	reads = iommufd_block_read_pages();

	/* The middle 2 MiB, half of block 1 and half of block 2. */
	ASSERT_OK(ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	ASSERT_EQ(2 * MIB, unmap.size);
	ASSERT_EQ(reads + 2 * MIB / PAGE_SZ, iommufd_block_read_pages());
	ASSERT_OK(check_refs(self->fd, buf + 3 * MIB, 2 * MIB, 0));
	ASSERT_OK(check_map(self->fd, hwpt, BASE, buf, 3 * MIB));
	ASSERT_OK(check_map(self->fd, hwpt, BASE + 5 * MIB, buf + 5 * MIB,
			    3 * MIB));
	EXPECT_EQ(self->leak.pinned_before + 6 * MIB / PAGE_SZ,
		  iommufd_pinned_pages());

	/* Each half, a block and a half, is read back by block. */
	ASSERT_OK(_destroy(self->fd, stdev));
	ASSERT_EQ(reads + len / PAGE_SZ, iommufd_block_read_pages());
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(check_refs(self->fd, buf, len, 0));
	munmap(raw, len + HUGE);
}

/*
 * The middle of the first of @nblocks split THPs at @buf whose successor
 * is not its neighbour in physical memory, or NULL.
 */
static unsigned char *before_break(unsigned char *buf, size_t nblocks)
{
	for (size_t i = 0; i + 1 < nblocks; i++)
		if (page_pfn(buf + (i + 1) * HUGE - PAGE_SZ) + 1 !=
		    page_pfn(buf + (i + 1) * HUGE))
			return buf + i * HUGE + MIB;
	return NULL;
}

/*
 * Exchange the 2 MiB blocks @a and @b of @buf, pages and all, through a
 * scratch reservation.
 */
static int swap_huge_blocks(unsigned char *buf, size_t a, size_t b)
{
	unsigned char *pa = buf + a * HUGE, *pb = buf + b * HUGE;
	void *tmp = mmap(NULL, HUGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	int flags = MREMAP_MAYMOVE | MREMAP_FIXED;

	if (tmp == MAP_FAILED)
		return -1;
	if (mremap(pa, HUGE, HUGE, flags, tmp) != tmp ||
	    mremap(pb, HUGE, HUGE, flags, pa) != (void *)pa ||
	    mremap(tmp, HUGE, HUGE, flags, pb) != (void *)pb)
		return -1;
	return 0;
}

/*
 * Two stretches that meet inside a 2 MiB block of the mapping, as the
 * block boundaries of memory handed out again fall inside its stretches:
 * 3 MiB from the middle of one split THP into the next, which is not its
 * neighbour in memory.  Each stretch's part of the block is one read but
 * for the 64 KiB where the second starts, and the pages are the right
 * ones.
 */
TEST_F(ioas, block_of_two_stretches_is_read_back_in_parts)
{
	const size_t nblocks = 4, len = 3 * MIB;
	unsigned char *buf, *from;
	__u32 stdev, hwpt;
	long reads;
	void *raw;

	buf = split_thps(&raw, nblocks);
	if (!buf)
		SKIP("no transparent huge pages to split in place");
	from = before_break(buf, nblocks);
	if (!from) {
		/*
		 * THPs faulted in one after the other are often neighbours
		 * all along: put the last one second.
		 */
		ASSERT_OK(swap_huge_blocks(buf, 1, nblocks - 1));
		from = before_break(buf, nblocks);
	}
	if (!from) {
		munmap(raw, nblocks * HUGE + HUGE);
		SKIP("the split THPs are all neighbours in memory");
	}
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &hwpt, NULL));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, from, len, BASE));
	ASSERT_OK(check_map(self->fd, hwpt, BASE, from, len));
	reads = iommufd_block_read_pages();
	ASSERT_LE(0, reads);

	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, BASE, len, NULL));
	ASSERT_EQ(reads + len / PAGE_SZ - 16, iommufd_block_read_pages());
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(check_refs(self->fd, from, len, 0));
	ASSERT_OK(_destroy(self->fd, stdev));
	munmap(raw, nblocks * HUGE + HUGE);
}
