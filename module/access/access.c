// SPDX-License-Identifier: GPL-2.0-only
/*
 * In-kernel access to an IOAS, for emulated devices (mdev, vfio-ap, ...):
 * a driver that does "DMA" in software reads and writes, or pins, the user
 * memory an IOAS maps, by IOVA.
 *
 * Contract with the driver: anything it pins it must unpin when its unmap
 * callback is told the IOVA is going away.  An unmap of IOVA the access
 * has pinned calls the callback, waits for the pins to go, and only then
 * completes; a driver that does not let go makes that unmap fail
 * (-EDEADLOCK) instead of leaving pages mapped behind user space's back.
 *
 * Locking: access->ioas_lock serializes attach, replace and detach with
 * pinning and rw; it is never held while the driver's unmap callback runs,
 * because the callback unpins, and unpinning takes it.
 */
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "../iommufd_private.h"
#include "../ioas/ioas.h"
#include "access.h"

/**
 * struct iommufd_access - an in-kernel user of an IOAS
 * @obj: the object; owned by the driver, so IOMMU_DESTROY gets EBUSY
 * @ictx: the context (a reference, iommufd_ctx_get())
 * @ops: the driver's callbacks
 * @data: the driver's cookie for @ops
 * @ioas_lock: serializes attach/replace/detach with pin, unpin and rw;
 *	protects @ioas, @ioas_unpin and @link's use
 * @ioas: where pins and rw go; NULL while detached or changing IOAS
 * @ioas_unpin: where unpins go: the IOAS the pins were made in
 * @link: its place in @ioas's page table, and the IOVA alignment it
 *	needs there (PAGE_SIZE if the access pins pages, else 1)
 */
struct iommufd_access {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	const struct iommufd_access_ops *ops;
	void *data;
	struct mutex ioas_lock;		/* see the kernel-doc above */
	struct iommufd_ioas *ioas;
	struct iommufd_ioas *ioas_unpin;
	struct iopt_access_link link;
};

/* The page table may tell @link of an unmap unless it is being destroyed. */
static bool iommufd_access_link_get(struct iopt_access_link *link)
{
	struct iommufd_access *access =
		container_of(link, struct iommufd_access, link);

	return access->ops->unmap &&
	       refcount_inc_not_zero(&access->obj.users);
}

/* Pass an unmap on to the driver, then let go of the access. */
static void iommufd_access_link_unmap(struct iopt_access_link *link,
				      unsigned long iova, unsigned long length)
{
	struct iommufd_access *access =
		container_of(link, struct iommufd_access, link);

	access->ops->unmap(access->data, iova, length);
	iommufd_put_object(access->ictx, &access->obj);
}

static const struct iopt_access_ops iommufd_access_link_ops = {
	.get = iommufd_access_link_get,
	.unmap = iommufd_access_link_unmap,
};

/*
 * Move @access to @new_ioas (NULL: detach).  The old IOAS stays the one
 * unpins go to until the driver has been told to drop everything it
 * pinned there.
 */
static int iommufd_access_change_ioas(struct iommufd_access *access,
				      struct iommufd_ioas *new_ioas)
{
	struct iommufd_ioas *cur = access->ioas;
	int rc;

	lockdep_assert_held(&access->ioas_lock);

	/* A change is already waiting for the driver to unpin. */
	if (cur != access->ioas_unpin)
		return -EBUSY;
	if (cur == new_ioas)
		return 0;

	/* No new pins from here on; unpins still go to ioas_unpin. */
	access->ioas = NULL;
	if (new_ioas) {
		rc = iopt_add_access(&new_ioas->iopt, &access->link);
		if (rc) {
			access->ioas = cur;
			return rc;
		}
		/* The access becomes a user of the new IOAS. */
		refcount_inc(&new_ioas->obj.users);
	}

	if (cur) {
		if (access->ops->unmap) {
			mutex_unlock(&access->ioas_lock);
			access->ops->unmap(access->data, 0, ULONG_MAX);
			mutex_lock(&access->ioas_lock);
		}
		iopt_remove_access(&cur->iopt, &access->link);
		refcount_dec(&cur->obj.users);
	}
	access->ioas = new_ioas;
	access->ioas_unpin = new_ioas;
	return 0;
}

static int iommufd_access_change_ioas_id(struct iommufd_access *access,
					 u32 ioas_id)
{
	struct iommufd_ioas *ioas;
	int rc;

	ioas = iommufd_get_ioas(access->ictx, ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = iommufd_access_change_ioas(access, ioas);
	iommufd_put_object(access->ictx, &ioas->obj);
	return rc;
}

/**
 * iommufd_access_destroy_object() - destroy callback of an access object
 * @obj: the access's object
 *
 * Context: process context, may sleep.
 */
void iommufd_access_destroy_object(struct iommufd_object *obj)
{
	struct iommufd_access *access =
		container_of(obj, struct iommufd_access, obj);

	mutex_lock(&access->ioas_lock);
	if (access->ioas)
		WARN_ON(iommufd_access_change_ioas(access, NULL));
	mutex_unlock(&access->ioas_lock);
	mutex_destroy(&access->ioas_lock);
	iommufd_ctx_put(access->ictx);
}

/**
 * iommufd_access_create() - create an in-kernel access
 * @ictx: the iommufd context the IOAS will come from
 * @ops: the driver's callbacks; @ops->unmap is required to pin pages
 * @data: passed to the callbacks
 * @id: out: the access's object id
 *
 * The access holds a reference on @ictx until iommufd_access_destroy().
 *
 * Context: process context, may sleep.
 * Return: the access, or an ERR_PTR().
 */
struct iommufd_access *
iommufd_access_create(struct iommufd_ctx *ictx,
		      const struct iommufd_access_ops *ops, void *data, u32 *id)
{
	struct iommufd_access *access;

	access = iommufd_object_alloc(ictx, struct iommufd_access,
				      IOMMUFD_OBJ_ACCESS);
	if (IS_ERR(access))
		return access;

	access->ops = ops;
	access->data = data;
	access->link.ops = &iommufd_access_link_ops;
	access->link.alignment = ops->needs_pin_pages ? PAGE_SIZE : 1;
	mutex_init(&access->ioas_lock);
	access->ictx = ictx;
	iommufd_ctx_get(ictx);
	/* The driver is a user until iommufd_access_destroy(). */
	refcount_inc(&access->obj.users);
	*id = access->obj.id;
	iommufd_object_finalize(ictx, &access->obj);
	return access;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_create, IOMMUFD);

/**
 * iommufd_access_destroy() - destroy an access made by iommufd_access_create()
 * @access: the access; detached first if still attached
 *
 * Context: process context, may sleep.
 */
void iommufd_access_destroy(struct iommufd_access *access)
{
	iommufd_object_destroy_owned(access->ictx, &access->obj);
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_destroy, IOMMUFD);

/**
 * iommufd_access_attach() - attach an access to an IOAS
 * @access: the access, not attached
 * @ioas_id: the IOAS's id
 *
 * Context: process context, may sleep.
 * Return: 0; -ENOENT for an unknown IOAS; -EADDRINUSE if mappings already
 * in the IOAS break the access's alignment; -EINVAL if already attached.
 */
int iommufd_access_attach(struct iommufd_access *access, u32 ioas_id)
{
	int rc;

	mutex_lock(&access->ioas_lock);
	if (WARN_ON(access->ioas || access->ioas_unpin))
		rc = -EINVAL;
	else
		rc = iommufd_access_change_ioas_id(access, ioas_id);
	mutex_unlock(&access->ioas_lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_attach, IOMMUFD);

/**
 * iommufd_access_replace() - move an attached access to another IOAS
 * @access: the access
 * @ioas_id: the new IOAS's id
 *
 * The driver's unmap callback is told to drop everything pinned in the old
 * IOAS before the replace completes.
 *
 * Context: process context, may sleep.
 * Return: 0; -ENOENT if @access is not attached or the IOAS is unknown;
 * the errors of iommufd_access_attach().
 */
int iommufd_access_replace(struct iommufd_access *access, u32 ioas_id)
{
	int rc;

	mutex_lock(&access->ioas_lock);
	if (!access->ioas)
		rc = -ENOENT;
	else
		rc = iommufd_access_change_ioas_id(access, ioas_id);
	mutex_unlock(&access->ioas_lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_replace, IOMMUFD);

/**
 * iommufd_access_detach() - detach an access from its IOAS
 * @access: the access, attached
 *
 * Context: process context, may sleep.
 */
void iommufd_access_detach(struct iommufd_access *access)
{
	mutex_lock(&access->ioas_lock);
	if (!WARN_ON(!access->ioas))
		WARN_ON(iommufd_access_change_ioas(access, NULL));
	mutex_unlock(&access->ioas_lock);
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_detach, IOMMUFD);

/*
 * Validate [iova, iova + length) and find the page table the access uses,
 * with access->ioas_lock held until iommufd_access_unlock_iopt().  *@last
 * is the range's last IOVA.
 */
static struct io_pagetable *
iommufd_access_lock_iopt(struct iommufd_access *access, unsigned long iova,
			 unsigned long length, unsigned long *last)
{
	if (!length)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(iova, length - 1, last))
		return ERR_PTR(-EOVERFLOW);

	mutex_lock(&access->ioas_lock);
	if (!access->ioas) {
		mutex_unlock(&access->ioas_lock);
		return ERR_PTR(-ENOENT);
	}
	return &access->ioas->iopt;
}

static void iommufd_access_unlock_iopt(struct iommufd_access *access)
{
	mutex_unlock(&access->ioas_lock);
}

/**
 * iommufd_access_unpin_pages() - undo iommufd_access_pin_pages()
 * @access: the access
 * @iova: as given to the pin
 * @length: as given to the pin
 *
 * Context: process context, may sleep.  Called from the unmap callback too.
 */
void iommufd_access_unpin_pages(struct iommufd_access *access,
				unsigned long iova, unsigned long length)
{
	unsigned long last;

	if (WARN_ON(!length) || WARN_ON(check_add_overflow(iova, length - 1,
							   &last)))
		return;

	mutex_lock(&access->ioas_lock);
	if (!WARN_ON(!access->ioas_unpin))
		iopt_access_unpin(&access->ioas_unpin->iopt, iova, last);
	mutex_unlock(&access->ioas_lock);
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_unpin_pages, IOMMUFD);

/**
 * iommufd_access_pin_pages() - pin the pages behind an IOVA range
 * @access: the access, attached, created with ops->needs_pin_pages
 * @iova: start, PAGE_SIZE aligned in practice
 * @length: bytes
 * @out_pages: out: one struct page per PAGE_SIZE page of the range
 * @flags: IOMMUFD_ACCESS_RW_WRITE if the pages will be written
 *
 * The pages stay pinned until iommufd_access_unpin_pages() with the same
 * range, which the driver must call from its unmap callback at the latest.
 *
 * Context: process context, may sleep.
 * Return: 0; -ENOENT if not attached or the range is not fully mapped;
 * -EPERM for a write to read-only memory; -EINVAL if an unmap of the range
 * is in progress; -ENOMEM over RLIMIT_MEMLOCK; -EFAULT for memory gone.
 * Nothing stays pinned on failure.
 */
int iommufd_access_pin_pages(struct iommufd_access *access, unsigned long iova,
			     unsigned long length, struct page **out_pages,
			     unsigned int flags)
{
	struct io_pagetable *iopt;
	unsigned long last;
	int rc;

	if (WARN_ON(access->link.alignment != PAGE_SIZE || !access->ops->unmap))
		return -EINVAL;
	iopt = iommufd_access_lock_iopt(access, iova, length, &last);
	if (IS_ERR(iopt))
		return PTR_ERR(iopt);
	rc = iopt_access_pin(iopt, iova, last, out_pages, flags);
	iommufd_access_unlock_iopt(access);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_pin_pages, IOMMUFD);

/**
 * iommufd_access_rw() - read or write the memory behind an IOVA range
 * @access: the access, attached
 * @iova: start
 * @data: kernel buffer
 * @length: bytes
 * @flags: IOMMUFD_ACCESS_RW_WRITE to write @data into the memory, else
 *	read; IOMMUFD_ACCESS_RW_KTHREAD when called from a kernel thread
 *
 * Works whether or not the range is pinned: pinned pages are used
 * directly, the rest is reached through the mapping process's memory.
 *
 * Context: process context or a kthread, may sleep.
 * Return: 0; -ENOENT if not attached or the range is not fully mapped;
 * -EPERM against the mapping's protection; -EINVAL during an unmap of it;
 * -EFAULT for memory that is gone.
 */
int iommufd_access_rw(struct iommufd_access *access, unsigned long iova,
		      void *data, size_t length, unsigned int flags)
{
	struct io_pagetable *iopt;
	unsigned long last;
	int rc;

	iopt = iommufd_access_lock_iopt(access, iova, length, &last);
	if (IS_ERR(iopt))
		return PTR_ERR(iopt);
	rc = iopt_access_rw(iopt, iova, last, data, flags);
	iommufd_access_unlock_iopt(access);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_rw, IOMMUFD);

/**
 * iommufd_access_show() - an in-kernel access's line in the debugfs view
 * @m: where it goes
 * @obj: the access's object
 *
 * The IOAS it pins from (0: detached).
 *
 * Context: under ictx->show_rwsem for read (iommufd_ctx_show()); the IOAS
 * it points to has it as a user, so is not freed before the walk ends.
 */
void iommufd_access_show(struct seq_file *m, struct iommufd_object *obj)
{
	struct iommufd_access *access =
		container_of(obj, struct iommufd_access, obj);
	/* Changed under ioas_lock, which the view does not take. */
	struct iommufd_ioas *ioas = READ_ONCE(access->ioas);

	seq_printf(m, "access id=%u ioas=%u\n", obj->id,
		   ioas ? ioas->obj.id : 0);
}
