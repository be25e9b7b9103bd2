// SPDX-License-Identifier: GPL-2.0-only
/*
 * Regions of the /dev/iommu file that user space maps with mmap(): pages
 * of an IOMMU that a driver hands to a VM directly, such as the doorbells
 * of a vIOMMU's hardware command queues.
 *
 * A driver adds a region on behalf of an object it implements, and the
 * object's allocation ioctl tells user space the region's offset and
 * length; mmap() must name exactly those.  Every mapping of a region is a
 * user of its object, so IOMMU_DESTROY of the object says EBUSY until the
 * mappings are gone; the object removes its regions when it is destroyed.
 * The mappings also hold the file, so the file cannot be released under
 * them.
 *
 * Locking: ictx->mmaps, a maple tree of offset ranges, has its own lock;
 * a region's fields do not change while it is in the tree.
 */
#include <linux/maple_tree.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "../iommufd_private.h"

/**
 * struct iommufd_mmap - a region of the file
 * @owner: the object whose region it is
 * @phys: the physical address it maps, page aligned
 * @length: its length in bytes, page aligned
 * @pgoff: its offset in the file, in pages
 */
struct iommufd_mmap {
	struct iommufd_object *owner;
	phys_addr_t phys;
	size_t length;
	unsigned long pgoff;
};

/**
 * iommufd_mmap_add() - offer a region of physical memory to mmap()
 * @ictx: the file
 * @owner: the object the region belongs to; it removes the region before
 *	it is freed
 * @phys: the physical address of the region, page aligned
 * @length: its length, page aligned, not 0
 * @offset: returns the region's offset in the file, for user space
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for an unaligned region; -ENOMEM; -EBUSY when the
 * file has no room left for it.
 */
int iommufd_mmap_add(struct iommufd_ctx *ictx, struct iommufd_object *owner,
		     phys_addr_t phys, size_t length, unsigned long *offset)
{
	struct iommufd_mmap *region;
	unsigned long start;
	int rc;

	if (!length || !PAGE_ALIGNED(length) || !PAGE_ALIGNED(phys))
		return -EINVAL;
	region = kzalloc(sizeof(*region), GFP_KERNEL_ACCOUNT);
	if (!region)
		return -ENOMEM;
	region->owner = owner;
	region->phys = phys;
	region->length = length;
	/* Offset 0 stays unused, so that a zeroed offset never maps. */
	rc = mtree_alloc_range(&ictx->mmaps, &start, region, length,
			       PAGE_SIZE, ULONG_MAX, GFP_KERNEL_ACCOUNT);
	if (rc) {
		kfree(region);
		return rc;
	}
	region->pgoff = start >> PAGE_SHIFT;
	*offset = start;
	return 0;
}

/**
 * iommufd_mmap_remove() - withdraw a region of iommufd_mmap_add()
 * @ictx: the file
 * @owner: the object it belongs to
 * @offset: its offset
 *
 * Existing mappings are users of @owner, so there are none when its
 * destroy callback calls this.
 *
 * Context: process context.
 */
void iommufd_mmap_remove(struct iommufd_ctx *ictx,
			 struct iommufd_object *owner, unsigned long offset)
{
	struct iommufd_mmap *region;

	region = mtree_erase(&ictx->mmaps, offset);
	WARN_ON_ONCE(!region || region->owner != owner);
	kfree(region);
}

static void iommufd_vma_open(struct vm_area_struct *vma)
{
	struct iommufd_mmap *region = vma->vm_private_data;

	refcount_inc(&region->owner->users);
}

static void iommufd_vma_close(struct vm_area_struct *vma)
{
	struct iommufd_mmap *region = vma->vm_private_data;
	struct iommufd_ctx *ictx = vma->vm_file->private_data;

	iommufd_put_object(ictx, region->owner);
}

static const struct vm_operations_struct iommufd_vma_ops = {
	.open = iommufd_vma_open,
	.close = iommufd_vma_close,
};

/**
 * iommufd_fops_mmap() - mmap() of /dev/iommu
 * @filp: the file
 * @vma: the mapping: shared, not executable, exactly one whole region
 *
 * Context: process context, mmap lock held.
 * Return: 0; -EINVAL for a private mapping; -EPERM for an executable one;
 * -ENXIO for an offset and length that are no region; the errors of
 * io_remap_pfn_range().
 */
int iommufd_fops_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct iommufd_ctx *ictx = filp->private_data;
	size_t length = vma->vm_end - vma->vm_start;
	struct iommufd_mmap *region;
	int rc;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;

	mtree_lock(&ictx->mmaps);
	region = mtree_load(&ictx->mmaps, vma->vm_pgoff << PAGE_SHIFT);
	/* Only a whole region from its start; its owner must be alive. */
	if (!region || region->pgoff != vma->vm_pgoff ||
	    region->length != length ||
	    !refcount_inc_not_zero(&region->owner->users)) {
		mtree_unlock(&ictx->mmaps);
		return -ENXIO;
	}
	mtree_unlock(&ictx->mmaps);

	vma->vm_pgoff = 0;
	vma->vm_private_data = region;
	vma->vm_ops = &iommufd_vma_ops;
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	rc = io_remap_pfn_range(vma, vma->vm_start, PHYS_PFN(region->phys),
				length, vma->vm_page_prot);
	if (rc)
		iommufd_put_object(ictx, region->owner);
	return rc;
}
