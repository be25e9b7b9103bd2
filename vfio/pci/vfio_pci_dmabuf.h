/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dma-bufs of vfio-pci BARs, for peer-to-peer DMA through iommufd: the
 * project's own part of vfio-pci-core (vfio_pci_dmabuf.c), called from
 * Debian's vfio-pci sources through the project's patches (vfio/patches/).
 *
 * The hooks keep one rule: while a device's memory_lock is held for write
 * with its BARs zapped, none of its dma-bufs is mapped anywhere.
 */
#ifndef VFIO_PCI_DMABUF_H
#define VFIO_PCI_DMABUF_H

#include <linux/mm_types.h>
#include <linux/types.h>
#include <uapi/linux/vfio_dmabuf.h>

struct vfio_pci_core_device;

/* The vm_ops of BAR mmaps (vfio_pci_core.c). */
extern const struct vm_operations_struct vfio_pci_mmap_ops;

int vfio_pci_dmabuf_feature(struct vfio_pci_core_device *vdev, u32 flags,
			    void __user *arg, size_t argsz);
void vfio_pci_dmabuf_revoke(struct vfio_pci_core_device *vdev);
void vfio_pci_dmabuf_restore(struct vfio_pci_core_device *vdev);
void vfio_pci_dmabuf_cleanup(struct vfio_pci_core_device *vdev);
void vfio_pci_dmabuf_init(void);
void vfio_pci_dmabuf_exit(void);

#endif /* VFIO_PCI_DMABUF_H */
