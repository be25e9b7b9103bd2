// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of core/ioctl.c, built from the module's own source in user
 * space with every handler replaced by a stub that records what it was
 * given: which numbers reach a handler (the rest go to VFIO
 * compatibility, also a stub here), and the size rules every command
 * shares (too short is EINVAL, longer is E2BIG unless the extra bytes are
 * zero, shorter is zero-filled, replies copy back only what the caller's
 * size holds), checked for each command and for random sizes and bytes.
 */
#include "kshim.h"

#include <linux/ioctl.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include "../../module/iommufd_private.h"

#include "harness.h"
#include "unit.h"

/* Each command's struct: its size now and in its first version. */
struct cmd_ref {
	unsigned int nr;
	size_t size;
	size_t min_size;
};

#define REF(_nr, _struct, _last) \
	{ _nr, sizeof(_struct), offsetofend(_struct, _last) }

static const struct cmd_ref refs[] = {
	REF(IOMMUFD_CMD_DESTROY, struct iommu_destroy, id),
	REF(IOMMUFD_CMD_IOAS_ALLOC, struct iommu_ioas_alloc, out_ioas_id),
	REF(IOMMUFD_CMD_IOAS_ALLOW_IOVAS, struct iommu_ioas_allow_iovas,
	    allowed_iovas),
	REF(IOMMUFD_CMD_IOAS_COPY, struct iommu_ioas_copy, src_iova),
	REF(IOMMUFD_CMD_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges,
	    out_iova_alignment),
	REF(IOMMUFD_CMD_IOAS_MAP, struct iommu_ioas_map, iova),
	REF(IOMMUFD_CMD_IOAS_UNMAP, struct iommu_ioas_unmap, length),
	REF(IOMMUFD_CMD_OPTION, struct iommu_option, val64),
	REF(IOMMUFD_CMD_VFIO_IOAS, struct iommu_vfio_ioas, __reserved),
	REF(IOMMUFD_CMD_HWPT_ALLOC, struct iommu_hwpt_alloc, __reserved),
	REF(IOMMUFD_CMD_GET_HW_INFO, struct iommu_hw_info, __reserved),
	REF(IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING,
	    struct iommu_hwpt_set_dirty_tracking, __reserved),
	REF(IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP,
	    struct iommu_hwpt_get_dirty_bitmap, data),
	REF(IOMMUFD_CMD_HWPT_INVALIDATE, struct iommu_hwpt_invalidate,
	    __reserved),
	REF(IOMMUFD_CMD_FAULT_QUEUE_ALLOC, struct iommu_fault_alloc,
	    out_fault_fd),
	REF(IOMMUFD_CMD_IOAS_MAP_FILE, struct iommu_ioas_map_file, iova),
	REF(IOMMUFD_CMD_VIOMMU_ALLOC, struct iommu_viommu_alloc,
	    out_viommu_id),
	REF(IOMMUFD_CMD_VDEVICE_ALLOC, struct iommu_vdevice_alloc, virt_id),
	REF(IOMMUFD_CMD_VEVENTQ_ALLOC, struct iommu_veventq_alloc,
	    out_veventq_fd),
	REF(IOMMUFD_CMD_IOAS_CHANGE_PROCESS, struct iommu_ioas_change_process,
	    __reserved),
	REF(IOMMUFD_CMD_HW_QUEUE_ALLOC, struct iommu_hw_queue_alloc, length),
};

static const struct cmd_ref *ref_of(unsigned int nr)
{
	for (size_t i = 0; i < ARRAY_SIZE(refs); i++)
		if (refs[i].nr == nr)
			return &refs[i];
	return NULL;
}

/* What the last handler to run was given. */
static struct {
	struct iommufd_ctx *ictx;
	unsigned int nr;
	unsigned int calls;
	u32 user_size;
	unsigned char cmd[512];
} seen;

/* A reply pattern the stub writes over the whole struct, and answers. */
#define REPLY_BYTE 0xa5

static int stub(unsigned int nr, struct iommufd_ucmd *ucmd)
{
	const struct cmd_ref *ref = ref_of(nr);

	seen.ictx = ucmd->ictx;
	seen.nr = nr;
	seen.calls++;
	seen.user_size = ucmd->user_size;
	memcpy(seen.cmd, ucmd->cmd, ref->size);
	memset(ucmd->cmd, REPLY_BYTE, ref->size);
	return iommufd_ucmd_respond(ucmd, ref->size);
}

#define STUB(_fn, _nr) \
	int _fn(struct iommufd_ucmd *ucmd) { return stub(_nr, ucmd); }

STUB(iommufd_destroy_ioctl, IOMMUFD_CMD_DESTROY)
STUB(iommufd_ioas_alloc_ioctl, IOMMUFD_CMD_IOAS_ALLOC)
STUB(iommufd_ioas_allow_iovas_ioctl, IOMMUFD_CMD_IOAS_ALLOW_IOVAS)
STUB(iommufd_ioas_copy_ioctl, IOMMUFD_CMD_IOAS_COPY)
STUB(iommufd_ioas_iova_ranges_ioctl, IOMMUFD_CMD_IOAS_IOVA_RANGES)
STUB(iommufd_ioas_map_ioctl, IOMMUFD_CMD_IOAS_MAP)
STUB(iommufd_ioas_unmap_ioctl, IOMMUFD_CMD_IOAS_UNMAP)
STUB(iommufd_option_ioctl, IOMMUFD_CMD_OPTION)
STUB(iommufd_vfio_ioas_ioctl, IOMMUFD_CMD_VFIO_IOAS)
STUB(iommufd_hwpt_alloc_ioctl, IOMMUFD_CMD_HWPT_ALLOC)
STUB(iommufd_get_hw_info_ioctl, IOMMUFD_CMD_GET_HW_INFO)
STUB(iommufd_hwpt_set_dirty_tracking_ioctl,
     IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)
STUB(iommufd_hwpt_get_dirty_bitmap_ioctl, IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)
STUB(iommufd_hwpt_invalidate_ioctl, IOMMUFD_CMD_HWPT_INVALIDATE)
STUB(iommufd_fault_alloc_ioctl, IOMMUFD_CMD_FAULT_QUEUE_ALLOC)
STUB(iommufd_ioas_map_file_ioctl, IOMMUFD_CMD_IOAS_MAP_FILE)
STUB(iommufd_viommu_alloc_ioctl, IOMMUFD_CMD_VIOMMU_ALLOC)
STUB(iommufd_vdevice_alloc_ioctl, IOMMUFD_CMD_VDEVICE_ALLOC)
STUB(iommufd_veventq_alloc_ioctl, IOMMUFD_CMD_VEVENTQ_ALLOC)
STUB(iommufd_ioas_change_process_ioctl, IOMMUFD_CMD_IOAS_CHANGE_PROCESS)
STUB(iommufd_hw_queue_alloc_ioctl, IOMMUFD_CMD_HW_QUEUE_ALLOC)

/* A /dev/iommu file: the handlers and the fallback see its context. */
static struct iommufd_ctx *const ctx = (struct iommufd_ctx *)0x1000;
static struct file file = { .private_data = ctx };

/* What VFIO compatibility was last handed: numbers the table lacks. */
static struct {
	unsigned int calls;
	unsigned int cmd;
	unsigned long arg;
} vfio_seen;

long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd,
			unsigned long arg)
{
	vfio_seen.calls++;
	vfio_seen.cmd = cmd;
	vfio_seen.arg = arg;
	return ictx == ctx ? -ENOTTY : -EBADF;
}

/* User memory of a command: its struct, then room to spare. */
static unsigned char user[1024];

static long ioctl_on(unsigned int cmd)
{
	return iommufd_fops_ioctl(&file, cmd, (unsigned long)user);
}

static long dispatch(unsigned int nr, u32 user_size)
{
	memcpy(user, &user_size, sizeof(user_size));
	return ioctl_on(_IO(IOMMUFD_TYPE, nr));
}

/* Hands @cmd to the file; was it VFIO compatibility's, with the context? */
static bool went_to_vfio(unsigned int cmd)
{
	unsigned int calls = vfio_seen.calls;

	return ioctl_on(cmd) == -ENOTTY && vfio_seen.calls == calls + 1 &&
	       vfio_seen.cmd == cmd && vfio_seen.arg == (unsigned long)user;
}

TEST(ioctl, numbers_outside_the_table_go_to_vfio_compat)
{
	unsigned int calls = seen.calls, vfio_calls = vfio_seen.calls;

	memset(user, 0, sizeof(user));
	for (unsigned int nr = 0; nr < 0x100; nr++) {
		if (ref_of(nr))
			continue;
		memcpy(user, &(u32){ 64 }, sizeof(u32));
		ASSERT_TRUE(went_to_vfio(_IO(IOMMUFD_TYPE, nr)));
	}
	/* A known number with a size or direction encoded is not it. */
	ASSERT_TRUE(went_to_vfio(_IOWR(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP,
				       struct iommu_ioas_map)));
	ASSERT_TRUE(went_to_vfio(_IO(IOMMUFD_TYPE + 1, IOMMUFD_CMD_IOAS_MAP)));
	ASSERT_EQ(calls, seen.calls);
	/* And a number of the table never does. */
	vfio_calls = vfio_seen.calls;
	for (size_t i = 0; i < ARRAY_SIZE(refs); i++)
		ASSERT_EQ(0, dispatch(refs[i].nr, refs[i].size));
	ASSERT_EQ(vfio_calls, vfio_seen.calls);
}

TEST(ioctl, size_rules_of_every_command)
{
	for (size_t i = 0; i < ARRAY_SIZE(refs); i++) {
		const struct cmd_ref *ref = &refs[i];
		unsigned int calls = seen.calls;

		/* Shorter than the first version. */
		memset(user, 0x11, sizeof(user));
		ASSERT_EQ(-EINVAL, dispatch(ref->nr, ref->min_size - 1));
		ASSERT_EQ(-EINVAL, dispatch(ref->nr, 0));
		ASSERT_EQ(calls, seen.calls);

		/* The first version: the rest reads as zero. */
		ASSERT_EQ(0, dispatch(ref->nr, ref->min_size));
		ASSERT_EQ(ref->nr, seen.nr);
		ASSERT_EQ(ctx, seen.ictx);
		for (size_t b = 4; b < ref->min_size; b++)
			ASSERT_EQ(0x11, seen.cmd[b]);
		for (size_t b = ref->min_size; b < ref->size; b++)
			ASSERT_EQ(0, seen.cmd[b]);
		/* The reply covers what the caller's size holds, no more. */
		ASSERT_EQ(REPLY_BYTE, user[ref->min_size - 1]);
		ASSERT_EQ(0x11, user[ref->min_size]);

		/* Longer, with zero past our struct: accepted. */
		memset(user, 0, sizeof(user));
		ASSERT_EQ(0, dispatch(ref->nr, ref->size + 40));
		ASSERT_EQ(REPLY_BYTE, user[ref->size - 1]);
		ASSERT_EQ(0, user[ref->size]);
		/* A byte set past it: a field this kernel does not know. */
		user[ref->size + 39] = 1;
		calls = seen.calls;
		ASSERT_EQ(-E2BIG, dispatch(ref->nr, ref->size + 40));
		ASSERT_EQ(calls, seen.calls);

		/* The size cannot be read. */
		kshim_uaccess_fail = 1;
		ASSERT_EQ(-EFAULT, dispatch(ref->nr, ref->size));
		kshim_uaccess_fail = 0;
	}
}

TEST(ioctl, random_sizes_and_bytes_follow_the_rules)
{
	unsigned long accepted = 0, refused = 0;

	seed();
	for (unsigned int op = 0; op < 20000; op++) {
		const struct cmd_ref *ref = &refs[rnd_below(ARRAY_SIZE(refs))];
		u32 usize = rnd_below(ref->size + 64);
		bool tail_set = false;
		unsigned char before[sizeof(user)];
		long want, got;

		for (size_t b = 0; b < sizeof(user); b++)
			user[b] = rnd_below(3) ? 0 : rnd();
		/* Half the time nothing is set past the struct. */
		if (rnd_below(2))
			memset(user + ref->size, 0, sizeof(user) - ref->size);
		for (size_t b = ref->size; b < usize; b++)
			tail_set |= user[b] != 0;
		want = usize < ref->min_size ? -EINVAL :
		       tail_set ? -E2BIG : 0;
		memcpy(user, &usize, sizeof(usize));
		memcpy(before, user, sizeof(user));
		got = ioctl_on(_IO(IOMMUFD_TYPE, ref->nr));
		ASSERT_EQ(want, got);
		if (got) {
			/* Refused: the caller's memory is untouched. */
			ASSERT_EQ(0, memcmp(before, user, sizeof(user)));
			refused++;
			continue;
		}
		/* The handler saw the caller's bytes, zero past them. */
		for (size_t b = 4; b < ref->size; b++)
			ASSERT_EQ(b < usize ? before[b] : 0, seen.cmd[b]);
		ASSERT_EQ(usize, seen.user_size);
		/* The reply: min(size, usize) bytes; beyond, as it was. */
		for (size_t b = 0; b < sizeof(user); b++)
			ASSERT_EQ(b < min((size_t)usize, ref->size) ?
				  REPLY_BYTE : before[b], user[b]);
		accepted++;
	}
	printf("# %lu accepted, %lu refused, as the rules say\n", accepted,
	       refused);
	ASSERT_GT(accepted, 1000UL);
	ASSERT_GT(refused, 1000UL);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
