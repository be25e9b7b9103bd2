// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOVA side of an IOAS: placing, copying and removing areas, the
 * reserved and allowed ranges, and automatic IOVA allocation.
 *
 * Every change is checked completely before anything is changed, so a
 * refused MAP, COPY or UNMAP leaves the table as it was.  Areas are only
 * ever removed whole: an UNMAP whose range cuts through an area fails.
 *
 * Automatic IOVA keeps the sub-page offset of the user address and aligns
 * the rest as the user address is aligned (up to the length rounded up to a
 * power of two, capped at a PMD), so huge user pages can become huge IOMMU
 * pages.  It never returns IOVA 0 and takes the lowest address that fits
 * (first fit), walking only the areas and reserved ranges that bound the
 * holes it tries.  iopt->auto_hint remembers where the first hole is, so a
 * densely packed IOAS (100,000 areas mapped one after the other) does not
 * walk everything it packed on every allocation.
 */
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "../iommufd_private.h"
#include "io_pagetable.h"

/* The IOVA window automatic allocation searches. */
#define IOPT_AUTO_FIRST PAGE_SIZE
#define IOPT_AUTO_LAST (ULONG_MAX - PAGE_SIZE)

void iopt_init(struct io_pagetable *iopt)
{
	init_rwsem(&iopt->domains_rwsem);
	xa_init_flags(&iopt->domains, XA_FLAGS_ALLOC);
	init_rwsem(&iopt->iova_rwsem);
	iopt->area_itree = RB_ROOT_CACHED;
	iopt->allowed_itree = RB_ROOT_CACHED;
	iopt->reserved_itree = RB_ROOT_CACHED;
	xa_init_flags(&iopt->accesses, XA_FLAGS_ALLOC1);
	iopt->auto_hint = IOPT_AUTO_FIRST;
	iopt->iova_alignment = 1;
}

/* Something at @start went away: there may be a hole there now. */
static void iopt_lower_hint(struct io_pagetable *iopt, unsigned long start)
{
	lockdep_assert_held_write(&iopt->iova_rwsem);

	iopt->auto_hint = max(IOPT_AUTO_FIRST, min(iopt->auto_hint, start));
}

/**
 * iopt_free_itree() - free every node of an allowed or reserved tree
 * @itree: the tree; struct iopt_allowed and struct iopt_reserved both begin
 *	with their node
 */
void iopt_free_itree(struct rb_root_cached *itree)
{
	struct interval_tree_node *node;

	while ((node = interval_tree_iter_first(itree, 0, ULONG_MAX))) {
		interval_tree_remove(node, itree);
		kfree(node);
	}
}

static void iopt_area_free(struct iopt_area *area)
{
	if (area->pages)
		iopt_pages_put(area->pages);
	kfree(area);
}

/**
 * iopt_destroy() - release everything an IOAS's page table holds
 * @iopt: the page table; no access may be attached any more
 *
 * Context: process context, may sleep.
 */
void iopt_destroy(struct io_pagetable *iopt)
{
	unsigned long unmapped;

	WARN_ON(!xa_empty(&iopt->accesses));
	WARN_ON(!xa_empty(&iopt->domains));
	iopt_unmap_all(iopt, &unmapped);
	iopt_free_itree(&iopt->reserved_itree);
	iopt_free_itree(&iopt->allowed_itree);
	xa_destroy(&iopt->accesses);
	xa_destroy(&iopt->domains);
}

/*
 * The first node of either tree that overlaps [first, last], by start; NULL
 * if neither has one.
 */
static struct interval_tree_node *
iopt_first_used(struct io_pagetable *iopt, unsigned long first,
		unsigned long last)
{
	struct interval_tree_node *area, *resv;

	area = interval_tree_iter_first(&iopt->area_itree, first, last);
	resv = interval_tree_iter_first(&iopt->reserved_itree, first, last);
	if (!area || (resv && resv->start < area->start))
		return resv;
	return area;
}

/*
 * Fit @length bytes into [*start, last] at an address that is
 * @align-aligned plus @offset.  On success *start is that address.
 */
static bool iopt_fit(unsigned long *start, unsigned long last,
		     unsigned long length, unsigned long align,
		     unsigned long offset)
{
	unsigned long candidate;

	if (check_add_overflow(*start, align - 1, &candidate))
		return false;
	candidate = (candidate & ~(align - 1)) | offset;
	if (candidate < *start || candidate > last ||
	    last - candidate < length - 1)
		return false;
	*start = candidate;
	return true;
}

/*
 * The lowest free IOVA in [first, last] that fits; false if none.  A search
 * that starts at the hint moves the hint up to the first hole it meets.
 */
static bool iopt_find_hole(struct io_pagetable *iopt, unsigned long first,
			   unsigned long last, unsigned long length,
			   unsigned long align, unsigned long offset,
			   unsigned long *iova)
{
	bool update_hint = first <= iopt->auto_hint;
	unsigned long pos = max(first, iopt->auto_hint);

	lockdep_assert_held_write(&iopt->iova_rwsem);

	while (pos <= last) {
		struct interval_tree_node *used;
		unsigned long hole_last;

		used = iopt_first_used(iopt, pos, last);
		if (used && used->start <= pos) {
			/* pos is taken: skip to the end of what takes it. */
			if (used->last >= last)
				break;
			pos = used->last + 1;
			continue;
		}
		if (update_hint) {
			/* Everything from the hint up to pos is taken. */
			iopt->auto_hint = pos;
			update_hint = false;
		}
		hole_last = used ? used->start - 1 : last;
		if (iopt_fit(&pos, hole_last, length, align, offset)) {
			*iova = pos;
			return true;
		}
		if (!used || used->last >= last)
			break;
		pos = used->last + 1;
	}
	/* Nothing free from the hint to the end of the window. */
	if (update_hint && last == IOPT_AUTO_LAST)
		iopt->auto_hint = last;
	return false;
}

/*
 * Choose the IOVA for mapping @length bytes that start at byte @uaddr of
 * user memory (0 when there is no user address to imitate).
 */
static int iopt_alloc_iova(struct io_pagetable *iopt, unsigned long *iova,
			   unsigned long uaddr, unsigned long length)
{
	unsigned long offset = uaddr % PAGE_SIZE;
	unsigned long align, max_align = PAGE_SIZE;
	struct interval_tree_node *allowed;

	lockdep_assert_held(&iopt->iova_rwsem);

	/* roundup_pow_of_two() must not overflow. */
	if (!length || length >= ULONG_MAX / 2)
		return -EOVERFLOW;

	align = roundup_pow_of_two(length);
	if (uaddr)
		align = min(align, 1UL << __ffs(uaddr));
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
	max_align = HPAGE_SIZE;
#endif
	align = min(align, max_align);
	if (align < iopt->iova_alignment)
		return -EINVAL;
	/* The kept sub-page offset must itself respect the alignment. */
	offset &= ~(align - 1) & (PAGE_SIZE - 1);

	if (RB_EMPTY_ROOT(&iopt->allowed_itree.rb_root))
		return iopt_find_hole(iopt, IOPT_AUTO_FIRST, IOPT_AUTO_LAST,
				      length, align, offset, iova) ?
			       0 : -ENOSPC;

	for (allowed = interval_tree_iter_first(&iopt->allowed_itree,
						IOPT_AUTO_FIRST,
						IOPT_AUTO_LAST);
	     allowed;
	     allowed = interval_tree_iter_next(allowed, IOPT_AUTO_FIRST,
					       IOPT_AUTO_LAST)) {
		if (iopt_find_hole(iopt, max(allowed->start, IOPT_AUTO_FIRST),
				   min(allowed->last, IOPT_AUTO_LAST), length,
				   align, offset, iova))
			return 0;
	}
	return -ENOSPC;
}

/* May [iova, iova + length) be mapped as given? */
static int iopt_check_iova(struct io_pagetable *iopt, unsigned long iova,
			   unsigned long length)
{
	unsigned long last;

	lockdep_assert_held(&iopt->iova_rwsem);

	if (iova & (iopt->iova_alignment - 1))
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (interval_tree_iter_first(&iopt->reserved_itree, iova, last))
		return -EINVAL;
	if (interval_tree_iter_first(&iopt->area_itree, iova, last))
		return -EEXIST;
	return 0;
}

/*
 * A slice of a struct iopt_pages about to become an area: @length bytes
 * from byte @start_byte of @pages' user range.  Holds a pages reference
 * that the area takes over.
 */
struct iopt_slice {
	struct list_head link;
	struct iopt_pages *pages;
	struct iopt_area *area;
	unsigned long start_byte;
	unsigned long length;
};

static void iopt_free_slices(struct list_head *slices)
{
	struct iopt_slice *slice, *tmp;

	list_for_each_entry_safe(slice, tmp, slices, link) {
		if (slice->area)
			iopt_area_free(slice->area);
		else if (slice->pages)
			iopt_pages_put(slice->pages);
		kfree(slice);
	}
}

/* Fill in the area of @slice at @iova; nothing is inserted yet. */
static int iopt_prepare_area(struct io_pagetable *iopt,
			     struct iopt_slice *slice, unsigned long iova,
			     int iommu_prot)
{
	struct iopt_area *area = slice->area;

	if ((iommu_prot & IOMMU_WRITE) && !slice->pages->writable)
		return -EPERM;

	area->page_offset = slice->start_byte % PAGE_SIZE;
	if (area->page_offset & (iopt->iova_alignment - 1))
		return -EINVAL;
	area->node.start = iova;
	if (check_add_overflow(iova, slice->length - 1, &area->node.last))
		return -EOVERFLOW;
	area->pages_node.start = slice->start_byte / PAGE_SIZE;
	area->pages_node.last = (slice->start_byte + slice->length - 1) /
				PAGE_SIZE;
	if (WARN_ON(area->pages_node.last >= slice->pages->npages))
		return -EOVERFLOW;
	area->iommu_prot = iommu_prot;
	area->iopt = iopt;
	return 0;
}

/*
 * Map the slices back to back at *iova (or at an IOVA chosen here), in one
 * step: either every area is mapped or none is.
 *
 * The areas take their IOVA in the tree at once, marked filling, and are
 * pinned and mapped into the domains with only domains_rwsem held, so a
 * map that waits for its memory (faulting in a large guest, a
 * userfaultfd page) holds up no other user of iova_rwsem.  Until filled
 * they are skipped by lookups, and unmaps of them are refused (EBUSY).
 */
static int iopt_insert_slices(struct io_pagetable *iopt,
			      struct list_head *slices, unsigned long length,
			      unsigned long *iova, int iommu_prot,
			      bool fixed_iova)
{
	struct iopt_slice *slice;
	unsigned long pos;
	int rc;

	list_for_each_entry(slice, slices, link) {
		slice->area = kzalloc(sizeof(*slice->area), GFP_KERNEL_ACCOUNT);
		if (!slice->area)
			return -ENOMEM;
		/* The area owns the pages reference from here on. */
		slice->area->pages = slice->pages;
	}

	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	if (!length || (length & (iopt->iova_alignment - 1))) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (fixed_iova) {
		rc = iopt_check_iova(iopt, *iova, length);
	} else {
		slice = list_first_entry(slices, struct iopt_slice, link);
		rc = iopt_alloc_iova(iopt, iova,
				     iopt_pages_base(slice->pages) +
					     slice->start_byte, length);
	}
	if (rc)
		goto out_unlock;

	pos = *iova;
	list_for_each_entry(slice, slices, link) {
		rc = iopt_prepare_area(iopt, slice, pos, iommu_prot);
		if (rc)
			goto out_unlock;
		pos += slice->length;
	}
	list_for_each_entry(slice, slices, link) {
		iopt_area_init_user(slice->area, iopt->disable_large_pages);
		slice->area->filling = true;
		interval_tree_insert(&slice->area->node, &iopt->area_itree);
	}
	if (xa_empty(&iopt->domains))
		goto out_done;	/* nothing to pin yet */
	up_write(&iopt->iova_rwsem);

	list_for_each_entry(slice, slices, link) {
		rc = iopt_area_fill_domains(iopt, slice->area);
		if (rc)
			goto err_unfill;
	}
	down_write(&iopt->iova_rwsem);
out_done:
	list_for_each_entry(slice, slices, link) {
		slice->area->filling = false;
		slice->area = NULL;	/* now owned by the tree */
		slice->pages = NULL;
	}
	rc = 0;
	goto out_unlock;

err_unfill:
	list_for_each_entry_continue_reverse(slice, slices, link)
		iopt_area_unfill_domains(iopt, slice->area);
	down_write(&iopt->iova_rwsem);
	list_for_each_entry(slice, slices, link)
		interval_tree_remove(&slice->area->node, &iopt->area_itree);
	iopt_lower_hint(iopt, *iova);
out_unlock:
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
	return rc;
}

/*
 * Map new @pages (whose first byte is @start_byte into its first page) as
 * one area; the area takes them over, or they are put on failure.
 */
static int iopt_map_new_pages(struct io_pagetable *iopt,
			      struct iopt_pages *pages,
			      unsigned long start_byte, unsigned long length,
			      unsigned long *iova, int iommu_prot,
			      bool fixed_iova)
{
	struct iopt_slice slice = {
		.pages = pages,
		.start_byte = start_byte,
		.length = length,
	};
	LIST_HEAD(slices);
	int rc;

	list_add(&slice.link, &slices);
	rc = iopt_insert_slices(iopt, &slices, length, iova, iommu_prot,
				fixed_iova);
	if (slice.area)
		iopt_area_free(slice.area);
	else if (slice.pages)
		iopt_pages_put(slice.pages);
	return rc;
}

/**
 * iopt_map_user_pages() - map user memory into an IOAS
 * @iopt: the page table
 * @iova: in: the IOVA when @fixed_iova; out: the IOVA used
 * @uptr: the user address
 * @length: bytes to map
 * @iommu_prot: IOMMU_READ and/or IOMMU_WRITE
 * @account_mode: how pins of this memory will be charged
 * @fixed_iova: map at *@iova, else choose one
 *
 * Nothing is pinned here: pages are pinned when something needs them.
 *
 * Context: process context, may sleep; the user memory belongs to current.
 * Return: 0, or a negative errno with nothing changed.
 */
int iopt_map_user_pages(struct io_pagetable *iopt, unsigned long *iova,
			void __user *uptr, unsigned long length,
			int iommu_prot, u8 account_mode, bool fixed_iova)
{
	struct iopt_pages *pages;

	pages = iopt_pages_alloc(uptr, length, iommu_prot & IOMMU_WRITE,
				 account_mode);
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	return iopt_map_new_pages(iopt, pages, offset_in_page(uptr), length,
				  iova, iommu_prot, fixed_iova);
}

/**
 * iopt_map_file_pages() - map part of a memfd into an IOAS
 * @iopt: the page table
 * @iova: in: the IOVA when @fixed_iova; out: the IOVA used
 * @file: the memfd; the mapping keeps its own reference
 * @start: byte offset in @file
 * @length: bytes to map
 * @iommu_prot: IOMMU_READ and/or IOMMU_WRITE
 * @account_mode: how pins of this memory will be charged
 * @fixed_iova: map at *@iova, else choose one
 *
 * As iopt_map_user_pages(), with the memory named by a file range: pages
 * are pinned from @file when something needs them, and charged to current.
 *
 * Context: process context, may sleep.
 * Return: 0, or a negative errno with nothing changed: those of
 * iopt_pages_alloc_file() and of iopt_map_user_pages().
 */
int iopt_map_file_pages(struct io_pagetable *iopt, unsigned long *iova,
			struct file *file, unsigned long start,
			unsigned long length, int iommu_prot, u8 account_mode,
			bool fixed_iova)
{
	struct iopt_pages *pages;

	pages = iopt_pages_alloc_file(file, start, length,
				      iommu_prot & IOMMU_WRITE, account_mode);
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	return iopt_map_new_pages(iopt, pages, offset_in_page(start), length,
				  iova, iommu_prot, fixed_iova);
}

/*
 * Collect the slices of pages that map [iova, iova + length) in @iopt,
 * which must be covered by areas without a gap.
 */
static int iopt_get_slices(struct io_pagetable *iopt, unsigned long iova,
			   unsigned long length, struct list_head *slices)
{
	unsigned long last, pos = iova;
	struct iopt_area *area;
	int rc = 0;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	down_read(&iopt->iova_rwsem);
	iopt_for_each_area(area, iopt, iova, last) {
		struct iopt_slice *slice;
		unsigned long slice_last;

		if (iopt_area_iova(area) > pos)
			break;	/* a gap */
		slice = kzalloc(sizeof(*slice), GFP_KERNEL_ACCOUNT);
		if (!slice) {
			rc = -ENOMEM;
			goto out_unlock;
		}
		slice_last = min(last, iopt_area_last_iova(area));
		slice->pages = area->pages;
		iopt_pages_get(slice->pages);
		slice->start_byte = iopt_area_start_byte(area) +
				    (pos - iopt_area_iova(area));
		slice->length = slice_last - pos + 1;
		list_add_tail(&slice->link, slices);
		if (slice_last == last)
			goto out_unlock;
		pos = slice_last + 1;
	}
	rc = -ENOENT;
out_unlock:
	up_read(&iopt->iova_rwsem);
	return rc;
}

/**
 * iopt_copy() - map what [@src_iova, @src_iova + @length) of @src maps at
 *	another IOVA, sharing the pages
 * @dst: the page table to map into
 * @src: the page table to copy from; may be @dst
 * @dst_iova: in: the IOVA when @fixed_iova; out: the IOVA used
 * @src_iova: start of the source range, which areas must cover fully
 * @length: bytes to copy
 * @iommu_prot: IOMMU_READ and/or IOMMU_WRITE for the new areas
 * @fixed_iova: map at *@dst_iova, else choose one
 *
 * Context: process context, may sleep.
 * Return: 0; -ENOENT if the source range is not fully mapped; -EPERM for
 * write access to memory mapped read-only; the errors of a map.  Nothing
 * changed on failure.
 */
int iopt_copy(struct io_pagetable *dst, struct io_pagetable *src,
	      unsigned long *dst_iova, unsigned long src_iova,
	      unsigned long length, int iommu_prot, bool fixed_iova)
{
	LIST_HEAD(slices);
	int rc;

	rc = iopt_get_slices(src, src_iova, length, &slices);
	if (!rc)
		rc = iopt_insert_slices(dst, &slices, length, dst_iova,
					iommu_prot, fixed_iova);
	iopt_free_slices(&slices);
	return rc;
}

/*
 * Tell the accesses that have pinned anything in an area about to be
 * unmapped, and wait for them to unpin.  Returns with both rwsems dropped;
 * the caller starts over.
 */
static int iopt_unmap_wait_accesses(struct io_pagetable *iopt,
				    struct iopt_area *area, bool *notified,
				    unsigned long *notified_iova)
{
	unsigned long iova = iopt_area_iova(area);
	unsigned long length = iopt_area_length(area);
	struct iopt_pages *pages = area->pages;
	bool busy;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	mutex_lock(&pages->mutex);
	busy = area->num_accesses;
	if (busy && *notified && *notified_iova == iova) {
		/* Told once already and still pinned: the driver is broken. */
		area->prevent_access = false;
		mutex_unlock(&pages->mutex);
		up_write(&iopt->iova_rwsem);
		up_read(&iopt->domains_rwsem);
		return -EDEADLOCK;
	}
	if (busy)
		area->prevent_access = true;
	mutex_unlock(&pages->mutex);
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
	if (!busy)
		return 0;

	*notified = true;
	*notified_iova = iova;
	if (iopt->notify_unmap)
		iopt->notify_unmap(iopt, iova, length);
	return -EAGAIN;
}

/*
 * A failed unmap leaves its areas mapped: let accesses use them again (an
 * earlier pass may have blocked them while it waited for unpins).
 */
static void iopt_unmap_allow_access(struct io_pagetable *iopt,
				    unsigned long first, unsigned long last)
{
	struct iopt_area *area;

	down_read(&iopt->iova_rwsem);
	iopt_for_each_area(area, iopt, first, last) {
		mutex_lock(&area->pages->mutex);
		area->prevent_access = false;
		mutex_unlock(&area->pages->mutex);
	}
	up_read(&iopt->iova_rwsem);
}

static int iopt_unmap_range(struct io_pagetable *iopt, unsigned long first,
			    unsigned long last, bool whole_areas_only,
			    unsigned long *unmapped)
{
	unsigned long notified_iova = 0, total = 0;
	struct iopt_area *area;
	bool notified = false;
	int rc;

again:
	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	/*
	 * Refuse before any access is asked to unpin: a refused unmap must
	 * leave every pin in place.
	 */
	if (iopt_range_filling(iopt, first, last)) {
		rc = -EBUSY;
		goto out_unlock_allow;
	}
	for (area = iopt_area_first(iopt, first, last);
	     area && whole_areas_only; area = iopt_area_next(area, first, last)) {
		if (iopt_area_iova(area) < first ||
		    iopt_area_last_iova(area) > last) {
			rc = -ENOENT;
			goto out_unlock_allow;
		}
	}
	iopt_for_each_area(area, iopt, first, last) {
		if (area->num_accesses) {
			/* Racy peek; iopt_unmap_wait_accesses() decides. */
			rc = iopt_unmap_wait_accesses(iopt, area, &notified,
						      &notified_iova);
			if (rc == -EAGAIN || !rc)
				goto again;
			iopt_unmap_allow_access(iopt, first, last);
			return rc;
		}
	}

	iopt_for_each_area(area, iopt, first, last) {
		total += iopt_area_length(area);
		iopt_lower_hint(iopt, iopt_area_iova(area));
		iopt_area_unfill_domains(iopt, area);
		interval_tree_remove(&area->node, &iopt->area_itree);
		iopt_area_free(area);
	}
	rc = 0;
	goto out_unlock;

out_unlock_allow:
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
	iopt_unmap_allow_access(iopt, first, last);
	return rc;
out_unlock:
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
	*unmapped = total;
	return rc;
}

/**
 * iopt_unmap() - remove the areas inside [@iova, @iova + @length)
 * @iopt: the page table
 * @iova: start of the range
 * @length: its length
 * @unmapped: out: bytes unmapped
 *
 * In-kernel accesses holding pins inside the range are told to unpin first.
 *
 * Context: process context, may sleep.
 * Return: 0, with *@unmapped 0 if the range held nothing; -ENOENT, with
 * nothing changed, if an area crosses the range's edges; -EBUSY while a
 * map into the range is still pinning; -EDEADLOCK if an access would not
 * let go; -EOVERFLOW, -EINVAL for a bad range.
 */
int iopt_unmap(struct io_pagetable *iopt, unsigned long iova,
	       unsigned long length, unsigned long *unmapped)
{
	unsigned long last;

	*unmapped = 0;
	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	return iopt_unmap_range(iopt, iova, last, true, unmapped);
}

/**
 * iopt_unmap_all() - remove every area
 * @iopt: the page table
 * @unmapped: out: bytes unmapped
 *
 * Context: process context, may sleep.
 * Return: 0, -EBUSY while a map is still pinning, or -EDEADLOCK if an
 * access would not let go.
 */
int iopt_unmap_all(struct io_pagetable *iopt, unsigned long *unmapped)
{
	return iopt_unmap_range(iopt, 0, ULONG_MAX, false, unmapped);
}

/**
 * iopt_reserve() - make [@start, @last] IOVA that can never be mapped
 * @iopt: the page table
 * @start: first IOVA
 * @last: last IOVA, inclusive
 * @owner: whoever reserves it, for iopt_unreserve()
 *
 * Context: process context, may sleep.
 * Return: 0; -EADDRINUSE if something is mapped there or it cuts an
 * allowed range; -ENOMEM.
 */
int iopt_reserve(struct io_pagetable *iopt, unsigned long start,
		 unsigned long last, void *owner)
{
	struct iopt_reserved *resv;
	int rc = 0;

	resv = kzalloc(sizeof(*resv), GFP_KERNEL_ACCOUNT);
	if (!resv)
		return -ENOMEM;

	down_write(&iopt->iova_rwsem);
	if (interval_tree_iter_first(&iopt->area_itree, start, last) ||
	    interval_tree_iter_first(&iopt->allowed_itree, start, last)) {
		rc = -EADDRINUSE;
		kfree(resv);
	} else {
		resv->node.start = start;
		resv->node.last = last;
		resv->owner = owner;
		interval_tree_insert(&resv->node, &iopt->reserved_itree);
	}
	up_write(&iopt->iova_rwsem);
	return rc;
}

/**
 * iopt_unreserve() - drop every reserved range @owner added
 * @iopt: the page table
 * @owner: as given to iopt_reserve()
 *
 * Context: process context, may sleep.
 */
void iopt_unreserve(struct io_pagetable *iopt, void *owner)
{
	struct interval_tree_node *node, *next;

	down_write(&iopt->iova_rwsem);
	for (node = interval_tree_iter_first(&iopt->reserved_itree, 0,
					     ULONG_MAX);
	     node; node = next) {
		struct iopt_reserved *resv =
			container_of(node, struct iopt_reserved, node);

		next = interval_tree_iter_next(node, 0, ULONG_MAX);
		if (resv->owner != owner)
			continue;
		iopt_lower_hint(iopt, node->start);
		interval_tree_remove(node, &iopt->reserved_itree);
		kfree(resv);
	}
	up_write(&iopt->iova_rwsem);
}

/**
 * iopt_set_allowed() - replace the allowed ranges
 * @iopt: the page table
 * @allowed: a tree of struct iopt_allowed; on success its nodes move into
 *	the page table and the old ones come back in it, to be freed
 *
 * Context: process context, may sleep.
 * Return: 0, or -EADDRINUSE, with nothing changed, if a new allowed range
 * overlaps reserved IOVA.
 */
int iopt_set_allowed(struct io_pagetable *iopt,
		     struct rb_root_cached *allowed)
{
	struct interval_tree_node *node;
	struct rb_root_cached old;

	down_write(&iopt->iova_rwsem);
	for (node = interval_tree_iter_first(allowed, 0, ULONG_MAX); node;
	     node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		if (interval_tree_iter_first(&iopt->reserved_itree,
					     node->start, node->last)) {
			up_write(&iopt->iova_rwsem);
			return -EADDRINUSE;
		}
	}
	old = iopt->allowed_itree;
	iopt->allowed_itree = *allowed;
	*allowed = old;
	up_write(&iopt->iova_rwsem);
	return 0;
}

/**
 * iopt_needed_alignment() - the IOVA alignment current users require
 * @iopt: the page table
 *
 * PAGE_SIZE when huge pages are off (so every page maps on its own), and
 * at least what each attached access and the smallest page of each domain
 * needs.
 *
 * Context: iova_rwsem held.
 * Return: a power of two.
 */
unsigned long iopt_needed_alignment(struct io_pagetable *iopt)
{
	unsigned long index, align = iopt->disable_large_pages ? PAGE_SIZE : 1;
	struct iommufd_access *access;
	struct iommu_domain *domain;

	lockdep_assert_held(&iopt->iova_rwsem);

	xa_for_each(&iopt->accesses, index, access)
		align = max(align, access->iova_alignment);
	xa_for_each(&iopt->domains, index, domain)
		align = max(align, 1UL << __ffs(domain->pgsize_bitmap));
	return align;
}

/**
 * iopt_check_alignment() - may the alignment become @align?
 * @iopt: the page table
 * @align: the proposed alignment
 *
 * Every existing area's IOVA, length and sub-page offset must already be
 * multiples of it.
 *
 * Context: iova_rwsem held.
 * Return: 0, or -EADDRINUSE naming no area in particular.
 */
int iopt_check_alignment(struct io_pagetable *iopt, unsigned long align)
{
	struct interval_tree_node *node;
	struct iopt_area *area;

	lockdep_assert_held(&iopt->iova_rwsem);

	if (align <= iopt->iova_alignment)
		return 0;
	/* Areas still filling too: they are mapped with this alignment. */
	for (node = interval_tree_iter_first(&iopt->area_itree, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		area = container_of(node, struct iopt_area, node);
		if ((iopt_area_iova(area) | iopt_area_length(area) |
		     area->page_offset) & (align - 1))
			return -EADDRINUSE;
	}
	return 0;
}

/**
 * iopt_range_filling() - is a map into [@first, @last] still pinning?
 * @iopt: the page table
 * @first: first IOVA
 * @last: last IOVA, inclusive
 *
 * Context: iova_rwsem held.
 * Return: true if an area there is still being filled.
 */
bool iopt_range_filling(struct io_pagetable *iopt, unsigned long first,
			unsigned long last)
{
	struct interval_tree_node *node;

	lockdep_assert_held(&iopt->iova_rwsem);

	for (node = interval_tree_iter_first(&iopt->area_itree, first, last);
	     node; node = interval_tree_iter_next(node, first, last))
		if (container_of(node, struct iopt_area, node)->filling)
			return true;
	return false;
}

/**
 * iopt_set_large_pages() - IOMMU_OPTION_HUGE_PAGES
 * @iopt: the page table
 * @enable: allow large IOMMU pages
 *
 * Disabling raises the alignment to PAGE_SIZE, which existing areas must
 * satisfy.
 *
 * Context: process context, may sleep.
 * Return: 0, or with nothing changed -EADDRINUSE, or -EINVAL when
 * disabling while domains already map areas.
 */
int iopt_set_large_pages(struct io_pagetable *iopt, bool enable)
{
	bool old;
	int rc;

	down_write(&iopt->iova_rwsem);
	old = iopt->disable_large_pages;
	/* Domains already hold large mappings of the areas. */
	if (!enable && !old && !xa_empty(&iopt->domains) &&
	    !RB_EMPTY_ROOT(&iopt->area_itree.rb_root)) {
		up_write(&iopt->iova_rwsem);
		return -EINVAL;
	}
	iopt->disable_large_pages = !enable;
	rc = iopt_check_alignment(iopt, iopt_needed_alignment(iopt));
	if (rc)
		iopt->disable_large_pages = old;
	else
		iopt->iova_alignment = iopt_needed_alignment(iopt);
	up_write(&iopt->iova_rwsem);
	return rc;
}

/* Split @area so that a new area starts at @iova, inside it. */
static int iopt_area_split(struct io_pagetable *iopt, struct iopt_area *area,
			   unsigned long iova)
{
	unsigned long left_len = iova - iopt_area_iova(area);
	unsigned long start_byte = iopt_area_start_byte(area);
	struct iopt_pages *pages = area->pages;
	struct iopt_area *right;
	bool filled = !xa_empty(&iopt->domains);
	int rc;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	mutex_lock(&pages->mutex);
	rc = area->prevent_access ? -EBUSY : area->num_accesses ? -EINVAL : 0;
	mutex_unlock(&pages->mutex);
	if (rc)
		return rc;
	if ((iova | ((start_byte + left_len) % PAGE_SIZE)) &
	    (iopt->iova_alignment - 1))
		return -EINVAL;
	/* A cut through a large IOMMU page could not be unmapped alone. */
	if (filled && !area->user.small_pages)
		return -EINVAL;

	right = kzalloc(sizeof(*right), GFP_KERNEL_ACCOUNT);
	if (!right)
		return -ENOMEM;
	right->iopt = iopt;
	right->pages = pages;
	right->iommu_prot = area->iommu_prot;
	right->node.start = iova;
	right->node.last = iopt_area_last_iova(area);
	right->page_offset = (start_byte + left_len) % PAGE_SIZE;
	right->pages_node.start = (start_byte + left_len) / PAGE_SIZE;
	right->pages_node.last = area->pages_node.last;
	iopt_area_init_user(right, area->user.small_pages);

	/* Both halves stay pinned and mapped as the whole was. */
	if (filled) {
		iopt_pages_split_user(pages, &area->user, &right->user,
				      start_byte + left_len);
	} else {
		area->user.end_byte = start_byte + left_len;
		area->user.node.last = (start_byte + left_len - 1) / PAGE_SIZE;
	}
	iopt_pages_get(pages);
	interval_tree_remove(&area->node, &iopt->area_itree);
	area->node.last = iova - 1;
	area->pages_node.last = (start_byte + left_len - 1) / PAGE_SIZE;
	interval_tree_insert(&area->node, &iopt->area_itree);
	interval_tree_insert(&right->node, &iopt->area_itree);
	return 0;
}

/**
 * iopt_cut_iova() - split areas so that each IOVA in @iovas ends one
 * @iopt: the page table, with IOMMU_OPTION_HUGE_PAGES off (domains then
 *	map page by page, so an area's mapping can be split too)
 * @iovas: last IOVAs of the pieces to make
 * @count: how many
 *
 * For VFIO type1 (v1), whose unmap may cut a mapping.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for a cut off the alignment or through pins of an
 * in-kernel access; -EBUSY during an unmap of that area or while a map
 * of it is still pinning; -ENOMEM.
 */
int iopt_cut_iova(struct io_pagetable *iopt, unsigned long *iovas,
		  unsigned int count)
{
	unsigned int i;
	int rc = 0;

	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	for (i = 0; i < count && !rc; i++) {
		struct iopt_area *area;

		if (iopt_range_filling(iopt, iovas[i], iovas[i])) {
			rc = -EBUSY;
			break;
		}
		area = iopt_area_first(iopt, iovas[i], iovas[i]);
		if (!area || iopt_area_last_iova(area) == iovas[i])
			continue;
		rc = iopt_area_split(iopt, area, iovas[i] + 1);
	}
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
	return rc;
}
