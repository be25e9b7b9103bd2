/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * In-kernel API of this module beyond 6.12's <linux/iommufd.h>, whose
 * functions keep the signatures 6.12 callers (VFIO) use.  Exported in
 * namespace IOMMUFD like the rest.
 */
#ifndef _LINUX_IOMMUFD_EXT_H
#define _LINUX_IOMMUFD_EXT_H

#include <linux/iommu.h>
#include <linux/types.h>

struct dma_buf_attachment;
struct dma_buf_ops;
struct iommufd_device;

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
 */
struct iommufd_dmabuf_exporter {
	struct list_head item;
	const struct dma_buf_ops *ops;
	int (*locate)(struct dma_buf_attachment *attach, phys_addr_t *phys,
		      size_t *len);
	bool mmio;
};

void iommufd_dmabuf_exporter_register(struct iommufd_dmabuf_exporter *exporter);
void iommufd_dmabuf_exporter_unregister(struct iommufd_dmabuf_exporter *exporter);

#endif /* _LINUX_IOMMUFD_EXT_H */
