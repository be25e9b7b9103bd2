/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for tests of /dev/iommu: opening it, issuing the ioctls with
 * well-formed structs, and the leak check of the test build's debugfs.
 */
#ifndef IOMMUFD_UTILS_H
#define IOMMUFD_UTILS_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/iommufd.h>

#include "harness.h"

#define IOMMUFD_DEV "/dev/iommu"
#define IOMMUFD_DEBUGFS "/sys/kernel/debug/iommufd"

static inline int iommufd_open(void)
{
	int fd = open(IOMMUFD_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		harness_abort(__FILE__, __LINE__, "open %s: %s", IOMMUFD_DEV,
			     strerror(errno));
	return fd;
}

/* Objects alive in all /dev/iommu files (test build); -1 if unknown. */
static inline long iommufd_live_objects(void)
{
	FILE *f = fopen(IOMMUFD_DEBUGFS "/objects", "r");
	long n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static inline int _ioas_alloc(int fd, __u32 *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int rc = ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);

	if (!rc && id)
		*id = cmd.out_ioas_id;
	return rc;
}

static inline int _destroy(int fd, __u32 id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ioctl(fd, IOMMU_DESTROY, &cmd);
}

/*
 * The fixture most tests share: a fresh /dev/iommu file, and a check at
 * teardown that closing it left no object behind.
 */
FIXTURE(iommufd) {
	int fd;
	long objects_before;
};

FIXTURE_SETUP(iommufd)
{
	self->objects_before = iommufd_live_objects();
	if (self->objects_before < 0)
		SKIP("%s/objects missing: not the test build of iommufd.ko",
		     IOMMUFD_DEBUGFS);
	self->fd = iommufd_open();
}

FIXTURE_TEARDOWN(iommufd)
{
	ASSERT_OK(close(self->fd));
	ASSERT_EQ(self->objects_before, iommufd_live_objects());
}

#endif /* IOMMUFD_UTILS_H */
