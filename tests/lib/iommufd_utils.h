/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for tests of /dev/iommu: opening it, issuing the ioctls with
 * well-formed structs, and the leak check of the test build's debugfs.
 */
#ifndef IOMMUFD_UTILS_H
#define IOMMUFD_UTILS_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/iommufd_test.h>
#include <linux/vfio.h>

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

/*
 * Running on the debug kernel (scripts/debug-kernel.sh: KASAN, lockdep,
 * kmemleak; Debian's kernel has no kmemleak)?  Each ioctl costs about a
 * millisecond there under TCG, so scale tests size themselves down: the
 * debug kernel is for the code paths, Debian's kernel for the scale.
 */
static inline int on_debug_kernel(void)
{
	return access("/sys/kernel/debug/kmemleak", F_OK) == 0;
}

/* A number from a file of the test build's debugfs; -1 if unknown. */
static inline long iommufd_debugfs_long(const char *name)
{
	char path[128];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", IOMMUFD_DEBUGFS, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/* Objects alive in all /dev/iommu files (test build); -1 if unknown. */
static inline long iommufd_live_objects(void)
{
	return iommufd_debugfs_long("objects");
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

/* Pages pinned by all IOASes together (test build); -1 if unknown. */
static inline long iommufd_pinned_pages(void)
{
	return iommufd_debugfs_long("pinned_pages");
}

/*
 * Pages read back from a domain a contiguity block at a time, ever (test
 * build); -1 if unknown.
 */
static inline long iommufd_block_read_pages(void)
{
	return iommufd_debugfs_long("block_read_pages");
}

/* A "Vm...:   N kB" line of /proc/PID/status, in pages; -1 if absent. */
static inline long pid_status_pages(pid_t pid, const char *key)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) &&
		    line[strlen(key)] == ':')
			sscanf(line + strlen(key) + 1, "%ld", &kb);
	fclose(f);
	return kb < 0 ? -1 : kb / (sysconf(_SC_PAGESIZE) / 1024);
}

static inline long proc_status_pages(const char *key)
{
	return pid_status_pages(getpid(), key);
}

/*
 * The debugfs view's number of the /dev/iommu file behind @fd (the
 * "iommufd-id:" line of its fdinfo): its directory is
 * IOMMUFD_DEBUGFS/files/N.  -1 if none.
 */
static inline long iommufd_stat_id(int fd)
{
	char path[64], line[128];
	long id = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "iommufd-id: %ld", &id) == 1)
			break;
	fclose(f);
	return id;
}

#define PAGE_SZ ((unsigned long)sysconf(_SC_PAGESIZE))
#define MIB (1UL << 20)
/* A PMD-sized page on x86: a THP, a hugetlbfs page. */
#define HUGE (2UL << 20)
#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static inline int _ioas_map(int fd, __u32 ioas, void *va, __u64 length,
			    __u64 *iova, __u32 flags)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd), .flags = flags, .ioas_id = ioas,
		.user_va = (uintptr_t)va, .length = length,
		.iova = iova ? *iova : 0,
	};
	int rc = ioctl(fd, IOMMU_IOAS_MAP, &cmd);

	if (!rc && iova)
		*iova = cmd.iova;
	return rc;
}

/* Map at a fixed IOVA, readable and writable. */
static inline int _ioas_map_fixed(int fd, __u32 ioas, void *va,
				  __u64 length, __u64 iova)
{
	return _ioas_map(fd, ioas, va, length, &iova,
			 MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA);
}

/* IOMMU_IOAS_MAP_FILE at a fixed IOVA, readable and writable. */
static inline int _ioas_map_file_fixed(int fd, __u32 ioas, int mfd,
				       __u64 start, __u64 length, __u64 iova)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .fd = mfd,
		.flags = MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
		.start = start, .length = length, .iova = iova,
	};

	return ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);
}

static inline int _ioas_unmap(int fd, __u32 ioas, __u64 iova, __u64 length,
			      __u64 *unmapped)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .iova = iova,
		.length = length,
	};
	int rc = ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);

	if (!rc && unmapped)
		*unmapped = cmd.length;
	return rc;
}

/* Bytes mapped in the IOAS, measured by unmapping everything; -1 on error. */
static inline __u64 unmap_all(int fd, __u32 ioas)
{
	__u64 length = 0;

	if (_ioas_unmap(fd, ioas, 0, UINT64_MAX, &length))
		return (__u64)-1;
	return length;
}

static inline int _ioas_copy(int fd, __u32 dst, __u64 dst_iova, __u32 src,
			     __u64 src_iova, __u64 length, __u32 flags)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd), .flags = flags | IOMMU_IOAS_MAP_FIXED_IOVA,
		.dst_ioas_id = dst, .src_ioas_id = src, .length = length,
		.dst_iova = dst_iova, .src_iova = src_iova,
	};

	return ioctl(fd, IOMMU_IOAS_COPY, &cmd);
}

static inline int _test_cmd(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(fd, IOMMU_TEST_CMD, cmd);
}

/* An in-kernel access on @ioas; returns its file descriptor or -1. */
static inline int _access_create(int fd, __u32 ioas, int needs_pin)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_CREATE_ACCESS, .id = ioas,
		.create_access.flags =
			needs_pin ? MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES : 0,
	};

	if (_test_cmd(fd, &cmd))
		return -1;
	return cmd.create_access.out_access_fd;
}

static inline int _access_pin(int fd, int access, __u64 iova, __u64 length,
			      __u32 flags, __u32 *item)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_PAGES, .id = access,
		.access_pages = { .flags = flags, .iova = iova,
				  .length = length },
	};
	int rc = _test_cmd(fd, &cmd);

	if (!rc && item)
		*item = cmd.access_pages.out_access_pages_id;
	return rc;
}

static inline int _access_unpin(int fd, int access, __u32 item)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, .id = access,
		.destroy_access_pages.access_pages_id = item,
	};

	return _test_cmd(fd, &cmd);
}

static inline int _access_rw(int fd, int access, __u64 iova, void *buf,
			     __u64 length, __u32 flags)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_RW, .id = access,
		.access_rw = { .iova = iova, .length = length,
			       .uptr = (uintptr_t)buf, .flags = flags },
	};

	return _test_cmd(fd, &cmd);
}

static inline int _add_reserved(int fd, __u32 ioas, __u64 start,
				__u64 length)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ADD_RESERVED, .id = ioas,
		.add_reserved = { .start = start, .length = length },
	};

	return _test_cmd(fd, &cmd);
}

/* IOMMU_VFIO_IOAS_SET: @ioas becomes the compat IOAS of the type1 ioctls. */
static inline int _vfio_ioas_set(int fd, __u32 ioas)
{
	struct iommu_vfio_ioas cmd = { .size = sizeof(cmd),
				       .op = IOMMU_VFIO_IOAS_SET,
				       .ioas_id = ioas };

	return ioctl(fd, IOMMU_VFIO_IOAS, &cmd);
}

/* VFIO_IOMMU_MAP_DMA, read and write, on a container or an iommufd. */
static inline int _vfio_map_dma(int fd, void *buf, __u64 iova, __u64 size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)buf, .iova = iova, .size = size,
	};

	return ioctl(fd, VFIO_IOMMU_MAP_DMA, &map);
}

/* Anonymous memory, faulted in and filled with a pattern. */
static inline void *test_buffer(size_t length)
{
	unsigned char *buf = mmap(NULL, length, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED)
		return NULL;
	for (size_t i = 0; i < length; i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	return buf;
}

/*
 * Leak checks of the test build: objects and pinned pages counted before,
 * back to the same after.  A fixture holds a struct leak_baseline.
 */
struct leak_baseline {
	long objects_before;
	long pinned_before;
};

static inline void leak_baseline(struct leak_baseline *leak)
{
	leak->objects_before = iommufd_live_objects();
	leak->pinned_before = iommufd_pinned_pages();
	if (leak->objects_before < 0 || leak->pinned_before < 0)
		SKIP("%s missing: not the test build of iommufd.ko",
		     IOMMUFD_DEBUGFS);
}

static inline void leak_check(struct leak_baseline *leak)
{
	ASSERT_EQ(leak->objects_before, iommufd_live_objects());
	ASSERT_EQ(leak->pinned_before, iommufd_pinned_pages());
}

/*
 * The start of most fixtures' setup: the leak baseline, a fresh
 * /dev/iommu file in *@fd and one IOAS in *@ioas.
 */
static inline void open_with_ioas(struct leak_baseline *leak, int *fd,
				  __u32 *ioas)
{
	leak_baseline(leak);
	*fd = iommufd_open();
	ASSERT_OK(_ioas_alloc(*fd, ioas));
}

/*
 * The fixture most tests share: a fresh /dev/iommu file, and a check at
 * teardown that closing it left no object behind.
 */
FIXTURE(iommufd) {
	int fd;
	struct leak_baseline leak;
};

FIXTURE_SETUP(iommufd)
{
	leak_baseline(&self->leak);
	self->fd = iommufd_open();
}

FIXTURE_TEARDOWN(iommufd)
{
	ASSERT_OK(close(self->fd));
	leak_check(&self->leak);
}

/* An open /dev/iommu with one IOAS, and the same leak checks. */
FIXTURE(ioas) {
	int fd;
	__u32 ioas;
	struct leak_baseline leak;
};

FIXTURE_SETUP(ioas)
{
	open_with_ioas(&self->leak, &self->fd, &self->ioas);
}

FIXTURE_TEARDOWN(ioas)
{
	ASSERT_OK(close(self->fd));
	leak_check(&self->leak);
}

#endif /* IOMMUFD_UTILS_H */
