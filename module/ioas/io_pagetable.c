// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOVA side of an IOAS: placing, copying and removing areas.  Where
 * new areas may go is iova_space.c's; cutting areas for type1, iopt_cut.c.
 *
 * Every change is checked completely before anything is changed, so a
 * refused MAP, COPY or UNMAP leaves the table as it was.  Areas are only
 * ever removed whole: an UNMAP whose range cuts through an area fails.
 */
#include <linux/dma-buf.h>
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

	/* An empty xarray holds no memory: only a leak needs xa_destroy(). */
	if (WARN_ON(!xa_empty(&iopt->accesses)))
		xa_destroy(&iopt->accesses);
	if (WARN_ON(!xa_empty(&iopt->domains)))
		xa_destroy(&iopt->domains);
	iopt_unmap_all(iopt, &unmapped);
	/* Most IOASes never had allowed or reserved ranges. */
	if (!RB_EMPTY_ROOT(&iopt->reserved_itree.rb_root))
		iopt_free_itree(&iopt->reserved_itree);
	if (!RB_EMPTY_ROOT(&iopt->allowed_itree.rb_root))
		iopt_free_itree(&iopt->allowed_itree);
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

	if (offset_in_page(slice->start_byte) & (iopt->iova_alignment - 1))
		return -EINVAL;
	area->start_byte = slice->start_byte;
	area->node.start = iova;
	if (check_add_overflow(iova, slice->length - 1, &area->node.last))
		return -EOVERFLOW;
	if (WARN_ON(iopt_area_last_index(area) >= slice->pages->npages))
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
 * @hint: what the caller's file last learnt of user ranges, to skip the
 *	VMA lookup (pages/vma_hint.c)
 * @iova: in: the IOVA when @fixed_iova; out: the IOVA used
 * @uptr: the user address
 * @length: bytes to map
 * @iommu_prot: IOMMU_READ and/or IOMMU_WRITE
 * @process_mode: charge pins to the process (IOMMU_OPTION_RLIMIT_MODE 1),
 *	not the user
 * @fixed_iova: map at *@iova, else choose one
 *
 * Nothing is pinned here: pages are pinned when something needs them.  A
 * device BAR a driver mapped there (vfio-pci's BAR mmap) is mapped as a
 * dma-buf of it instead, which the driver revokes when the BAR goes away:
 * see iopt_dmabuf_of_user().
 *
 * Context: process context, may sleep; the user memory belongs to current.
 * Return: 0, or a negative errno with nothing changed: -ENODEV for a BAR
 * that is not usable now (memory decoding off, in reset).
 */
int iopt_map_user_pages(struct io_pagetable *iopt, struct iopt_vma_hint *hint,
			unsigned long *iova, void __user *uptr,
			unsigned long length, int iommu_prot, bool process_mode,
			bool fixed_iova)
{
	unsigned long start;
	struct iopt_pages *pages;
	struct dma_buf *dmabuf;
	int rc;

	/* Memory the file's last map found is memory still: no VMA walk. */
	if (iopt_vma_hint_covers(hint, current->mm, (unsigned long)uptr))
		goto map_pages;
	dmabuf = iopt_dmabuf_of_user(hint, uptr, length,
				     iommu_prot & IOMMU_WRITE, &start);
	if (!IS_ERR(dmabuf)) {
		rc = iopt_map_dmabuf_pages(iopt, iova, dmabuf, start, length,
					   iommu_prot, fixed_iova);
		dma_buf_put(dmabuf);
		return rc;
	}
	if (PTR_ERR(dmabuf) != -EOPNOTSUPP)
		return PTR_ERR(dmabuf);

map_pages:
	pages = iopt_pages_alloc(uptr, length, iommu_prot & IOMMU_WRITE,
				 process_mode);
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
 * @process_mode: charge pins to the process (IOMMU_OPTION_RLIMIT_MODE 1),
 *	not the user
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
			unsigned long length, int iommu_prot, bool process_mode,
			bool fixed_iova)
{
	struct iopt_pages *pages;

	pages = iopt_pages_alloc_file(file, start, length,
				      iommu_prot & IOMMU_WRITE, process_mode);
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	return iopt_map_new_pages(iopt, pages, offset_in_page(start), length,
				  iova, iommu_prot, fixed_iova);
}

/**
 * iopt_map_dmabuf_pages() - map part of a dma-buf into an IOAS
 * @iopt: the page table
 * @iova: in: the IOVA when @fixed_iova; out: the IOVA used
 * @dmabuf: the dma-buf; the mapping keeps its own reference
 * @start: byte offset in @dmabuf
 * @length: bytes to map
 * @iommu_prot: IOMMU_READ and/or IOMMU_WRITE
 * @fixed_iova: map at *@iova, else choose one
 *
 * As iopt_map_file_pages(), for memory its exporter lends: nothing is
 * pinned or charged, and the exporter may revoke it (pages/dmabuf.c).
 *
 * Context: process context, may sleep.
 * Return: 0, or a negative errno with nothing changed: those of
 * iopt_pages_alloc_dmabuf() and of iopt_map_user_pages().
 */
int iopt_map_dmabuf_pages(struct io_pagetable *iopt, unsigned long *iova,
			  struct dma_buf *dmabuf, unsigned long start,
			  unsigned long length, int iommu_prot,
			  bool fixed_iova)
{
	struct iopt_pages *pages;

	pages = iopt_pages_alloc_dmabuf(dmabuf, start, length,
					iommu_prot & IOMMU_WRITE);
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
	iopt_notify_accesses(iopt, iova, length);
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

/*
 * Whether [first, last] may be unmapped now, in one walk: -EBUSY while an
 * area there is still filling; else, at the first area in IOVA order that
 * refuses, -ENOENT if it crosses an edge and @whole_areas_only, -EBUSY if
 * it is locked; else 0, with *@pinned the first area in-kernel accesses
 * have pinned (a racy peek: iopt_unmap_wait_accesses() decides) or NULL.
 */
static int iopt_unmap_check(struct io_pagetable *iopt, unsigned long first,
			    unsigned long last, bool whole_areas_only,
			    struct iopt_area **pinned)
{
	struct interval_tree_node *node;
	int rc = 0;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	*pinned = NULL;
	for (node = interval_tree_iter_first(&iopt->area_itree, first, last);
	     node; node = interval_tree_iter_next(node, first, last)) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);

		if (area->filling)
			return -EBUSY;
		if (rc)
			continue;
		if (whole_areas_only && (iopt_area_iova(area) < first ||
					 iopt_area_last_iova(area) > last))
			rc = -ENOENT;
		else if (area->num_locks)
			rc = -EBUSY;
		else if (area->num_accesses && !*pinned)
			*pinned = area;
	}
	return rc;
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
	rc = iopt_unmap_check(iopt, first, last, whole_areas_only, &area);
	if (rc)
		goto out_unlock_allow;
	if (area) {
		rc = iopt_unmap_wait_accesses(iopt, area, &notified,
					      &notified_iova);
		if (rc == -EAGAIN || !rc)
			goto again;
		iopt_unmap_allow_access(iopt, first, last);
		return rc;
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
