/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * device/: devices bound to an iommufd context, their groups and the
 * attachments of both.  What other folders may use of them; what only
 * device/ shares is device_priv.h.
 */
#ifndef IOMMUFD_DEVICE_DEVICE_H
#define IOMMUFD_DEVICE_DEVICE_H

#include <linux/iommu.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include "../iommufd_private.h"

struct iommufd_hw_pagetable;
struct seq_file;

/**
 * struct iommufd_group - an iommu_group as seen by one iommufd context
 * @users: one per bound device of the group
 * @ictx: the context
 * @group: the iommu_group (a reference)
 * @lock: protects @hwpt, @handle and @attached
 * @hwpt: what the group is attached to, or NULL (a user of it)
 * @handle: the attach handle @hwpt was attached with, or NULL
 * @attached: bound devices of the group attached to @hwpt
 * @devices_lock: protects @devices and their @iopf_closing; a spinlock,
 *	so fault delivery can name and check the device that faulted under
 *	other locks
 * @devices: the bound struct iommufd_device of the group (group_item)
 *
 * DMA isolation is per group, so all attached devices of a group share
 * one page table; the group is attached with the first and detached with
 * the last.
 */
struct iommufd_group {
	struct kref users;
	struct iommufd_ctx *ictx;
	struct iommu_group *group;
	struct mutex lock;		/* see the kernel-doc above */
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_attach_handle *handle;
	unsigned int attached;
	spinlock_t devices_lock;	/* see the kernel-doc above */
	struct list_head devices;
};

/**
 * struct iommufd_attach_handle - how the IOMMU core names one attachment
 *	of a group to a domain, so its page faults find their way back
 * @handle: the core's handle; the core sets @handle.domain
 * @igroup: the group attached; faults name the device of it that faulted
 * @hwpt: the page table attached
 *
 * Made for each attach or replace and freed once the attachment is gone
 * and its pending faults are answered.
 */
struct iommufd_attach_handle {
	struct iommu_attach_handle handle;
	struct iommufd_group *igroup;
	struct iommufd_hw_pagetable *hwpt;
};

/**
 * struct iommufd_device - a device bound to an iommufd context
 * @obj: the object; owned by the binding driver
 * @ictx: the context (a reference)
 * @igroup: its group
 * @dev: the device (a reference)
 * @group_item: in @igroup->devices while bound
 * @enforce_cache_coherency: the IOMMU can block its non-coherent DMA, so
 *	every domain it attaches to must
 * @hwpt: what it is attached to, or NULL; under @igroup->lock
 * @iopf_users: attachments of the device (itself or a PASID) to HWPTs
 *	that take faults; faults are on while non-zero; under @igroup->lock
 * @iopf_closing: its faults are about to go off: page requests it sends
 *	are refused rather than queued, as the core frees what is pending
 *	when they go off.  Written under @igroup->lock and
 *	@igroup->devices_lock, read under either.
 * @pasids: PASID -> struct iommufd_attach_handle of the HWPT attached
 *	there; changed under @igroup->lock
 * @vdev: its vDEVICE's object (not a user of it), or NULL; under
 *	@igroup->lock
 * @unbinding: unbind has begun: no new vDEVICE; under @igroup->lock
 */
struct iommufd_device {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_group *igroup;
	struct device *dev;
	struct list_head group_item;
	bool enforce_cache_coherency;
	struct iommufd_hw_pagetable *hwpt;
	unsigned int iopf_users;
	bool iopf_closing;
	struct xarray pasids;
	struct iommufd_object *vdev;
	bool unbinding;
};

static inline struct iommufd_device *
iommufd_get_device(struct iommufd_ucmd *ucmd, u32 id)
{
	struct iommufd_object *obj = iommufd_get_object(ucmd->ictx, id,
						       IOMMUFD_OBJ_DEVICE);

	return IS_ERR(obj) ? ERR_CAST(obj) :
			     container_of(obj, struct iommufd_device, obj);
}

/*
 * Exported by the 6.12 IOMMU core for iommufd (namespace IOMMUFD_INTERNAL)
 * but declared only in its private drivers/iommu/iommu-priv.h.
 */
int iommu_group_replace_domain(struct iommu_group *group,
			       struct iommu_domain *new_domain);
int iommu_attach_group_handle(struct iommu_domain *domain,
			      struct iommu_group *group,
			      struct iommu_attach_handle *handle);
void iommu_detach_group_handle(struct iommu_domain *domain,
			       struct iommu_group *group);
int iommu_replace_group_handle(struct iommu_group *group,
			       struct iommu_domain *new_domain,
			       struct iommu_attach_handle *handle);

void iommufd_device_destroy(struct iommufd_object *obj);
void iommufd_device_show(struct seq_file *m, struct iommufd_object *obj);
void iommufd_device_detach_all_pasids(struct iommufd_device *idev);
const struct iommu_ops *iommufd_dev_ops(struct device *dev);
int iommufd_get_hw_info_ioctl(struct iommufd_ucmd *ucmd);

/* What fault delivery asks of a device's group (device/group.c). */
u32 iommufd_group_dev_id(struct iommufd_group *igroup, struct device *dev);
bool iommufd_group_dev_takes_faults(struct iommufd_group *igroup,
				    struct device *dev);

#endif /* IOMMUFD_DEVICE_DEVICE_H */
