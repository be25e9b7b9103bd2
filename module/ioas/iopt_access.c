// SPDX-License-Identifier: GPL-2.0-only
/*
 * What in-kernel accesses (access/) do with an I/O page table: join and
 * leave it, pin the pages behind an IOVA range and unpin them, and read or
 * write through a range.  The area walks and iova_rwsem stay here, inside
 * ioas/; access/ holds only its own ioas_lock around these calls.
 *
 * An area an access has pinned into counts it (area->num_accesses, under
 * pages->mutex), so that an unmap knows to ask the accesses first; while
 * that unmap waits, area->prevent_access turns new pins and rw away.
 */
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/mm.h>
#include <linux/overflow.h>

#include "io_pagetable.h"

/**
 * iopt_add_access() - attach an access to the page table
 * @iopt: the page table
 * @link: the access's link, its ops and alignment set; gets its id here
 *
 * Raises the alignment every new mapping must have to @link's, which
 * existing areas must already satisfy.
 *
 * Context: process context, may sleep.
 * Return: 0, -EADDRINUSE if an area is misaligned for it, or an errno of
 * xa_alloc().
 */
int iopt_add_access(struct io_pagetable *iopt, struct iopt_access_link *link)
{
	unsigned long align;
	int rc;

	down_write(&iopt->iova_rwsem);
	align = max(iopt_needed_alignment(iopt), link->alignment);
	rc = iopt_check_alignment(iopt, align);
	if (!rc)
		rc = xa_alloc(&iopt->accesses, &link->id, link, xa_limit_16b,
			      GFP_KERNEL_ACCOUNT);
	if (!rc)
		iopt->iova_alignment = align;
	up_write(&iopt->iova_rwsem);
	return rc;
}

/**
 * iopt_remove_access() - detach an access added by iopt_add_access()
 * @iopt: the page table
 * @link: the access's link, as iopt_add_access() took it
 *
 * Context: process context, may sleep.
 */
void iopt_remove_access(struct io_pagetable *iopt,
			struct iopt_access_link *link)
{
	down_write(&iopt->iova_rwsem);
	WARN_ON(xa_erase(&iopt->accesses, link->id) != link);
	iopt->iova_alignment = iopt_needed_alignment(iopt);
	up_write(&iopt->iova_rwsem);
}

/**
 * iopt_notify_accesses() - tell every access of an unmap
 * @iopt: the page table
 * @iova: start of the range about to be unmapped
 * @length: its length
 *
 * Each access that its @get keeps is told with no lock held.
 *
 * Context: process context, may sleep; no lock of @iopt held.
 */
void iopt_notify_accesses(struct io_pagetable *iopt, unsigned long iova,
			  unsigned long length)
{
	struct iopt_access_link *link;
	unsigned long index;

	xa_lock(&iopt->accesses);
	xa_for_each(&iopt->accesses, index, link) {
		if (!link->ops->get(link))
			continue;
		xa_unlock(&iopt->accesses);
		link->ops->unmap(link, iova, length);
		xa_lock(&iopt->accesses);
	}
	xa_unlock(&iopt->accesses);
}

/*
 * May an access use @area for @flags now?  0; -EINVAL while an unmap of
 * it waits for accesses to let go; -EPERM against its protection.
 */
static int iopt_access_check_area(struct iopt_area *area, unsigned int flags)
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
 * Unpin [iova, last] from the areas of @iopt, which must cover it; @locked
 * for a pin of iopt_lock_pin().
 */
static void iopt_access_unpin_range(struct io_pagetable *iopt,
				    unsigned long iova, unsigned long last,
				    bool locked)
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
		if (locked) {
			WARN_ON(!area->num_locks);
			area->num_locks--;
		} else {
			WARN_ON(!area->num_accesses);
			area->num_accesses--;
		}
		mutex_unlock(&area->pages->mutex);
	}
}

/**
 * iopt_access_unpin() - undo iopt_access_pin()
 * @iopt: the page table pinned in
 * @iova: first IOVA, as pinned
 * @last: last IOVA, inclusive, as pinned
 *
 * Context: process context, may sleep.
 */
void iopt_access_unpin(struct io_pagetable *iopt, unsigned long iova,
		       unsigned long last)
{
	down_read(&iopt->iova_rwsem);
	iopt_access_unpin_range(iopt, iova, last, false);
	up_read(&iopt->iova_rwsem);
}

/*
 * Call @fn on each area's part of [@iova, @last], in order, after checking
 * the area may be used for @flags.  *@done is set to the first IOVA not
 * handled.  Returns 0 once all of it is done; -ENOENT at a gap; the
 * check's or @fn's errno.  iova_rwsem held.
 */
static int iopt_access_walk(struct io_pagetable *iopt, unsigned long iova,
			    unsigned long last, unsigned int flags,
			    int (*fn)(struct iopt_area *area,
				      unsigned long first, unsigned long end,
				      void *arg),
			    void *arg, unsigned long *done)
{
	struct iopt_area *area;
	int rc;

	lockdep_assert_held(&iopt->iova_rwsem);

	*done = iova;
	iopt_for_each_area(area, iopt, iova, last) {
		unsigned long end = min(last, iopt_area_last_iova(area));

		if (iopt_area_iova(area) > *done)
			break;	/* a gap */
		rc = iopt_access_check_area(area, flags);
		if (!rc)
			rc = fn(area, *done, end, arg);
		if (rc)
			return rc;
		if (end == last)
			return 0;
		*done = end + 1;
	}
	return -ENOENT;
}

/*
 * Where a pin's pages go, advanced as areas are pinned, its end, and
 * whether it is a pin of iopt_lock_pin().
 */
struct iopt_access_pin_args {
	struct page **out_pages;
	unsigned long last;
	bool locked;
};

static int iopt_access_pin_part(struct iopt_area *area, unsigned long first,
				unsigned long end, void *arg)
{
	struct iopt_access_pin_args *args = arg;
	unsigned long first_index, last_index;
	int rc;

	/* Whole pages only: the pin starts and ends on page edges. */
	if (offset_in_page(iopt_area_start_byte(area) +
			   (first - iopt_area_iova(area))) ||
	    (end != args->last &&
	     offset_in_page(iopt_area_start_byte(area) +
			    (end - iopt_area_iova(area)) + 1)))
		return -EINVAL;
	first_index = iopt_area_iova_to_index(area, first);
	last_index = iopt_area_iova_to_index(area, end);
	rc = iopt_pages_pin(area->pages, first_index, last_index,
			    args->out_pages);
	if (rc)
		return rc;
	args->out_pages += last_index - first_index + 1;
	mutex_lock(&area->pages->mutex);
	if (args->locked)
		area->num_locks++;
	else
		area->num_accesses++;
	mutex_unlock(&area->pages->mutex);
	return 0;
}

/* The buffer of an rw, advanced as it is copied, and its flags. */
struct iopt_access_rw_args {
	void *data;
	unsigned int flags;
};

static int iopt_access_rw_part(struct iopt_area *area, unsigned long first,
			       unsigned long end, void *arg)
{
	struct iopt_access_rw_args *args = arg;
	unsigned long offset =
		iopt_area_start_byte(area) + (first - iopt_area_iova(area));
	int rc;

	rc = iopt_pages_rw(area->pages, offset, args->data, end - first + 1,
			   args->flags & IOMMUFD_ACCESS_RW_WRITE,
			   !(args->flags & __IOMMUFD_ACCESS_RW_SLOW_PATH));
	if (!rc)
		args->data += end - first + 1;
	return rc;
}

/* iopt_access_pin() or, @locked, iopt_lock_pin(). */
static int iopt_pin_range(struct io_pagetable *iopt, unsigned long iova,
			  unsigned long last, struct page **out_pages,
			  unsigned int flags, bool locked)
{
	struct iopt_access_pin_args args = {
		.out_pages = out_pages,
		.last = last,
		.locked = locked,
	};
	unsigned long done;
	int rc;

	down_read(&iopt->iova_rwsem);
	rc = iopt_access_walk(iopt, iova, last, flags, iopt_access_pin_part,
			      &args, &done);
	if (rc && done != iova)
		iopt_access_unpin_range(iopt, iova, done - 1, locked);
	up_read(&iopt->iova_rwsem);
	return rc;
}

/**
 * iopt_access_pin() - pin the pages behind [@iova, @last] for an access
 * @iopt: the page table
 * @iova: first IOVA, on a page edge of the memory
 * @last: last IOVA, inclusive, on a page edge's last byte
 * @out_pages: out: one struct page per PAGE_SIZE page of the range
 * @flags: IOMMUFD_ACCESS_RW_WRITE if the pages will be written
 *
 * Context: process context, may sleep.
 * Return: 0; -ENOENT if the range is not fully mapped; -EPERM for a write
 * to read-only memory; -EINVAL off page edges or while an unmap of the
 * range is in progress; -ENOMEM over RLIMIT_MEMLOCK; -EFAULT for memory
 * gone.  Nothing stays pinned on failure.
 */
int iopt_access_pin(struct io_pagetable *iopt, unsigned long iova,
		    unsigned long last, struct page **out_pages,
		    unsigned int flags)
{
	return iopt_pin_range(iopt, iova, last, out_pages, flags, false);
}

/**
 * iopt_lock_pin() - pin the pages behind [@iova, @last] and keep them
 *	mapped: unmaps of the range fail with -EBUSY until iopt_lock_unpin()
 * @iopt: the page table
 * @iova: first IOVA, on a page edge of the memory
 * @last: last IOVA, inclusive, on a page edge's last byte
 * @out_pages: out: one struct page per PAGE_SIZE page of the range
 *
 * For memory the hardware reads by physical address on its own, such as a
 * vIOMMU's queue in guest memory: no unmap callback could stop it.
 *
 * Context: process context, may sleep.
 * Return: as iopt_access_pin().
 */
int iopt_lock_pin(struct io_pagetable *iopt, unsigned long iova,
		  unsigned long last, struct page **out_pages)
{
	return iopt_pin_range(iopt, iova, last, out_pages, 0, true);
}

/**
 * iopt_lock_unpin() - undo iopt_lock_pin()
 * @iopt: the page table pinned in
 * @iova: first IOVA, as pinned
 * @last: last IOVA, inclusive, as pinned
 *
 * Context: process context, may sleep.
 */
void iopt_lock_unpin(struct io_pagetable *iopt, unsigned long iova,
		     unsigned long last)
{
	down_read(&iopt->iova_rwsem);
	iopt_access_unpin_range(iopt, iova, last, true);
	up_read(&iopt->iova_rwsem);
}

/**
 * iopt_access_rw() - read or write the memory behind [@iova, @last]
 * @iopt: the page table
 * @iova: first IOVA
 * @last: last IOVA, inclusive
 * @data: kernel buffer of @last - @iova + 1 bytes
 * @flags: IOMMUFD_ACCESS_RW_* of iommufd_access_rw()
 *
 * Context: process context or a kthread, may sleep.
 * Return: 0; -ENOENT if the range is not fully mapped; -EPERM against the
 * mapping's protection; -EINVAL during an unmap of it; -EFAULT for memory
 * that is gone.
 */
int iopt_access_rw(struct io_pagetable *iopt, unsigned long iova,
		   unsigned long last, void *data, unsigned int flags)
{
	struct iopt_access_rw_args args = { .data = data, .flags = flags };
	unsigned long done;
	int rc;

	down_read(&iopt->iova_rwsem);
	rc = iopt_access_walk(iopt, iova, last, flags, iopt_access_rw_part,
			      &args, &done);
	up_read(&iopt->iova_rwsem);
	return rc;
}
