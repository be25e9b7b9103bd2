/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hwpt/: hardware page tables, the objects devices attach to: a paging
 * HWPT mirrors an IOAS into an IOMMU paging domain; a nested HWPT is a
 * user-managed stage-1 on a paging one.  What other folders may use of
 * them.
 */
#ifndef IOMMUFD_HWPT_HWPT_H
#define IOMMUFD_HWPT_HWPT_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "../iommufd_private.h"

struct iommu_user_data;
struct iommufd_device;
struct iommufd_fault;
struct iommufd_ioas;
struct iommufd_viommu;
struct seq_file;

/**
 * struct iommufd_hw_pagetable - what every hardware page table object
 *	starts with: an IOMMU domain devices attach to
 * @obj: the object; its type says which kind follows
 * @domain: the IOMMU domain
 * @fault: where the domain's I/O page faults go (a user of it), or NULL
 *	if the domain takes none
 * @pasid_compat: allocated with IOMMU_HWPT_ALLOC_PASID: may be attached
 *	at a PASID
 */
struct iommufd_hw_pagetable {
	struct iommufd_object obj;
	struct iommu_domain *domain;
	struct iommufd_fault *fault;
	bool pasid_compat;
};

/**
 * struct iommufd_hwpt_paging - a kernel-managed I/O page table: an IOMMU
 *	paging domain mirroring an IOAS
 * @common: the common head
 * @ioas: the IOAS it mirrors (a user of it)
 * @hwpt_item: in @ioas->hwpt_list, under @ioas->mutex
 * @auto_domain: made by an attach to the IOAS; destroyed when its last
 *	device detaches
 * @enforce_cache_coherency: the domain blocks non-coherent DMA
 * @nest_parent: allocated with IOMMU_HWPT_ALLOC_NEST_PARENT
 * @devices_lock: protects @devices and @dying
 * @devices: devices attached to it (not at a PASID)
 * @dying: an automatic HWPT whose last device left: no device joins it
 *	any more, and that device's detach destroys it
 *
 * Whether a HWPT may be attached at a PASID is in @common.
 */
struct iommufd_hwpt_paging {
	struct iommufd_hw_pagetable common;
	struct iommufd_ioas *ioas;
	struct list_head hwpt_item;
	bool auto_domain;
	bool enforce_cache_coherency;
	bool nest_parent;
	spinlock_t devices_lock;	/* see the kernel-doc above */
	unsigned int devices;
	bool dying;
};

/**
 * struct iommufd_hwpt_nested - a user-managed stage-1 page table on top of
 *	a kernel-managed stage-2 (IOMMU_HWPT_ALLOC with driver data)
 * @common: the common head
 * @parent: the stage-2, a NEST_PARENT HWPT_PAGING (a user of it, unless
 *	@viommu holds it)
 * @viommu: the vIOMMU it was allocated on (a user of it), or NULL
 *
 * The IOMMU walks the stage-1 in user memory and translates its output
 * through @parent, so the device reaches only what @parent->ioas maps.
 */
struct iommufd_hwpt_nested {
	struct iommufd_hw_pagetable common;
	struct iommufd_hwpt_paging *parent;
	struct iommufd_viommu *viommu;
};

static inline struct iommufd_hwpt_paging *
to_hwpt_paging(struct iommufd_hw_pagetable *hwpt)
{
	return container_of(hwpt, struct iommufd_hwpt_paging, common);
}

static inline struct iommufd_hwpt_nested *
to_hwpt_nested(struct iommufd_hw_pagetable *hwpt)
{
	return container_of(hwpt, struct iommufd_hwpt_nested, common);
}

/* The kernel-managed table under @hwpt: itself, or a nested one's parent. */
static inline struct iommufd_hwpt_paging *
iommufd_hwpt_s2(struct iommufd_hw_pagetable *hwpt)
{
	if (hwpt->obj.type == IOMMUFD_OBJ_HWPT_NESTED)
		return to_hwpt_nested(hwpt)->parent;
	return to_hwpt_paging(hwpt);
}

static inline bool hwpt_is_paging(struct iommufd_hw_pagetable *hwpt)
{
	return hwpt->obj.type == IOMMUFD_OBJ_HWPT_PAGING;
}

struct iommufd_hwpt_paging *
iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
			  struct iommufd_device *idev, u32 flags,
			  bool auto_domain,
			  const struct iommu_user_data *user_data);
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj);
void iommufd_hwpt_nested_destroy(struct iommufd_object *obj);
void iommufd_hwpt_show(struct seq_file *m, struct iommufd_object *obj);
struct iommufd_hwpt_nested *
iommufd_hwpt_nested_alloc(struct iommufd_ctx *ictx,
			  struct iommufd_hwpt_paging *parent,
			  struct iommufd_device *idev, u32 flags,
			  const struct iommu_user_data *user_data);
int iommufd_hwpt_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_set_dirty_tracking_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_get_dirty_bitmap_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_invalidate_ioctl(struct iommufd_ucmd *ucmd);

#endif /* IOMMUFD_HWPT_HWPT_H */
