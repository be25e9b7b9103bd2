// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_IOAS_CHANGE_PROCESS: the pins of memfd mappings move from the
 * process that mapped them to the one that calls it (VmPin always, VmLck
 * in process mode, the user's locked_vm in user mode), the old process can
 * exit and the mappings stay as they were; every refusal (user memory
 * mapped, reserved field, no room under the caller's RLIMIT_MEMLOCK)
 * leaves every count where it was.
 *
 * Processes: the test process T is a child subreaper; the mapper P (its
 * child) maps and forks the taker C, which inherits the /dev/iommu fd.
 * Children report through their exit status; CHILD_CHECK() prints the
 * failed condition first.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "account_utils.h"
#include "mock_utils.h"

#define NPAGES 8UL

#define CHILD_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			printf("# %s:%d: child %d: %s (errno %d)\n",	\
			       __FILE__, __LINE__, getpid(), #cond, errno); \
			fflush(stdout);					\
			_exit(1);					\
		}							\
	} while (0)

static int change_process(int fd, __u32 reserved)
{
	struct iommu_ioas_change_process cmd = {
		.size = sizeof(cmd), .__reserved = reserved,
	};

	return ioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cmd);
}

/* A "Vm...:" line of /proc/PID/status, in pages; -1 if absent. */
static int map_file_fixed(int fd, __u32 ioas, int mfd, __u64 length,
			  __u64 iova)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .fd = mfd,
		.flags = MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
		.length = length, .iova = iova,
	};

	return ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);
}

/* A memfd of @npages pages, each byte (i * 11 + 1); -1 on failure. */
static int test_memfd(unsigned long npages)
{
	size_t len = npages * PAGE_SZ;
	unsigned char *buf = malloc(len);
	int mfd = memfd_create("change_process_test", 0);

	if (mfd < 0 || !buf)
		return -1;
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 11 + 1);
	if (pwrite(mfd, buf, len, 0) != (ssize_t)len) {
		close(mfd);
		mfd = -1;
	}
	free(buf);
	return mfd;
}

/* Does the memory behind [BASE, +len) of @ioas hold what @mfd holds? */
static int access_reads_file(int fd, __u32 ioas, int mfd, size_t len)
{
	unsigned char *want = malloc(len), *got = malloc(len);
	int access = _access_create(fd, ioas, 0);
	int ok;

	ok = want && got && access >= 0 &&
	     pread(mfd, want, len, 0) == (ssize_t)len &&
	     !_access_rw(fd, access, BASE, got, len, 0) &&
	     !memcmp(want, got, len);
	if (access >= 0)
		close(access);
	free(want);
	free(got);
	return ok;
}

static int wait_ok(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

enum mode { MODE_USER, MODE_PROCESS, MODE_CAP_IPC_LOCK };

/*
 * The taker C, child of the mapper @mapper: take the file over, check the
 * counts moved, let the mapper exit, check the mappings still work, unmap.
 * Does not return.
 */
static void taker(int fd, __u32 ioas, __u32 hwpt, int mfd, pid_t mapper,
		  enum mode mode, int go_fd, int gone_fd)
{
	size_t len = NPAGES * PAGE_SZ;
	unsigned char *map;
	__u64 unmapped;
	char c;

	CHILD_CHECK(proc_status_pages("VmPin") == 0);
	CHILD_CHECK(change_process(fd, 0) == 0);
	CHILD_CHECK(proc_status_pages("VmPin") == (long)NPAGES);
	CHILD_CHECK(pid_status_pages(mapper, "VmPin") == 0);
	if (mode == MODE_PROCESS) {
		CHILD_CHECK(proc_status_pages("VmLck") == (long)NPAGES);
		CHILD_CHECK(pid_status_pages(mapper, "VmLck") == 0);
	}
	/* Again: already the owner, nothing moves. */
	CHILD_CHECK(change_process(fd, 0) == 0);
	CHILD_CHECK(proc_status_pages("VmPin") == (long)NPAGES);

	/* Let the mapper exit; its pipe end closes after its mm is gone. */
	CHILD_CHECK(write(go_fd, "x", 1) == 1);
	CHILD_CHECK(read(gone_fd, &c, 1) == 0);

	map = mmap(NULL, len, PROT_READ, MAP_SHARED, mfd, 0);
	CHILD_CHECK(map != MAP_FAILED);
	CHILD_CHECK(check_map(fd, hwpt, BASE, map, len) == 0);
	CHILD_CHECK(access_reads_file(fd, ioas, mfd, len));
	CHILD_CHECK(proc_status_pages("VmPin") == (long)NPAGES);
	CHILD_CHECK(_ioas_unmap(fd, ioas, 0, UINT64_MAX, &unmapped) == 0);
	CHILD_CHECK(unmapped == len);
	CHILD_CHECK(proc_status_pages("VmPin") == 0);
	if (mode == MODE_PROCESS)
		CHILD_CHECK(proc_status_pages("VmLck") == 0);
	CHILD_CHECK(close(fd) == 0);
	_exit(0);
}

/*
 * The mapper P: map a memfd into a mock domain, fork the taker, wait for
 * its word and exit.  Does not return.
 */
static void mapper(enum mode mode)
{
	int go[2], gone[2], fd, mfd;
	__u32 ioas, hwpt, stdev;
	pid_t pid;
	char c;

	fd = iommufd_open();
	CHILD_CHECK(fd >= 0);
	if (mode == MODE_PROCESS)
		CHILD_CHECK(set_rlimit_mode(fd, 1) == 0);
	if (mode != MODE_CAP_IPC_LOCK)
		CHILD_CHECK(drop_cap(CAP_IPC_LOCK) == 0);
	CHILD_CHECK(set_memlock_pages(4 * NPAGES) == 0);
	CHILD_CHECK(_ioas_alloc(fd, &ioas) == 0);
	mfd = test_memfd(NPAGES);
	CHILD_CHECK(mfd >= 0);
	CHILD_CHECK(map_file_fixed(fd, ioas, mfd, NPAGES * PAGE_SZ, BASE) == 0);
	CHILD_CHECK(mock_domain(fd, ioas, 0, &stdev, &hwpt, NULL) == 0);
	CHILD_CHECK(proc_status_pages("VmPin") == (long)NPAGES);
	CHILD_CHECK(proc_status_pages("VmLck") ==
		    (mode == MODE_PROCESS ? (long)NPAGES : 0));

	CHILD_CHECK(pipe(go) == 0 && pipe(gone) == 0);
	pid = fork();
	CHILD_CHECK(pid >= 0);
	if (pid == 0) {
		close(go[0]);
		close(gone[1]);
		taker(fd, ioas, hwpt, mfd, getppid(), mode, go[1], gone[0]);
	}
	close(go[1]);
	close(gone[0]);
	CHILD_CHECK(read(go[0], &c, 1) == 1);
	_exit(0);
}

/* Run mapper() and its taker; both must succeed. */
static int run_handover(enum mode mode)
{
	int status, ok = 1, n;
	pid_t pid;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		return 0;
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0)
		mapper(mode);
	/* The mapper, then the taker it leaves to us. */
	for (n = 0; n < 2; n++) {
		if (wait(&status) < 0)
			return 0;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			ok = 0;
	}
	return ok;
}

TEST_F(iommufd, handover_user_mode)
{
	(void)self;	/* the fixture is here for its leak check */
	ASSERT_TRUE(run_handover(MODE_USER));
}

TEST_F(iommufd, handover_process_mode)
{
	(void)self;	/* the fixture is here for its leak check */
	ASSERT_TRUE(run_handover(MODE_PROCESS));
}

/* CAP_IPC_LOCK: nothing charged to a limit, but VmPin moves all the same. */
TEST_F(iommufd, handover_cap_ipc_lock)
{
	(void)self;	/* the fixture is here for its leak check */
	ASSERT_TRUE(run_handover(MODE_CAP_IPC_LOCK));
}

TEST_F(ioas, reserved_field_and_size)
{
	struct iommu_ioas_change_process cmd = { .size = 4 };

	EXPECT_ERRNO(EOPNOTSUPP, change_process(self->fd, 1));
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_IOAS_CHANGE_PROCESS, &cmd));
	ASSERT_OK(change_process(self->fd, 0));
}

TEST_F(iommufd, no_ioas_and_empty_ioas)
{
	__u32 ioas;
	pid_t pid;

	ASSERT_OK(change_process(self->fd, 0));
	ASSERT_OK(_ioas_alloc(self->fd, &ioas));
	ASSERT_OK(change_process(self->fd, 0));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		CHILD_CHECK(change_process(self->fd, 0) == 0);
		_exit(0);
	}
	ASSERT_TRUE(wait_ok(pid));
}

/* From the process that mapped: success, and not a page counted twice. */
TEST_F(ioas, same_process)
{
	int mfd = test_memfd(NPAGES);
	__u32 stdev;

	ASSERT_GE(mfd, 0);
	ASSERT_OK(drop_cap(CAP_IPC_LOCK));
	ASSERT_OK(set_memlock_pages(NPAGES));
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, NPAGES * PAGE_SZ,
				 BASE));
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, NULL, NULL));
	ASSERT_EQ((long)NPAGES, proc_status_pages("VmPin"));
	/* At the limit already: a second charge would not fit. */
	ASSERT_OK(change_process(self->fd, 0));
	EXPECT_EQ((long)NPAGES, proc_status_pages("VmPin"));
	EXPECT_EQ(self->leak.pinned_before + (long)NPAGES,
		  iommufd_pinned_pages());
	ASSERT_OK(_destroy(self->fd, stdev));
	EXPECT_EQ(0, proc_status_pages("VmPin"));
	ASSERT_OK(close(mfd));
}

/*
 * Any mapping of user memory, in any IOAS, refuses the whole call with
 * EINVAL and nothing moves; once it is gone the call goes through.
 */
TEST_F(ioas, user_memory_refused)
{
	void *buf = test_buffer(2 * PAGE_SZ);
	int mfd = test_memfd(NPAGES);
	__u32 ioas2, stdev, stdev2;
	pid_t pid;

	ASSERT_GE(mfd, 0);
	ASSERT_OK(drop_cap(CAP_IPC_LOCK));
	ASSERT_OK(set_memlock_pages(4 * NPAGES));
	ASSERT_OK(map_file_fixed(self->fd, self->ioas, mfd, NPAGES * PAGE_SZ,
				 BASE));
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, NULL, NULL));
	ASSERT_OK(_ioas_alloc(self->fd, &ioas2));
	ASSERT_OK(_ioas_map_fixed(self->fd, ioas2, buf, 2 * PAGE_SZ, BASE));
	ASSERT_OK(mock_domain(self->fd, ioas2, 0, &stdev2, NULL, NULL));
	ASSERT_EQ((long)NPAGES + 2, proc_status_pages("VmPin"));

	EXPECT_ERRNO(EINVAL, change_process(self->fd, 0));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		CHILD_CHECK(change_process(self->fd, 0) == -1 &&
			    errno == EINVAL);
		CHILD_CHECK(proc_status_pages("VmPin") == 0);
		CHILD_CHECK(pid_status_pages(getppid(), "VmPin") ==
			    (long)NPAGES + 2);
		_exit(0);
	}
	ASSERT_TRUE(wait_ok(pid));
	EXPECT_EQ((long)NPAGES + 2, proc_status_pages("VmPin"));
	EXPECT_EQ(self->leak.pinned_before + (long)NPAGES + 2,
		  iommufd_pinned_pages());

	ASSERT_OK(_ioas_unmap(self->fd, ioas2, 0, UINT64_MAX, NULL));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		CHILD_CHECK(change_process(self->fd, 0) == 0);
		CHILD_CHECK(proc_status_pages("VmPin") == (long)NPAGES);
		CHILD_CHECK(_ioas_unmap(self->fd, self->ioas, 0, UINT64_MAX,
					NULL) == 0);
		CHILD_CHECK(proc_status_pages("VmPin") == 0);
		_exit(0);
	}
	ASSERT_TRUE(wait_ok(pid));
	EXPECT_EQ(0, proc_status_pages("VmPin"));
	ASSERT_OK(close(mfd));
}

/*
 * The taker over its own RLIMIT_MEMLOCK: ENOMEM and nothing moves; with
 * room, it goes through.  In user mode the new charge is taken before the
 * old one is given back, so the one user needs room for the pins twice.
 */
static void over_limit(int fd, __u32 ioas, int process_mode)
{
	unsigned long fits = process_mode ? NPAGES : 2 * NPAGES;
	int mfd = test_memfd(NPAGES);
	__u32 stdev;
	pid_t pid;

	ASSERT_GE(mfd, 0);
	ASSERT_OK(drop_cap(CAP_IPC_LOCK));
	ASSERT_OK(set_memlock_pages(NPAGES));
	ASSERT_OK(map_file_fixed(fd, ioas, mfd, NPAGES * PAGE_SZ, BASE));
	ASSERT_OK(mock_domain(fd, ioas, 0, &stdev, NULL, NULL));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		pid_t parent = getppid();

		CHILD_CHECK(set_memlock_pages(fits - 1) == 0);
		CHILD_CHECK(change_process(fd, 0) == -1 && errno == ENOMEM);
		CHILD_CHECK(proc_status_pages("VmPin") == 0);
		CHILD_CHECK(proc_status_pages("VmLck") == 0);
		CHILD_CHECK(pid_status_pages(parent, "VmPin") ==
			    (long)NPAGES);
		CHILD_CHECK(pid_status_pages(parent, "VmLck") ==
			    (process_mode ? (long)NPAGES : 0));
		CHILD_CHECK(set_memlock_pages(fits) == 0);
		CHILD_CHECK(change_process(fd, 0) == 0);
		CHILD_CHECK(proc_status_pages("VmPin") == (long)NPAGES);
		CHILD_CHECK(proc_status_pages("VmLck") ==
			    (process_mode ? (long)NPAGES : 0));
		CHILD_CHECK(pid_status_pages(parent, "VmPin") == 0);
		CHILD_CHECK(pid_status_pages(parent, "VmLck") == 0);
		CHILD_CHECK(_destroy(fd, stdev) == 0);
		CHILD_CHECK(proc_status_pages("VmPin") == 0);
		CHILD_CHECK(proc_status_pages("VmLck") == 0);
		_exit(0);
	}
	ASSERT_TRUE(wait_ok(pid));
	EXPECT_EQ(0, proc_status_pages("VmPin"));
	EXPECT_EQ(0, proc_status_pages("VmLck"));
	ASSERT_OK(close(mfd));
}

TEST_F(ioas, over_new_rlimit_user_mode)
{
	over_limit(self->fd, self->ioas, 0);
}

TEST_F(iommufd, over_new_rlimit_process_mode)
{
	__u32 ioas;

	ASSERT_OK(set_rlimit_mode(self->fd, 1));
	ASSERT_OK(_ioas_alloc(self->fd, &ioas));
	over_limit(self->fd, ioas, 1);
}

/*
 * A copy shares the pages of its source (one pin however many IOASes map
 * them): it moves once, so the taker is charged NPAGES, not twice that.
 */
TEST_F(iommufd, copies_charged_once)
{
	int mfd = test_memfd(NPAGES);
	__u32 ioas1, ioas2, stdev1, stdev2;
	pid_t pid;

	ASSERT_GE(mfd, 0);
	ASSERT_OK(set_rlimit_mode(self->fd, 1));
	ASSERT_OK(drop_cap(CAP_IPC_LOCK));
	ASSERT_OK(set_memlock_pages(NPAGES));
	ASSERT_OK(_ioas_alloc(self->fd, &ioas1));
	ASSERT_OK(_ioas_alloc(self->fd, &ioas2));
	ASSERT_OK(map_file_fixed(self->fd, ioas1, mfd, NPAGES * PAGE_SZ,
				 BASE));
	ASSERT_OK(mock_domain(self->fd, ioas1, 0, &stdev1, NULL, NULL));
	ASSERT_OK(_ioas_copy(self->fd, ioas2, BASE + NPAGES * PAGE_SZ, ioas1,
			     BASE, NPAGES * PAGE_SZ, MAP_RW));
	ASSERT_OK(_ioas_copy(self->fd, ioas2, BASE, ioas1, BASE,
			     NPAGES * PAGE_SZ, MAP_RW));
	ASSERT_OK(mock_domain(self->fd, ioas2, 0, &stdev2, NULL, NULL));
	ASSERT_EQ((long)NPAGES, proc_status_pages("VmPin"));
	ASSERT_EQ((long)NPAGES, proc_status_pages("VmLck"));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* Exactly room for one charge of the pages. */
		CHILD_CHECK(set_memlock_pages(NPAGES) == 0);
		CHILD_CHECK(change_process(self->fd, 0) == 0);
		CHILD_CHECK(proc_status_pages("VmPin") == (long)NPAGES);
		CHILD_CHECK(proc_status_pages("VmLck") == (long)NPAGES);
		CHILD_CHECK(pid_status_pages(getppid(), "VmPin") == 0);
		CHILD_CHECK(pid_status_pages(getppid(), "VmLck") == 0);
		CHILD_CHECK(_destroy(self->fd, stdev1) == 0);
		CHILD_CHECK(proc_status_pages("VmPin") == (long)NPAGES);
		CHILD_CHECK(_destroy(self->fd, stdev2) == 0);
		CHILD_CHECK(proc_status_pages("VmPin") == 0);
		CHILD_CHECK(proc_status_pages("VmLck") == 0);
		_exit(0);
	}
	ASSERT_TRUE(wait_ok(pid));
	EXPECT_EQ(0, proc_status_pages("VmPin"));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(close(mfd));
}
