// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fail-nth sweep: each main sequence of the uAPI is replayed with its
 * Nth failure point made to fail, for N = 1, 2, ... until a run gets
 * through without reaching the Nth point.  After every run the files are
 * closed and nothing may be left behind: objects, pinned pages, VmPin and
 * VmLck back where they were (kmemleak and the kernel log are checked by
 * the VM harness).  The last run, with no failure, must succeed, so the
 * sequence itself is known to be right.
 *
 * On a kernel with fault injection (the debug kernel) the count goes
 * through /proc/self/task/TID/fail-nth: every slab and page allocation of
 * the thread is a point, besides the module's own (fail_iommufd); VFIO
 * bind excepted, see there.  On Debian's kernel, through the test build's
 * debugfs fail_nth: the module's points only (module/selftest/fail_nth.c).
 *
 * Charges are checked in the process accounting mode, without
 * CAP_IPC_LOCK, so that every pin is charged to VmLck.
 */
#include <poll.h>
#include <sys/syscall.h>

#include "account_utils.h"
#include "edu.h"
#include "mem_utils.h"
#include "mock_utils.h"

#define LEN (64 * 4096UL)
#define MAX_RUNS 5000
#define VIRT 0x42

/* The sequence's view: the open file, what to close, the shared buffer. */
struct seq {
	int fd;
	int fds[8];
	int nfds;
	unsigned char *buf;
	struct edu *edu;
};

static int seq_keep_fd(struct seq *s, int fd)
{
	if (fd < 0 || s->nfds == (int)(sizeof(s->fds) / sizeof(s->fds[0])))
		return -1;
	s->fds[s->nfds++] = fd;
	return 0;
}

/* The failure counter of this thread: the kernel's, or the module's. */
static int nth_fd = -1;
static int nth_is_kernel;

/*
 * Every allocation may fail, not only those that may not sleep; and the
 * injected failures are expected, so no stack dump for each.
 */
static int kernel_fault_injection_setup(void)
{
	static const char *const attrs[] = {
		"failslab", "fail_page_alloc", "fail_iommufd",
	};
	char path[128];

	if (sysfs_write("/sys/kernel/debug/failslab/ignore-gfp-wait", "N"))
		return -1;
	sysfs_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	sysfs_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem",
		      "N");
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/verbose",
			 attrs[i]);
		sysfs_write(path, "0");
	}
	return 0;
}

/*
 * @module_only: count the module's points only, even where the kernel
 * could fail every allocation (for sequences that run through other
 * drivers, whose own failure paths are not this project's).
 */
static void nth_open(int module_only)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	nth_fd = module_only ? -1 : open(path, O_RDWR | O_CLOEXEC);
	if (nth_fd >= 0 && !kernel_fault_injection_setup()) {
		nth_is_kernel = 1;
		return;
	}
	if (nth_fd >= 0)
		close(nth_fd);
	nth_fd = open(IOMMUFD_DEBUGFS "/fail_nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0)
		SKIP("no fail-nth here: not the test build of iommufd.ko");
}

static int nth_arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(nth_fd, buf, len, 0) == len ? 0 : -1;
}

/* Disarm; how much of the count was left (0: the failure happened). */
static long nth_disarm(void)
{
	char buf[32] = "";
	ssize_t n = pread(nth_fd, buf, sizeof(buf) - 1, 0);

	if (pwrite(nth_fd, "0", 1, 0) != 1 || n <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/* What must come back to where it was after each run. */
struct counters {
	long objects, pinned, vm_pin, vm_lck;
};

static void counters_read(struct counters *c)
{
	c->objects = iommufd_live_objects();
	c->pinned = iommufd_pinned_pages();
	c->vm_pin = proc_status_pages("VmPin");
	c->vm_lck = proc_status_pages("VmLck");
}

struct sweep_result {
	unsigned int runs;	/* with a failure injected */
	unsigned int failed;	/* of those, where the sequence failed */
};

/*
 * Replay @run with the Nth point failing for N = 1.. until a run reaches
 * no Nth point; a fresh file (in process accounting mode) for each.
 */
static void sweep(const char *name, int (*prepare)(struct seq *s),
		  int (*run)(struct seq *s), struct edu *edu,
		  struct sweep_result *res)
{
	struct counters before, after;
	unsigned int n;

	memset(res, 0, sizeof(*res));
	counters_read(&before);
	if (before.objects < 0 || before.pinned < 0)
		SKIP("%s missing: not the test build of iommufd.ko",
		     IOMMUFD_DEBUGFS);
	for (n = 1; n <= MAX_RUNS; n++) {
		struct seq s = { .edu = edu };
		long left;
		int rc, err;

		s.fd = iommufd_open();
		ASSERT_OK(set_rlimit_mode(s.fd, 1));
		s.buf = test_buffer(LEN);
		ASSERT_NE(NULL, s.buf);
		if (prepare)
			ASSERT_OK(prepare(&s));
		if (edu) {
			ASSERT_OK(edu_open_cdev(edu));
			ASSERT_OK(seq_keep_fd(&s, edu->devfd));
		}

		ASSERT_OK(nth_arm(n));
		rc = run(&s);
		err = errno;
		left = nth_disarm();
		ASSERT_LE(0, left);

		for (int i = s.nfds - 1; i >= 0; i--)
			ASSERT_OK(close(s.fds[i]));
		ASSERT_OK(close(s.fd));
		ASSERT_OK(munmap(s.buf, LEN));
		counters_read(&after);
		if (memcmp(&before, &after, sizeof(before)))
			harness_abort(__FILE__, __LINE__,
				      "%s, failure %u: left objects %ld, pinned %ld, VmPin %ld, VmLck %ld pages",
				      name, n, after.objects - before.objects,
				      after.pinned - before.pinned,
				      after.vm_pin - before.vm_pin,
				      after.vm_lck - before.vm_lck);
		if (left) {
			/* Ran whole: no failure point left to try. */
			if (rc)
				harness_abort(__FILE__, __LINE__,
					      "%s fails with no failure injected (errno %s)",
					      name, strerrorname_np(err));
			break;
		}
		res->runs++;
		if (rc)
			res->failed++;
	}
	ASSERT_GE(MAX_RUNS, n);
	ASSERT_LT(0, res->runs);
	printf("# %s: %u failures injected (%s), %u failed the sequence, all unwound\n",
	       name, res->runs, nth_is_kernel ? "allocations and the module's points" :
	       "the module's points", res->failed);
}

#define SEQ_OK(call)				\
	do {					\
		if (call)			\
			return -1;		\
	} while (0)

static int seq_map(struct seq *s)
{
	__u64 iova = 0;
	__u32 ioas;

	SEQ_OK(_ioas_alloc(s->fd, &ioas));
	SEQ_OK(_ioas_map(s->fd, ioas, s->buf, LEN, &iova, MAP_RW));
	SEQ_OK(_ioas_map_fixed(s->fd, ioas, s->buf, LEN, BASE));
	SEQ_OK(_ioas_unmap(s->fd, ioas, iova, LEN, NULL));
	SEQ_OK(_ioas_unmap(s->fd, ioas, 0, UINT64_MAX, NULL));
	return 0;
}

/*
 * Map into a mock domain, then a second domain filled from the first,
 * then a map that fills both.
 */
static int seq_map_domain(struct seq *s)
{
	__u32 ioas, stdev, hwpt, idev, hwpt2;

	SEQ_OK(_ioas_alloc(s->fd, &ioas));
	SEQ_OK(mock_domain(s->fd, ioas, 0, &stdev, &hwpt, &idev));
	SEQ_OK(_ioas_map_fixed(s->fd, ioas, s->buf, LEN, BASE));
	SEQ_OK(check_map(s->fd, hwpt, BASE, s->buf, LEN));
	SEQ_OK(hwpt_alloc(s->fd, idev, ioas, 0, 0, IOMMU_HWPT_DATA_NONE, NULL,
			  0, &hwpt2));
	SEQ_OK(check_map(s->fd, hwpt2, BASE, s->buf, LEN));
	SEQ_OK(_ioas_map_fixed(s->fd, ioas, s->buf, LEN, BASE + LEN));
	SEQ_OK(check_map(s->fd, hwpt, BASE + LEN, s->buf, LEN));
	SEQ_OK(check_map(s->fd, hwpt2, BASE + LEN, s->buf, LEN));
	SEQ_OK(_ioas_unmap(s->fd, ioas, BASE, 2 * LEN, NULL));
	SEQ_OK(_destroy(s->fd, hwpt2));
	return 0;
}

/*
 * Before map_domain's sequence: every page of @s->buf a run of its own,
 * page i being page 2i of a buffer twice as long, moved over by mremap(),
 * so no two neighbours are neighbours in memory.  A fill then maps page
 * by page, in batches of runs, and with the mock driver failing at each
 * map in turn, it fails at every page of a batch: each must leave nothing
 * mapped or pinned.
 */
static int scatter_buffer(struct seq *s)
{
	unsigned char *from = mmap(NULL, 2 * LEN, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int rc = 0;

	if (from == MAP_FAILED)
		return -1;
	memset(from, 0x3c, 2 * LEN);
	for (size_t i = 0; i < LEN / PAGE_SZ && !rc; i++)
		if (mremap(from + 2 * i * PAGE_SZ, PAGE_SZ, PAGE_SZ,
			   MREMAP_MAYMOVE | MREMAP_FIXED,
			   s->buf + i * PAGE_SZ) == MAP_FAILED)
			rc = -1;
	munmap(from, 2 * LEN);
	return rc;
}

/* Small pages in physical order, two 2 MiB blocks of them. */
#define CONTIG_LEN (2 * HUGE)
static unsigned char *contig_buf;

/*
 * Small pages in physical order: a fill that notes its contiguity blocks
 * (a bitmap, done without if it cannot be had), a second domain read back
 * a block at a time, and an unmap that reads them back so.  (A type1 v1
 * cut, which copies the bitmap, maps page by page: a failure point per
 * page of the mock.  The unit test refuses that copy instead.)
 */
static int seq_map_contiguous(struct seq *s)
{
	__u32 ioas, stdev, idev, hwpt2;

	SEQ_OK(_ioas_alloc(s->fd, &ioas));
	SEQ_OK(mock_domain(s->fd, ioas, 0, &stdev, NULL, &idev));
	SEQ_OK(_ioas_map_fixed(s->fd, ioas, contig_buf, CONTIG_LEN, BASE));
	SEQ_OK(hwpt_alloc(s->fd, idev, ioas, 0, 0, IOMMU_HWPT_DATA_NONE, NULL,
			  0, &hwpt2));
	SEQ_OK(check_map(s->fd, hwpt2, BASE, contig_buf, CONTIG_LEN));
	SEQ_OK(_ioas_unmap(s->fd, ioas, BASE, CONTIG_LEN, NULL));
	SEQ_OK(_destroy(s->fd, hwpt2));
	return 0;
}

static int seq_copy(struct seq *s)
{
	__u32 src, dst, stdev, hwpt;

	SEQ_OK(_ioas_alloc(s->fd, &src));
	SEQ_OK(_ioas_alloc(s->fd, &dst));
	SEQ_OK(mock_domain(s->fd, dst, 0, &stdev, &hwpt, NULL));
	SEQ_OK(_ioas_map_fixed(s->fd, src, s->buf, LEN, BASE));
	SEQ_OK(_ioas_copy(s->fd, dst, BASE + LEN, src, BASE, LEN, MAP_RW));
	SEQ_OK(check_map(s->fd, hwpt, BASE + LEN, s->buf, LEN));
	SEQ_OK(_ioas_unmap(s->fd, src, BASE, LEN, NULL));
	return 0;
}

/* In-kernel access: pin, rw through pinned and unpinned pages, unpin. */
static int seq_access(struct seq *s)
{
	unsigned char tmp[2 * 4096];
	__u32 ioas, item;
	int access;

	SEQ_OK(_ioas_alloc(s->fd, &ioas));
	SEQ_OK(_ioas_map_fixed(s->fd, ioas, s->buf, LEN, BASE));
	access = _access_create(s->fd, ioas, 1);
	SEQ_OK(seq_keep_fd(s, access));
	SEQ_OK(_access_pin(s->fd, access, BASE, LEN / 2,
			   MOCK_FLAGS_ACCESS_WRITE, &item));
	SEQ_OK(_access_rw(s->fd, access, BASE + LEN / 2 - 4096, tmp,
			  sizeof(tmp), 0));
	SEQ_OK(_access_rw(s->fd, access, BASE, tmp, sizeof(tmp),
			  MOCK_FLAGS_ACCESS_WRITE));
	SEQ_OK(_access_unpin(s->fd, access, item));
	SEQ_OK(_ioas_unmap(s->fd, ioas, BASE, LEN, NULL));
	return 0;
}

/* Attach, replace between IOASes and HWPTs, detach by destroy. */
static int seq_replace(struct seq *s)
{
	__u32 ioas1, ioas2, stdev, idev, hwpt, pt;

	SEQ_OK(_ioas_alloc(s->fd, &ioas1));
	SEQ_OK(_ioas_alloc(s->fd, &ioas2));
	SEQ_OK(_ioas_map_fixed(s->fd, ioas1, s->buf, LEN, BASE));
	SEQ_OK(_ioas_map_fixed(s->fd, ioas2, s->buf, LEN / 2, BASE));
	SEQ_OK(mock_domain(s->fd, ioas1, 0, &stdev, NULL, &idev));
	pt = ioas2;
	SEQ_OK(mock_replace(s->fd, stdev, &pt));
	SEQ_OK(hwpt_alloc(s->fd, idev, ioas1, 0, 0, IOMMU_HWPT_DATA_NONE,
			  NULL, 0, &hwpt));
	pt = hwpt;
	SEQ_OK(mock_replace(s->fd, stdev, &pt));
	pt = ioas1;
	SEQ_OK(mock_replace(s->fd, stdev, &pt));
	SEQ_OK(_destroy(s->fd, hwpt));
	SEQ_OK(_destroy(s->fd, stdev));
	return 0;
}

/* One invalidation request. */
static int hwpt_invalidate_one(int fd, __u32 id, __u32 type, void *req,
			       __u32 len)
{
	__u32 num = 1;

	return invalidate(fd, id, type, req, len, &num);
}

static int seq_nested(struct seq *s)
{
	struct iommu_hwpt_invalidate_selftest inv = { .iotlb_id = 1 };
	__u32 ioas, stdev, idev, parent, nested, pt;

	SEQ_OK(_ioas_alloc(s->fd, &ioas));
	SEQ_OK(_ioas_map_fixed(s->fd, ioas, s->buf, LEN, BASE));
	SEQ_OK(device_and_parent(s->fd, ioas, 0, &stdev, &idev, &parent));
	SEQ_OK(nested_alloc(s->fd, idev, parent, 0, IOMMU_TEST_IOTLB_DEFAULT,
			    &nested));
	pt = nested;
	SEQ_OK(mock_replace(s->fd, stdev, &pt));
	SEQ_OK(hwpt_invalidate_one(s->fd, nested,
			       IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, &inv,
			       sizeof(inv)));
	SEQ_OK(check_iotlb(s->fd, nested, 1, 0));
	pt = parent;
	SEQ_OK(mock_replace(s->fd, stdev, &pt));
	SEQ_OK(_destroy(s->fd, nested));
	return 0;
}

/* A page request through a fault queue, read and answered. */
static int seq_fault(struct seq *s)
{
	struct iommu_hwpt_page_response resp = {
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};
	__u32 ioas, stdev, idev, parent, nested, fault_id, pt;
	struct iommu_hwpt_pgfault rec;
	struct iopf_counts c;
	int fault_fd;

	SEQ_OK(_ioas_alloc(s->fd, &ioas));
	SEQ_OK(device_and_parent(s->fd, ioas, 0, &stdev, &idev, &parent));
	SEQ_OK(fault_alloc(s->fd, &fault_id, &fault_fd));
	SEQ_OK(seq_keep_fd(s, fault_fd));
	SEQ_OK(nested_alloc(s->fd, idev, parent, fault_id,
			    IOMMU_TEST_IOTLB_DEFAULT, &nested));
	pt = nested;
	SEQ_OK(mock_replace(s->fd, stdev, &pt));
	SEQ_OK(trigger_iopf(s->fd, idev, 0, 1, BASE, 1));
	if (read(fault_fd, &rec, sizeof(rec)) != sizeof(rec))
		return -1;
	resp.cookie = rec.cookie;
	if (write(fault_fd, &resp, sizeof(resp)) != sizeof(resp))
		return -1;
	SEQ_OK(iopf_responses(s->fd, idev, &c));
	if (c.success != 1) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static int viommu_alloc(int fd, __u32 idev, __u32 hwpt, __u32 *out)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd), .type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.dev_id = idev, .hwpt_id = hwpt,
	};
	int rc = ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);

	*out = cmd.out_viommu_id;
	return rc;
}

/* vIOMMU, vDEVICE, vEVENTQ, a nested HWPT on it; an event and a flush. */
static int seq_viommu(struct seq *s)
{
	struct iommu_viommu_invalidate_selftest inv = { .vdev_id = VIRT };
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_veventq_alloc q = { .size = sizeof(q),
					 .type = IOMMU_VEVENTQ_TYPE_SELFTEST,
					 .veventq_depth = 4 };
	struct iommu_vdevice_alloc vd = { .size = sizeof(vd),
					  .virt_id = VIRT };
	__u32 ioas, stdev, idev, parent, viommu, nested, pt;
	struct iommu_test_cmd ev = {
		.op = IOMMU_TEST_OP_TRIGGER_VEVENT,
	};
	unsigned char rec[256];

	SEQ_OK(_ioas_alloc(s->fd, &ioas));
	SEQ_OK(device_and_parent(s->fd, ioas, 0, &stdev, &idev, &parent));
	SEQ_OK(viommu_alloc(s->fd, idev, parent, &viommu));
	vd.viommu_id = viommu;
	vd.dev_id = idev;
	SEQ_OK(ioctl(s->fd, IOMMU_VDEVICE_ALLOC, &vd));
	q.viommu_id = viommu;
	SEQ_OK(ioctl(s->fd, IOMMU_VEVENTQ_ALLOC, &q));
	SEQ_OK(seq_keep_fd(s, q.out_veventq_fd));
	SEQ_OK(hwpt_alloc(s->fd, idev, viommu, 0, 0, IOMMU_HWPT_DATA_SELFTEST,
			  &data, sizeof(data), &nested));
	pt = nested;
	SEQ_OK(mock_replace(s->fd, stdev, &pt));
	ev.trigger_vevent.dev_id = idev;
	SEQ_OK(_test_cmd(s->fd, &ev));
	if (read(q.out_veventq_fd, rec, sizeof(rec)) <= 0)
		return -1;
	SEQ_OK(hwpt_invalidate_one(s->fd, viommu,
			       IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, &inv,
			       sizeof(inv)));
	pt = parent;
	SEQ_OK(mock_replace(s->fd, stdev, &pt));
	SEQ_OK(_destroy(s->fd, nested));
	SEQ_OK(_destroy(s->fd, vd.out_vdevice_id));
	return 0;
}

static int test_memfd(void)
{
	int mfd = memfd_create("fail_nth", 0);

	if (mfd < 0)
		return -1;
	if (ftruncate(mfd, LEN)) {
		close(mfd);
		return -1;
	}
	return mfd;
}

static int map_file(int fd, __u32 ioas, int mfd, __u64 iova)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .fd = mfd,
		.flags = MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
		.length = LEN, .iova = iova,
	};

	return ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);
}

/* A memfd mapped into a domain, read by an access, then handed over. */
static int seq_map_file(struct seq *s)
{
	struct iommu_ioas_change_process cp = { .size = sizeof(cp) };
	unsigned char tmp[64];
	__u32 ioas, stdev;
	int mfd, access;

	mfd = test_memfd();
	SEQ_OK(seq_keep_fd(s, mfd));
	SEQ_OK(_ioas_alloc(s->fd, &ioas));
	SEQ_OK(mock_domain(s->fd, ioas, 0, &stdev, NULL, NULL));
	SEQ_OK(map_file(s->fd, ioas, mfd, BASE));
	access = _access_create(s->fd, ioas, 0);
	SEQ_OK(seq_keep_fd(s, access));
	SEQ_OK(_access_rw(s->fd, access, BASE + 100, tmp, sizeof(tmp), 0));
	SEQ_OK(ioctl(s->fd, IOMMU_IOAS_CHANGE_PROCESS, &cp));
	SEQ_OK(_ioas_unmap(s->fd, ioas, BASE, LEN, NULL));
	return 0;
}

/* A VFIO device bound, attached, replaced, mapped under, detached. */
static int seq_vfio(struct seq *s)
{
	__u32 ioas1, ioas2, pt;

	SEQ_OK(_ioas_alloc(s->fd, &ioas1));
	SEQ_OK(_ioas_alloc(s->fd, &ioas2));
	SEQ_OK(_ioas_map_fixed(s->fd, ioas1, s->buf, LEN, 1UL << 32));
	SEQ_OK(edu_bind(s->edu, s->fd));
	pt = ioas1;
	SEQ_OK(edu_attach(s->edu, &pt));
	pt = ioas2;
	SEQ_OK(edu_attach(s->edu, &pt));
	SEQ_OK(_ioas_map_fixed(s->fd, ioas2, s->buf, LEN, 1UL << 32));
	SEQ_OK(_ioas_unmap(s->fd, ioas2, 1UL << 32, LEN, NULL));
	SEQ_OK(edu_detach(s->edu));
	return 0;
}

static void sweep_one(const char *name, int (*prepare)(struct seq *s),
		      int (*run)(struct seq *s))
{
	struct sweep_result res;

	ASSERT_OK(drop_cap(CAP_IPC_LOCK));
	ASSERT_OK(set_memlock_pages(1UL << 20));
	nth_open(0);
	sweep(name, prepare, run, NULL, &res);
}

TEST_TIMEOUT(fail_nth, map, 900) { sweep_one("map", NULL, seq_map); }
TEST_TIMEOUT(fail_nth, map_domain, 900)
{
	sweep_one("map_domain", NULL, seq_map_domain);
}
TEST_TIMEOUT(fail_nth, map_scattered, 900)
{
	sweep_one("map_scattered", scatter_buffer, seq_map_domain);
}

TEST_TIMEOUT(fail_nth, map_contiguous, 900)
{
	long reads = iommufd_block_read_pages();
	void *raw;

	contig_buf = split_thps(&raw, CONTIG_LEN / HUGE);
	if (!contig_buf)
		SKIP("no transparent huge pages to split in place");
	sweep_one("map_contiguous", NULL, seq_map_contiguous);
	/* Some runs had their bitmaps, and read back by block. */
	ASSERT_LT(reads, iommufd_block_read_pages());
	munmap(raw, CONTIG_LEN + HUGE);
}

TEST_TIMEOUT(fail_nth, copy, 900) { sweep_one("copy", NULL, seq_copy); }
TEST_TIMEOUT(fail_nth, access, 900) { sweep_one("access", NULL, seq_access); }
TEST_TIMEOUT(fail_nth, replace, 900)
{
	sweep_one("replace", NULL, seq_replace);
}
TEST_TIMEOUT(fail_nth, nested, 900) { sweep_one("nested", NULL, seq_nested); }
TEST_TIMEOUT(fail_nth, fault, 900) { sweep_one("fault", NULL, seq_fault); }
TEST_TIMEOUT(fail_nth, viommu, 900) { sweep_one("viommu", NULL, seq_viommu); }
TEST_TIMEOUT(fail_nth, map_file, 900)
{
	sweep_one("map_file", NULL, seq_map_file);
}

TEST_TIMEOUT(fail_nth, vfio_bind, 900)
{
	struct sweep_result res;
	struct edu edu = { .devfd = -1 };

	if (edu_find(&edu))
		SKIP("no edu PCI device in this VM");
	if (edu_open_cdev(&edu))
		SKIP("cannot bind edu to vfio-pci (VFIO not loaded?)");
	close(edu.devfd);
	ASSERT_OK(drop_cap(CAP_IPC_LOCK));
	ASSERT_OK(set_memlock_pages(1UL << 20));
	/*
	 * Binding opens the PCI device: failing allocations of the PCI and
	 * ACPI code there reaches a use-after-free in ACPICA (_PRT objects
	 * on a failed evaluation), which is not ours to fix.
	 */
	nth_open(1);
	sweep("vfio_bind", NULL, seq_vfio, &edu, &res);
}
