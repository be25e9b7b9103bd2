/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for accounting tests: the limit and privilege a test runs with,
 * the accounting mode, and a process's pinned/locked page counters.
 */
#ifndef ACCOUNT_UTILS_H
#define ACCOUNT_UTILS_H

#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "iommufd_utils.h"

/* Drop @cap (e.g. CAP_IPC_LOCK, which exempts from RLIMIT_MEMLOCK). */
static inline int drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[cap / 32].effective &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &hdr, data);
}

static inline int set_memlock_pages(unsigned long pages)
{
	struct rlimit rl = { .rlim_cur = pages * PAGE_SZ,
			     .rlim_max = RLIM_INFINITY };

	return setrlimit(RLIMIT_MEMLOCK, &rl);
}

/* IOMMU_OPTION_RLIMIT_MODE: 0 charges the user, 1 the process. */
static inline int set_rlimit_mode(int fd, __u64 mode)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd), .option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_SET, .val64 = mode,
	};

	return ioctl(fd, IOMMU_OPTION, &cmd);
}

/*
 * Under RLIMIT_MEMLOCK of 4 pages, with 8 pages mapped at @base for the
 * in-kernel @access: 3 pinned count in VmPin (never VmLck); 2 more are
 * refused with ENOMEM and leave nothing pinned or charged.  *@item is the
 * pin of the 3; @pinned_before the module's pinned pages before.
 */
static inline void pin_three_refuse_two(int fd, int access, __u64 base,
					long pinned_before, __u32 *item)
{
	ASSERT_OK(_access_pin(fd, access, base, 3 * PAGE_SZ, 0, item));
	EXPECT_EQ(3, proc_status_pages("VmPin"));
	EXPECT_EQ(0, proc_status_pages("VmLck"));
	EXPECT_ERRNO(ENOMEM, _access_pin(fd, access, base + 3 * PAGE_SZ,
					 2 * PAGE_SZ, 0, NULL));
	EXPECT_EQ(3, proc_status_pages("VmPin"));
	EXPECT_EQ(pinned_before + 3, iommufd_pinned_pages());
}

#endif /* ACCOUNT_UTILS_H */
