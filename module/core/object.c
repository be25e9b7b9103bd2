// SPDX-License-Identifier: GPL-2.0-only
/*
 * The object table of a /dev/iommu file.
 *
 * Ids are handed out by an allocating xarray, starting at 1 so that 0 never
 * names an object.  An id is reserved (XA_ZERO_ENTRY, which lookups read as
 * "nothing") while its object is built, so user space cannot reach a half
 * made object, and is replaced by the object in one store once it is ready.
 *
 * Destruction is decided under the table's lock by the single transition of
 * obj->users from 1 to 0; whoever makes it owns the teardown.  Every other
 * user either holds the object (users > 1, the remover backs off) or failed
 * to get it (lookups use refcount_inc_not_zero under the same lock).
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <uapi/linux/iommufd.h>

#include "../iommufd_private.h"
#include "../access/access.h"
#include "../device/device.h"
#include "../fault/fault.h"
#include "../hwpt/hwpt.h"
#include "../ioas/ioas.h"
#include "../selftest/selftest.h"
#include "../viommu/viommu.h"

struct iommufd_object_ops {
	/* Release what the object holds; cannot fail, may sleep. */
	void (*destroy)(struct iommufd_object *obj);
	/* What the debugfs view calls the type. */
	const char *name;
};

static const struct iommufd_object_ops iommufd_object_ops[IOMMUFD_OBJ_MAX] = {
	[IOMMUFD_OBJ_IOAS] = {
		.destroy = iommufd_ioas_destroy,
		.name = "ioas",
	},
	[IOMMUFD_OBJ_ACCESS] = {
		.destroy = iommufd_access_destroy_object,
		.name = "access",
	},
	[IOMMUFD_OBJ_DEVICE] = {
		.destroy = iommufd_device_destroy,
		.name = "device",
	},
	[IOMMUFD_OBJ_HWPT_PAGING] = {
		.destroy = iommufd_hwpt_paging_destroy,
		.name = "hwpt_paging",
	},
	[IOMMUFD_OBJ_HWPT_NESTED] = {
		.destroy = iommufd_hwpt_nested_destroy,
		.name = "hwpt_nested",
	},
	[IOMMUFD_OBJ_FAULT] = {
		.destroy = iommufd_fault_destroy,
		.name = "fault",
	},
	[IOMMUFD_OBJ_VIOMMU] = {
		.destroy = iommufd_viommu_destroy,
		.name = "viommu",
	},
	[IOMMUFD_OBJ_VDEVICE] = {
		.destroy = iommufd_vdevice_destroy,
		.name = "vdevice",
	},
	[IOMMUFD_OBJ_VEVENTQ] = {
		.destroy = iommufd_veventq_destroy,
		.name = "veventq",
	},
	[IOMMUFD_OBJ_HW_QUEUE] = {
		.destroy = iommufd_hw_queue_destroy,
		.name = "hw_queue",
	},
#ifdef IOMMUFD_SELFTEST
	[IOMMUFD_OBJ_SELFTEST] = {
		.destroy = iommufd_test_stdev_destroy,
		.name = "selftest",
	},
#endif
};

/**
 * _iommufd_object_alloc() - allocate an object and reserve its id
 * @ictx: the owning context
 * @size: size of the containing structure
 * @type: the object's type
 *
 * The id is reserved but not visible to lookups until
 * iommufd_object_finalize().  Use the iommufd_object_alloc() wrapper.
 *
 * Context: process context, may sleep.
 * Return: the zeroed object with ->id set, or an ERR_PTR(): -ENOMEM, or
 * -ENOSPC when the id space is exhausted.
 */
struct iommufd_object *_iommufd_object_alloc(struct iommufd_ctx *ictx,
					     size_t size,
					     enum iommufd_object_type type)
{
	struct iommufd_object *obj;
	int rc;

	if (WARN_ON(size < sizeof(*obj) || type == IOMMUFD_OBJ_NONE ||
		    type >= IOMMUFD_OBJ_MAX))
		return ERR_PTR(-EINVAL);

	if (iommufd_should_fail())
		return ERR_PTR(-ENOMEM);
	obj = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->type = type;
	refcount_set(&obj->users, 1);

	rc = xa_alloc(&ictx->objects, &obj->id, XA_ZERO_ENTRY, xa_limit_31b,
		      GFP_KERNEL_ACCOUNT);
	if (rc) {
		kfree(obj);
		return ERR_PTR(rc == -EBUSY ? -ENOSPC : rc);
	}
	iommufd_test_object_created();
	return obj;
}

/**
 * iommufd_object_finalize() - publish an object built after allocation
 * @ictx: the owning context
 * @obj: the object, fully built
 *
 * From here on lookups find @obj and user space may destroy it.
 *
 * Context: any; takes the table's spinlock.
 */
void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj)
{
	void *old;

	/* The slot exists since allocation, so the store needs no memory. */
	old = xa_store(&ictx->objects, obj->id, obj, GFP_ATOMIC);
	WARN_ON(old);
}

/**
 * iommufd_object_finalize_unless() - publish an object unless a flag holds it
 * @ictx: the owning context
 * @obj: the object, fully built
 * @hold: a flag that is written only under the table's lock
 *
 * Reads @hold and publishes @obj under one hold of the table's lock, so a
 * writer that sets @hold under that lock and then walks the table either
 * finds @obj or stops it here.  Callers that are held fall back to a lock
 * the writer keeps until it clears @hold.
 *
 * Context: any; takes the table's spinlock.
 * Return: true if @obj is published, false if @hold was set.
 */
bool iommufd_object_finalize_unless(struct iommufd_ctx *ictx,
				    struct iommufd_object *obj,
				    const bool *hold)
{
	void *old;

	xa_lock(&ictx->objects);
	if (*hold) {
		xa_unlock(&ictx->objects);
		return false;
	}
	old = __xa_store(&ictx->objects, obj->id, obj, GFP_ATOMIC);
	xa_unlock(&ictx->objects);
	WARN_ON(old);
	return true;
}

static void iommufd_object_free(struct iommufd_object *obj)
{
	kfree(obj);
	iommufd_test_object_freed();
}

/**
 * iommufd_object_abort() - throw away an object that was never published
 * @ictx: the owning context
 * @obj: the object; whatever it holds has already been released
 *
 * Context: any; takes the table's spinlock.
 */
void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	void *old;

	old = xa_erase(&ictx->objects, obj->id);
	WARN_ON(old);
	iommufd_object_free(obj);
}

/**
 * iommufd_object_abort_and_destroy() - abort an unpublished object that was
 *	built far enough for its destroy callback to undo it
 * @ictx: the owning context
 * @obj: the object
 *
 * Context: process context, may sleep.
 */
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj)
{
	iommufd_object_ops[obj->type].destroy(obj);
	iommufd_object_abort(ictx, obj);
}

/**
 * iommufd_get_object() - look up a published object and become its user
 * @ictx: the context to search
 * @id: the id user space gave
 * @type: the expected type, or IOMMUFD_OBJ_ANY
 *
 * Pair with iommufd_put_object().
 *
 * Context: any; takes the table's spinlock.
 * Return: the object, or ERR_PTR(-ENOENT) when @id names no published
 * object of @type.
 */
struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, u32 id,
					  enum iommufd_object_type type)
{
	struct iommufd_object *obj;

	if (iommufd_should_fail())
		return ERR_PTR(-ENOENT);
	xa_lock(&ictx->objects);
	obj = xa_load(&ictx->objects, id);
	if (!obj || (type != IOMMUFD_OBJ_ANY && obj->type != type) ||
	    !refcount_inc_not_zero(&obj->users))
		obj = ERR_PTR(-ENOENT);
	xa_unlock(&ictx->objects);
	return obj;
}

/**
 * iommufd_object_tryget() - become a user of an object known by address
 * @ictx: the context
 * @obj: an object whose memory the caller keeps valid, e.g. by a lock its
 *	destroy callback takes
 *
 * For a pointer kept across ioctls, where a lookup by its id could find
 * another object that took the id over once @obj left the table.  Pair
 * with iommufd_put_object().
 *
 * Context: any; takes the table's spinlock.
 * Return: true, with a use of @obj taken, if @obj is still published.
 */
bool iommufd_object_tryget(struct iommufd_ctx *ictx,
			   struct iommufd_object *obj)
{
	bool ok;

	xa_lock(&ictx->objects);
	ok = xa_load(&ictx->objects, obj->id) == obj &&
	     refcount_inc_not_zero(&obj->users);
	xa_unlock(&ictx->objects);
	return ok;
}

/*
 * Take @obj out of the table if the table is its only user.  On success the
 * caller owns the teardown; nobody else can find or use the object.
 */
static int __iommufd_object_unpublish(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj)
{
	lockdep_assert_held(&ictx->objects.xa_lock);

	if (!refcount_dec_if_one(&obj->users))
		return -EBUSY;
	__xa_erase(&ictx->objects, obj->id);
	return 0;
}

/*
 * @obj has left the table.  The debugfs view may have found it before and
 * be printing it: wait for that walk (ictx->show_rwsem); later walks cannot
 * find it.  No walk, no wait.
 */
static void iommufd_object_destroy(struct iommufd_ctx *ictx,
				   struct iommufd_object *obj)
{
	/*
	 * Orders the table's erase before reading the rwsem; pairs with the
	 * barrier in iommufd_ctx_show() between taking it and walking: either
	 * that walk misses @obj or the rwsem reads as taken here.
	 */
	smp_mb();
	if (rwsem_is_locked(&ictx->show_rwsem)) {
		down_write(&ictx->show_rwsem);
		up_write(&ictx->show_rwsem);
	}
	iommufd_object_ops[obj->type].destroy(obj);
	iommufd_object_free(obj);
}

/**
 * iommufd_object_remove() - destroy the object user space named
 * @ictx: the owning context
 * @id: the object's id
 *
 * Context: process context, may sleep.
 * Return: 0 once the object is gone; -ENOENT if @id names no published
 * object; -EBUSY, with nothing changed, while anything else uses it.
 */
int iommufd_object_remove(struct iommufd_ctx *ictx, u32 id)
{
	XA_STATE(xas, &ictx->objects, id);
	struct iommufd_object *obj;
	int rc;

	/* Under the lock, no RCU walk: reserved slots read as zero entries. */
	xa_lock(&ictx->objects);
	obj = xas_load(&xas);
	if (!obj || xa_is_zero(obj))
		rc = -ENOENT;
	else
		rc = __iommufd_object_unpublish(ictx, obj);
	xa_unlock(&ictx->objects);
	if (rc)
		return rc;

	iommufd_test_pause(IOMMUFD_PAUSE_OBJECT_REMOVED);
	iommufd_object_destroy(ictx, obj);
	return 0;
}

/* The last ioctl using a hidden object let go: it is ours to destroy. */
static bool iommufd_object_drained(struct iommufd_object *obj)
{
	return refcount_dec_if_one(&obj->users);
}

/*
 * Hide @obj from lookups (its id stays reserved), drop the caller's use
 * and wait until ioctls that found it earlier are done: then the table's
 * use is the only one left, and it is the caller's to destroy.
 */
static void iommufd_object_hide_and_drain(struct iommufd_ctx *ictx,
					  struct iommufd_object *obj)
{
	xa_lock(&ictx->objects);
	/* The slot exists, so this store needs no memory. */
	WARN_ON(__xa_store(&ictx->objects, obj->id, XA_ZERO_ENTRY,
			   GFP_ATOMIC) != obj);
	refcount_dec(&obj->users);
	xa_unlock(&ictx->objects);

	wait_event(ictx->destroy_wait, iommufd_object_drained(obj));
}

/**
 * iommufd_object_destroy_owned() - destroy an object a kernel driver owns
 * @ictx: the owning context
 * @obj: the object, published, with one user held by the driver since
 *	creation (which is why user space cannot destroy it)
 *
 * Hides the object from lookups (its id stays reserved), so neither a new
 * ioctl nor IOMMU_DESTROY can reach it from then on, drops the driver's
 * use, waits for ioctls that found it earlier to finish, then destroys it.
 * The driver must have dropped every long-term dependency first, or this
 * waits forever.
 *
 * Context: process context, sleeps.
 */
void iommufd_object_destroy_owned(struct iommufd_ctx *ictx,
				  struct iommufd_object *obj)
{
	iommufd_object_hide_and_drain(ictx, obj);
	xa_erase(&ictx->objects, obj->id);
	iommufd_object_destroy(ictx, obj);
}

/**
 * iommufd_object_tombstone_user() - destroy a published object now,
 *	leaving its id reserved until the file is closed
 * @ictx: the owning context
 * @obj: the object, published; the caller holds a use of it, which this
 *	drops
 *
 * For objects the kernel must take away from user space (a vDEVICE whose
 * device is unbound): user space may still hold the id, so the id is not
 * given to a new object, where a late IOMMU_DESTROY would hit the wrong
 * one.  The caller's use keeps IOMMU_DESTROY from taking the object
 * meanwhile; this waits for ioctls using it to finish.
 *
 * Context: process context, sleeps.
 */
void iommufd_object_tombstone_user(struct iommufd_ctx *ictx,
				   struct iommufd_object *obj)
{
	iommufd_object_hide_and_drain(ictx, obj);
	iommufd_object_destroy(ictx, obj);
}

/**
 * iommufd_destroy_all_objects() - empty the table when the file goes away
 * @ictx: the context being released
 *
 * No ioctl can run any more, so every remaining use of an object is another
 * object depending on it.  Each pass destroys the objects nothing depends
 * on, which releases their own dependencies for the next pass.
 *
 * Context: process context, may sleep.
 */
void iommufd_destroy_all_objects(struct iommufd_ctx *ictx)
{
	struct iommufd_object *obj;
	unsigned long index;
	bool progress;

	do {
		progress = false;
		xa_for_each(&ictx->objects, index, obj) {
			int rc;

			xa_lock(&ictx->objects);
			rc = __iommufd_object_unpublish(ictx, obj);
			xa_unlock(&ictx->objects);
			if (rc)
				continue;
			iommufd_object_destroy(ictx, obj);
			progress = true;
		}
	} while (progress);

	/*
	 * A dependency cycle or a leaked user: a bug, never user input.
	 * (Tombstones are reserved entries, which xa_for_each() skips.)
	 */
	xa_for_each(&ictx->objects, index, obj)
		WARN_ON(obj);
}

/**
 * iommufd_destroy_ioctl() - IOMMU_DESTROY
 * @ucmd: the command; struct iommu_destroy
 *
 * Return: 0, -ENOENT or -EBUSY as iommufd_object_remove().
 */
int iommufd_destroy_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;

	return iommufd_object_remove(ucmd->ictx, cmd->id);
}

/**
 * iommufd_object_type_name() - what the debugfs view calls an object type
 * @type: the type
 *
 * Context: any.
 * Return: a short lower-case name, e.g. "ioas".
 */
const char *iommufd_object_type_name(enum iommufd_object_type type)
{
	if (type <= IOMMUFD_OBJ_NONE || type >= IOMMUFD_OBJ_MAX)
		return "none";
	return iommufd_object_ops[type].name;
}

/**
 * iommufd_ctx_show() - call @fn on the published objects of some types
 * @ictx: the context, kept alive by the caller (stat/: its debugfs files
 *	are removed before the context is released)
 * @types: BIT(type) of each type wanted
 * @fn: called in id order with each object, under @ictx->show_rwsem for
 *	read: it may read the object and what its pointers lead to (no object
 *	of @ictx is freed meanwhile) and take the iova_rwsem and pages locks
 *	and spinlocks, but no other lock of ours
 * @arg: passed to @fn
 *
 * Objects are neither looked up nor used, so the walk never makes
 * IOMMU_DESTROY fail; a destroy waits for it instead.  An object found may
 * already have left the table, on its way to be destroyed.
 *
 * Context: process context, sleeps.
 */
void iommufd_ctx_show(struct iommufd_ctx *ictx, unsigned long types,
		      iommufd_show_fn fn, void *arg)
{
	struct iommufd_object *obj;
	unsigned long index;

	down_read(&ictx->show_rwsem);
	/* Taking the rwsem before walking: iommufd_object_destroy() says why. */
	smp_mb();
	/* Reserved slots (objects being built or hidden) are skipped. */
	xa_for_each(&ictx->objects, index, obj) {
		if (!(types & BIT(obj->type)))
			continue;
		iommufd_test_pause(IOMMUFD_PAUSE_SHOW_OBJECT);
		fn(obj, arg);
	}
	up_read(&ictx->show_rwsem);
}
