/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The I/O page table of an IOAS: which IOVA ranges map which user memory.
 * Internal to ioas/; the rest of the module uses ioas.h.
 *
 * Glossary (used the same way in every file that includes this):
 *   area      - one contiguous IOVA range [iova, last] that maps a slice of
 *               one struct iopt_pages.  MAP makes one area; COPY makes one
 *               per source area it crosses; UNMAP removes whole areas only.
 *   pages     - struct iopt_pages: a range of memory, either user memory
 *               [uptr, uptr + npages * PAGE_SIZE) or a file range
 *               [file_start, file_start + npages * PAGE_SIZE) of a memfd
 *               (MAP_FILE), and the pages of it that are pinned.
 *               Shared by every area that maps it (COPY shares, never
 *               re-pins).  Indexes count PAGE_SIZE pages from uptr or
 *               file_start.
 *   reserved  - IOVA that must never be mapped (MSI windows, device
 *               reserved regions, the test ABI's ADD_RESERVED).
 *   allowed   - IOVA user space asked to keep usable (ALLOW_IOVAS); when
 *               present, automatic IOVA is only taken from inside it.
 *   last      - inclusive end of a range; "end" would be exclusive.
 *
 * Locking (their order among the module's locks: iommufd_private.h):
 *   iopt->domains_rwsem  the IOMMU domains the IOAS is mirrored into
 *   iopt->iova_rwsem     the three interval trees and iova_alignment
 *   pages->mutex         everything about one struct iopt_pages
 * While the IOAS has a domain, every area is mapped in every domain and its
 * pages are pinned for that (the area's struct iopt_pages_user); with no
 * domain, nothing is pinned but what accesses pin.  The domains are the
 * only record of an area's PFNs: nothing is stored per page.
 * An area's iova range and pages pointer never change while it is in the
 * tree; removing it needs iova_rwsem for write.
 */
#ifndef IOMMUFD_IO_PAGETABLE_H
#define IOMMUFD_IO_PAGETABLE_H

#include <linux/interval_tree.h>
#include <linux/lockdep.h>

#include "../pages/pages.h"
#include "area.h"
#include "ioas.h"

struct dma_buf;
struct file;

/* An IOVA range in allowed_itree or reserved_itree. */
struct iopt_allowed {
	struct interval_tree_node node;
};

/**
 * struct iopt_reserved - an IOVA range that must stay unmapped
 * @node: the range in iopt->reserved_itree
 * @owner: who reserved it, so it can remove what it added
 */
struct iopt_reserved {
	struct interval_tree_node node;
	void *owner;
};

/* The IOVA window automatic allocation searches. */
#define IOPT_AUTO_FIRST PAGE_SIZE
#define IOPT_AUTO_LAST (ULONG_MAX - PAGE_SIZE)

/* ioas/iova_space.c */
void iopt_lower_hint(struct io_pagetable *iopt, unsigned long start);
int iopt_alloc_iova(struct io_pagetable *iopt, unsigned long *iova,
		    unsigned long uaddr, unsigned long length);
int iopt_check_iova(struct io_pagetable *iopt, unsigned long iova,
		    unsigned long length);
unsigned long iopt_needed_alignment(struct io_pagetable *iopt);
int iopt_check_alignment(struct io_pagetable *iopt, unsigned long align);
int iopt_set_allowed(struct io_pagetable *iopt,
		     struct rb_root_cached *allowed);
void iopt_free_itree(struct rb_root_cached *itree);

/* ioas/io_pagetable.c */
void iopt_init(struct io_pagetable *iopt);
void iopt_destroy(struct io_pagetable *iopt);
int iopt_map_file_pages(struct io_pagetable *iopt, unsigned long *iova,
			struct file *file, unsigned long start,
			unsigned long length, int iommu_prot, bool process_mode,
			bool fixed_iova);
int iopt_map_dmabuf_pages(struct io_pagetable *iopt, unsigned long *iova,
			  struct dma_buf *dmabuf, unsigned long start,
			  unsigned long length, int iommu_prot,
			  bool fixed_iova);
int iopt_copy(struct io_pagetable *dst, struct io_pagetable *src,
	      unsigned long *dst_iova, unsigned long src_iova,
	      unsigned long length, int iommu_prot, bool fixed_iova);
bool iopt_range_filling(struct io_pagetable *iopt, unsigned long first,
			unsigned long last);

/* ioas/iopt_access.c */
void iopt_notify_accesses(struct io_pagetable *iopt, unsigned long iova,
			  unsigned long length);

/* ioas/iopt_domain.c */
int iopt_area_fill_domains(struct io_pagetable *iopt, struct iopt_area *area);
void iopt_area_unfill_domains(struct io_pagetable *iopt,
			      struct iopt_area *area);

#endif /* IOMMUFD_IO_PAGETABLE_H */
