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
 */
#ifndef IOMMUFD_PRIVATE_H
#define IOMMUFD_PRIVATE_H

#include <linux/build_bug.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

struct file;

/**
 * struct iommufd_ctx - one open /dev/iommu
 * @file: the file this context lives in; not a reference
 * @objects: id -> struct iommufd_object; a reserved (XA_ZERO_ENTRY) slot is an
 *	object under construction.  Protected by its own xa_lock.
 * @destroy_wait: woken whenever a user of an object lets go, for removers
 *	that must wait for short-lived users to finish
 */
struct iommufd_ctx {
	struct file *file;
	struct xarray objects;
	wait_queue_head_t destroy_wait;
};

enum iommufd_object_type {
	IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_ANY = IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_IOAS,
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
	({								\
		static_assert(offsetof(container, obj) == 0);		\
		container_of(_iommufd_object_alloc(ictx,		\
						   sizeof(container),	\
						   type),		\
			     container, obj);				\
	})

void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj);
void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj);
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
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
	wake_up_interruptible_all(&ictx->destroy_wait);
}

int iommufd_object_remove(struct iommufd_ctx *ictx, u32 id);
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

/* IOAS (ioas/ioas.c). */
struct iommufd_ioas {
	struct iommufd_object obj;
};

int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_ioas_destroy(struct iommufd_object *obj);

#endif /* IOMMUFD_PRIVATE_H */
