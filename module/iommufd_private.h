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
 *  0. ictx->show_rwsem       the debugfs view (stat/) reads under it and
 *                             takes only 9, 10 and spinlocks inside; taken
 *                             for write by object destruction, which holds
 *                             none of ours
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
 *  7. ictx->ioas_creation_lock  write by CHANGE_PROCESS around every
 *                             iova_rwsem; read to publish an IOAS while
 *                             CHANGE_PROCESS runs (ictx->ioas_publish_held)
 *  8. iopt->domains_rwsem     a MAP fills the domains holding only this
 *  9. iopt->iova_rwsem        several at once only under 7 for write, in
 *                             IOAS id order
 * 10. pages->mutex            pins and charges of one struct iopt_pages;
 *                             GUP, user copies, locked_vm and the IOMMU
 *                             driver's page table locks are taken inside,
 *                             and nothing of ours is ever taken inside them.
 *                             A dma-buf's pages (pages/dmabuf.c) are a
 *                             class of their own: taken inside the
 *                             dma-buf's reservation lock, which is taken
 *                             holding none of ours, and never around GUP.
 *                             IOMMU_IOAS_MAP of a BAR mmap has its exporter
 *                             make the dma-buf (vfio-pci: memory_lock, its
 *                             dma-buf list, a reservation lock) under the
 *                             mm's mmap lock, holding none of ours
 * Spinlocks; nothing sleeps under them:
 * 11. eventq->lock            the fault and vEVENTQ queues (eventq/)
 * 12. igroup->devices_lock, hwpt_paging->devices_lock
 * 13. xa_locks, leaves; ictx->objects' is taken under any of the above.
 *     ictx->mmaps' lock, a leaf, is taken under the mm's mmap lock by
 *     mmap() of the file, and outside all of ours.  So is the seqlock of
 *     ictx->vma_hint (pages/vma_hint.c), by IOMMU_IOAS_MAP.
 */
#ifndef IOMMUFD_PRIVATE_H
#define IOMMUFD_PRIVATE_H

#include <linux/build_bug.h>
#include <linux/maple_tree.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

struct dentry;
struct device;
struct file;
struct pid;
struct vm_area_struct;
struct iommufd_ioas;
struct iopt_vma_hint;

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
 * @vfio_ioas: the IOAS VFIO compatibility uses, or NULL; written under
 *	@vfio_lock.  Not a user: destroying the IOAS clears it, after a
 *	lockless look (iommufd_ioas_destroy()).
 * @vfio_lock: protects @vfio_ioas
 * @groups: iommu group id -> struct iommufd_group, for the groups of the
 *	devices bound to this file; protected by its xa_lock
 * @ioas_creation_lock: held for write by IOMMU_IOAS_CHANGE_PROCESS while
 *	it holds the iova_rwsem of every IOAS (the only place those nest,
 *	taken in id order), so no IOAS appears that it has not locked; an
 *	IOAS that finds @ioas_publish_held set is published holding it for
 *	read.  Outside every iova_rwsem.
 * @ioas_publish_held: set while CHANGE_PROCESS holds @ioas_creation_lock
 *	for write; written and read under @objects' xa_lock, where an IOAS
 *	that finds it clear is published without taking the lock
 * @mmaps: file offset -> struct iommufd_mmap, the regions user space may
 *	mmap() (core/mmap.c); protected by its own lock
 * @show_rwsem: held for read while the debugfs view (stat/) prints the
 *	objects; object destruction takes it for write once, after the object
 *	left the table and before its destroy callback, if a walk may be
 *	under way, so nothing the view found is freed under it.  Nothing of
 *	ours is held around that write: objects are destroyed outside every
 *	lock of the module.
 * @vma_hint: the user range IOMMU_IOAS_MAP last found to be memory, not a
 *	BAR (ioas/, pages/vma_hint.c); has its own lock
 * @owner: the process that opened the file (a reference), for the view
 * @stat_id: the file's number in the view and in its fdinfo; fixed
 * @stat_dir: the file's directory in the view; removed, waiting for its
 *	readers, before anything of the file is torn down
 * @test_abi_6_12: test builds only: the file's caller speaks Debian 6.12's
 *	test ABI (selftest/abi_6_12.c); read and written locklessly
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
	bool ioas_publish_held;		/* under objects' xa_lock */
	struct maple_tree mmaps;
	struct rw_semaphore show_rwsem;	/* see the kernel-doc above */
	struct iopt_vma_hint *vma_hint;
	struct pid *owner;
	unsigned long stat_id;
	struct dentry *stat_dir;
#ifdef IOMMUFD_SELFTEST
	bool test_abi_6_12;
#endif
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
	IOMMUFD_OBJ_HW_QUEUE,
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
bool iommufd_object_finalize_unless(struct iommufd_ctx *ictx,
				    struct iommufd_object *obj,
				    const bool *hold);
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
	/* Ordered after the decrement; pairs with wait_event()'s barrier. */
	if (wq_has_sleeper(&ictx->destroy_wait))
		wake_up_all(&ictx->destroy_wait);
}

int iommufd_object_remove(struct iommufd_ctx *ictx, u32 id);
void iommufd_object_destroy_owned(struct iommufd_ctx *ictx,
				  struct iommufd_object *obj);
void iommufd_object_tombstone_user(struct iommufd_ctx *ictx,
				   struct iommufd_object *obj);
void iommufd_destroy_all_objects(struct iommufd_ctx *ictx);

/* Called for each object the debugfs view walks (iommufd_ctx_show()). */
typedef void (*iommufd_show_fn)(struct iommufd_object *obj, void *arg);
void iommufd_ctx_show(struct iommufd_ctx *ictx, unsigned long types,
		      iommufd_show_fn fn, void *arg);
const char *iommufd_object_type_name(enum iommufd_object_type type);

/* The command of an ioctl being executed; see core/ioctl.c. */
struct iommufd_ucmd {
	struct iommufd_ctx *ictx;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd, size_t size);
long iommufd_fops_ioctl(struct file *filp, unsigned int cmd,
			unsigned long arg);

/* core/global.c: the device of /dev/iommu, set by core/main.c. */
void iommufd_global_device_set(struct device *dev);
struct device *iommufd_global_device(void);

/* Regions of the file for mmap() (core/mmap.c). */
int iommufd_mmap_add(struct iommufd_ctx *ictx, struct iommufd_object *owner,
		     phys_addr_t phys, size_t length, unsigned long *offset);
void iommufd_mmap_remove(struct iommufd_ctx *ictx,
			 struct iommufd_object *owner, unsigned long offset);
int iommufd_fops_mmap(struct file *filp, struct vm_area_struct *vma);

/* Handlers of the object core (core/object.c). */
int iommufd_destroy_ioctl(struct iommufd_ucmd *ucmd);

#endif /* IOMMUFD_PRIVATE_H */
