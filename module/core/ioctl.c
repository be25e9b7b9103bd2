// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ioctl table of /dev/iommu and the rules every command shares.
 *
 * Each command passes a pointer to a struct whose first u32 is its size as
 * user space knows it.  The kernel reads min(user size, kernel size) bytes,
 * zero-fills the rest, and refuses with E2BIG a larger struct whose extra
 * bytes are not all zero: a newer field it does not understand was set.  A
 * size below the first version of the struct is EINVAL.  Replies copy back
 * only what the caller's size holds.  An ioctl number the table does not
 * know goes to VFIO compatibility, which answers ENOTTY for one it does
 * not know either.
 */
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/ioctl.h>
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include <uapi/linux/iommufd_test.h>

#include "../iommufd_private.h"
#include "../device/device.h"
#include "../fault/fault.h"
#include "../hwpt/hwpt.h"
#include "../ioas/ioas.h"
#include "../selftest/selftest.h"
#include "../vfio_compat/vfio_compat.h"
#include "../viommu/viommu.h"

/* Every command struct the table knows; the stack buffer of a dispatch. */
union iommufd_ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_hw_info info;
	struct iommu_hwpt_alloc hwpt;
	struct iommu_fault_alloc fault;
	struct iommu_viommu_alloc viommu;
	struct iommu_vdevice_alloc vdevice;
	struct iommu_veventq_alloc veventq;
	struct iommu_hw_queue_alloc hw_queue;
	struct iommu_hwpt_invalidate cache;
	struct iommu_hwpt_set_dirty_tracking set_dirty;
	struct iommu_hwpt_get_dirty_bitmap get_dirty;
	struct iommu_ioas_alloc ioas_alloc;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_copy ioas_copy;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_map_file map_file;
	struct iommu_ioas_unmap unmap;
	struct iommu_option option;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_ioas_change_process change_process;
#ifdef IOMMUFD_SELFTEST
	struct iommu_test_cmd test;
#endif
};

/**
 * struct iommufd_ioctl_op - one entry of the ioctl table
 * @size: size of the command struct this kernel understands
 * @min_size: size of its first version: offsetofend() of its last field then
 * @execute: the handler
 *
 * The table is indexed by the command number less IOMMUFD_CMD_BASE.  Every
 * command is _IO(IOMMUFD_TYPE, nr): no size or direction is encoded, since
 * the struct carries its own size.
 */
struct iommufd_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	int (*execute)(struct iommufd_ucmd *ucmd);
};

#define IOCTL_OP(_nr, _fn, _struct, _last)				\
	[(_nr) - IOMMUFD_CMD_BASE] = {					\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(union iommufd_ucmd_buffer) < \
					  sizeof(_struct)),		\
		.min_size = offsetofend(_struct, _last),		\
		.execute = _fn,						\
	}

static const struct iommufd_ioctl_op iommufd_ioctl_ops[] = {
	IOCTL_OP(IOMMUFD_CMD_DESTROY, iommufd_destroy_ioctl,
		 struct iommu_destroy, id),
	IOCTL_OP(IOMMUFD_CMD_IOAS_ALLOC, iommufd_ioas_alloc_ioctl,
		 struct iommu_ioas_alloc, out_ioas_id),
	IOCTL_OP(IOMMUFD_CMD_IOAS_ALLOW_IOVAS, iommufd_ioas_allow_iovas_ioctl,
		 struct iommu_ioas_allow_iovas, allowed_iovas),
	IOCTL_OP(IOMMUFD_CMD_IOAS_COPY, iommufd_ioas_copy_ioctl,
		 struct iommu_ioas_copy, src_iova),
	IOCTL_OP(IOMMUFD_CMD_IOAS_IOVA_RANGES, iommufd_ioas_iova_ranges_ioctl,
		 struct iommu_ioas_iova_ranges, out_iova_alignment),
	IOCTL_OP(IOMMUFD_CMD_IOAS_MAP, iommufd_ioas_map_ioctl,
		 struct iommu_ioas_map, iova),
	IOCTL_OP(IOMMUFD_CMD_IOAS_UNMAP, iommufd_ioas_unmap_ioctl,
		 struct iommu_ioas_unmap, length),
	IOCTL_OP(IOMMUFD_CMD_OPTION, iommufd_option_ioctl,
		 struct iommu_option, val64),
	IOCTL_OP(IOMMUFD_CMD_VFIO_IOAS, iommufd_vfio_ioas_ioctl,
		 struct iommu_vfio_ioas, __reserved),
	IOCTL_OP(IOMMUFD_CMD_HWPT_ALLOC, iommufd_hwpt_alloc_ioctl,
		 struct iommu_hwpt_alloc, __reserved),
	IOCTL_OP(IOMMUFD_CMD_GET_HW_INFO, iommufd_get_hw_info_ioctl,
		 struct iommu_hw_info, __reserved),
	IOCTL_OP(IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING,
		 iommufd_hwpt_set_dirty_tracking_ioctl,
		 struct iommu_hwpt_set_dirty_tracking, __reserved),
	IOCTL_OP(IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP,
		 iommufd_hwpt_get_dirty_bitmap_ioctl,
		 struct iommu_hwpt_get_dirty_bitmap, data),
	IOCTL_OP(IOMMUFD_CMD_HWPT_INVALIDATE, iommufd_hwpt_invalidate_ioctl,
		 struct iommu_hwpt_invalidate, __reserved),
	IOCTL_OP(IOMMUFD_CMD_FAULT_QUEUE_ALLOC, iommufd_fault_alloc_ioctl,
		 struct iommu_fault_alloc, out_fault_fd),
	IOCTL_OP(IOMMUFD_CMD_IOAS_MAP_FILE, iommufd_ioas_map_file_ioctl,
		 struct iommu_ioas_map_file, iova),
	IOCTL_OP(IOMMUFD_CMD_VIOMMU_ALLOC, iommufd_viommu_alloc_ioctl,
		 struct iommu_viommu_alloc, out_viommu_id),
	IOCTL_OP(IOMMUFD_CMD_VDEVICE_ALLOC, iommufd_vdevice_alloc_ioctl,
		 struct iommu_vdevice_alloc, virt_id),
	IOCTL_OP(IOMMUFD_CMD_VEVENTQ_ALLOC, iommufd_veventq_alloc_ioctl,
		 struct iommu_veventq_alloc, out_veventq_fd),
	IOCTL_OP(IOMMUFD_CMD_IOAS_CHANGE_PROCESS,
		 iommufd_ioas_change_process_ioctl,
		 struct iommu_ioas_change_process, __reserved),
	IOCTL_OP(IOMMUFD_CMD_HW_QUEUE_ALLOC, iommufd_hw_queue_alloc_ioctl,
		 struct iommu_hw_queue_alloc, length),
#ifdef IOMMUFD_SELFTEST
	IOCTL_OP(_IOC_NR(IOMMU_TEST_CMD), iommufd_test_cmd_ioctl,
		 struct iommu_test_cmd, last),
#endif
};

/**
 * iommufd_ucmd_respond() - copy a command's reply back to user space
 * @ucmd: the command being executed
 * @size: size of the reply struct the kernel filled in
 *
 * Copies no more than the caller said its struct holds.
 *
 * Context: process context, may fault.
 * Return: 0 or -EFAULT.
 */
int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd, size_t size)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd, min_t(size_t, size,
							 ucmd->user_size)))
		return -EFAULT;
	return 0;
}

/**
 * iommufd_fops_ioctl() - the ioctl of a /dev/iommu file
 * @filp: the file; its private_data is the context
 * @cmd: the ioctl number
 * @arg: the user pointer to the command struct
 *
 * Runs a command of the table, or hands a number the table does not know
 * to VFIO compatibility (the container ioctls, vfio_compat/).
 *
 * Context: process context, may sleep.
 * Return: the handler's result, or -EFAULT, -EINVAL, -E2BIG as described
 * at the top of this file; for other numbers, VFIO compatibility's
 * answer, -ENOTTY if it knows none.
 */
long iommufd_fops_ioctl(struct file *filp, unsigned int cmd,
			unsigned long arg)
{
	struct iommufd_ctx *ictx = filp->private_data;
	const struct iommufd_ioctl_op *op;
	union iommufd_ucmd_buffer buf;
	struct iommufd_ucmd ucmd = {
		.ictx = ictx,
		.ubuffer = (void __user *)arg,
		.cmd = &buf,
	};
	unsigned int nr = _IOC_NR(cmd);
	int rc;

	if (nr < IOMMUFD_CMD_BASE ||
	    nr - IOMMUFD_CMD_BASE >= ARRAY_SIZE(iommufd_ioctl_ops))
		return iommufd_vfio_ioctl(ictx, cmd, arg);
	/* User-controlled index: no speculative load past the table. */
	op = &iommufd_ioctl_ops[array_index_nospec(nr - IOMMUFD_CMD_BASE,
						   ARRAY_SIZE(iommufd_ioctl_ops))];
	if (!op->execute || cmd != _IO(IOMMUFD_TYPE, nr))
		return iommufd_vfio_ioctl(ictx, cmd, arg);

	if (get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer))
		return -EFAULT;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;
	rc = copy_struct_from_user(&buf, op->size, ucmd.ubuffer,
				   ucmd.user_size);
	if (rc)
		return rc;
	return op->execute(&ucmd);
}
