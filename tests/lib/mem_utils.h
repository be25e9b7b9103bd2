/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where the test's own memory lies: the PFNs behind it (root only), its
 * transparent huge pages, and small pages in physical order made by
 * splitting THPs in place.
 */
#ifndef MEM_UTILS_H
#define MEM_UTILS_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "iommufd_utils.h"

#define KPF_THP 22

/*
 * The PFNs of the @n pages mapped from @addr on, in one read (root only);
 * 0 for a page not present or where it cannot be read.
 */
static inline void page_pfns(void *addr, size_t n, __u64 *pfns)
{
	int pm = open("/proc/self/pagemap", O_RDONLY);
	ssize_t want = n * sizeof(*pfns);

	if (pm < 0 || pread(pm, pfns, want,
			    (uintptr_t)addr / PAGE_SZ * sizeof(*pfns)) != want)
		memset(pfns, 0, want);
	if (pm >= 0)
		close(pm);
	for (size_t i = 0; i < n; i++)
		pfns[i] = pfns[i] >> 63 ? pfns[i] & ((1ULL << 55) - 1) : 0;
}

/* The PFN of the page mapped at @addr (root only); 0 if unknown. */
static inline __u64 page_pfn(void *addr)
{
	__u64 pfn;

	page_pfns(addr, 1, &pfn);
	return pfn;
}

/* Is the page mapped at @addr part of a transparent huge page? */
static inline int page_is_thp(void *addr)
{
	__u64 pfn = page_pfn(addr), flags;
	int kf, ret = -1;

	if (!pfn)
		return -1;
	kf = open("/proc/kpageflags", O_RDONLY);
	if (kf < 0)
		return -1;
	if (pread(kf, &flags, sizeof(flags), pfn * sizeof(flags)) ==
	    sizeof(flags))
		ret = (flags >> KPF_THP) & 1;
	close(kf);
	return ret;
}

/*
 * @nblocks transparent huge pages, faulted in with some contents: the
 * first 2 MiB-aligned stretch of a mapping of @nblocks + 1 times 2 MiB
 * at *@raw, which the caller unmaps.  NULL if any is not a THP.
 */
static inline unsigned char *thp_buffer(void **raw, size_t nblocks)
{
	size_t len = nblocks * HUGE;
	unsigned char *buf;

	*raw = mmap(NULL, len + HUGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*raw == MAP_FAILED)
		return NULL;
	buf = (void *)(((uintptr_t)*raw + HUGE - 1) & ~(HUGE - 1));
	madvise(buf, len, MADV_HUGEPAGE);
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 7 + i / PAGE_SZ);
	for (size_t b = 0; b < nblocks; b++)
		if (page_is_thp(buf + b * HUGE) != 1)
			return NULL;
	return buf;
}

/*
 * @nblocks times 2 MiB of order-0 pages in physical order: transparent huge
 * pages, split in place by the kernel's debugfs split_huge_pages, so that
 * each 2 MiB is one stretch of small pages.  Aligned to 2 MiB, so that the
 * blocks of a mapping of it from its start are those stretches.  NULL (and
 * a skip) where THPs or the debugfs file are missing.
 */
static inline unsigned char *split_thps(void **raw, size_t nblocks)
{
	const char *split = "/sys/kernel/debug/split_huge_pages";
	size_t len = nblocks * HUGE;
	unsigned char *buf = thp_buffer(raw, nblocks);
	char cmd[128];
	int fd, n;

	if (!buf)
		return NULL;
	fd = open(split, O_WRONLY);
	if (fd < 0)
		return NULL;
	n = snprintf(cmd, sizeof(cmd), "%d,0x%lx,0x%lx", getpid(),
		     (unsigned long)buf, (unsigned long)(buf + len));
	n = write(fd, cmd, n) == n;
	close(fd);
	/* Keep khugepaged from putting them back together. */
	madvise(buf, len, MADV_NOHUGEPAGE);
	if (!n)
		return NULL;
	if (HUGE / PAGE_SZ > 512)
		return NULL;
	for (size_t b = 0; b < nblocks; b++) {
		__u64 pfns[512];

		if (page_is_thp(buf + b * HUGE) != 0)
			return NULL;
		page_pfns(buf + b * HUGE, HUGE / PAGE_SZ, pfns);
		for (size_t i = 0; i < HUGE / PAGE_SZ; i++)
			if (!pfns[i] || pfns[i] != pfns[0] + i)
				return NULL;
	}
	return buf;
}

#endif /* MEM_UTILS_H */
