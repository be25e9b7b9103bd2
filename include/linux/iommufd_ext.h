/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * In-kernel API of this module beyond 6.12's <linux/iommufd.h>, whose
 * functions keep the signatures 6.12 callers (VFIO) use.  Exported in
 * namespace IOMMUFD like the rest.
 */
#ifndef _LINUX_IOMMUFD_EXT_H
#define _LINUX_IOMMUFD_EXT_H

#include <linux/iommu.h>
#include <linux/mm_types.h>
#include <linux/types.h>

struct dma_buf;
struct dma_buf_attachment;
struct dma_buf_ops;
struct iommufd_device;
struct module;

int iommufd_device_attach_pasid(struct iommufd_device *idev, ioasid_t pasid,
				u32 pt_id);
int iommufd_device_replace_pasid(struct iommufd_device *idev, ioasid_t pasid,
				 u32 pt_id);
void iommufd_device_detach_pasid(struct iommufd_device *idev, ioasid_t pasid);

/**
 * struct iommufd_dmabuf_exporter - a dma-buf exporter whose dma-bufs
 *	IOMMU_IOAS_MAP_FILE can map
 * @item: in iommufd's list; managed by iommufd_dmabuf_exporter_register()
 * @ops: the dma_buf_ops of its dma-bufs; they must have pin and unpin
 * @locate: where the memory of @attach's dma-buf is: one physically
 *	contiguous range, @len bytes from @phys.  Called with the dma-buf's
 *	reservation lock held, after dma_buf_pin(); -ENODEV once revoked.
 * @mmio: the memory is MMIO (a BAR): mapped with IOMMU_MMIO
 * @owner: the exporter's module, held while @vma_dmabuf runs
 * @vm_ops: the vm_operations of the exporter's user mappings of the same
 *	memory, if it has them (a BAR mmap); NULL if not
 * @vma_dmabuf: for IOMMU_IOAS_MAP of such a mapping: a new dma-buf of the
 *	memory behind [@uva, @uva + @len) of @vma, which has @vm_ops and
 *	covers the range, with *@start set to @uva's offset in it.  Called
 *	with the mmap lock held for read and none of iommufd's locks.
 *	Returns the dma-buf (the caller's reference) or ERR_PTR().
 */
struct iommufd_dmabuf_exporter {
	struct list_head item;
	const struct dma_buf_ops *ops;
	int (*locate)(struct dma_buf_attachment *attach, phys_addr_t *phys,
		      size_t *len);
	bool mmio;
	struct module *owner;
	const struct vm_operations_struct *vm_ops;
	struct dma_buf *(*vma_dmabuf)(struct vm_area_struct *vma,
				      unsigned long uva, size_t len,
				      unsigned long *start);
};

void iommufd_dmabuf_exporter_register(struct iommufd_dmabuf_exporter *exporter);
void iommufd_dmabuf_exporter_unregister(struct iommufd_dmabuf_exporter *exporter);

#endif /* _LINUX_IOMMUFD_EXT_H */
