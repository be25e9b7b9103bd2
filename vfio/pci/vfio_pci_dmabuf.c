// SPDX-License-Identifier: GPL-2.0-only
/*
 * dma-bufs of vfio-pci BARs, so that another device's DMA can reach a BAR
 * through iommufd (peer-to-peer DMA), and only while the BAR is there.
 *
 * A dma-buf is made two ways: VFIO_DEVICE_FEATURE_DMA_BUF hands one to
 * user space as an fd (upstream's uAPI, for IOMMU_IOAS_MAP_FILE), and
 * IOMMU_IOAS_MAP of a BAR mmap makes one without an fd through
 * vfio_pci_dmabuf_of_vma().  Either way iommufd maps the BAR's physical
 * range, and this file takes it back:
 *
 * - vfio_pci_zap_bars() revokes every dma-buf of the device, at each place
 *   the CPU's BAR mmaps are zapped: memory decoding turned off, a D-state
 *   change, function, hot and bus resets, low-power entry.
 *   dma_buf_move_notify() returns with the range out of every IOMMU domain.
 * - Where memory_lock is released with memory usable again, the dma-bufs
 *   are restored: new mappings of them work.  What was revoked stays
 *   revoked in iommufd until user space maps it again.
 * - Close of the device revokes them for good and forgets the device,
 *   before the BARs are released.
 *
 * There is no sg_table to hand out (no struct page behind a BAR, and
 * Debian's 6.12 has no PCI P2PDMA), so map_dma_buf always fails and only
 * importers that take a physical range from iommufd's exporter registry
 * can use these dma-bufs.  pin succeeds: it holds nothing, the contract
 * is revocation.
 *
 * Locking: memory_lock (held for write to revoke or restore, for read to
 * create) -> vfio_pci_dmabufs_lock -> the dma-buf's reservation lock ->
 * iommufd's locks.  IOMMU_IOAS_MAP calls in with the mmap lock held, which
 * the fault path already takes before memory_lock.
 */
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/iommufd_ext.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio_pci_core.h>
#include <uapi/linux/vfio_dmabuf.h>

#include "vfio_pci_priv.h"
#include "vfio_pci_dmabuf.h"

MODULE_IMPORT_NS(DMA_BUF);
MODULE_IMPORT_NS(IOMMUFD);

/**
 * struct vfio_pci_dmabuf - a dma-buf of a range of a BAR
 * @item: in vfio_pci_dmabufs while @vdev is set
 * @vdev: the device; NULL once it was closed (vfio_pci_dmabufs_lock)
 * @dmabuf: the dma-buf, whose priv this is
 * @phys: where the range starts
 * @len: its bytes if it is one physical range, else 0
 * @revoked: the BAR is not usable; written under vfio_pci_dmabufs_lock
 *	and the reservation lock, read under either
 */
struct vfio_pci_dmabuf {
	struct list_head item;
	struct vfio_pci_core_device *vdev;
	struct dma_buf *dmabuf;
	phys_addr_t phys;
	size_t len;
	bool revoked;
};

/* Every listed dma-buf of every device: few, and changed rarely. */
static LIST_HEAD(vfio_pci_dmabufs);
static DEFINE_MUTEX(vfio_pci_dmabufs_lock);

static bool vfio_pci_dmabuf_usable(struct vfio_pci_core_device *vdev)
{
	lockdep_assert_held(&vdev->memory_lock);
	/* No virtual config space: the device is not open. */
	return vdev->vconfig && !vdev->pm_runtime_engaged &&
	       __vfio_pci_memory_enabled(vdev);
}

static int vfio_pci_dmabuf_attach(struct dma_buf *dmabuf,
				  struct dma_buf_attachment *attach)
{
	/* Only importers that map a physical range: no pages behind a BAR. */
	return attach->peer2peer ? 0 : -EOPNOTSUPP;
}

static int vfio_pci_dmabuf_pin(struct dma_buf_attachment *attach)
{
	struct vfio_pci_dmabuf *priv = attach->dmabuf->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	return priv->revoked ? -ENODEV : 0;
}

static void vfio_pci_dmabuf_unpin(struct dma_buf_attachment *attach)
{
}

static struct sg_table *
vfio_pci_dmabuf_map(struct dma_buf_attachment *attach,
		    enum dma_data_direction dir)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static void vfio_pci_dmabuf_unmap(struct dma_buf_attachment *attach,
				  struct sg_table *sgt,
				  enum dma_data_direction dir)
{
}

static void vfio_pci_dmabuf_release(struct dma_buf *dmabuf)
{
	struct vfio_pci_dmabuf *priv = dmabuf->priv;

	mutex_lock(&vfio_pci_dmabufs_lock);
	if (priv->vdev)
		list_del(&priv->item);
	mutex_unlock(&vfio_pci_dmabufs_lock);
	kfree(priv);
}

static const struct dma_buf_ops vfio_pci_dmabuf_ops = {
	.attach = vfio_pci_dmabuf_attach,
	.pin = vfio_pci_dmabuf_pin,
	.unpin = vfio_pci_dmabuf_unpin,
	.map_dma_buf = vfio_pci_dmabuf_map,
	.unmap_dma_buf = vfio_pci_dmabuf_unmap,
	.release = vfio_pci_dmabuf_release,
};

/* For iommufd, after dma_buf_pin(): where the memory is. */
static int vfio_pci_dmabuf_locate(struct dma_buf_attachment *attach,
				  phys_addr_t *phys, size_t *len)
{
	struct vfio_pci_dmabuf *priv = attach->dmabuf->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (priv->revoked)
		return -ENODEV;
	if (!priv->len)
		return -EOPNOTSUPP;
	*phys = priv->phys;
	*len = priv->len;
	return 0;
}

/*
 * A dma-buf of @size bytes of BAR @bar from @offset, one physical range if
 * @contiguous; revoked from the start if the BAR is not usable now.
 */
static struct dma_buf *
vfio_pci_dmabuf_create(struct vfio_pci_core_device *vdev, unsigned int bar,
		       u64 offset, u64 size, bool contiguous, int open_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct vfio_pci_dmabuf *priv;
	struct dma_buf *dmabuf;
	int rc;

	/* Claim the BAR for vfio, as a BAR mmap does. */
	rc = vfio_pci_core_setup_barmap(vdev, bar);
	if (rc)
		return ERR_PTR(rc);
	priv = kzalloc(sizeof(*priv), GFP_KERNEL_ACCOUNT);
	if (!priv)
		return ERR_PTR(-ENOMEM);
	priv->phys = pci_resource_start(vdev->pdev, bar) + offset;
	priv->len = contiguous ? size : 0;

	exp_info.ops = &vfio_pci_dmabuf_ops;
	exp_info.size = size;
	exp_info.flags = open_flags;
	exp_info.priv = priv;

	/* No revocation or restore between the state read and the listing. */
	down_read(&vdev->memory_lock);
	priv->revoked = !vfio_pci_dmabuf_usable(vdev);
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		up_read(&vdev->memory_lock);
		kfree(priv);
		return dmabuf;
	}
	mutex_lock(&vfio_pci_dmabufs_lock);
	priv->vdev = vdev;
	priv->dmabuf = dmabuf;
	list_add_tail(&priv->item, &vfio_pci_dmabufs);
	mutex_unlock(&vfio_pci_dmabufs_lock);
	up_read(&vdev->memory_lock);
	return dmabuf;
}

/*
 * Revoke or restore every dma-buf of @vdev; @forget also unlists them, for
 * good.  A dma-buf being released is skipped: nothing can map it any more.
 */
static void vfio_pci_dmabuf_set(struct vfio_pci_core_device *vdev,
				bool revoked, bool forget)
{
	struct vfio_pci_dmabuf *priv, *next;

	lockdep_assert_held_write(&vdev->memory_lock);
	mutex_lock(&vfio_pci_dmabufs_lock);
	list_for_each_entry_safe(priv, next, &vfio_pci_dmabufs, item) {
		if (priv->vdev != vdev)
			continue;
		if (forget) {
			list_del(&priv->item);
			priv->vdev = NULL;
		}
		if (!get_file_active(&priv->dmabuf->file))
			continue;
		if (priv->revoked != revoked) {
			dma_resv_lock(priv->dmabuf->resv, NULL);
			priv->revoked = revoked;
			if (revoked)
				dma_buf_move_notify(priv->dmabuf);
			dma_resv_unlock(priv->dmabuf->resv);
		}
		fput(priv->dmabuf->file);
	}
	mutex_unlock(&vfio_pci_dmabufs_lock);
}

/**
 * vfio_pci_dmabuf_revoke() - take every dma-buf of a device out of use
 * @vdev: the device, whose BARs are being zapped
 *
 * On return no IOMMU domain maps any of them.
 *
 * Context: memory_lock held for write.
 */
void vfio_pci_dmabuf_revoke(struct vfio_pci_core_device *vdev)
{
	vfio_pci_dmabuf_set(vdev, true, false);
}

/**
 * vfio_pci_dmabuf_restore() - let a device's dma-bufs be mapped again
 * @vdev: the device, after a change that may have made its memory usable
 *
 * Does nothing unless memory decoding is on and the device is not in a
 * low-power state.
 *
 * Context: memory_lock held for write, about to be released.
 */
void vfio_pci_dmabuf_restore(struct vfio_pci_core_device *vdev)
{
	if (vfio_pci_dmabuf_usable(vdev))
		vfio_pci_dmabuf_set(vdev, false, false);
}

/**
 * vfio_pci_dmabuf_cleanup() - revoke a closing device's dma-bufs for good
 * @vdev: the device, before its BARs are released
 *
 * Context: process context; takes memory_lock.
 */
void vfio_pci_dmabuf_cleanup(struct vfio_pci_core_device *vdev)
{
	down_write(&vdev->memory_lock);
	vfio_pci_dmabuf_set(vdev, true, true);
	up_write(&vdev->memory_lock);
}

/**
 * vfio_pci_dmabuf_feature() - VFIO_DEVICE_FEATURE_DMA_BUF
 * @vdev: the device
 * @flags: the feature's flags
 * @arg: struct vfio_device_feature_dma_buf in user memory
 * @argsz: its size with the ranges
 *
 * Context: process context, device open.
 * Return: the new dma-buf's fd; 0 for a probe; -EINVAL for a request that
 * is not a GET, flags, no ranges, a range that is empty, not page aligned
 * or past the BAR, a BAR that cannot be mapped; -ENODEV for a region that
 * is not a BAR; -EOPNOTSUPP for a device vfio-pci does not drive itself;
 * -EFAULT; -ENOMEM; the errors of dma_buf_fd().
 */
int vfio_pci_dmabuf_feature(struct vfio_pci_core_device *vdev, u32 flags,
			    void __user *arg, size_t argsz)
{
	struct vfio_device_feature_dma_buf req;
	struct vfio_region_dma_range __user *uranges;
	struct vfio_region_dma_range range;
	u64 first = 0, next = 0, size = 0, bar_len;
	bool contiguous = true;
	struct dma_buf *dmabuf;
	unsigned int bar, i;
	int fd;

	/* Variant drivers may move or hide BARs: theirs to export. */
	if (vdev->vdev.ops->ioctl != vfio_pci_core_ioctl)
		return -EOPNOTSUPP;
	fd = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_GET,
				sizeof(req));
	if (fd != 1)
		return fd;
	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags || !req.nr_ranges ||
	    req.open_flags & ~(O_ACCMODE | O_CLOEXEC))
		return -EINVAL;
	if (req.region_index >= VFIO_PCI_ROM_REGION_INDEX)
		return -ENODEV;
	bar = array_index_nospec(req.region_index, VFIO_PCI_ROM_REGION_INDEX);
	if (!vdev->bar_mmap_supported[bar])
		return -EINVAL;
	if (argsz < sizeof(req) + (size_t)req.nr_ranges * sizeof(range))
		return -EINVAL;

	bar_len = pci_resource_len(vdev->pdev, bar);
	uranges = arg + offsetof(struct vfio_device_feature_dma_buf,
				 dma_ranges);
	for (i = 0; i < req.nr_ranges; i++) {
		if (copy_from_user(&range, &uranges[i], sizeof(range)))
			return -EFAULT;
		if (!range.length || !PAGE_ALIGNED(range.offset) ||
		    !PAGE_ALIGNED(range.length) || range.offset >= bar_len ||
		    range.length > bar_len - range.offset)
			return -EINVAL;
		if (!i)
			first = range.offset;
		else if (range.offset != next)
			contiguous = false;
		next = range.offset + range.length;
		if (check_add_overflow(size, range.length, &size))
			return -EINVAL;
		cond_resched();
	}

	dmabuf = vfio_pci_dmabuf_create(vdev, bar, first, size, contiguous,
					req.open_flags);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	fd = dma_buf_fd(dmabuf, req.open_flags);
	if (fd < 0)
		dma_buf_put(dmabuf);
	return fd;
}

/* IOMMU_IOAS_MAP of a BAR mmap: a dma-buf of the pages under the range. */
static struct dma_buf *vfio_pci_dmabuf_of_vma(struct vm_area_struct *vma,
					      unsigned long uva, size_t len,
					      unsigned long *start)
{
	struct vfio_pci_core_device *vdev = vma->vm_private_data;
	unsigned long first = ALIGN_DOWN(uva, PAGE_SIZE), end;
	unsigned int bar;
	u64 offset;

	mmap_assert_locked(vma->vm_mm);
	if (vma->vm_ops != &vfio_pci_mmap_ops)
		return ERR_PTR(-EOPNOTSUPP);
	if (!len || check_add_overflow(uva, len, &end) ||
	    uva < vma->vm_start || end > vma->vm_end)
		return ERR_PTR(-EFAULT);
	/* vfio_pci_core_mmap() checked that the VMA is inside the BAR. */
	bar = vma->vm_pgoff >> (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT);
	offset = ((u64)vma->vm_pgoff << PAGE_SHIFT & VFIO_PCI_OFFSET_MASK) +
		 (first - vma->vm_start);
	*start = uva - first;
	return vfio_pci_dmabuf_create(vdev, bar, offset,
				      PAGE_ALIGN(end) - first, true, O_RDWR);
}

static struct iommufd_dmabuf_exporter vfio_pci_dmabuf_exporter = {
	.ops = &vfio_pci_dmabuf_ops,
	.locate = vfio_pci_dmabuf_locate,
	.mmio = true,
	.owner = THIS_MODULE,
	.vm_ops = &vfio_pci_mmap_ops,
	.vma_dmabuf = vfio_pci_dmabuf_of_vma,
};

/**
 * vfio_pci_dmabuf_init() - offer BAR dma-bufs to iommufd
 *
 * Context: module init.
 */
void vfio_pci_dmabuf_init(void)
{
	iommufd_dmabuf_exporter_register(&vfio_pci_dmabuf_exporter);
}

/**
 * vfio_pci_dmabuf_exit() - undo vfio_pci_dmabuf_init()
 *
 * Each dma-buf holds this module, so none is left.
 *
 * Context: module exit.
 */
void vfio_pci_dmabuf_exit(void)
{
	iommufd_dmabuf_exporter_unregister(&vfio_pci_dmabuf_exporter);
}
