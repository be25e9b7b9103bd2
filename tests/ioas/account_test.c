// SPDX-License-Identifier: GPL-2.0-only
/*
 * Accounting of pinned pages against RLIMIT_MEMLOCK, per user (default)
 * and per process (IOMMU_OPTION_RLIMIT_MODE 1), and the visible counters:
 * VmPin (mm->pinned_vm) always, VmLck (mm->locked_vm) in process mode.
 * Each test runs in its own process, so dropping CAP_IPC_LOCK (which
 * exempts from the limit) and lowering the limit stay inside the test.
 */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "account_utils.h"

#define BASE (1UL << 24)

TEST_F(iommufd, user_mode_enforces_the_limit)
{
	void *buf = test_buffer(8 * PAGE_SZ);
	__u32 ioas, item;
	int access;

	ASSERT_OK(drop_cap(CAP_IPC_LOCK));
	ASSERT_OK(set_memlock_pages(4));
	ASSERT_OK(_ioas_alloc(self->fd, &ioas));
	access = _access_create(self->fd, ioas, 1);
	ASSERT_GE(access, 0);
	ASSERT_OK(_ioas_map_fixed(self->fd, ioas, buf, 8 * PAGE_SZ, BASE));

	/* 3 + 2 > 4: refused, and nothing of it stays pinned or charged. */
	pin_three_refuse_two(self->fd, access, BASE, self->leak.pinned_before,
			     &item);
	/* Pages already pinned cost nothing more. */
	ASSERT_OK(_access_pin(self->fd, access, BASE, 4 * PAGE_SZ, 0, NULL));
	EXPECT_EQ(4, proc_status_pages("VmPin"));
	ASSERT_OK(_access_unpin(self->fd, access, item));
	ASSERT_OK(close(access));
	EXPECT_EQ(0, proc_status_pages("VmPin"));
}

/* The user's charge is shared by all its processes. */
TEST_F(iommufd, user_mode_limit_is_per_user)
{
	void *buf = test_buffer(8 * PAGE_SZ);
	int access, status;
	__u32 ioas;
	pid_t pid;

	ASSERT_OK(drop_cap(CAP_IPC_LOCK));
	ASSERT_OK(set_memlock_pages(4));
	ASSERT_OK(_ioas_alloc(self->fd, &ioas));
	access = _access_create(self->fd, ioas, 1);
	ASSERT_OK(_ioas_map_fixed(self->fd, ioas, buf, 8 * PAGE_SZ, BASE));
	ASSERT_OK(_access_pin(self->fd, access, BASE, 3 * PAGE_SZ, 0, NULL));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* Same user, own process, own file: 3 + 2 > 4 all the same. */
		int fd = open(IOMMUFD_DEV, O_RDWR), a;
		__u32 i2;

		if (fd < 0 || _ioas_alloc(fd, &i2))
			_exit(10);
		a = _access_create(fd, i2, 1);
		if (a < 0 || _ioas_map_fixed(fd, i2, buf, 8 * PAGE_SZ, BASE))
			_exit(11);
		if (!_access_pin(fd, a, BASE, 2 * PAGE_SZ, 0, NULL) ||
		    errno != ENOMEM)
			_exit(12);
		if (_access_pin(fd, a, BASE, PAGE_SZ, 0, NULL))
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_OK(close(access));
}

TEST_F(iommufd, process_mode_charges_locked_vm)
{
	void *buf = test_buffer(8 * PAGE_SZ);
	__u32 ioas, item;
	int access;

	ASSERT_OK(set_rlimit_mode(self->fd, 1));
	ASSERT_OK(drop_cap(CAP_IPC_LOCK));
	ASSERT_OK(set_memlock_pages(4));
	ASSERT_OK(_ioas_alloc(self->fd, &ioas));
	/* The mode cannot change under objects any more. */
	EXPECT_ERRNO(EBUSY, set_rlimit_mode(self->fd, 0));
	access = _access_create(self->fd, ioas, 1);
	ASSERT_OK(_ioas_map_fixed(self->fd, ioas, buf, 8 * PAGE_SZ, BASE));

	ASSERT_OK(_access_pin(self->fd, access, BASE, 4 * PAGE_SZ, 0, &item));
	EXPECT_EQ(4, proc_status_pages("VmLck"));
	EXPECT_EQ(4, proc_status_pages("VmPin"));
	EXPECT_ERRNO(ENOMEM, _access_pin(self->fd, access, BASE + 4 * PAGE_SZ,
					 PAGE_SZ, 0, NULL));
	EXPECT_EQ(4, proc_status_pages("VmLck"));
	ASSERT_OK(_access_unpin(self->fd, access, item));
	EXPECT_EQ(0, proc_status_pages("VmLck"));
	EXPECT_EQ(0, proc_status_pages("VmPin"));
	ASSERT_OK(close(access));
}

TEST_F(iommufd, cap_ipc_lock_is_exempt)
{
	void *buf = test_buffer(8 * PAGE_SZ);
	__u32 ioas;
	int access;

	ASSERT_OK(set_memlock_pages(1));
	ASSERT_OK(_ioas_alloc(self->fd, &ioas));
	access = _access_create(self->fd, ioas, 1);
	ASSERT_OK(_ioas_map_fixed(self->fd, ioas, buf, 8 * PAGE_SZ, BASE));
	ASSERT_OK(_access_pin(self->fd, access, BASE, 8 * PAGE_SZ, 0, NULL));
	/* Not charged to the limit, but visible as pinned. */
	EXPECT_EQ(8, proc_status_pages("VmPin"));
	ASSERT_OK(close(access));
	EXPECT_EQ(0, proc_status_pages("VmPin"));
}

TEST_F(iommufd, rlimit_mode_option_rules)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd), .option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
	};
	__u32 ioas;

	ASSERT_OK(ioctl(self->fd, IOMMU_OPTION, &cmd));
	EXPECT_EQ(0, cmd.val64);
	EXPECT_ERRNO(EINVAL, set_rlimit_mode(self->fd, 2));
	cmd.object_id = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_OPTION, &cmd));
	ASSERT_OK(_ioas_alloc(self->fd, &ioas));
	EXPECT_ERRNO(EBUSY, set_rlimit_mode(self->fd, 1));
	ASSERT_OK(drop_cap(CAP_SYS_RESOURCE));
	EXPECT_ERRNO(EPERM, set_rlimit_mode(self->fd, 1));
}
