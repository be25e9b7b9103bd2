// SPDX-License-Identifier: GPL-2.0-only
/*
 * The stress run: threads race every kind of operation on shared
 * /dev/iommu files for a set time, on ids that other threads create,
 * replace and destroy under them, while the debugfs view is read; one file is swapped for a fresh one
 * behind its fd number (dup2) while ioctls on it are in flight.  Errors
 * are the expected outcome of most races and are only counted; what must
 * hold is that nothing crashes, warns or hangs (the VM harness watches the
 * kernel log and the clock), that no errno appears that no race explains
 * (EFAULT on our own memory, ENOMEM, EIO, EDEADLK), and that once every
 * file is closed the counters are back: objects, pinned pages, VmPin and
 * VmLck.
 *
 * IOMMUFD_STRESS_SECONDS sets the time (default 10: the short run of make
 * check; run it for minutes by hand on the debug kernel).
 */
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <time.h>
#include <linux/vfio.h>

#include "account_utils.h"
#include "mock_utils.h"

#define NFDS 3			/* two shared files, one swapped by dup2 */
#define NSLOTS 8
#define NWORKERS 6
#define BUF_PAGES 512
#define MAX_ID 256

/* Ids of each kind per file, shared by all threads; 0 is empty. */
struct slots {
	_Atomic __u32 ioas[NSLOTS], stdev[NSLOTS], idev[NSLOTS];
	_Atomic __u32 hwpt[NSLOTS];
};

static struct {
	int fds[NFDS];
	struct slots slots[NFDS];
	unsigned char *buf;
	atomic_int stop;
	atomic_ulong ops;
	atomic_ulong errnos[256];
	atomic_ulong swaps;
	atomic_ulong op_calls[32], op_ok[32];
} st;

/* The operation this thread runs, for the per-operation counts. */
static __thread unsigned int cur_op;

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return rand_r(seed) % n;
}

/* Count the result; errnos no race can explain are recorded apart. */
static void note(int rc)
{
	atomic_fetch_add(&st.ops, 1);
	atomic_fetch_add(&st.op_calls[cur_op], 1);
	if (!rc)
		atomic_fetch_add(&st.op_ok[cur_op], 1);
	if (rc && errno > 0 && errno < 256)
		atomic_fetch_add(&st.errnos[errno], 1);
}

static __u32 pick(_Atomic __u32 *slot, unsigned int *seed)
{
	return atomic_load(&slot[rnd(seed, NSLOTS)]);
}

static void put(_Atomic __u32 *slot, unsigned int *seed, __u32 id)
{
	atomic_store(&slot[rnd(seed, NSLOTS)], id);
}

/* Some page-aligned piece of the shared buffer. */
static void piece(unsigned int *seed, void **va, __u64 *len)
{
	unsigned int first = rnd(seed, BUF_PAGES);

	*va = st.buf + first * PAGE_SZ;
	*len = (1 + rnd(seed, BUF_PAGES - first < 64 ? BUF_PAGES - first :
			64)) * PAGE_SZ;
}

static void op_ioas_alloc(int fd, struct slots *s, unsigned int *seed)
{
	__u32 id;
	int rc = _ioas_alloc(fd, &id);

	note(rc);
	if (!rc)
		put(s->ioas, seed, id);
}

/* Any id at all: in use, of another kind, or none. */
static void op_destroy(int fd, struct slots *s __attribute__((unused)),
		       unsigned int *seed)
{
	note(_destroy(fd, 1 + rnd(seed, MAX_ID)));
}

static void op_map(int fd, struct slots *s, unsigned int *seed)
{
	__u32 ioas = pick(s->ioas, seed);
	__u64 iova = 0, len;
	void *va;
	int rc;

	piece(seed, &va, &len);
	rc = _ioas_map(fd, ioas, va, len, &iova, MAP_RW);
	note(rc);
	if (!rc && rnd(seed, 2))
		note(_ioas_unmap(fd, ioas, iova, len, NULL));
}

static void op_map_fixed(int fd, struct slots *s, unsigned int *seed)
{
	__u64 len;
	void *va;

	piece(seed, &va, &len);
	note(_ioas_map_fixed(fd, pick(s->ioas, seed), va, len,
			     BASE + rnd(seed, 1024) * PAGE_SZ));
}

static void op_unmap(int fd, struct slots *s, unsigned int *seed)
{
	__u32 ioas = pick(s->ioas, seed);

	if (rnd(seed, 4))
		note(_ioas_unmap(fd, ioas, BASE + rnd(seed, 1024) * PAGE_SZ,
				 (1 + rnd(seed, 64)) * PAGE_SZ, NULL));
	else
		note(_ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL));
}

static void op_copy(int fd, struct slots *s, unsigned int *seed)
{
	note(_ioas_copy(fd, pick(s->ioas, seed),
			BASE + (1024 + rnd(seed, 1024)) * PAGE_SZ,
			pick(s->ioas, seed), BASE + rnd(seed, 1024) * PAGE_SZ,
			(1 + rnd(seed, 16)) * PAGE_SZ, MAP_RW));
}

static void op_mock_domain(int fd, struct slots *s, unsigned int *seed)
{
	__u32 stdev, hwpt, idev;
	int rc = mock_domain(fd, pick(s->ioas, seed),
			     rnd(seed, 2) ? MOCK_FLAGS_DEVICE_HUGE_IOVA : 0,
			     &stdev, &hwpt, &idev);

	note(rc);
	if (rc)
		return;
	put(s->stdev, seed, stdev);
	put(s->idev, seed, idev);
	put(s->hwpt, seed, hwpt);
}

static void op_replace(int fd, struct slots *s, unsigned int *seed)
{
	__u32 pt = rnd(seed, 2) ? pick(s->ioas, seed) : pick(s->hwpt, seed);

	note(mock_replace(fd, pick(s->stdev, seed), &pt));
}

static void op_hwpt_alloc(int fd, struct slots *s, unsigned int *seed)
{
	__u32 flags = rnd(seed, 2) ? IOMMU_HWPT_ALLOC_NEST_PARENT : 0;
	__u32 hwpt;
	int rc;

	rc = hwpt_alloc(fd, pick(s->idev, seed), pick(s->ioas, seed), flags, 0,
			IOMMU_HWPT_DATA_NONE, NULL, 0, &hwpt);
	note(rc);
	if (!rc)
		put(s->hwpt, seed, hwpt);
}

static void op_nested(int fd, struct slots *s, unsigned int *seed)
{
	__u32 nested;
	int rc;

	rc = nested_alloc(fd, pick(s->idev, seed), pick(s->hwpt, seed), 0,
			  IOMMU_TEST_IOTLB_DEFAULT, &nested);
	note(rc);
	if (!rc)
		put(s->hwpt, seed, nested);
}

static void op_option(int fd, struct slots *s, unsigned int *seed)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET, .object_id = pick(s->ioas, seed),
		.val64 = rnd(seed, 2),
	};

	note(ioctl(fd, IOMMU_OPTION, &cmd));
}

/* An access: pin a piece, read and write through it, unpin, close. */
static void op_access(int fd, struct slots *s, unsigned int *seed)
{
	unsigned char tmp[256];
	__u64 iova = BASE + rnd(seed, 1024) * PAGE_SZ;
	__u32 item;
	int access, rc;

	access = _access_create(fd, pick(s->ioas, seed), 1);
	note(access < 0);
	if (access < 0)
		return;
	rc = _access_pin(fd, access, iova, (1 + rnd(seed, 8)) * PAGE_SZ,
			 MOCK_FLAGS_ACCESS_WRITE, &item);
	note(rc);
	note(_access_rw(fd, access, iova + rnd(seed, PAGE_SZ), tmp,
			sizeof(tmp), rnd(seed, 2) ? MOCK_FLAGS_ACCESS_WRITE : 0));
	if (!rc && rnd(seed, 2))
		note(_access_unpin(fd, access, item));
	close(access);
}

/* A fault queue on a nested HWPT: a page request, read and answered. */
static void op_fault(int fd, struct slots *s, unsigned int *seed)
{
	struct iommu_hwpt_page_response resp = { 0 };
	__u32 idev = pick(s->idev, seed), fault_id, nested;
	struct iommu_hwpt_pgfault rec;
	struct pollfd p = { .events = POLLIN };
	int fault_fd, rc;

	rc = fault_alloc(fd, &fault_id, &fault_fd);
	note(rc);
	if (rc)
		return;
	rc = nested_alloc(fd, idev, pick(s->hwpt, seed), fault_id,
			  IOMMU_TEST_IOTLB_DEFAULT, &nested);
	note(rc);
	if (!rc) {
		put(s->hwpt, seed, nested);
		note(trigger_iopf(fd, idev, 0, rnd(seed, 4), BASE, 1));
		p.fd = fault_fd;
		if (poll(&p, 1, 20) == 1 &&
		    read(fault_fd, &rec, sizeof(rec)) == sizeof(rec)) {
			resp.cookie = rec.cookie;
			note(write(fault_fd, &resp, sizeof(resp)) !=
			     sizeof(resp));
		}
	}
	close(fault_fd);
}

/*
 * The type1 ioctls on the file, on its compat IOAS, which this sets,
 * clears and others destroy.
 */
static void op_type1(int fd, struct slots *s, unsigned int *seed)
{
	struct iommu_vfio_ioas compat = {
		.size = sizeof(compat), .ioas_id = pick(s->ioas, seed),
		.op = rnd(seed, 4) ? IOMMU_VFIO_IOAS_SET : IOMMU_VFIO_IOAS_CLEAR,
	};
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = (1UL << 32) + rnd(seed, 256) * PAGE_SZ,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = (1UL << 32) + rnd(seed, 256) * PAGE_SZ,
		.size = (1 + rnd(seed, 16)) * PAGE_SZ,
	};
	void *va;

	switch (rnd(seed, 5)) {
	case 0:
		note(ioctl(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
		break;
	case 4:
		note(ioctl(fd, IOMMU_VFIO_IOAS, &compat));
		break;
	case 1:
		piece(seed, &va, (__u64 *)&map.size);
		map.vaddr = (uintptr_t)va;
		note(ioctl(fd, VFIO_IOMMU_MAP_DMA, &map));
		break;
	case 2:
		note(ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
		break;
	default:
		unmap.flags = VFIO_DMA_UNMAP_FLAG_ALL;
		unmap.iova = 0;
		unmap.size = 0;
		note(ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	}
}

/*
 * Read a file of the debugfs view of the file behind @fd: the reads race
 * every other operation and must never make one fail.  A file closed
 * under the read (the swapped one) fails it with EIO, which is explained
 * there and nowhere else.
 */
static void op_view(int fd, struct slots *s __attribute__((unused)),
		    unsigned int *seed)
{
	static const char *const names[] = {
		"owner", "objects", "ioas", "devices", "domains", "events",
	};
	char path[128], buf[4096];
	ssize_t n;
	int vfd;

	snprintf(path, sizeof(path), IOMMUFD_DEBUGFS "/files/%ld/%s",
		 iommufd_stat_id(fd), names[rnd(seed, 6)]);
	vfd = open(path, O_RDONLY);
	if (vfd < 0) {
		note(-1);
		return;
	}
	do
		n = read(vfd, buf, sizeof(buf));
	while (n > 0);
	if (n < 0 && errno == EIO && fd == st.fds[NFDS - 1])
		errno = ENOENT;
	note(n < 0 ? -1 : 0);
	close(vfd);
}

#define OP(fn) { #fn + 3, fn }
static const struct {
	const char *name;
	void (*fn)(int fd, struct slots *s, unsigned int *seed);
} ops[] = {
	OP(op_ioas_alloc), OP(op_destroy), OP(op_map), OP(op_map_fixed),
	OP(op_unmap), OP(op_copy), OP(op_mock_domain), OP(op_replace),
	OP(op_hwpt_alloc), OP(op_nested), OP(op_option), OP(op_access),
	OP(op_fault), OP(op_type1), OP(op_view),
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static void *worker(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;

	while (!atomic_load(&st.stop)) {
		unsigned int f = rnd(&seed, NFDS);

		cur_op = rnd(&seed, NOPS);
		ops[cur_op].fn(st.fds[f], &st.slots[f], &seed);
	}
	return NULL;
}

/* Swap the last file for a fresh one under the same fd number. */
static void *swapper(void *arg)
{
	(void)arg;
	while (!atomic_load(&st.stop)) {
		int fd = open(IOMMUFD_DEV, O_RDWR | O_CLOEXEC);

		if (fd < 0 || set_rlimit_mode(fd, 1) ||
		    dup2(fd, st.fds[NFDS - 1]) < 0)
			abort();
		close(fd);
		atomic_fetch_add(&st.swaps, 1);
		usleep(20000);
	}
	return NULL;
}

static bool every_op_succeeded(void)
{
	for (size_t i = 0; i < NOPS; i++)
		if (!atomic_load(&st.op_ok[i]))
			return false;
	return true;
}

TEST_TIMEOUT(stress, race_everything, 3600)
{
	/*
	 * EDEADLK: an unmap gave up on an access that did not let go, which
	 * a driver keeping the unmap contract (the test ABI's) never causes.
	 */
	static const int unexplained[] = { EFAULT, ENOMEM, EIO, EDEADLK };
	const char *env = getenv("IOMMUFD_STRESS_SECONDS");
	long objects = iommufd_live_objects(), pinned = iommufd_pinned_pages();
	long vm_pin, vm_lck, seconds = env ? atol(env) : 10;
	pthread_t threads[NWORKERS + 1];
	time_t start = time(NULL);

	if (objects < 0 || pinned < 0)
		SKIP("%s missing: not the test build of iommufd.ko",
		     IOMMUFD_DEBUGFS);
	ASSERT_OK(drop_cap(CAP_IPC_LOCK));
	ASSERT_OK(set_memlock_pages(1UL << 20));
	vm_pin = proc_status_pages("VmPin");
	vm_lck = proc_status_pages("VmLck");
	st.buf = test_buffer(BUF_PAGES * PAGE_SZ);
	ASSERT_NE(NULL, st.buf);
	for (int i = 0; i < NFDS; i++) {
		st.fds[i] = iommufd_open();
		ASSERT_OK(set_rlimit_mode(st.fds[i], 1));
	}

	for (int i = 0; i < NWORKERS; i++)
		ASSERT_OK(pthread_create(&threads[i], NULL, worker,
					 (void *)(uintptr_t)(i + 1)));
	ASSERT_OK(pthread_create(&threads[NWORKERS], NULL, swapper, NULL));
	while (time(NULL) - start < seconds) {
		sleep(seconds < 60 ? 1 : 30);
		if (seconds >= 60)
			printf("# %lds: %lu ops\n", (long)(time(NULL) - start),
			       atomic_load(&st.ops));
		fflush(stdout);
	}
	/*
	 * Then on until each kind of operation got through once, for at
	 * most two minutes more: on a slow kernel (the debug one, about 100
	 * operations a second) a rare success may not have come yet.
	 */
	while (!every_op_succeeded() && time(NULL) - start < seconds + 120)
		sleep(1);
	if (time(NULL) - start > seconds)
		printf("# ran %lds until every kind of operation succeeded once\n",
		       (long)(time(NULL) - start));
	atomic_store(&st.stop, 1);
	for (int i = 0; i <= NWORKERS; i++)
		ASSERT_OK(pthread_join(threads[i], NULL));

	printf("# %lu operations in %ld s (%lu/s), file swapped %lu times; errnos:",
	       atomic_load(&st.ops), seconds,
	       atomic_load(&st.ops) / (seconds ? seconds : 1),
	       atomic_load(&st.swaps));
	for (int e = 1; e < 256; e++)
		if (atomic_load(&st.errnos[e]))
			printf(" %s %lu", strerrorname_np(e),
			       atomic_load(&st.errnos[e]));
	printf("\n# succeeded/tried:");
	for (size_t i = 0; i < NOPS; i++)
		printf(" %s %lu/%lu", ops[i].name, atomic_load(&st.op_ok[i]),
		       atomic_load(&st.op_calls[i]));
	printf("\n");
	/* Each kind of operation got through at least once. */
	for (size_t i = 0; i < NOPS; i++)
		EXPECT_LT(0, atomic_load(&st.op_ok[i]));
	for (size_t i = 0; i < sizeof(unexplained) / sizeof(unexplained[0]);
	     i++)
		EXPECT_EQ(0, atomic_load(&st.errnos[unexplained[i]]));

	for (int i = 0; i < NFDS; i++)
		ASSERT_OK(close(st.fds[i]));
	EXPECT_EQ(objects, iommufd_live_objects());
	EXPECT_EQ(pinned, iommufd_pinned_pages());
	EXPECT_EQ(vm_pin, proc_status_pages("VmPin"));
	EXPECT_EQ(vm_lck, proc_status_pages("VmLck"));
}
