// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which IOVA of an IOAS may be used: the reserved ranges (never mapped),
 * the allowed ranges (where automatic IOVA comes from, when there are
 * any), the alignment every new mapping needs, and automatic allocation.
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
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "io_pagetable.h"

/* Something at @start went away: there may be a hole there now. */
void iopt_lower_hint(struct io_pagetable *iopt, unsigned long start)
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

/**
 * iopt_alloc_iova() - choose the IOVA for a new mapping
 * @iopt: the page table
 * @iova: out: the IOVA
 * @uaddr: the user address of the memory, whose alignment the IOVA
 *	imitates (0 when there is none)
 * @length: bytes to map
 *
 * Context: iova_rwsem held for write.
 * Return: 0; -EOVERFLOW, -EINVAL (alignment), -ENOSPC.
 */
int iopt_alloc_iova(struct io_pagetable *iopt, unsigned long *iova,
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

/**
 * iopt_check_iova() - may [@iova, @iova + @length) be mapped as given?
 * @iopt: the page table
 * @iova: the IOVA user space chose
 * @length: bytes to map, not 0
 *
 * Context: iova_rwsem held.
 * Return: 0; -EINVAL (misaligned or reserved), -EOVERFLOW, -EEXIST.
 */
int iopt_check_iova(struct io_pagetable *iopt, unsigned long iova,
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
 * iopt_walk_usable() - report the IOVA that is not reserved
 * @iopt: the page table
 * @fn: called for each usable range [@start, @last], lowest first; a
 *	non-zero return stops the walk and is returned
 * @arg: for @fn
 *
 * Context: process context; takes iova_rwsem for read around the walk, so
 * @fn must not take it.
 * Return: 0, or what @fn returned.
 */
int iopt_walk_usable(struct io_pagetable *iopt, iopt_range_fn fn, void *arg)
{
	struct interval_tree_node *resv;
	unsigned long pos = 0;
	int rc = 0;

	down_read(&iopt->iova_rwsem);
	for (;;) {
		resv = interval_tree_iter_first(&iopt->reserved_itree, pos,
						ULONG_MAX);
		if (resv && resv->start <= pos) {
			/* pos is reserved; go on after the reservation. */
			if (resv->last == ULONG_MAX)
				break;
			pos = resv->last + 1;
			continue;
		}
		rc = fn(arg, pos, resv ? resv->start - 1 : ULONG_MAX);
		if (rc || !resv || resv->last == ULONG_MAX)
			break;
		pos = resv->last + 1;
	}
	up_read(&iopt->iova_rwsem);
	return rc;
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
	struct iopt_access_link *link;
	struct iommu_domain *domain;

	lockdep_assert_held(&iopt->iova_rwsem);

	xa_for_each(&iopt->accesses, index, link)
		align = max(align, link->alignment);
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
		     iopt_area_start_byte(area) % PAGE_SIZE) & (align - 1))
			return -EADDRINUSE;
	}
	return 0;
}
