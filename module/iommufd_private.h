/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The object model of /dev/iommu, shared by every part of the module.
 *
 * Glossary:
 *   ctx     - one open file of /dev/iommu (struct iommufd_ctx); it owns a
 *             table of objects and every object belongs to exactly one ctx.
 *   object  - anything user space names by a u32 id: an IOAS, a device, a
 *             hardware page table, ...  Every object type embeds struct
 *             iommufd_object as its first member.
 *   user    - something that needs an object to stay alive and usable: the
 *             table itself (while the id is published), an ioctl that looked
 *             the object up, or another object that depends on it.  An object
 *             is destroyed only when the table's use is the last one, so
 *             IOMMU_DESTROY of an object in use fails with EBUSY and nothing
 *             is ever freed under a user.
 *
 * Lifecycle: iommufd_object_alloc() reserves an id that lookups cannot see;
 * the caller builds the object, answers user space, and then either
 * publishes it with iommufd_object_finalize() (cannot fail) or throws it away
 * with iommufd_object_abort*().  Published objects leave the table through
 * iommufd_object_remove() (IOMMU_DESTROY, in-kernel owners) or when the file
 * is released.
 *
 * Locking: ictx->objects' xa_lock protects publication, lookup and removal of
 * objects and the transition of users to zero; nothing else is taken inside
 * it.  Object destroy callbacks run without it and may sleep.
 *
 * Lock order of the whole module, outermost first.  A lock is taken only
 * while holding none below it; every other file points here.  Callers come
 * in holding their own locks (VFIO's group_lock and dev_set->lock around
 * bind, attach and access calls), so none of ours is held when we call a
 * driver back (an access's unmap callback).
 *
 *  1. ictx->vfio_lock         creating the compat IOAS publishes an IOAS
 *  2. access->ioas_lock       pin and rw lock the IOAS's iova_rwsem inside;
 *                             dropped around the driver's unmap callback,
 *                             whose unpin takes it again
 *  3. ioas->mutex             attach chooses or makes an automatic HWPT
 *                             under it, then locks the device's group
 *  4. igroup->lock            held across the IOMMU core's attach (its
 *                             group mutex), reserving IOVA (iova_rwsem),
 *                             flushing faults (fault->mutex) and turning
 *                             IOPF on and off (the core's IOPF locks)
 *  5. viommu->veventqs_rwsem  read by drivers reporting an event, around
 *                             the queue's spinlock
 *  6. fault->mutex            answering faults; the core's fault_param lock
 *                             (iopf_group_response()) is taken inside
 *  7. ictx->ioas_creation_lock  read to publish an IOAS; write by
 *                             CHANGE_PROCESS around every iova_rwsem
 *  8. iopt->domains_rwsem     a MAP fills the domains holding only this
 *  9. iopt->iova_rwsem        several at once only under 7 for write, in
 *                             IOAS id order
 * 10. pages->mutex            pins and charges of one struct iopt_pages;
 *                             GUP, user copies, locked_vm and the IOMMU
 *                             driver's page table locks are taken inside,
 *                             and nothing of ours is ever taken inside them
 * Spinlocks; nothing sleeps under them:
 * 11. fault->lock, veventq->lock  the queues waiting for read()
 * 12. igroup->devices_lock, hwpt_paging->devices_lock
 * 13. xa_locks, leaves; ictx->objects' is taken under any of the above.
 */
#ifndef IOMMUFD_PRIVATE_H
#define IOMMUFD_PRIVATE_H

#include <linux/build_bug.h>
#include <linux/iommu.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

struct file;
struct iommufd_ioas;
struct iommufd_vdevice;
struct iommufd_viommu;
struct iopf_group;

/**
 * struct iommufd_ctx - one open /dev/iommu
 * @file: the file this context lives in; not a reference
 * @objects: id -> struct iommufd_object; a reserved (XA_ZERO_ENTRY) slot is an
 *	object under construction.  Protected by its own xa_lock.
 * @destroy_wait: woken whenever a user of an object lets go, for removers
 *	that must wait for short-lived users to finish
 * @process_accounting: IOMMU_OPTION_RLIMIT_MODE is 1: pins made through
 *	this file are charged to the process, not the user.  Written under
 *	@objects' xa_lock while the file has no object; read locklessly at
 *	MAP time.
 * @vfio_ioas: the IOAS VFIO compatibility uses, or NULL; protected by
 *	@vfio_lock.  Not a user: destroying the IOAS clears it.
 * @vfio_lock: protects @vfio_ioas
 * @groups: iommu group id -> struct iommufd_group, for the groups of the
 *	devices bound to this file; protected by its xa_lock
 * @ioas_creation_lock: held for read while an IOAS is published, for
 *	write by IOMMU_IOAS_CHANGE_PROCESS while it holds the iova_rwsem of
 *	every IOAS (the only place those nest, taken in id order), so no IOAS
 *	appears that it has not locked.  Outside every iova_rwsem.
 */
struct iommufd_ctx {
	struct file *file;
	struct xarray objects;
	wait_queue_head_t destroy_wait;
	bool process_accounting;
	struct iommufd_ioas *vfio_ioas;
	struct mutex vfio_lock;		/* protects vfio_ioas */
	struct xarray groups;
	struct rw_semaphore ioas_creation_lock;	/* see the kernel-doc above */
};

enum iommufd_object_type {
	IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_ANY = IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_IOAS,
	IOMMUFD_OBJ_ACCESS,
	IOMMUFD_OBJ_DEVICE,
	IOMMUFD_OBJ_HWPT_PAGING,
	IOMMUFD_OBJ_HWPT_NESTED,
	IOMMUFD_OBJ_FAULT,
	IOMMUFD_OBJ_VIOMMU,
	IOMMUFD_OBJ_VDEVICE,
	IOMMUFD_OBJ_VEVENTQ,
#ifdef IOMMUFD_SELFTEST
	IOMMUFD_OBJ_SELFTEST,
#endif
	IOMMUFD_OBJ_MAX,
};

/**
 * struct iommufd_object - the head of every object in the table
 * @users: see "user" in the glossary.  Starts at 1 when the object is
 *	published, for the table.  Lookups and dependent objects add to it.
 *	Removal is the one transition from 1 to 0, done under the table's
 *	xa_lock, so a lookup (which also holds that lock) never sees a dying
 *	object.  Nothing but removal may drop it to 0.
 * @type: what the object is; fixed at allocation
 * @id: the id user space knows it by; fixed at allocation
 */
struct iommufd_object {
	refcount_t users;
	enum iommufd_object_type type;
	u32 id;
};

struct iommufd_object *_iommufd_object_alloc(struct iommufd_ctx *ictx,
					     size_t size,
					     enum iommufd_object_type type);

/*
 * iommufd_object_alloc(ictx, struct foo, type) - allocate a struct foo,
 * whose struct iommufd_object must be its first member, named obj.
 */
#define iommufd_object_alloc(ictx, container, type)			\
	iommufd_object_alloc_at(ictx, container, obj, type)

/*
 * The same, for an object head embedded deeper, as in common.obj; it must
 * still start the struct, so an error pointer casts through unchanged.
 */
#define iommufd_object_alloc_at(ictx, container, member, type)		\
	((typeof(container) *)_iommufd_object_alloc(ictx, sizeof(container) + \
		BUILD_BUG_ON_ZERO(offsetof(container, member)), type))

void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj);
void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj);
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj);

bool iommufd_object_tryget(struct iommufd_ctx *ictx,
			   struct iommufd_object *obj);
struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, u32 id,
					  enum iommufd_object_type type);

/**
 * iommufd_put_object() - let go of an object found by iommufd_get_object()
 * @ictx: the context the object belongs to
 * @obj: the object
 *
 * The decrement is the last access to @obj: a remover waiting for users to
 * drain may free it right after.  Only @ictx is touched afterwards, and the
 * caller keeps @ictx alive.
 *
 * Context: any context that may take a spinlock.
 */
static inline void iommufd_put_object(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj)
{
	refcount_dec(&obj->users);
	wake_up_all(&ictx->destroy_wait);
}

int iommufd_object_remove(struct iommufd_ctx *ictx, u32 id);
void iommufd_object_destroy_owned(struct iommufd_ctx *ictx,
				  struct iommufd_object *obj);
void iommufd_object_tombstone_user(struct iommufd_ctx *ictx,
				   struct iommufd_object *obj);
void iommufd_destroy_all_objects(struct iommufd_ctx *ictx);

/* The command of an ioctl being executed; see core/ioctl.c. */
struct iommufd_ucmd {
	struct iommufd_ctx *ictx;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd, size_t size);
long iommufd_ioctl_dispatch(struct iommufd_ctx *ictx, unsigned int cmd,
			    unsigned long arg);

/* Handlers of the object core (core/object.c). */
int iommufd_destroy_ioctl(struct iommufd_ucmd *ucmd);

/* In-kernel access (access/access.c). */
void iommufd_access_destroy_object(struct iommufd_object *obj);

/* Devices and hardware page tables (device/, hwpt/). */

struct iommufd_fault;

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
 * @vdev: its vDEVICE (not a user of it), or NULL; under @igroup->lock
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
	struct iommufd_vdevice *vdev;
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

struct iommufd_hwpt_paging *
iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
			  struct iommufd_device *idev, u32 flags,
			  bool auto_domain);
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj);
void iommufd_hwpt_nested_destroy(struct iommufd_object *obj);
struct iommufd_hwpt_nested *
iommufd_hwpt_nested_alloc(struct iommufd_ctx *ictx,
			  struct iommufd_hwpt_paging *parent,
			  struct iommufd_device *idev, u32 flags,
			  const struct iommu_user_data *user_data);
void iommufd_device_destroy(struct iommufd_object *obj);
void iommufd_device_detach_all_pasids(struct iommufd_device *idev);
const struct iommu_ops *iommufd_dev_ops(struct device *dev);
/* What fault delivery asks of a device's group (device/group.c). */
u32 iommufd_group_dev_id(struct iommufd_group *igroup, struct device *dev);
bool iommufd_group_dev_takes_faults(struct iommufd_group *igroup,
				    struct device *dev);
int iommufd_get_hw_info_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_set_dirty_tracking_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_get_dirty_bitmap_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_invalidate_ioctl(struct iommufd_ucmd *ucmd);

/* vIOMMUs, vDEVICEs and vEVENTQs (viommu/). */
int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_viommu_destroy(struct iommufd_object *obj);
int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_vdevice_destroy(struct iommufd_object *obj);
void iommufd_device_forget_vdevice(struct iommufd_device *idev);
int iommufd_veventq_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_veventq_destroy(struct iommufd_object *obj);
struct iommufd_hwpt_nested *
iommufd_viommu_alloc_nested(struct iommufd_ctx *ictx,
			    struct iommufd_viommu *viommu,
			    struct iommufd_device *idev, u32 flags,
			    const struct iommu_user_data *user_data);
int iommufd_viommu_invalidate(struct iommufd_viommu *viommu,
			      struct iommu_user_data_array *array);

/* I/O page faults (fault/). */
int iommufd_fault_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_fault_destroy(struct iommufd_object *obj);
struct iommufd_fault *iommufd_get_fault(struct iommufd_ctx *ictx, u32 id);
void iommufd_fault_put(struct iommufd_fault *fault);
int iommufd_fault_iopf_handler(struct iopf_group *group);
void iommufd_fault_flush(struct iommufd_fault *fault,
			 struct iommufd_attach_handle *handle,
			 struct device *dev);

/* VFIO compatibility (vfio_compat/). */
int iommufd_vfio_ioas_ioctl(struct iommufd_ucmd *ucmd);
long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd,
			unsigned long arg);

#endif /* IOMMUFD_PRIVATE_H */
