/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fault/: I/O page fault queues (IOMMU_FAULT_QUEUE_ALLOC), which HWPTs
 * deliver their devices' page requests to.  What other folders may use.
 */
#ifndef IOMMUFD_FAULT_FAULT_H
#define IOMMUFD_FAULT_FAULT_H

#include "../iommufd_private.h"

struct device;
struct iommufd_attach_handle;
struct iommufd_fault;
struct iopf_group;
struct seq_file;

int iommufd_fault_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_fault_destroy(struct iommufd_object *obj);
void iommufd_fault_show(struct seq_file *m, struct iommufd_object *obj);
struct iommufd_fault *iommufd_get_fault(struct iommufd_ctx *ictx, u32 id);
void iommufd_fault_put(struct iommufd_fault *fault);
int iommufd_fault_iopf_handler(struct iopf_group *group);
void iommufd_fault_flush(struct iommufd_fault *fault,
			 struct iommufd_attach_handle *handle,
			 struct device *dev);

#endif /* IOMMUFD_FAULT_FAULT_H */
