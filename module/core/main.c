// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/iommu: the character device and the life of its open files.
 *
 * Every open() makes a struct iommufd_ctx that owns all objects created
 * through that file; release() destroys them.  The file's module reference
 * (fops.owner) keeps the module loaded while any file is open.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "../iommufd_private.h"
#include "../selftest/selftest.h"

static int iommufd_fops_open(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ictx;

	ictx = kzalloc(sizeof(*ictx), GFP_KERNEL_ACCOUNT);
	if (!ictx)
		return -ENOMEM;

	xa_init_flags(&ictx->objects, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	init_waitqueue_head(&ictx->destroy_wait);
	ictx->file = filp;
	filp->private_data = ictx;
	return 0;
}

static int iommufd_fops_release(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ictx = filp->private_data;

	iommufd_destroy_all_objects(ictx);
	xa_destroy(&ictx->objects);
	kfree(ictx);
	return 0;
}

static long iommufd_fops_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long arg)
{
	return iommufd_ioctl_dispatch(filp->private_data, cmd, arg);
}

static const struct file_operations iommufd_fops = {
	.owner = THIS_MODULE,
	.open = iommufd_fops_open,
	.release = iommufd_fops_release,
	.unlocked_ioctl = iommufd_fops_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice iommufd_misc_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "iommu",
	.nodename = "iommu",
	.fops = &iommufd_fops,
	.mode = 0660,
};

static int __init iommufd_init(void)
{
	int rc;

	rc = iommufd_test_init();
	if (rc)
		return rc;

	rc = misc_register(&iommufd_misc_dev);
	if (rc)
		goto err_test;
	return 0;

err_test:
	iommufd_test_exit();
	return rc;
}

static void __exit iommufd_exit(void)
{
	misc_deregister(&iommufd_misc_dev);
	iommufd_test_exit();
}

module_init(iommufd_init);
module_exit(iommufd_exit);

MODULE_DESCRIPTION("/dev/iommu: I/O address spaces for devices passed through to user space");
MODULE_LICENSE("GPL");
