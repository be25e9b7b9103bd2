// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rules every /dev/iommu ioctl shares: the size field, zero trailing
 * bytes, unknown commands and flags, bad user pointers, and that a refused
 * command changes nothing.
 */
#include <sys/mman.h>

#include "iommufd_utils.h"

/* A command struct with room to grow past what the kernel knows. */
struct big_ioas_alloc {
	struct iommu_ioas_alloc cmd;
	__u8 tail[64];
};

TEST_F(iommufd, size_below_first_version_is_einval)
{
	struct iommu_ioas_alloc cmd = { .flags = 0 };
	__u32 sizes[] = { 0, 1, 4, 8, offsetof(struct iommu_ioas_alloc,
					       out_ioas_id) + 3 };

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		cmd.size = sizes[i];
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_IOAS_ALLOC, &cmd));
	}
	EXPECT_EQ(self->leak.objects_before, iommufd_live_objects());
}

TEST_F(iommufd, larger_struct_with_zero_tail_is_accepted)
{
	struct big_ioas_alloc big = { .cmd.size = sizeof(big) };

	ASSERT_OK(ioctl(self->fd, IOMMU_IOAS_ALLOC, &big));
	ASSERT_NE(0, big.cmd.out_ioas_id);
	/* The reply is the kernel's struct only; the tail stays untouched. */
	for (unsigned int i = 0; i < sizeof(big.tail); i++)
		ASSERT_EQ(0, big.tail[i]);
	ASSERT_OK(_destroy(self->fd, big.cmd.out_ioas_id));
}

TEST_F(iommufd, nonzero_tail_is_e2big_and_creates_nothing)
{
	struct big_ioas_alloc big = { .cmd.size = sizeof(big) };

	for (unsigned int i = 0; i < sizeof(big.tail); i += 7) {
		big.tail[i] = 1;
		EXPECT_ERRNO(E2BIG, ioctl(self->fd, IOMMU_IOAS_ALLOC, &big));
		EXPECT_EQ(0, big.cmd.out_ioas_id);
		big.tail[i] = 0;
	}
	EXPECT_EQ(self->leak.objects_before, iommufd_live_objects());
}

TEST_F(iommufd, struct_larger_than_a_page)
{
	size_t len = 3 * 4096;
	char *buf = calloc(1, len);
	struct iommu_ioas_alloc *cmd = (void *)buf;

	ASSERT_NE(NULL, buf);
	cmd->size = len;
	ASSERT_OK(ioctl(self->fd, IOMMU_IOAS_ALLOC, cmd));
	ASSERT_OK(_destroy(self->fd, cmd->out_ioas_id));

	buf[len - 1] = 1;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, IOMMU_IOAS_ALLOC, cmd));
	free(buf);
	EXPECT_EQ(self->leak.objects_before, iommufd_live_objects());
}

TEST_F(iommufd, size_beyond_mapped_memory_is_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iommu_ioas_alloc *cmd;

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_OK(munmap(map + page, page));
	/* The struct ends the page; its claimed size runs into the hole. */
	cmd = (void *)(map + page - sizeof(*cmd));
	memset(cmd, 0, sizeof(*cmd));
	cmd->size = sizeof(*cmd) + 16;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IOMMU_IOAS_ALLOC, cmd));
	munmap(map, page);
	EXPECT_EQ(self->leak.objects_before, iommufd_live_objects());
}

TEST_F(iommufd, unknown_flags_are_eopnotsupp)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	for (unsigned int bit = 0; bit < 32; bit++) {
		cmd.flags = 1U << bit;
		EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_IOAS_ALLOC,
					       &cmd));
	}
	EXPECT_EQ(self->leak.objects_before, iommufd_live_objects());
}

TEST_F(iommufd, unknown_commands_are_enotty)
{
	struct { __u32 size; __u8 pad[60]; } cmd = { .size = sizeof(cmd) };
	unsigned long bad[] = {
		_IO(IOMMUFD_TYPE, 0x00),
		_IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE - 1),
		_IO(IOMMUFD_TYPE, 0x9f),	/* unassigned upstream */
		_IO(IOMMUFD_TYPE, 0xff),
		_IO('x', IOMMUFD_CMD_DESTROY),	/* wrong type */
		_IOWR(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY,
		      struct iommu_destroy),	/* wrong direction/size */
		_IOR(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC,
		     struct iommu_ioas_alloc),
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_ERRNO(ENOTTY, ioctl(self->fd, bad[i], &cmd));
	EXPECT_EQ(self->leak.objects_before, iommufd_live_objects());
}

TEST_F(iommufd, bad_pointers_are_efault)
{
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IOMMU_IOAS_ALLOC, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IOMMU_DESTROY, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IOMMU_IOAS_ALLOC, (void *)8));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IOMMU_IOAS_ALLOC,
				   (void *)-4096L));
	EXPECT_EQ(self->leak.objects_before, iommufd_live_objects());
}

/*
 * A struct in read-only memory can be read but not answered: the IOAS the
 * command would have made must not exist afterwards.
 */
TEST_F(iommufd, unwritable_reply_creates_nothing)
{
	long page = sysconf(_SC_PAGESIZE);
	struct iommu_ioas_alloc *cmd;
	__u32 next;

	cmd = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, cmd);
	cmd->size = sizeof(*cmd);
	ASSERT_OK(mprotect(cmd, page, PROT_READ));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IOMMU_IOAS_ALLOC, cmd));
	EXPECT_EQ(self->leak.objects_before, iommufd_live_objects());
	munmap(cmd, page);

	/* And its id was given back: the next IOAS gets the first id. */
	ASSERT_OK(_ioas_alloc(self->fd, &next));
	EXPECT_EQ(1, next);
}

TEST_F(iommufd, destroy_has_no_flags_to_misuse)
{
	struct { struct iommu_destroy cmd; __u32 extra; } big = {
		.cmd.size = sizeof(big), .extra = 1,
	};
	__u32 id;

	ASSERT_OK(_ioas_alloc(self->fd, &id));
	big.cmd.id = id;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, IOMMU_DESTROY, &big));
	/* Refused, so the IOAS is still there. */
	EXPECT_OK(_destroy(self->fd, id));
}
