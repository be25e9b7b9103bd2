// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/iommu: the character device and the life of its open files.
 *
 * Every open() makes a struct iommufd_ctx that owns all objects created
 * through that file; release() destroys them.  The file's module reference
 * (fops.owner) keeps the module loaded while any file is open.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommufd.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "../iommufd_private.h"
#include "../device/device.h"
#include "../ioas/ioas.h"
#include "../selftest/selftest.h"
#include "../stat/stat.h"

#ifdef IOMMUFD_VFIO_CONTAINER
/*
 * /dev/vfio/vfio, for a VFIO built without its own container: legacy VFIO
 * user space opens it, sets it as its groups' container, and gets an
 * iommufd answering the type1 ioctls.
 */
static struct miscdevice iommufd_vfio_dev;

static bool iommufd_is_vfio_container(struct file *filp)
{
	return filp->private_data == &iommufd_vfio_dev;
}
#else
static bool iommufd_is_vfio_container(struct file *filp)
{
	return false;
}
#endif

static int iommufd_fops_open(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ictx;

	ictx = kzalloc(sizeof(*ictx), GFP_KERNEL_ACCOUNT);
	if (!ictx)
		return -ENOMEM;
	if (iommufd_ioas_ctx_init(ictx)) {
		kfree(ictx);
		return -ENOMEM;
	}

	/*
	 * Opened as VFIO's container: charge pins per process, as type1
	 * does.  (misc_open() left the miscdevice in private_data.)
	 */
	ictx->process_accounting = iommufd_is_vfio_container(filp);

	xa_init_flags(&ictx->objects, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	init_waitqueue_head(&ictx->destroy_wait);
	mutex_init(&ictx->vfio_lock);
	xa_init(&ictx->groups);
	init_rwsem(&ictx->ioas_creation_lock);
	mt_init_flags(&ictx->mmaps, MT_FLAGS_ALLOC_RANGE);
	init_rwsem(&ictx->show_rwsem);
	ictx->owner = get_task_pid(current, PIDTYPE_TGID);
	ictx->file = filp;
	filp->private_data = ictx;
	iommufd_stat_add(ictx);
	return 0;
}

static int iommufd_fops_release(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ictx = filp->private_data;

	/* First: the view's readers are gone once this returns. */
	iommufd_stat_remove(ictx);
	iommufd_destroy_all_objects(ictx);
	xa_destroy(&ictx->objects);
	WARN_ON(!xa_empty(&ictx->groups));
	xa_destroy(&ictx->groups);
	WARN_ON(!mtree_empty(&ictx->mmaps));
	mtree_destroy(&ictx->mmaps);
	mutex_destroy(&ictx->vfio_lock);
	put_pid(ictx->owner);
	iommufd_ioas_ctx_fini(ictx);
	kfree(ictx);
	return 0;
}

/* Which file of the debugfs view (stat/) this descriptor is. */
static void iommufd_fops_show_fdinfo(struct seq_file *m, struct file *filp)
{
	struct iommufd_ctx *ictx = filp->private_data;

	seq_printf(m, "iommufd-id:\t%lu\n", ictx->stat_id);
}

static const struct file_operations iommufd_fops = {
	.owner = THIS_MODULE,
	.open = iommufd_fops_open,
	.release = iommufd_fops_release,
	.unlocked_ioctl = iommufd_fops_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = iommufd_fops_mmap,
	.show_fdinfo = iommufd_fops_show_fdinfo,
};

/**
 * iommufd_ctx_get() - take a reference on an iommufd context
 * @ictx: the context
 *
 * Pair with iommufd_ctx_put().  The reference keeps the /dev/iommu file,
 * and so every object in it, alive.
 *
 * Context: any.
 */
void iommufd_ctx_get(struct iommufd_ctx *ictx)
{
	get_file(ictx->file);
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_get, IOMMUFD);

/**
 * iommufd_ctx_put() - drop a reference taken on an iommufd context
 * @ictx: the context
 *
 * Context: process context; the last put releases the file.
 */
void iommufd_ctx_put(struct iommufd_ctx *ictx)
{
	fput(ictx->file);
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_put, IOMMUFD);

/**
 * iommufd_ctx_from_file() - the iommufd context of an open /dev/iommu
 * @file: a file the caller holds
 *
 * Context: any.
 * Return: the context with a reference taken (iommufd_ctx_put() it), or
 * ERR_PTR(-EBADFD) if @file is not /dev/iommu.
 */
struct iommufd_ctx *iommufd_ctx_from_file(struct file *file)
{
	struct iommufd_ctx *ictx;

	if (file->f_op != &iommufd_fops)
		return ERR_PTR(-EBADFD);
	ictx = file->private_data;
	iommufd_ctx_get(ictx);
	return ictx;
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_from_file, IOMMUFD);

/**
 * iommufd_ctx_from_fd() - the iommufd context of a file descriptor
 * @fd: a descriptor of the calling process
 *
 * Context: process context.
 * Return: the context with a reference taken, ERR_PTR(-EBADF) for a bad
 * descriptor, or ERR_PTR(-EBADFD) if it is not /dev/iommu.
 */
struct iommufd_ctx *iommufd_ctx_from_fd(int fd)
{
	struct iommufd_ctx *ictx;
	struct file *file;

	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	ictx = iommufd_ctx_from_file(file);
	fput(file);
	return ictx;
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_from_fd, IOMMUFD);

static struct miscdevice iommufd_misc_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "iommu",
	.nodename = "iommu",
	.fops = &iommufd_fops,
	.mode = 0660,
};

#ifdef IOMMUFD_VFIO_CONTAINER
static struct miscdevice iommufd_vfio_dev = {
	.minor = VFIO_MINOR,
	.name = "vfio",
	.nodename = "vfio/vfio",
	.fops = &iommufd_fops,
	.mode = 0666,
};

static int iommufd_vfio_dev_register(void)
{
	return misc_register(&iommufd_vfio_dev);
}

static void iommufd_vfio_dev_deregister(void)
{
	misc_deregister(&iommufd_vfio_dev);
}

MODULE_ALIAS_MISCDEV(VFIO_MINOR);
MODULE_ALIAS("devname:vfio/vfio");
#else
static int iommufd_vfio_dev_register(void)
{
	return 0;
}

static void iommufd_vfio_dev_deregister(void)
{
}
#endif

static int __init iommufd_init(void)
{
	int rc;

	iommufd_stat_init();
	rc = iommufd_test_init(iommufd_stat_debugfs_root());
	if (rc)
		goto err_stat;
	rc = misc_register(&iommufd_misc_dev);
	if (rc)
		goto err_test;
	iommufd_global_device_set(iommufd_misc_dev.this_device);
	rc = iommufd_vfio_dev_register();
	if (rc)
		goto err_misc;
	return 0;

err_misc:
	misc_deregister(&iommufd_misc_dev);
err_test:
	iommufd_stat_exit();
	iommufd_test_exit();
	return rc;
err_stat:
	iommufd_stat_exit();
	return rc;
}

static void __exit iommufd_exit(void)
{
	iommufd_vfio_dev_deregister();
	iommufd_global_device_set(NULL);
	misc_deregister(&iommufd_misc_dev);
	/* The test knobs are in the view's directory: they go with it. */
	iommufd_stat_exit();
	iommufd_test_exit();
}

module_init(iommufd_init);
module_exit(iommufd_exit);

MODULE_DESCRIPTION("/dev/iommu: I/O address spaces for devices passed through to user space");
MODULE_LICENSE("GPL");
/* iommu_group_replace_domain() and friends, exported for iommufd. */
MODULE_IMPORT_NS(IOMMUFD_INTERNAL);
/* dma_buf_dynamic_attach() and friends, for MAP_FILE of a dma-buf. */
MODULE_IMPORT_NS(DMA_BUF);
