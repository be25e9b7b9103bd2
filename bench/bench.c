// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench: time the I/O page table work of whichever iommufd.ko (or VFIO
 * type1) is loaded, in the benchmark VM (README.md, Benchmarks).
 *
 *   bench [-q] [-p PHASE] -s SET -r ROUND MODE
 *
 * MODE is "iommufd" (QEMU's edu device attached to IOASes through the VFIO
 * cdev, under VT-d), "test" (the test ABI: in-kernel access and the mock
 * IOMMU's dirty bitmap) or "type1" (edu's group in a /dev/vfio/vfio
 * container with VFIO_TYPE1v2_IOMMU).  -q divides every size by 8.
 *
 * -p map or -p unmap (iommufd mode, under `perf record -D -1 --control`,
 * bench/guest/profile.sh): only the headline row, map+unmap of 1 GiB of
 * 4 KiB pages, PROFILE_REPS times, with perf's events enabled around each
 * map or each unmap alone through the control and ack FIFOs named by
 * $BENCH_PERF_CTL and $BENCH_PERF_ACK.
 *
 * Output, one line each, on stdout:
 *   RESULT SET WORKLOAD NS       one sample, in ns (per op where the
 *                                name ends in "/op", per 4 KiB page for
 *                                "/page")
 *   MEM SET BACKING KIB_PER_GIB  kernel memory while mapped, per GiB
 *   MEMTRY SET BACKING SLAB SEC VMALLOC MEMFREE   its tries' raw deltas
 * and on stderr "bench: round R SET: WORKLOAD ..." before each workload.
 * Exit status 0 when every workload ran; a failing ioctl stops the program.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/iommufd_test.h>
#include <linux/vfio.h>

#include "edu.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define SZ_4K (4096UL)
#define SZ_64K (65536UL)
#define SZ_1M (1UL << 20)
#define SZ_2M (2UL << 20)
#define SZ_1G (1UL << 30)
/* IOVAs: well above the first 4 GiB (VT-d's MSI window), below 2^39. */
#define IOVA_A (1UL << 34)
#define IOVA_B (1UL << 36)

/*
 * B_4K: 4 KiB pages faulted in ascending.  How many of them are also
 * neighbours in physical memory depends on the page allocator's past:
 * the first process after boot got a GiB in some 40 runs, later ones in
 * 35,000 to 60,000, and that made mapping and unmapping 10-15 % slower
 * for either module.  So the 4K buffer of the map rows is one tmpfs file
 * that every bench process of a run maps (shared_4k_get()): each module
 * set pins the same pages.
 * B_REUSED: the same, but the file is made after a GiB of memory was
 * faulted in and freed, the layout later processes get: most 2 MiB
 * blocks still in stretches of hundreds of pages or more, but block
 * boundaries inside them, and a fifth of the pages one frame below the
 * one before.
 * B_SCAT: 4 KiB pages faulted in out of order, so that no two neighbours
 * are neighbours in physical memory either, whatever the free lists hold.
 */
enum backing { B_4K, B_THP, B_HTLB, B_SCAT, B_REUSED };
static const char *const backing_name[] = { "4K", "THP", "HTLB",
					    "4K_scattered", "4K_reused" };

static const char *set = "?";
static const char *round_s = "?";
static unsigned long scale = 1;	/* -q: 8 */
static const char *profile_phase;	/* -p: "map" or "unmap" */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench: %s: FAILED: ", set);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (%s)\n", strerror(errno));
	va_end(ap);
	exit(1);
}

static void progress(const char *what)
{
	fprintf(stderr, "bench: round %s %s: %s ...\n", round_s, set, what);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void result(const char *name, uint64_t ns)
{
	printf("RESULT %s %s %llu\n", set, name, (unsigned long long)ns);
	fflush(stdout);
}

/* "1G", "256M", "64K": the size in a workload's name. */
static const char *sz(unsigned long len)
{
	static char bufs[4][16];
	static int n;
	char *b = bufs[n++ % 4];

	if (len >= SZ_1G && !(len % SZ_1G))
		snprintf(b, 16, "%luG", len / SZ_1G);
	else if (len >= SZ_1M && !(len % SZ_1M))
		snprintf(b, 16, "%luM", len / SZ_1M);
	else
		snprintf(b, 16, "%luK", len / 1024);
	return b;
}

/* Bytes of [p, p + len) that /proc/self/smaps shows as anonymous THP. */
static unsigned long thp_bytes(const char *p, unsigned long len)
{
	unsigned long start, end, kb, total = 0;
	int inside = 0;
	char line[256];
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			inside = start < (uintptr_t)p + len && end > (uintptr_t)p;
		else if (inside &&
			 (sscanf(line, "AnonHugePages: %lu kB", &kb) == 1 ||
			  sscanf(line, "ShmemPmdMapped: %lu kB", &kb) == 1))
			total += kb * 1024;
	}
	fclose(f);
	return total;
}

/* Say so when a 4K buffer has huge pages, which its rows' names deny. */
static void warn_4k_thp(const char *p, unsigned long len)
{
	unsigned long huge = thp_bytes(p, len);

	if (huge)
		fprintf(stderr,
			"bench: warning: %lu MiB of the %s 4K buffer in huge pages\n",
			huge >> 20, sz(len));
}

/* User memory of @len bytes, faulted in, backed as asked. */
static void *buf_get(unsigned long len, enum backing b)
{
	unsigned long alloc = b == B_THP ? len + SZ_2M : len;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	char *p;

	if (b == B_HTLB)
		flags |= MAP_HUGETLB | MAP_POPULATE;
	p = mmap(NULL, alloc, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		die("mmap %s %s", sz(len), backing_name[b]);
	if (b == B_THP)
		p = (char *)(((uintptr_t)p + SZ_2M - 1) & ~(SZ_2M - 1));
	if (b == B_HTLB)
		return p;
	/*
	 * The THP choice is made at fault time, so advise first and fault
	 * in afterwards (MAP_POPULATE would fault before the advice).
	 */
	if (madvise(p, len, b == B_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		die("madvise");
	if (b == B_SCAT) {
		/* Odd pages from the top down, then even ones. */
		for (long i = len / SZ_4K - 1; i >= 0; i -= 2)
			p[i * SZ_4K] = 1;
		for (long i = len / SZ_4K - 2; i >= 0; i -= 2)
			p[i * SZ_4K] = 1;
	} else if (madvise(p, len, MADV_POPULATE_WRITE)) {
		die("MADV_POPULATE_WRITE");
	}
	/* Say so when the backing is not what the rows' names claim. */
	if (b == B_THP && thp_bytes(p, len) < len)
		fprintf(stderr,
			"bench: warning: %lu MiB of the %s THP buffer in huge pages\n",
			thp_bytes(p, len) >> 20, sz(len));
	if (b == B_4K || b == B_SCAT)
		warn_4k_thp(p, len);
	return p;
}

/* ---- /dev/iommu ---- */

static int ifd;

static __u32 ioas_alloc(void)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	if (ioctl(ifd, IOMMU_IOAS_ALLOC, &cmd))
		die("IOMMU_IOAS_ALLOC");
	return cmd.out_ioas_id;
}

static void destroy(__u32 id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	if (ioctl(ifd, IOMMU_DESTROY, &cmd))
		die("IOMMU_DESTROY %u", id);
}

static void ioas_map(__u32 ioas, void *buf, unsigned long len, __u64 iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd), .ioas_id = ioas,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = (uintptr_t)buf, .length = len, .iova = iova,
	};

	if (ioctl(ifd, IOMMU_IOAS_MAP, &cmd))
		die("IOMMU_IOAS_MAP %s at 0x%llx", sz(len), (unsigned long long)iova);
}

static void ioas_unmap(__u32 ioas, __u64 iova, unsigned long len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .iova = iova,
		.length = len,
	};

	if (ioctl(ifd, IOMMU_IOAS_UNMAP, &cmd))
		die("IOMMU_IOAS_UNMAP %s", sz(len));
}

static __u32 hwpt_alloc(__u32 dev, __u32 pt, __u32 flags)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = flags, .dev_id = dev, .pt_id = pt,
	};

	if (ioctl(ifd, IOMMU_HWPT_ALLOC, &cmd))
		die("IOMMU_HWPT_ALLOC");
	return cmd.out_hwpt_id;
}

/* ---- VFIO type1 ---- */

static int container;

static void dma_map(void *buf, unsigned long len, __u64 iova)
{
	struct vfio_iommu_type1_dma_map cmd = {
		.argsz = sizeof(cmd),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)buf, .iova = iova, .size = len,
	};

	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &cmd))
		die("VFIO_IOMMU_MAP_DMA %s", sz(len));
}

static void dma_unmap(__u64 iova, unsigned long len)
{
	struct vfio_iommu_type1_dma_unmap cmd = {
		.argsz = sizeof(cmd), .iova = iova, .size = len,
	};

	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &cmd))
		die("VFIO_IOMMU_UNMAP_DMA %s", sz(len));
}

/* ---- one interface for the map/unmap rows of both ---- */

static int type1;
static __u32 map_ioas;	/* the IOAS edu is attached to (iommufd mode) */

static void do_map(void *buf, unsigned long len, __u64 iova)
{
	if (type1)
		dma_map(buf, len, iova);
	else
		ioas_map(map_ioas, buf, len, iova);
}

static void do_unmap(__u64 iova, unsigned long len)
{
	if (type1)
		dma_unmap(iova, len);
	else
		ioas_unmap(map_ioas, iova, len);
}

/* Map and unmap @len of @buf in one call each, @reps times. */
static void row_map_unmap(void *buf, unsigned long len, enum backing b,
			  int reps, int per_page)
{
	char name[96], what[96];

	snprintf(what, sizeof(what), "map+unmap %s %s", sz(len),
		 backing_name[b]);
	progress(what);
	for (int i = 0; i < reps; i++) {
		uint64_t t0 = now_ns(), t1, t2;

		do_map(buf, len, IOVA_A);
		t1 = now_ns();
		do_unmap(IOVA_A, len);
		t2 = now_ns();
		snprintf(name, sizeof(name), "map_%s_%s", sz(len), backing_name[b]);
		result(name, t1 - t0);
		snprintf(name, sizeof(name), "unmap_%s_%s", sz(len), backing_name[b]);
		result(name, t2 - t1);
		snprintf(name, sizeof(name), "map+unmap_%s_%s", sz(len), backing_name[b]);
		result(name, t2 - t0);
		if (per_page) {
			snprintf(name, sizeof(name), "map+unmap_%s_%s/page",
				 sz(len), backing_name[b]);
			result(name, (t2 - t0) / (len / SZ_4K));
		}
	}
}

/* @n maps of @chunk each, then @n unmaps. */
static void row_many(void *buf, unsigned long n, unsigned long chunk, int reps)
{
	char name[96], what[96];

	snprintf(what, sizeof(what), "%lu maps of %s, then unmaps", n, sz(chunk));
	progress(what);
	for (int i = 0; i < reps; i++) {
		uint64_t t0 = now_ns(), t1, t2;

		for (unsigned long k = 0; k < n; k++)
			do_map((char *)buf + k * chunk, chunk, IOVA_A + k * chunk);
		t1 = now_ns();
		for (unsigned long k = 0; k < n; k++)
			do_unmap(IOVA_A + k * chunk, chunk);
		t2 = now_ns();
		snprintf(name, sizeof(name), "maps_%lux%s", n, sz(chunk));
		result(name, t1 - t0);
		snprintf(name, sizeof(name), "unmaps_%lux%s", n, sz(chunk));
		result(name, t2 - t1);
	}
}

/* One 4 KiB page mapped and unmapped @n times: ns per map+unmap. */
static void row_one_page(void *buf, unsigned long n, int reps)
{
	progress("map+unmap of one 4K page, per op");
	for (int i = 0; i < reps; i++) {
		uint64_t t0 = now_ns();

		for (unsigned long k = 0; k < n; k++) {
			do_map(buf, SZ_4K, IOVA_A);
			do_unmap(IOVA_A, SZ_4K);
		}
		result("map+unmap_1page_4K/op", (now_ns() - t0) / n);
	}
}

/* ---- kernel memory ---- */

static long meminfo_kb(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = atol(line + klen + 1);
			break;
		}
	fclose(f);
	return v;
}

/* The kernel's own allocations, in KiB, with the caches dropped first. */
struct kmem {
	long slab;	/* Slab: kmalloc of every size, xarray nodes, ... */
	long sec;	/* SecPageTables: IOMMU (and KVM) page tables */
	long vmalloc;	/* VmallocUsed: kvmalloc that fell back to vmalloc */
	long memfree;	/* MemFree, for comparison */
};

static void kmem_read(struct kmem *k)
{
	struct timespec ts = { .tv_nsec = 200000000 };

	sync();
	sysfs_write("/proc/sys/vm/drop_caches", "3");
	nanosleep(&ts, NULL);
	/*
	 * Fold each CPU's pending counts into the totals /proc/meminfo shows:
	 * otherwise up to a stat threshold of pages per CPU is missing, and
	 * a 4 KiB page table page need not show at all.
	 */
	sysfs_write("/proc/sys/vm/stat_refresh", "1");
	k->slab = meminfo_kb("Slab");
	k->sec = meminfo_kb("SecPageTables");
	k->vmalloc = meminfo_kb("VmallocUsed");
	k->memfree = meminfo_kb("MemFree");
}

/*
 * Kernel memory a mapping of @len takes: the growth of the counters of
 * struct kmem between before and after the map, with the device attached
 * (so the mapping is pinned and in an IOMMU page table).  The user memory
 * is faulted in beforehand and is in none of them.  MemFree is not used:
 * pages on the per-CPU free lists are not counted free, so small
 * allocations do not show there.  Each try maps at an IOVA never used
 * before, so the IOMMU page table's own pages are allocated anew, and one
 * backing page past an IOMMU superpage boundary (4 KiB past 2 MiB for 4K,
 * 2 MiB past 1 GiB for THP and hugetlbfs), so that no mapping can use an
 * IOMMU page larger than its backing's: whether the memory happens to be
 * physically contiguous beyond that differs from set to set and boot to
 * boot, and the row is about what the modules allocate.  One MEMTRY line
 * per try (the deltas of slab, sec, vmalloc, memfree), then the median of
 * the three tries' sums, per GiB.
 */
static void row_memory(void *buf, unsigned long len, enum backing b)
{
	static unsigned long slot;
	long d[3], t;
	char what[64];

	snprintf(what, sizeof(what), "kernel memory, %s %s mapped",
		 sz(len), backing_name[b]);
	progress(what);
	for (int i = 0; i < 3; i++) {
		__u64 iova = (1UL << 37) + slot++ * (4UL << 30) +
			     (b == B_4K ? SZ_4K : SZ_2M);
		struct kmem k0, k1;

		kmem_read(&k0);
		do_map(buf, len, iova);
		kmem_read(&k1);
		do_unmap(iova, len);
		d[i] = (k1.slab - k0.slab) + (k1.sec - k0.sec) +
		       (k1.vmalloc - k0.vmalloc);
		printf("MEMTRY %s %s %ld %ld %ld %ld\n", set, backing_name[b],
		       k1.slab - k0.slab, k1.sec - k0.sec,
		       k1.vmalloc - k0.vmalloc, k0.memfree - k1.memfree);
	}
	for (int i = 0; i < 2; i++)
		for (int j = i + 1; j < 3; j++)
			if (d[j] < d[i]) {
				t = d[i];
				d[i] = d[j];
				d[j] = t;
			}
	printf("MEM %s %s %ld\n", set, backing_name[b],
	       (long)((double)d[1] * SZ_1G / len));
	fflush(stdout);
}

/* ---- the modes ---- */

/*
 * Runs of physically contiguous pages in [p, p + len), all faulted in,
 * and in *@whole how many of its 2 MiB (from @p on) lie in one run: from
 * /proc/self/pagemap (root only); 0 if it cannot be read.
 */
static unsigned long phys_runs(const char *p, unsigned long len,
			       unsigned long *whole)
{
	const __u64 pfn_mask = (1ULL << 55) - 1;
	unsigned long runs = 0, n = len / SZ_4K;
	__u64 prev = 0, e[512];
	int fd = open("/proc/self/pagemap", O_RDONLY);

	*whole = 0;
	if (fd < 0)
		return 0;
	for (unsigned long i = 0; i < n; i += 512) {
		size_t k = n - i < 512 ? n - i : 512;
		off_t off = ((uintptr_t)p / SZ_4K + i) * sizeof(e[0]);
		ssize_t want = k * sizeof(e[0]);
		int one = k == 512;

		if (pread(fd, e, want, off) != want || !(e[0] & pfn_mask)) {
			runs = 0;
			break;
		}
		for (size_t j = 0; j < k; j++) {
			__u64 pfn = e[j] & pfn_mask;

			if (!runs || pfn != prev + 1) {
				runs++;
				one &= !j;
			}
			prev = pfn;
		}
		*whole += one;
	}
	close(fd);
	return runs;
}

/*
 * The map rows' 4K buffers: @len bytes of the tmpfs file $BENCH_SHARED
 * (B_4K) or $BENCH_SHARED-reused (B_REUSED), mounted huge=never by
 * rounds.sh, made and filled by the first bench process of the run and
 * mapped by each after it, so that every module set pins the same
 * physical pages (see B_4K).  Without $BENCH_SHARED, anonymous memory.
 * Prints how many physical runs the pages lie in.
 */
static void *shared_4k_get(unsigned long len, enum backing b)
{
	const char *shared = getenv("BENCH_SHARED");
	unsigned long runs, whole;
	char path[256];
	struct stat st;
	char *p;
	int fd;

	if (!shared || !*shared)
		return buf_get(len, B_4K);
	snprintf(path, sizeof(path), "%s%s", shared,
		 b == B_REUSED ? "-reused" : "");
	fd = open(path, O_RDWR | O_CREAT, 0600);
	if (fd < 0 || fstat(fd, &st))
		die("open %s", path);
	if ((unsigned long)st.st_size < len) {
		if (b == B_REUSED) {
			/* Memory a process had, handed out again. */
			p = buf_get(SZ_1G / scale, B_4K);
			munmap(p, SZ_1G / scale);
		}
		if (ftruncate(fd, len))
			die("ftruncate %s", path);
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap %s", path);
	close(fd);
	if (madvise(p, len, MADV_POPULATE_WRITE))
		die("MADV_POPULATE_WRITE %s", path);
	warn_4k_thp(p, len);
	runs = phys_runs(p, len, &whole);
	fprintf(stderr,
		"bench: round %s %s: the %s %s buffer, shared by all sets, lies in %lu physical runs, %lu of its %lu 2M in one\n",
		round_s, set, sz(len), backing_name[b], runs, whole,
		len / SZ_2M);
	return p;
}

struct bufs {
	void *p4k;	/* 2 GiB, 4 KiB pages */
	void *scat;	/* 256 MiB, 4 KiB pages, B_SCAT */
	void *reused;	/* 512 MiB, 4 KiB pages, B_REUSED */
	void *thp;	/* 1 GiB, THP */
	void *htlb;	/* 1 GiB, hugetlbfs 2 MiB */
};

static void bufs_get(struct bufs *bb)
{
	progress("faulting in the user memory (2G 4K, 512M 4K reused, 256M 4K scattered, 1G THP, 1G hugetlbfs)");
	bb->p4k = shared_4k_get(2 * SZ_1G / scale, B_4K);
	bb->reused = shared_4k_get(SZ_1G / 2 / scale, B_REUSED);
	bb->scat = buf_get(SZ_1G / 4 / scale, B_SCAT);
	bb->thp = buf_get(SZ_1G / scale, B_THP);
	bb->htlb = buf_get(SZ_1G / scale, B_HTLB);
}

/* The rows iommufd and type1 share; the device is attached already. */
static void map_rows(struct bufs *bb)
{
	unsigned long g = SZ_1G / scale;

	row_map_unmap(bb->p4k, g / 4, B_4K, 3, 1);
	row_map_unmap(bb->p4k, g, B_4K, 1, 1);
	row_map_unmap(bb->p4k, 2 * g, B_4K, 1, 1);
	row_map_unmap(bb->reused, g / 2, B_REUSED, 3, 1);
	row_map_unmap(bb->scat, g / 4, B_SCAT, 3, 1);
	row_map_unmap(bb->thp, g, B_THP, 2, 0);
	row_map_unmap(bb->htlb, g, B_HTLB, 2, 0);
	row_many(bb->p4k, 4096 / scale, SZ_64K, 1);
	row_many(bb->p4k, 16384 / scale, SZ_4K, 1);
	row_one_page(bb->p4k, 1000 / scale, 3);
	row_memory(bb->p4k, g, B_4K);
	row_memory(bb->thp, g, B_THP);
	row_memory(bb->htlb, g, B_HTLB);
}

/*
 * Scale (iommufd only: type1 stops at 65535 mappings): 100,000 areas of
 * 4 KiB in one IOAS with edu attached, and 1,000 IOASes on one file, each
 * with one 2 MiB THP area (not pinned: nothing is attached to them).
 */
static void scale_rows(struct bufs *bb)
{
	unsigned long n = 100000 / scale, nioas = 1000 / scale;
	__u32 *ioas = calloc(nioas, sizeof(*ioas));
	uint64_t t0, t1, t2, t3;
	char what[96], name[64];

	if (!ioas)
		die("calloc");
	row_many(bb->p4k, n, SZ_4K, 1);

	snprintf(what, sizeof(what),
		 "%lu IOASes on one file, each holding 2M THP", nioas);
	progress(what);
	for (int i = 0; i < 2; i++) {
		t0 = now_ns();
		for (unsigned long k = 0; k < nioas; k++)
			ioas[k] = ioas_alloc();
		t1 = now_ns();
		for (unsigned long k = 0; k < nioas; k++)
			ioas_map(ioas[k], bb->thp, SZ_2M, IOVA_A);
		t2 = now_ns();
		for (unsigned long k = 0; k < nioas; k++)
			destroy(ioas[k]);
		t3 = now_ns();
		snprintf(name, sizeof(name), "ioas_alloc_%lu", nioas);
		result(name, t1 - t0);
		snprintf(name, sizeof(name), "ioas_map_%lux2M_THP", nioas);
		result(name, t2 - t1);
		snprintf(name, sizeof(name), "ioas_destroy_%lu", nioas);
		result(name, t3 - t2);
	}
	free(ioas);
}

static void timed_attach(struct edu *edu, __u32 ioas, const char *tag)
{
	char name[64];
	__u32 pt = ioas;
	uint64_t t0 = now_ns(), t1;

	if (edu_attach(edu, &pt))
		die("attach");
	t1 = now_ns();
	snprintf(name, sizeof(name), "attach_%s", tag);
	result(name, t1 - t0);
	if (edu_detach(edu))
		die("detach");
	snprintf(name, sizeof(name), "detach_%s", tag);
	result(name, now_ns() - t1);
}

#define PROFILE_REPS 12

/*
 * Tell perf record to enable or disable its events, and wait for its
 * acknowledgment, so that nothing of the other phase is sampled.
 */
static void perf_ctl(int ctl, int ack, const char *cmd)
{
	char buf[16];

	if (write(ctl, cmd, strlen(cmd)) != (ssize_t)strlen(cmd) ||
	    read(ack, buf, sizeof(buf)) <= 0)
		die("perf control %s", cmd);
}

/* -p: the headline 4K row, perf sampling one of its phases. */
static void profile_rows(struct bufs *bb)
{
	const char *ctl_path = getenv("BENCH_PERF_CTL");
	const char *ack_path = getenv("BENCH_PERF_ACK");
	int on_map = !strcmp(profile_phase, "map");
	unsigned long g = SZ_1G / scale;
	char what[96], map_name[32], unmap_name[32];
	int ctl, ack;

	if (!ctl_path || !ack_path)
		die("-p needs $BENCH_PERF_CTL and $BENCH_PERF_ACK");
	ctl = open(ctl_path, O_WRONLY);
	ack = open(ack_path, O_RDONLY);
	if (ctl < 0 || ack < 0)
		die("open the perf control FIFOs");
	snprintf(what, sizeof(what), "map+unmap %s 4K, %d times, perf sampling each %s",
		 sz(g), PROFILE_REPS, profile_phase);
	progress(what);
	snprintf(map_name, sizeof(map_name), "map_%s_4K", sz(g));
	snprintf(unmap_name, sizeof(unmap_name), "unmap_%s_4K", sz(g));
	for (int i = 0; i < PROFILE_REPS; i++) {
		uint64_t t0, t1, t2, t3;

		if (on_map)
			perf_ctl(ctl, ack, "enable\n");
		t0 = now_ns();
		do_map(bb->p4k, g, IOVA_A);
		t1 = now_ns();
		if (on_map)
			perf_ctl(ctl, ack, "disable\n");
		else
			perf_ctl(ctl, ack, "enable\n");
		t2 = now_ns();
		do_unmap(IOVA_A, g);
		t3 = now_ns();
		if (!on_map)
			perf_ctl(ctl, ack, "disable\n");
		result(map_name, t1 - t0);
		result(unmap_name, t3 - t2);
	}
	close(ctl);
	close(ack);
}

static void iommufd_mode(void)
{
	unsigned long g = SZ_1G / scale;
	struct edu edu = { .devfd = -1 };
	struct bufs bb;
	char tag[32], what[96];
	__u32 pt, src, dst, hwpt;

	ifd = open("/dev/iommu", O_RDWR);
	if (ifd < 0)
		die("open /dev/iommu");
	if (edu_find(&edu) || edu_open_cdev(&edu) || edu_bind(&edu, ifd))
		die("edu: bind to vfio-pci and /dev/iommu");
	if (profile_phase)	/* the 4K file alone, as bufs_get() makes it */
		bb.p4k = shared_4k_get(2 * SZ_1G / scale, B_4K);
	else
		bufs_get(&bb);

	map_ioas = ioas_alloc();
	pt = map_ioas;
	if (edu_attach(&edu, &pt))
		die("attach edu");
	if (profile_phase) {
		profile_rows(&bb);
		return;
	}
	map_rows(&bb);
	scale_rows(&bb);

	/* edu moves onto an IOAS already holding the memory, and back. */
	if (edu_detach(&edu))
		die("detach edu");
	for (int b = 0; b < 2; b++) {
		void *buf = b ? bb.p4k : bb.thp;
		unsigned long len = b ? g / 4 : g;

		snprintf(tag, sizeof(tag), "%s_%s", sz(len), b ? "4K" : "THP");
		snprintf(what, sizeof(what), "attach/detach, IOAS holding %s %s",
			 sz(len), b ? "4K" : "THP");
		progress(what);
		for (int i = 0; i < 2; i++) {
			__u32 ioas = ioas_alloc();

			ioas_map(ioas, buf, len, IOVA_A);
			timed_attach(&edu, ioas, tag);
			destroy(ioas);
		}
	}

	/* A second domain for edu on an IOAS it is attached to already. */
	snprintf(tag, sizeof(tag), "%s_THP", sz(g));
	snprintf(what, sizeof(what),
		 "IOMMU_HWPT_ALLOC/IOMMU_DESTROY of a second domain, %s", tag);
	progress(what);
	pt = map_ioas;
	if (edu_attach(&edu, &pt))
		die("attach edu");
	ioas_map(map_ioas, bb.thp, g, IOVA_A);
	for (int i = 0; i < 2; i++) {
		uint64_t t0 = now_ns(), t1;
		char name[64];

		hwpt = hwpt_alloc(edu.devid, map_ioas, 0);
		t1 = now_ns();
		destroy(hwpt);
		snprintf(name, sizeof(name), "hwpt_alloc_%s", tag);
		result(name, t1 - t0);
		snprintf(name, sizeof(name), "hwpt_destroy_%s", tag);
		result(name, now_ns() - t1);
	}

	/*
	 * IOMMU_IOAS_COPY into an IOAS with a domain of its own (a HWPT
	 * allocated there for edu, which stays attached elsewhere), from a
	 * source whose pages are pinned (map_ioas, edu attached) or not (an
	 * IOAS with nothing attached).  Only the source differs.
	 */
	for (int pinned = 0; pinned < 2; pinned++) {
		char name[64];

		snprintf(what, sizeof(what), "IOMMU_IOAS_COPY %s THP, source %s",
			 sz(g), pinned ? "pinned" : "not pinned");
		progress(what);
		if (pinned) {
			src = map_ioas;
		} else {
			src = ioas_alloc();
			ioas_map(src, bb.thp, g, IOVA_A);
		}
		for (int i = 0; i < 2; i++) {
			struct iommu_ioas_copy cmd = {
				.size = sizeof(cmd),
				.flags = IOMMU_IOAS_MAP_FIXED_IOVA |
					 IOMMU_IOAS_MAP_READABLE |
					 IOMMU_IOAS_MAP_WRITEABLE,
				.src_ioas_id = src, .src_iova = IOVA_A,
				.dst_iova = IOVA_B, .length = g,
			};
			uint64_t t0;

			dst = ioas_alloc();
			hwpt = hwpt_alloc(edu.devid, dst, 0);
			cmd.dst_ioas_id = dst;
			t0 = now_ns();
			if (ioctl(ifd, IOMMU_IOAS_COPY, &cmd))
				die("IOMMU_IOAS_COPY");
			snprintf(name, sizeof(name), "copy_%s_THP_%s", sz(g),
				 pinned ? "pinned" : "unpinned");
			result(name, now_ns() - t0);
			ioas_unmap(dst, IOVA_B, g);
			destroy(hwpt);
			destroy(dst);
		}
		if (!pinned)
			destroy(src);
	}
	ioas_unmap(map_ioas, IOVA_A, g);
	if (edu_detach(&edu))
		die("detach edu");
	destroy(map_ioas);
	close(edu.devfd);
	close(ifd);
}

static int test_cmd(struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(ifd, IOMMU_TEST_CMD, cmd);
}

/* The rows that need the test ABI: in-kernel access, mock dirty bitmap. */
static void test_mode(void)
{
	unsigned long g = SZ_1G / scale, bmlen = g / SZ_4K / 8;
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_CREATE_ACCESS };
	void *mem, *local, *bits;
	char name[64];
	__u32 ioas, hwpt;
	int afd;

	ifd = open("/dev/iommu", O_RDWR);
	if (ifd < 0)
		die("open /dev/iommu");

	progress("in-kernel access rw 1M");
	mem = buf_get(SZ_2M, B_4K);
	local = buf_get(SZ_1M, B_4K);
	ioas = ioas_alloc();
	ioas_map(ioas, mem, SZ_2M, IOVA_A);
	cmd.id = ioas;
	if (test_cmd(&cmd))
		die("IOMMU_TEST_OP_CREATE_ACCESS");
	afd = cmd.create_access.out_access_fd;
	for (int w = 0; w < 2; w++)
		for (int i = 0; i < 10; i++) {
			struct iommu_test_cmd rw = {
				.op = IOMMU_TEST_OP_ACCESS_RW, .id = afd,
				.access_rw = { .iova = IOVA_A, .length = SZ_1M,
					       .uptr = (uintptr_t)local,
					       .flags = w ? MOCK_ACCESS_RW_WRITE : 0 },
			};
			uint64_t t0 = now_ns();

			if (test_cmd(&rw))
				die("IOMMU_TEST_OP_ACCESS_RW");
			result(w ? "access_write_1M" : "access_read_1M",
			       now_ns() - t0);
		}
	close(afd);
	destroy(ioas);

	snprintf(name, sizeof(name), "dirty bitmap read of %s on the mock IOMMU",
		 sz(g));
	progress(name);
	mem = buf_get(g, B_THP);
	bits = malloc(g / 2048 / 8);
	if (!bits)
		die("malloc");
	memset(bits, 0xff, g / 2048 / 8);
	ioas = ioas_alloc();
	cmd = (struct iommu_test_cmd){ .op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = ioas };
	if (test_cmd(&cmd))
		die("IOMMU_TEST_OP_MOCK_DOMAIN");
	hwpt = hwpt_alloc(cmd.mock_domain.out_idev_id, ioas,
			  IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	ioas_map(ioas, mem, g, MOCK_APERTURE_START);
	{
		struct iommu_hwpt_set_dirty_tracking on = {
			.size = sizeof(on), .hwpt_id = hwpt,
			.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
		};

		if (ioctl(ifd, IOMMU_HWPT_SET_DIRTY_TRACKING, &on))
			die("IOMMU_HWPT_SET_DIRTY_TRACKING");
	}
	for (int i = 0; i < 3; i++) {
		struct iommu_test_cmd mark = {
			.op = IOMMU_TEST_OP_DIRTY, .id = hwpt,
			.dirty = { .iova = MOCK_APERTURE_START, .length = g,
				   .page_size = 2048, .uptr = (uintptr_t)bits },
		};
		struct iommu_hwpt_get_dirty_bitmap get = {
			.size = sizeof(get), .hwpt_id = hwpt,
			.iova = MOCK_APERTURE_START, .length = g,
			.page_size = SZ_4K,
		};
		void *out = calloc(1, bmlen);
		uint64_t t0;

		if (!out)
			die("calloc");
		get.data = (uintptr_t)out;
		if (test_cmd(&mark))
			die("IOMMU_TEST_OP_DIRTY");
		t0 = now_ns();
		if (ioctl(ifd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get))
			die("IOMMU_HWPT_GET_DIRTY_BITMAP");
		snprintf(name, sizeof(name), "dirty_read_%s_all_dirty", sz(g));
		result(name, now_ns() - t0);
		t0 = now_ns();
		if (ioctl(ifd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get))
			die("IOMMU_HWPT_GET_DIRTY_BITMAP");
		snprintf(name, sizeof(name), "dirty_read_%s_clean", sz(g));
		result(name, now_ns() - t0);
		free(out);
	}
	ioas_unmap(ioas, MOCK_APERTURE_START, g);
	destroy(hwpt);
	destroy(cmd.mock_domain.out_stdev_id);
	destroy(ioas);
	close(ifd);
}

static void type1_mode(void)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct edu edu = { .devfd = -1 };
	char path[300], link[300];
	const char *grp;
	struct bufs bb;
	ssize_t n;
	int gfd;

	if (edu_find(&edu))
		die("no edu device");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 edu.bdf);
	if (sysfs_write(path, "vfio-pci"))
		die("driver_override");
	sysfs_write("/sys/bus/pci/drivers_probe", edu.bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 edu.bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		die("readlink %s", path);
	link[n] = 0;
	grp = strrchr(link, '/') + 1;
	snprintf(path, sizeof(path), "/dev/vfio/%s", grp);
	container = open("/dev/vfio/vfio", O_RDWR);
	gfd = open(path, O_RDWR);
	if (container < 0 || gfd < 0)
		die("open /dev/vfio/vfio, %s", path);
	if (ioctl(gfd, VFIO_GROUP_GET_STATUS, &st) ||
	    !(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group %s not viable", grp);
	if (ioctl(gfd, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("container setup");
	type1 = 1;
	bufs_get(&bb);
	map_rows(&bb);
	close(gfd);
	close(container);
}

int main(int argc, char **argv)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	int opt;

	while ((opt = getopt(argc, argv, "qp:s:r:")) != -1) {
		switch (opt) {
		case 'q':
			scale = 8;
			break;
		case 'p':
			if (strcmp(optarg, "map") && strcmp(optarg, "unmap"))
				goto usage;
			profile_phase = optarg;
			break;
		case 's':
			set = optarg;
			break;
		case 'r':
			round_s = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
	if (setrlimit(RLIMIT_MEMLOCK, &unlimited))
		die("setrlimit(RLIMIT_MEMLOCK)");
	if (profile_phase && strcmp(argv[optind], "iommufd"))
		goto usage;
	if (!strcmp(argv[optind], "iommufd"))
		iommufd_mode();
	else if (!strcmp(argv[optind], "test"))
		test_mode();
	else if (!strcmp(argv[optind], "type1"))
		type1_mode();
	else
		goto usage;
	return 0;
usage:
	fprintf(stderr, "usage: bench [-q] -s SET -r ROUND iommufd|test|type1\n"
			"       bench [-q] -p map|unmap -s SET -r ROUND iommufd\n");
	return 64;
}
