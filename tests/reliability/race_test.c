// SPDX-License-Identifier: GPL-2.0-only
/*
 * Races whose window is a few instructions wide, held open with the test
 * build's pause points (module/selftest/pause.c): one thread is stopped
 * inside the window, the test acts, then lets it go.  Each test first
 * proves that its thread really was inside the window while it acted.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "mock_utils.h"

#define PAUSE_FILE IOMMUFD_DEBUGFS "/pause"

static int pause_write(const char *what)
{
	int fd = open(PAUSE_FILE, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, what, strlen(what));
	close(fd);
	return n == (ssize_t)strlen(what) ? 0 : -1;
}

/* Waits (the kernel bounds it) until a thread stopped at the armed point. */
static int pause_wait_reached(void)
{
	char buf[16] = {};
	int fd = open(PAUSE_FILE, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 && !strcmp(buf, "reached\n") ? 0 : -1;
}

/* An ioctl run on its own thread, so that it can be stopped inside. */
struct stopped_call {
	pthread_t thread;
	int fd;
	unsigned long request;
	void *arg;
	int rc;
	int err;
	volatile int done;
};

static void *stopped_call_run(void *data)
{
	struct stopped_call *c = data;

	c->rc = ioctl(c->fd, c->request, c->arg);
	c->err = errno;
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int stopped_call_start(struct stopped_call *c, int fd,
			      unsigned long request, void *arg)
{
	c->fd = fd;
	c->request = request;
	c->arg = arg;
	c->done = 0;
	return pthread_create(&c->thread, NULL, stopped_call_run, c);
}

static int huge_pages_option(int fd, __u32 ioas, __u64 on)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET, .object_id = ioas, .val64 = on,
	};

	return ioctl(fd, IOMMU_OPTION, &cmd);
}

/*
 * IOMMU_DESTROY of the compat IOAS, stopped after the IOAS left the table
 * and before it is destroyed.  A new IOAS then takes the freed id.  A
 * VFIO_IOMMU_MAP_DMA now must not land in the new IOAS: the compat IOAS is
 * the one user space chose, not whatever holds its number today.
 */
TEST(race, compat_ioas_destroyed_is_not_found_again_by_id)
{
	long objects = iommufd_live_objects(), pinned = iommufd_pinned_pages();
	unsigned char *buf = test_buffer(MIB);
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	struct stopped_call call;
	__u32 old_ioas, new_ioas;
	__u64 unmapped = 0;
	int fd = iommufd_open();

	if (pause_write("release"))
		SKIP("no %s (not the test build)", PAUSE_FILE);
	ASSERT_OK(_ioas_alloc(fd, &old_ioas));
	ASSERT_OK(_vfio_ioas_set(fd, old_ioas));
	ASSERT_OK(ioctl(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));

	ASSERT_OK(pause_write("object_removed"));
	destroy.id = old_ioas;
	ASSERT_OK(stopped_call_start(&call, fd, IOMMU_DESTROY, &destroy));
	ASSERT_OK(pause_wait_reached());

	/* Inside the window: the id is free, and a new IOAS takes it. */
	ASSERT_OK(_ioas_alloc(fd, &new_ioas));
	ASSERT_EQ(old_ioas, new_ioas);
	/* Refused (the compat IOAS is going) or put into the dying one. */
	_vfio_map_dma(fd, buf, 0x100000, MIB);
	ASSERT_FALSE(__atomic_load_n(&call.done, __ATOMIC_ACQUIRE));

	ASSERT_OK(pause_write("release"));
	ASSERT_OK(pthread_join(call.thread, NULL));
	ASSERT_EQ(0, call.rc);

	/* The new IOAS, never chosen for VFIO, holds nothing. */
	ASSERT_OK(_ioas_unmap(fd, new_ioas, 0, UINT64_MAX, &unmapped));
	ASSERT_EQ(0, unmapped);
	ASSERT_EQ(pinned, iommufd_pinned_pages());
	ASSERT_OK(close(fd));
	ASSERT_EQ(objects, iommufd_live_objects());
	munmap(buf, MIB);
}

/*
 * A type1 v1 unmap that cuts a mapping decides so while
 * IOMMU_OPTION_HUGE_PAGES is off, and is stopped there.  Another thread
 * turns huge pages on and attaches a domain, which maps the area with
 * large IOMMU pages.  The cut must then be refused: a large IOMMU page
 * cannot be unmapped in part, and the other half would go with it.
 */
TEST(race, v1_cut_rechecks_huge_pages_under_the_lock)
{
	long objects = iommufd_live_objects(), pinned = iommufd_pinned_pages();
	void *raw = mmap(NULL, 4 * MIB, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *buf = (void *)(((uintptr_t)raw + 2 * MIB - 1) &
				      ~(2 * MIB - 1));
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = BASE, .size = MIB,
	};
	struct stopped_call call;
	__u32 ioas, hwpt, stdev;
	__u64 unmapped = 0;
	int fd = iommufd_open();

	if (pause_write("release"))
		SKIP("no %s (not the test build)", PAUSE_FILE);
	ASSERT_NE(MAP_FAILED, raw);
	madvise(buf, 2 * MIB, MADV_HUGEPAGE);
	memset(buf, 0x5a, 2 * MIB);
	ASSERT_OK(_ioas_alloc(fd, &ioas));
	ASSERT_OK(_vfio_ioas_set(fd, ioas));
	ASSERT_OK(ioctl(fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));
	ASSERT_OK(_vfio_map_dma(fd, buf, BASE, 2 * MIB));

	ASSERT_OK(pause_write("v1_cut"));
	ASSERT_OK(stopped_call_start(&call, fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	ASSERT_OK(pause_wait_reached());

	/* Inside the window: large IOMMU pages back on, and a domain. */
	ASSERT_OK(huge_pages_option(fd, ioas, 1));
	ASSERT_OK(mock_domain(fd, ioas, MOCK_FLAGS_DEVICE_HUGE_IOVA, &stdev,
			      &hwpt, NULL));
	ASSERT_FALSE(__atomic_load_n(&call.done, __ATOMIC_ACQUIRE));

	ASSERT_OK(pause_write("release"));
	ASSERT_OK(pthread_join(call.thread, NULL));
	ASSERT_EQ(-1, call.rc);
	ASSERT_EQ(EINVAL, call.err);
	/* Nothing was cut or unmapped: both halves still map the memory. */
	ASSERT_OK(check_map(fd, hwpt, BASE, buf, 2 * MIB));

	ASSERT_OK(_destroy(fd, stdev));
	ASSERT_OK(_ioas_unmap(fd, ioas, BASE, 2 * MIB, &unmapped));
	ASSERT_EQ(2 * MIB, unmapped);
	ASSERT_EQ(pinned, iommufd_pinned_pages());
	ASSERT_OK(close(fd));
	ASSERT_EQ(objects, iommufd_live_objects());
	munmap(raw, 4 * MIB);
}

/* The debugfs view of one file's IOASes, read on its own thread. */
struct view_read {
	pthread_t thread;
	char path[128];
	char text[4096];
	ssize_t len;
};

static void *view_read_run(void *data)
{
	struct view_read *v = data;
	int fd = open(v->path, O_RDONLY | O_CLOEXEC);

	v->len = -1;
	if (fd >= 0) {
		v->len = read(fd, v->text, sizeof(v->text) - 1);
		close(fd);
	}
	if (v->len >= 0)
		v->text[v->len] = 0;
	return NULL;
}

/*
 * The debugfs view found an IOAS and is stopped before printing it, when
 * IOMMU_DESTROY takes the IOAS out of the table.  The destroy must wait
 * for the walk, which then prints the IOAS from memory still valid; once
 * the walk is done the destroy goes on and succeeds.
 */
TEST(race, destroy_waits_for_a_view_walk_that_found_the_object)
{
	long objects = iommufd_live_objects();
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	struct stopped_call call;
	struct view_read view;
	char want[32];
	__u32 ioas;
	int fd = iommufd_open();

	if (pause_write("release"))
		SKIP("no %s (not the test build)", PAUSE_FILE);
	ASSERT_OK(_ioas_alloc(fd, &ioas));
	snprintf(view.path, sizeof(view.path), IOMMUFD_DEBUGFS "/files/%ld/ioas",
		 iommufd_stat_id(fd));

	ASSERT_OK(pause_write("show_object"));
	ASSERT_OK(pthread_create(&view.thread, NULL, view_read_run, &view));
	ASSERT_OK(pause_wait_reached());

	/* Inside the window: the destroy starts, and must not finish. */
	destroy.id = ioas;
	ASSERT_OK(stopped_call_start(&call, fd, IOMMU_DESTROY, &destroy));
	usleep(200 * 1000);
	ASSERT_FALSE(__atomic_load_n(&call.done, __ATOMIC_ACQUIRE));

	ASSERT_OK(pause_write("release"));
	ASSERT_OK(pthread_join(view.thread, NULL));
	ASSERT_OK(pthread_join(call.thread, NULL));
	ASSERT_EQ(0, call.rc);
	ASSERT_LT(0, view.len);
	snprintf(want, sizeof(want), "ioas id=%u ", ioas);
	ASSERT_TRUE(strstr(view.text, want));
	/* Gone for good: not found again, nor shown by a new walk. */
	EXPECT_ERRNO(ENOENT, _destroy(fd, ioas));
	view_read_run(&view);
	ASSERT_LT(0, view.len);
	ASSERT_FALSE(strstr(view.text, want));
	ASSERT_OK(close(fd));
	ASSERT_EQ(objects, iommufd_live_objects());
}

/*
 * IOMMU_IOAS_CHANGE_PROCESS holds every IOAS of the file and has not yet
 * counted their pages, when IOMMU_IOAS_ALLOC builds a new one.  The new
 * IOAS must not be published behind the walk's back: the alloc waits, and
 * finishes once CHANGE_PROCESS is done.
 */
TEST(race, ioas_alloc_waits_for_change_process)
{
	long objects = iommufd_live_objects();
	struct iommu_ioas_change_process cp = { .size = sizeof(cp) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct stopped_call change, create;
	__u32 ioas;
	int fd = iommufd_open();

	if (pause_write("release"))
		SKIP("no %s (not the test build)", PAUSE_FILE);
	ASSERT_OK(_ioas_alloc(fd, &ioas));

	ASSERT_OK(pause_write("all_ioas_locked"));
	ASSERT_OK(stopped_call_start(&change, fd, IOMMU_IOAS_CHANGE_PROCESS,
				     &cp));
	ASSERT_OK(pause_wait_reached());

	/* Inside the window: the alloc starts, and must not finish. */
	ASSERT_OK(stopped_call_start(&create, fd, IOMMU_IOAS_ALLOC, &alloc));
	usleep(200 * 1000);
	ASSERT_FALSE(__atomic_load_n(&create.done, __ATOMIC_ACQUIRE));

	ASSERT_OK(pause_write("release"));
	ASSERT_OK(pthread_join(change.thread, NULL));
	ASSERT_OK(pthread_join(create.thread, NULL));
	ASSERT_EQ(0, change.rc);
	ASSERT_EQ(0, create.rc);
	ASSERT_NE(ioas, alloc.out_ioas_id);
	/* Both are published, and a new alloc no longer waits for anything. */
	ASSERT_OK(_ioas_alloc(fd, &ioas));
	ASSERT_OK(_destroy(fd, alloc.out_ioas_id));
	ASSERT_OK(close(fd));
	ASSERT_EQ(objects, iommufd_live_objects());
}
