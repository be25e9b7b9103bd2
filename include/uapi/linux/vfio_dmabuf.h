/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uAPI newer upstream Linux added to include/uapi/linux/vfio.h after 6.12:
 * a dma-buf for a range of a device's BAR, so that IOMMU_IOAS_MAP_FILE can
 * map it for peer-to-peer DMA.  Upstream's number and layout; defined here
 * only where <linux/vfio.h> lacks them.  This project's VFIO (vfio/) has
 * it; Debian's 6.12 VFIO answers the feature with ENOTTY.
 */
#ifndef _UAPI_VFIO_DMABUF_H
#define _UAPI_VFIO_DMABUF_H

#include <linux/types.h>
#include <linux/vfio.h>

#ifndef VFIO_DEVICE_FEATURE_DMA_BUF
/*
 * VFIO_DEVICE_FEATURE with GET (PROBE alone tells whether it exists):
 * returns a new dma-buf fd for @nr_ranges ranges of region @region_index
 * (a BAR), one after another in the dma-buf.  Offsets and lengths are page
 * aligned and inside the BAR; @flags must be 0; @open_flags are the fd's
 * (O_RDWR, O_CLOEXEC).  The dma-buf is revoked while the BAR is not usable:
 * memory decoding off, a low-power state, a reset, and for good when the
 * device is closed.
 */
#define VFIO_DEVICE_FEATURE_DMA_BUF 11

struct vfio_region_dma_range {
	__u64 offset;
	__u64 length;
};

struct vfio_device_feature_dma_buf {
	__u32 region_index;
	__u32 open_flags;
	__u32 flags;
	__u32 nr_ranges;
	struct vfio_region_dma_range dma_ranges[];
};
#endif

#endif /* _UAPI_VFIO_DMABUF_H */
