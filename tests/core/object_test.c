// SPDX-License-Identifier: GPL-2.0-only
/*
 * The object table: ids, IOMMU_DESTROY, the isolation of files from each
 * other, teardown at close, and concurrent use of one file.
 */
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "iommufd_utils.h"

TEST(file, dev_iommu_is_a_misc_char_device)
{
	struct stat st;

	ASSERT_OK(stat(IOMMUFD_DEV, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(10, major(st.st_rdev));	/* MISC_MAJOR */
	ASSERT_EQ(0660, st.st_mode & 0777);
}

TEST(file, module_stays_loaded_while_a_file_is_open)
{
	int fd = iommufd_open();

	/* Refused without waiting: the open file holds the module. */
	ASSERT_ERRNO(EWOULDBLOCK, syscall(SYS_delete_module, "iommufd",
					  O_NONBLOCK));
	ASSERT_OK(close(fd));
}

TEST_F(iommufd, ioas_alloc_gives_distinct_nonzero_ids)
{
	__u32 ids[16];

	for (unsigned int i = 0; i < 16; i++) {
		ASSERT_OK(_ioas_alloc(self->fd, &ids[i]));
		ASSERT_NE(0, ids[i]);
		for (unsigned int j = 0; j < i; j++)
			ASSERT_NE(ids[j], ids[i]);
	}
	ASSERT_EQ(self->leak.objects_before + 16, iommufd_live_objects());
	for (unsigned int i = 0; i < 16; i++)
		ASSERT_OK(_destroy(self->fd, ids[i]));
	ASSERT_EQ(self->leak.objects_before, iommufd_live_objects());
}

TEST_F(iommufd, destroy_twice_is_enoent)
{
	__u32 id;

	ASSERT_OK(_ioas_alloc(self->fd, &id));
	ASSERT_OK(_destroy(self->fd, id));
	ASSERT_ERRNO(ENOENT, _destroy(self->fd, id));
}

/* The compat IOAS is forgotten when it is destroyed, and only then. */
TEST_F(iommufd, destroying_the_compat_ioas_leaves_none)
{
	struct iommu_vfio_ioas get = { .size = sizeof(get),
				       .op = IOMMU_VFIO_IOAS_GET };
	__u32 compat, other;

	ASSERT_OK(_ioas_alloc(self->fd, &compat));
	ASSERT_OK(_ioas_alloc(self->fd, &other));
	ASSERT_OK(_vfio_ioas_set(self->fd, compat));
	ASSERT_OK(_destroy(self->fd, other));
	ASSERT_OK(ioctl(self->fd, IOMMU_VFIO_IOAS, &get));
	ASSERT_EQ(compat, get.ioas_id);
	ASSERT_OK(_destroy(self->fd, compat));
	EXPECT_ERRNO(ENODEV, ioctl(self->fd, IOMMU_VFIO_IOAS, &get));
	/* A new IOAS may take the number; it is not the compat IOAS. */
	ASSERT_OK(_ioas_alloc(self->fd, &other));
	EXPECT_ERRNO(ENODEV, ioctl(self->fd, IOMMU_VFIO_IOAS, &get));
	ASSERT_OK(_destroy(self->fd, other));
}

TEST_F(iommufd, destroy_of_unknown_ids_is_enoent)
{
	__u32 id, bad[] = { 0, 2, 100, 0x7fffffff, 0x80000000, 0xffffffff };

	ASSERT_OK(_ioas_alloc(self->fd, &id));
	ASSERT_EQ(1, id);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_ERRNO(ENOENT, _destroy(self->fd, bad[i]));
	/* None of that touched the one real object. */
	ASSERT_OK(_destroy(self->fd, id));
}

TEST_F(iommufd, ids_of_another_file_are_not_visible)
{
	int other = iommufd_open();
	__u32 mine, theirs;

	ASSERT_OK(_ioas_alloc(self->fd, &mine));
	ASSERT_OK(_ioas_alloc(other, &theirs));
	/* Both files start numbering at the same place... */
	ASSERT_EQ(mine, theirs);
	/* ...and destroying in one leaves the other's object alone. */
	ASSERT_OK(_destroy(other, theirs));
	ASSERT_ERRNO(ENOENT, _destroy(other, theirs));
	ASSERT_OK(_destroy(self->fd, mine));
	ASSERT_OK(close(other));
}

TEST_F(iommufd, close_destroys_everything)
{
	int fd = iommufd_open();

	for (unsigned int i = 0; i < 100; i++)
		ASSERT_OK(_ioas_alloc(fd, NULL));
	ASSERT_EQ(self->leak.objects_before + 100, iommufd_live_objects());
	ASSERT_OK(close(fd));
	ASSERT_EQ(self->leak.objects_before, iommufd_live_objects());
}

TEST_F(iommufd, freed_ids_are_reused_and_table_scales)
{
	/* Fewer on the debug kernel, where each ioctl costs a millisecond. */
	unsigned int n = on_debug_kernel() ? 5000 : 20000;
	__u32 id;

	for (unsigned int i = 0; i < n; i++) {
		ASSERT_OK(_ioas_alloc(self->fd, &id));
		ASSERT_EQ(i + 1, id);
	}
	/* Punch a hole and refill it. */
	ASSERT_OK(_destroy(self->fd, 777));
	ASSERT_OK(_ioas_alloc(self->fd, &id));
	ASSERT_EQ(777, id);
	ASSERT_EQ(self->leak.objects_before + n, iommufd_live_objects());
}

struct race_arg {
	int fd;
	int iterations;
	int errors;
};

/* Allocate and destroy; also try to destroy what the other thread made. */
static void *race_thread(void *p)
{
	struct race_arg *arg = p;

	for (int i = 0; i < arg->iterations; i++) {
		__u32 id;

		if (_ioas_alloc(arg->fd, &id)) {
			arg->errors++;
			continue;
		}
		if (_destroy(arg->fd, id + 1) && errno != ENOENT)
			arg->errors++;
		if (_destroy(arg->fd, id) && errno != ENOENT)
			arg->errors++;
	}
	return NULL;
}

TEST_F(iommufd, concurrent_alloc_and_destroy)
{
	struct race_arg args[4];
	pthread_t threads[4];

	for (unsigned int i = 0; i < 4; i++) {
		args[i] = (struct race_arg){
			.fd = self->fd,
			.iterations = on_debug_kernel() ? 1000 : 5000,
		};
		ASSERT_OK(pthread_create(&threads[i], NULL, race_thread,
					 &args[i]));
	}
	for (unsigned int i = 0; i < 4; i++) {
		ASSERT_OK(pthread_join(threads[i], NULL));
		EXPECT_EQ(0, args[i].errors);
	}
	/* Every IOAS was destroyed by one thread or the other. */
	EXPECT_EQ(self->leak.objects_before, iommufd_live_objects());
}
