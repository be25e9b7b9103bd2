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
#include <linux/slab.h>

#include "../iommufd_private.h"
#include "../ioas/io_pagetable.h"

/*
 * Make @access use @iopt: raise the alignment every new mapping must have
 * to what the access needs, which existing areas must already satisfy.
 */
static int iopt_add_access(struct io_pagetable *iopt,
			   struct iommufd_access *access)
{
	unsigned long align;
	int rc;

	down_write(&iopt->iova_rwsem);
	align = max(iopt_needed_alignment(iopt), access->iova_alignment);
	rc = iopt_check_alignment(iopt, align);
	if (!rc)
		rc = xa_alloc(&iopt->accesses, &access->iopt_access_list_id,
			      access, xa_limit_16b, GFP_KERNEL_ACCOUNT);
	if (!rc)
		iopt->iova_alignment = align;
	up_write(&iopt->iova_rwsem);
	return rc;
}

static void iopt_remove_access(struct io_pagetable *iopt,
			       struct iommufd_access *access)
{
	down_write(&iopt->iova_rwsem);
	WARN_ON(xa_erase(&iopt->accesses, access->iopt_access_list_id) !=
		access);
	iopt->iova_alignment = iopt_needed_alignment(iopt);
	up_write(&iopt->iova_rwsem);
}

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
		rc = iopt_add_access(&new_ioas->iopt, access);
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
		iopt_remove_access(&cur->iopt, access);
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
	access->iova_alignment = ops->needs_pin_pages ? PAGE_SIZE : 1;
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

/**
 * iommufd_access_notify_unmap() - tell accesses IOVA is about to go away
 * @iopt: the page table being unmapped
 * @iova: start of the range
 * @length: its length
 *
 * Calls every attached access's unmap callback with no lock held, each
 * access kept alive as a user meanwhile.
 *
 * Context: process context, may sleep; no IOAS lock held.
 */
void iommufd_access_notify_unmap(struct io_pagetable *iopt, unsigned long iova,
				 unsigned long length)
{
	struct iommufd_access *access;
	unsigned long index;

	xa_lock(&iopt->accesses);
	xa_for_each(&iopt->accesses, index, access) {
		if (!access->ops->unmap ||
		    !refcount_inc_not_zero(&access->obj.users))
			continue;
		xa_unlock(&iopt->accesses);
		access->ops->unmap(access->data, iova, length);
		iommufd_put_object(access->ictx, &access->obj);
		xa_lock(&iopt->accesses);
	}
	xa_unlock(&iopt->accesses);
}

/*
 * May the access use @area for @flags now?  0; -EINVAL while an unmap of
 * it waits for accesses to let go; -EPERM against its protection.
 */
static int iommufd_access_check_area(struct iopt_area *area,
				     unsigned int flags)
{
	int prot = flags & IOMMUFD_ACCESS_RW_WRITE ? IOMMU_WRITE : IOMMU_READ;
	bool blocked;

	mutex_lock(&area->pages->mutex);
	blocked = area->prevent_access;
	mutex_unlock(&area->pages->mutex);
	if (blocked)
		return -EINVAL;
	return area->iommu_prot & prot ? 0 : -EPERM;
}

/*
 * Validate [iova, iova + length) and lock the page table the access uses:
 * access->ioas_lock and iova_rwsem for read, released by
 * iommufd_access_unlock_iopt().  *@last is the range's last IOVA.
 */
static struct io_pagetable *
iommufd_access_lock_iopt(struct iommufd_access *access, unsigned long iova,
			 unsigned long length, unsigned long *last)
{
	struct io_pagetable *iopt;

	if (!length)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(iova, length - 1, last))
		return ERR_PTR(-EOVERFLOW);

	mutex_lock(&access->ioas_lock);
	if (!access->ioas) {
		mutex_unlock(&access->ioas_lock);
		return ERR_PTR(-ENOENT);
	}
	iopt = &access->ioas->iopt;
	down_read(&iopt->iova_rwsem);
	return iopt;
}

static void iommufd_access_unlock_iopt(struct iommufd_access *access,
				       struct io_pagetable *iopt)
{
	up_read(&iopt->iova_rwsem);
	mutex_unlock(&access->ioas_lock);
}

/* Unpin [iova, last] from the areas of @iopt, which must cover it. */
static void iommufd_access_unpin_range(struct io_pagetable *iopt,
				       unsigned long iova, unsigned long last)
{
	struct iopt_area *area;

	lockdep_assert_held(&iopt->iova_rwsem);

	iopt_for_each_area(area, iopt, iova, last) {
		unsigned long first = max(iova, iopt_area_iova(area));
		unsigned long end = min(last, iopt_area_last_iova(area));

		iopt_pages_unpin(area->pages,
				 iopt_area_iova_to_index(area, first),
				 iopt_area_iova_to_index(area, end));
		mutex_lock(&area->pages->mutex);
		WARN_ON(!area->num_accesses);
		area->num_accesses--;
		mutex_unlock(&area->pages->mutex);
	}
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
	struct io_pagetable *iopt;
	unsigned long last;

	if (WARN_ON(!length) || WARN_ON(check_add_overflow(iova, length - 1,
							   &last)))
		return;

	mutex_lock(&access->ioas_lock);
	if (!WARN_ON(!access->ioas_unpin)) {
		iopt = &access->ioas_unpin->iopt;
		down_read(&iopt->iova_rwsem);
		iommufd_access_unpin_range(iopt, iova, last);
		up_read(&iopt->iova_rwsem);
	}
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
	unsigned long last, pos = iova;
	struct io_pagetable *iopt;
	struct iopt_area *area;
	int rc = -ENOENT;

	if (WARN_ON(access->iova_alignment != PAGE_SIZE || !access->ops->unmap))
		return -EINVAL;
	iopt = iommufd_access_lock_iopt(access, iova, length, &last);
	if (IS_ERR(iopt))
		return PTR_ERR(iopt);
	iopt_for_each_area(area, iopt, iova, last) {
		unsigned long end = min(last, iopt_area_last_iova(area));
		unsigned long first_index, last_index;

		if (iopt_area_iova(area) > pos)
			break;	/* a gap */
		rc = iommufd_access_check_area(area, flags);
		if (rc)
			goto err_unpin;
		/* Whole pages only: the pin starts and ends on page edges. */
		if (offset_in_page(iopt_area_start_byte(area) +
				   (pos - iopt_area_iova(area))) ||
		    (end != last &&
		     offset_in_page(iopt_area_start_byte(area) +
				    (end - iopt_area_iova(area)) + 1))) {
			rc = -EINVAL;
			goto err_unpin;
		}
		first_index = iopt_area_iova_to_index(area, pos);
		last_index = iopt_area_iova_to_index(area, end);
		rc = iopt_pages_pin(area->pages, first_index, last_index,
				    out_pages);
		if (rc)
			goto err_unpin;
		out_pages += last_index - first_index + 1;
		mutex_lock(&area->pages->mutex);
		area->num_accesses++;
		mutex_unlock(&area->pages->mutex);
		if (end == last) {
			rc = 0;
			goto out_unlock;
		}
		pos = end + 1;
		rc = -ENOENT;
	}
err_unpin:
	if (pos != iova)
		iommufd_access_unpin_range(iopt, iova, pos - 1);
out_unlock:
	iommufd_access_unlock_iopt(access, iopt);
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
	unsigned long last, pos = iova;
	struct io_pagetable *iopt;
	struct iopt_area *area;
	int rc = -ENOENT;

	iopt = iommufd_access_lock_iopt(access, iova, length, &last);
	if (IS_ERR(iopt))
		return PTR_ERR(iopt);
	iopt_for_each_area(area, iopt, iova, last) {
		unsigned long end = min(last, iopt_area_last_iova(area));
		unsigned long offset;

		if (iopt_area_iova(area) > pos)
			break;	/* a gap */
		rc = iommufd_access_check_area(area, flags);
		if (rc)
			break;
		offset = iopt_area_start_byte(area) + (pos - iopt_area_iova(area));
		rc = iopt_pages_rw(area->pages, offset, data, end - pos + 1,
				   flags & IOMMUFD_ACCESS_RW_WRITE,
				   !(flags & __IOMMUFD_ACCESS_RW_SLOW_PATH));
		if (rc)
			break;
		data += end - pos + 1;
		if (end == last)
			break;
		pos = end + 1;
		rc = -ENOENT;
	}
	iommufd_access_unlock_iopt(access, iopt);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_rw, IOMMUFD);
