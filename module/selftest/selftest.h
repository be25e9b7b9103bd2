/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hooks from the core into the test ABI.  A production build
 * (IOMMUFD_SELFTEST undefined) compiles them to nothing.
 */
#ifndef IOMMUFD_SELFTEST_H
#define IOMMUFD_SELFTEST_H

#include <linux/types.h>

struct dentry;
struct device;
struct iommufd_object;
struct iommufd_ctx;
struct iommufd_ucmd;

/* Where selftest/pause.c can hold a thread so that a test races it. */
enum iommufd_pause_point {
	IOMMUFD_PAUSE_NONE,
	/* IOMMU_DESTROY: the object left the table, not yet destroyed */
	IOMMUFD_PAUSE_OBJECT_REMOVED,
	/* type1 v1 unmap: it chose to cut, and has not yet cut */
	IOMMUFD_PAUSE_V1_CUT,
	/* the debugfs view found an object, and has not yet printed it */
	IOMMUFD_PAUSE_SHOW_OBJECT,
	/* IOMMU_IOAS_CHANGE_PROCESS holds every IOAS, has not yet counted */
	IOMMUFD_PAUSE_ALL_IOAS_LOCKED,
};

#ifdef IOMMUFD_SELFTEST
int iommufd_test_init(struct dentry *root);
void iommufd_test_exit(void);
void iommufd_test_object_created(void);
void iommufd_test_object_freed(void);
void iommufd_test_pages_pinned(unsigned long npages);
void iommufd_test_pages_unpinned(unsigned long npages);
void iommufd_test_block_read(unsigned long npages);
unsigned long iommufd_test_pin_batch_limit(unsigned long npages);
int iommufd_test_cmd_ioctl(struct iommufd_ucmd *ucmd);
bool iommufd_test_is_mock_dev(struct device *dev);
void iommufd_test_stdev_destroy(struct iommufd_object *obj);
bool iommufd_should_fail(void);
bool iommufd_should_fail_own(void);
void iommufd_fail_init(struct dentry *test_dir);
void iommufd_fail_exit(void);
void iommufd_test_pause(enum iommufd_pause_point point);
void iommufd_pause_init(struct dentry *test_dir);
void iommufd_pause_exit(void);
void iommufd_test_note_hwpt_data(struct iommufd_ctx *ictx, u32 type, u32 len);
bool iommufd_test_abi_6_12(struct iommufd_ctx *ictx);
#else
static inline int iommufd_test_init(struct dentry *root)
{
	return 0;
}

static inline void iommufd_test_exit(void)
{
}

static inline void iommufd_test_object_created(void)
{
}

static inline void iommufd_test_object_freed(void)
{
}

static inline void iommufd_test_pages_pinned(unsigned long npages)
{
}

static inline void iommufd_test_pages_unpinned(unsigned long npages)
{
}

static inline void iommufd_test_block_read(unsigned long npages)
{
}

static inline unsigned long iommufd_test_pin_batch_limit(unsigned long npages)
{
	return npages;
}

static inline bool iommufd_test_is_mock_dev(struct device *dev)
{
	return false;
}

/* See selftest/fail_nth.c: an injected failure, never in production. */
static inline bool iommufd_should_fail(void)
{
	return false;
}

static inline bool iommufd_should_fail_own(void)
{
	return false;
}

/* See selftest/pause.c: a race window held open, never in production. */
static inline void iommufd_test_pause(enum iommufd_pause_point point)
{
}

/* See selftest/abi_6_12.c: the two upstream selftests' differences. */
static inline void iommufd_test_note_hwpt_data(struct iommufd_ctx *ictx,
					       u32 type, u32 len)
{
}

static inline bool iommufd_test_abi_6_12(struct iommufd_ctx *ictx)
{
	return false;
}
#endif

#endif /* IOMMUFD_SELFTEST_H */
