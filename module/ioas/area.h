/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An area: one contiguous IOVA range [iova, last] of an IOAS that maps a
 * slice of one struct iopt_pages.  MAP makes one area; COPY makes one per
 * source area it crosses; UNMAP removes whole areas only.  Internal to
 * ioas/; iopt_for_each_area() is how every file here walks them.
 */
#ifndef IOMMUFD_IOAS_AREA_H
#define IOMMUFD_IOAS_AREA_H

#include <linux/interval_tree.h>
#include <linux/lockdep.h>

#include "../pages/pages.h"
#include "ioas.h"

/**
 * struct iopt_area - an IOVA range mapping a slice of a struct iopt_pages
 * @node: [iova, last] in iopt->area_itree
 * @start_byte: byte offset in the pages' user range where it starts; the
 *	pages it maps follow from this and its length
 * @iopt: the page table it is in
 * @pages: the pages it maps (a reference)
 * @user: its pin while the IOAS has domains; the domains hold its PFNs
 * @iommu_prot: IOMMU_READ / IOMMU_WRITE
 * @num_accesses: pins in this area held by in-kernel accesses; protected
 *	by @pages->mutex
 * @num_locks: pins in this area that an unmap may not take away (a
 *	vIOMMU's hardware queue); unmapping it fails with -EBUSY while there
 *	are any.  Changed under @pages->mutex and iova_rwsem for read, so
 *	stable under iova_rwsem for write.
 * @prevent_access: an unmap is waiting for the accesses to let go; new
 *	pins are refused.  Protected by @pages->mutex.
 * @filling: a map has put it in the tree (its IOVA is taken) and is still
 *	pinning and mapping it into the domains without iova_rwsem; lookups
 *	skip it and unmaps of it fail with -EBUSY.  Written under iova_rwsem
 *	for write.
 *
 * 192 bytes, a kmalloc size: one per mapping, so 100,000 mappings are some
 * 19 MB.
 */
struct iopt_area {
	struct interval_tree_node node;
	unsigned long start_byte;
	struct io_pagetable *iopt;
	struct iopt_pages *pages;
	struct iopt_pages_user user;
	int iommu_prot;
	unsigned int num_accesses;
	unsigned int num_locks;
	bool prevent_access;
	bool filling;
};

static_assert(sizeof(struct iopt_area) <= 192);

static inline unsigned long iopt_area_iova(struct iopt_area *area)
{
	return area->node.start;
}

static inline unsigned long iopt_area_last_iova(struct iopt_area *area)
{
	return area->node.last;
}

static inline unsigned long iopt_area_length(struct iopt_area *area)
{
	return area->node.last - area->node.start + 1;
}

/* Byte offset within the pages' user range where @area starts. */
static inline unsigned long iopt_area_start_byte(struct iopt_area *area)
{
	return area->start_byte;
}

/* Index of the first page @area maps. */
static inline unsigned long iopt_area_first_index(struct iopt_area *area)
{
	return area->start_byte / PAGE_SIZE;
}

/* Index of the last page @area maps. */
static inline unsigned long iopt_area_last_index(struct iopt_area *area)
{
	return (area->start_byte + iopt_area_length(area) - 1) / PAGE_SIZE;
}

/* Index of the page that holds @iova, which must be inside @area. */
static inline unsigned long iopt_area_iova_to_index(struct iopt_area *area,
						    unsigned long iova)
{
	return (iopt_area_start_byte(area) + (iova - iopt_area_iova(area))) /
	       PAGE_SIZE;
}

/* Set up @area's domain user from its IOVA, pages range and protection. */
static inline void iopt_area_init_user(struct iopt_area *area,
				       bool small_pages)
{
	struct iopt_pages_user *user = &area->user;

	*user = (struct iopt_pages_user){
		.node.start = iopt_area_first_index(area),
		.node.last = iopt_area_last_index(area),
		.users = 1,
		.start_byte = iopt_area_start_byte(area),
		.iova_base = iopt_area_iova(area) - iopt_area_start_byte(area),
		.prot = area->iommu_prot,
		.small_pages = small_pages,
	};
	user->end_byte = user->start_byte + iopt_area_length(area);
}

/* @node, or the first area after it in [@iova, @last] that is filled. */
static inline struct iopt_area *
iopt_area_filled_from(struct interval_tree_node *node, unsigned long iova,
		      unsigned long last)
{
	for (; node; node = interval_tree_iter_next(node, iova, last)) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);

		if (!area->filling)
			return area;
	}
	return NULL;
}

/*
 * The areas in [@iova, @last] in IOVA order, skipping any still being
 * filled by a map (struct iopt_area @filling).  iova_rwsem held.
 */
static inline struct iopt_area *iopt_area_first(struct io_pagetable *iopt,
						unsigned long iova,
						unsigned long last)
{
	lockdep_assert_held(&iopt->iova_rwsem);
	return iopt_area_filled_from(interval_tree_iter_first(&iopt->area_itree,
							       iova, last),
				     iova, last);
}

static inline struct iopt_area *iopt_area_next(struct iopt_area *area,
					       unsigned long iova,
					       unsigned long last)
{
	return iopt_area_filled_from(interval_tree_iter_next(&area->node, iova,
							     last),
				     iova, last);
}

/* Where iopt_for_each_area() is: the next area, and the range it walks. */
struct iopt_area_walk {
	struct iopt_area *next;
	unsigned long first;
	unsigned long last;
};

static inline struct iopt_area_walk
iopt_area_walk_start(struct io_pagetable *iopt, unsigned long first,
		     unsigned long last)
{
	return (struct iopt_area_walk){
		.next = iopt_area_first(iopt, first, last),
		.first = first,
		.last = last,
	};
}

static inline struct iopt_area *iopt_area_walk_next(struct iopt_area_walk *walk)
{
	struct iopt_area *area = walk->next;

	if (area)
		walk->next = iopt_area_next(area, walk->first, walk->last);
	return area;
}

/*
 * Each filled area of @iopt in [@first, @last], in IOVA order; iova_rwsem
 * held.  The next area is found before the body runs, so the body may
 * take the current one out of the tree.
 */
#define iopt_for_each_area(area, iopt, first, last)			\
	for (struct iopt_area_walk __walk =				\
		     iopt_area_walk_start(iopt, first, last);		\
	     ((area) = iopt_area_walk_next(&__walk));)

#endif /* IOMMUFD_IOAS_AREA_H */
