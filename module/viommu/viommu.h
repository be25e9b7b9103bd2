/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vIOMMU objects and the interface IOMMU drivers implement for them.
 *
 * A vIOMMU is a VM's slice of one physical IOMMU: the nesting parent its
 * guest's stage-1 tables sit on, the guest's IDs of its devices (vDEVICEs),
 * cache invalidation in those IDs, and events reported in them (vEVENTQs).
 * The 6.12 IOMMU core has no vIOMMU hooks in struct iommu_ops, so drivers
 * register a struct iommufd_viommu_driver with this module instead; on the
 * stock kernel only the mock IOMMU does.
 */
#ifndef IOMMUFD_VIOMMU_H
#define IOMMUFD_VIOMMU_H

#include <linux/list.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "../iommufd_private.h"

struct iommu_user_data;
struct iommu_user_data_array;
struct iommufd_device;
struct iommufd_hw_queue;
struct iommufd_hwpt_nested;
struct iommufd_viommu;
struct seq_file;

/**
 * struct iommufd_viommu_ops - a driver's vIOMMU operations
 * @init: set up the driver's part of a new vIOMMU (@viommu->priv) from
 *	@data (NULL when user space gave none); may write results back to
 *	@data.  Errors go to user space.
 * @destroy: undo @init; optional
 * @alloc_domain_nested: a nested domain on the vIOMMU's parent, described
 *	by @data; NULL if the driver has none
 * @cache_invalidate: carry out an array of invalidation requests in the
 *	vIOMMU's IDs, in order, stopping at the first refused one and setting
 *	@array->entry_num to the number done; NULL if the driver has none
 * @hw_queue_supports: does the vIOMMU offer hardware queues of @type?
 *	NULL if it offers none
 * @hw_queue_init: set up @hw_queue (its type, index, IOVA and length
 *	set) whose memory starts at physical address @base_pa; the memory
 *	is contiguous and stays pinned and mapped until after
 *	@hw_queue_destroy.  Errors go to user space.
 * @hw_queue_destroy: undo @hw_queue_init; optional
 */
struct iommufd_viommu_ops {
	int (*init)(struct iommufd_viommu *viommu,
		    const struct iommu_user_data *data);
	void (*destroy)(struct iommufd_viommu *viommu);
	struct iommu_domain *(*alloc_domain_nested)(struct iommufd_viommu *viommu,
						    u32 flags,
						    const struct iommu_user_data *data);
	int (*cache_invalidate)(struct iommufd_viommu *viommu,
				struct iommu_user_data_array *array);
	bool (*hw_queue_supports)(struct iommufd_viommu *viommu, u32 type);
	int (*hw_queue_init)(struct iommufd_hw_queue *hw_queue,
			     phys_addr_t base_pa);
	void (*hw_queue_destroy)(struct iommufd_hw_queue *hw_queue);
};

/**
 * struct iommufd_viommu_driver - a vIOMMU type an IOMMU driver offers
 * @item: in the registry; managed by iommufd_viommu_driver_register()
 * @iommu_ops: the IOMMU driver whose devices it serves
 * @type: the enum iommu_viommu_type (or test type) it implements
 * @ops: its operations
 */
struct iommufd_viommu_driver {
	struct list_head item;
	const struct iommu_ops *iommu_ops;
	u32 type;
	const struct iommufd_viommu_ops *ops;
};

void iommufd_viommu_driver_register(struct iommufd_viommu_driver *drv);
void iommufd_viommu_driver_unregister(struct iommufd_viommu_driver *drv);
struct iommu_domain *iommufd_viommu_parent_domain(struct iommufd_viommu *viommu);

/**
 * struct iommufd_viommu - a vIOMMU object
 * @obj: the object
 * @ictx: the context
 * @iommu_dev: the physical IOMMU it is a slice of
 * @hwpt: the nesting parent (a user of it)
 * @ops: the driver's operations
 * @type: what user space asked for
 * @priv: the driver's
 * @vdevs: virt_id -> struct iommufd_vdevice; changes and lookups under
 *	its xa_lock, so drivers may resolve IDs in any context
 * @veventqs_rwsem: protects @veventqs; readers report events
 * @veventqs: its struct iommufd_veventq, at most one per type
 */
struct iommufd_viommu {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommu_device *iommu_dev;
	struct iommufd_hwpt_paging *hwpt;
	const struct iommufd_viommu_ops *ops;
	u32 type;
	void *priv;
	struct xarray vdevs;
	struct rw_semaphore veventqs_rwsem;	/* see the kernel-doc above */
	struct list_head veventqs;
};

/**
 * struct iommufd_vdevice - a device as a vIOMMU's guest knows it
 * @obj: the object
 * @viommu: the vIOMMU (a user of it)
 * @idev: the device (a user of it; unbind destroys this first)
 * @virt_id: the guest's ID of the device on @viommu
 */
struct iommufd_vdevice {
	struct iommufd_object obj;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	u64 virt_id;
};

/**
 * struct iommufd_hw_queue - a queue of the guest's that the IOMMU reads
 *	directly on a vIOMMU's behalf (IOMMU_HW_QUEUE_ALLOC)
 * @obj: the object
 * @viommu: the vIOMMU (a user of it)
 * @type: the enum iommu_hw_queue_type (or test type)
 * @index: which of the vIOMMU's queues of @type it is
 * @base_iova: its IOVA in the vIOMMU's nesting parent
 * @length: its length in bytes
 * @pin_first: first IOVA of the locked pin of its pages
 * @pin_last: last IOVA of that pin; 0 with @pin_first 0 before the pin
 * @initialized: the driver's @hw_queue_init succeeded
 * @priv: the driver's
 */
struct iommufd_hw_queue {
	struct iommufd_object obj;
	struct iommufd_viommu *viommu;
	u32 type;
	u32 index;
	u64 base_iova;
	u64 length;
	unsigned long pin_first;
	unsigned long pin_last;
	bool initialized;
	void *priv;
};

int iommufd_hw_queue_depend(struct iommufd_hw_queue *hw_queue,
			    struct iommufd_hw_queue *on);
void iommufd_hw_queue_undepend(struct iommufd_hw_queue *hw_queue,
			       struct iommufd_hw_queue *on);
int iommufd_viommu_alloc_mmap(struct iommufd_viommu *viommu,
			      phys_addr_t base, size_t length,
			      unsigned long *offset);
void iommufd_viommu_destroy_mmap(struct iommufd_viommu *viommu,
				 unsigned long offset);

struct device *iommufd_viommu_find_dev(struct iommufd_viommu *viommu,
				       u64 virt_id);
int iommufd_viommu_virt_id(struct iommufd_viommu *viommu, struct device *dev,
			   u64 *virt_id);
int iommufd_viommu_report_event(struct iommufd_viommu *viommu, u32 type,
				const void *data, size_t len);

/* The objects and ioctls of viommu/, for the core and device/. */
int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_viommu_destroy(struct iommufd_object *obj);
int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_vdevice_destroy(struct iommufd_object *obj);
int iommufd_veventq_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_veventq_destroy(struct iommufd_object *obj);
int iommufd_hw_queue_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_hw_queue_destroy(struct iommufd_object *obj);

/* Their lines in the debugfs view (stat/). */
void iommufd_viommu_show(struct seq_file *m, struct iommufd_object *obj);
void iommufd_vdevice_show(struct seq_file *m, struct iommufd_object *obj);
void iommufd_veventq_show(struct seq_file *m, struct iommufd_object *obj);
void iommufd_hw_queue_show(struct seq_file *m, struct iommufd_object *obj);
struct iommufd_hwpt_nested *
iommufd_viommu_alloc_nested(struct iommufd_ctx *ictx,
			    struct iommufd_viommu *viommu,
			    struct iommufd_device *idev, u32 flags,
			    const struct iommu_user_data *user_data);
int iommufd_viommu_invalidate(struct iommufd_viommu *viommu,
			      struct iommu_user_data_array *array);

#endif /* IOMMUFD_VIOMMU_H */
