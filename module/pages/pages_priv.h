/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal to pages/: pinning, charging, and the PFN runs that pinned
 * ranges are read and written as.  The rest of the module uses pages.h.
 *
 * Glossary:
 *   index      a PAGE_SIZE page of a struct iopt_pages, from 0
 *   run        pages physically contiguous and consecutive in index:
 *              (index, pfn, npages); the unit everything here works in,
 *              so a huge folio is one step, not 512
 *   fresh      a run pinned by the call at hand (not covered by any
 *              other user), which that call must unpin if it fails
 *   record     where a pinned range's PFNs can be read back: a domain
 *              user's IOMMU domain, or an access pin's run array
 */
#ifndef IOMMUFD_PAGES_PRIV_H
#define IOMMUFD_PAGES_PRIV_H

#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/types.h>
#include <asm/page.h>

#include "pages.h"

struct iopt_run_list;
struct mm_struct;
struct vm_area_struct;

int iopt_pages_charge(struct iopt_pages *pages, unsigned long npages);
void iopt_pages_uncharge(struct iopt_pages *pages, unsigned long npages);
u8 iopt_account_mode_for_current(bool process_mode);

/*
 * Called with runs in index order, @n of them from @index on, each
 * continuing the last in index.  Returns 0 when it took all of them;
 * otherwise sets *@taken to how many it took and returns -EAGAIN to stop
 * the walk there, or another errno for a failure.  It keeps nothing of
 * the runs it did not take.
 */
typedef int (*iopt_run_fn)(void *arg, unsigned long index,
			   const struct iopt_pfn_run *runs, unsigned int n,
			   bool fresh, unsigned int *taken);

int iopt_pages_produce(struct iopt_pages *pages, unsigned long first,
		       unsigned long last, iopt_run_fn fn, void *arg);
int iopt_user_read(struct iopt_pages *pages, struct iopt_pages_user *user,
		   unsigned long first, unsigned long last, iopt_run_fn fn,
		   void *arg);
unsigned long iopt_user_collect_uncovered(struct iopt_pages *pages,
					  struct iopt_pages_user *user,
					  unsigned long first,
					  unsigned long last,
					  struct iopt_run_list *list);
void iopt_pages_unpinned(struct iopt_pages *pages, unsigned long npages);
struct page *iopt_pages_pin_file_page(struct iopt_pages *pages, loff_t pos);

/*
 * A list of runs collected to be unpinned (or kept) later: a few inline,
 * so a small range needs no allocation, then page-sized chunks, so a
 * large one needs no large allocation.  Adjacent runs that continue each
 * other are merged, so two entries never hold contiguous pages and an
 * IOVA range can be cut between them (no IOMMU page spans the cut).
 */
struct iopt_run_entry {
	unsigned long pfn;
	unsigned int npages;
	bool fresh;
};

/* A page of entries, all used but in the list's last chunk. */
struct iopt_run_chunk {
	struct iopt_run_chunk *next;
	struct iopt_run_entry runs[];
};

#define IOPT_RUNS_PER_CHUNK \
	((PAGE_SIZE - sizeof(struct iopt_run_chunk)) / \
	 sizeof(struct iopt_run_entry))

#define IOPT_RUN_LIST_INLINE 16

/**
 * struct iopt_run_list - runs collected in index order
 * @head: the chunks after @inline_runs
 * @tail: the last chunk, used up to @free
 * @spare: chunks kept by iopt_run_list_reuse(), used before new ones
 * @last: the last entry, inline or in @tail
 * @free: the next entry to use, if below @free_end
 * @free_end: the end of @inline_runs, then of @tail's entries
 * @nruns: entries
 * @limit: with this many entries, stop at the next cut point (0: never)
 * @next_index: the index after the last page collected
 * @stopped_at: where collecting stopped at a cut point
 * @gfp: how chunks are allocated; with __GFP_NOFAIL adding never fails
 * @inline_runs: the first entries
 *
 * @free and @free_end point into the list itself: a list is not copied.
 */
struct iopt_run_list {
	struct iopt_run_chunk *head;
	struct iopt_run_chunk *tail;
	struct iopt_run_chunk *spare;
	struct iopt_run_entry *last;
	struct iopt_run_entry *free;
	struct iopt_run_entry *free_end;
	unsigned long nruns;
	unsigned long limit;
	unsigned long next_index;
	unsigned long stopped_at;
	gfp_t gfp;
	struct iopt_run_entry inline_runs[IOPT_RUN_LIST_INLINE];
};

void iopt_run_list_init(struct iopt_run_list *list, gfp_t gfp,
			unsigned long limit);
unsigned long iopt_run_list_unpin(struct iopt_pages *pages,
				  struct iopt_run_list *list, bool fresh_only);
struct iopt_pfn_run *iopt_run_list_to_array(struct iopt_run_list *list);
void iopt_run_list_reuse(struct iopt_run_list *list);
void iopt_run_list_free(struct iopt_run_list *list);
int iopt_run_list_collect(void *arg, unsigned long index,
			  const struct iopt_pfn_run *runs, unsigned int n,
			  bool fresh, unsigned int *taken);
int iopt_run_list_grow(struct iopt_run_list *list);

/* Append an entry for a run, whatever the limit. */
static __always_inline int iopt_run_list_append(struct iopt_run_list *list,
						unsigned long index,
						unsigned long pfn,
						unsigned int npages, bool fresh)
{
	struct iopt_run_entry *entry = list->free;

	if (unlikely(entry == list->free_end)) {
		if (iopt_run_list_grow(list))
			return -ENOMEM;
		entry = list->free;
	}
	list->free = entry + 1;
	entry->pfn = pfn;
	entry->npages = npages;
	entry->fresh = fresh;
	list->last = entry;
	list->nruns++;
	list->next_index = index + npages;
	return 0;
}

/*
 * At a cut point @index: has the list reached its limit?  If so it stops
 * there, and list->stopped_at = @index.
 */
static __always_inline bool iopt_run_list_stop_at(struct iopt_run_list *list,
						  unsigned long index)
{
	if (likely(!list->limit || list->nruns < list->limit))
		return false;
	list->stopped_at = index;
	return true;
}

/*
 * Append a run that follows the last one in index but not in memory, a
 * cut point: past the list's limit, stop there instead, with
 * list->stopped_at = @index and -EAGAIN.  Inline: reading back scattered
 * 4 KiB pages adds one entry per page.
 */
static __always_inline int iopt_run_list_push(struct iopt_run_list *list,
					      unsigned long index,
					      unsigned long pfn,
					      unsigned int npages, bool fresh)
{
	if (iopt_run_list_stop_at(list, index))
		return -EAGAIN;
	return iopt_run_list_append(list, index, pfn, npages, fresh);
}

/**
 * iopt_run_list_take() - append the run at @index, or stop at a cut point
 * @list: the list
 * @index: the run's first index
 * @pfn: its first page
 * @npages: its length
 * @fresh: pinned by the caller
 *
 * A run that continues the last one in memory is merged into it.  Past
 * the list's limit it stops, before a run that follows the last one in
 * index but not in memory: an IOVA range can be cut there.
 * list->stopped_at is then @index.
 *
 * Return: 0; -EAGAIN when it stopped; -ENOMEM.
 */
static __always_inline int iopt_run_list_take(struct iopt_run_list *list,
					      unsigned long index,
					      unsigned long pfn,
					      unsigned int npages, bool fresh)
{
	struct iopt_run_entry *last = list->last;

	if (!last || index != list->next_index)
		return iopt_run_list_append(list, index, pfn, npages, fresh);
	if (last->pfn + last->npages != pfn)
		return iopt_run_list_push(list, index, pfn, npages, fresh);
	if (last->fresh == fresh && last->npages <= UINT_MAX - npages) {
		last->npages += npages;
		list->next_index = index + npages;
		return 0;
	}
	/* Contiguous, so not a cut point. */
	return iopt_run_list_append(list, index, pfn, npages, fresh);
}

/**
 * struct iopt_run_cursor - free entries at the end of a list, written
 *	without touching the list
 * @next: the next entry to write
 * @end: where the room ends: the end of the list's chunk, or its limit
 *
 * For a reader that appends an entry per page: it writes at @next, and
 * the list learns of the entries at iopt_run_cursor_close().  While a
 * cursor is open nothing else adds to the list.
 */
struct iopt_run_cursor {
	struct iopt_run_entry *next;
	struct iopt_run_entry *end;
};

static __always_inline void iopt_run_cursor_open(struct iopt_run_list *list,
						 struct iopt_run_cursor *c)
{
	unsigned long room = list->free_end - list->free;

	if (list->limit)
		room = min(room, list->limit > list->nruns ?
					 list->limit - list->nruns : 0);
	c->next = list->free;
	c->end = list->free + room;
}

/* Hand the entries written to the list; @next_index follows the last. */
static __always_inline void iopt_run_cursor_close(struct iopt_run_list *list,
						  struct iopt_run_cursor *c,
						  unsigned long next_index)
{
	if (c->next == list->free)
		return;
	list->nruns += c->next - list->free;
	list->last = c->next - 1;
	list->free = c->next;
	list->next_index = next_index;
}

int iopt_run_cursor_refill(struct iopt_run_list *list,
			   struct iopt_run_cursor *c, unsigned long index);

/*
 * Write a run that follows the last entry in index but not in memory, a
 * cut point, as iopt_run_list_push() would: past the list's limit it
 * stops there, with list->stopped_at = @index and -EAGAIN.
 */
static __always_inline int iopt_run_cursor_push(struct iopt_run_list *list,
						struct iopt_run_cursor *c,
						unsigned long index,
						unsigned long pfn,
						unsigned int npages, bool fresh)
{
	struct iopt_run_entry *entry;

	if (unlikely(c->next == c->end)) {
		int rc = iopt_run_cursor_refill(list, c, index);

		if (rc)
			return rc;
	}
	entry = c->next++;
	entry->pfn = pfn;
	entry->npages = npages;
	entry->fresh = fresh;
	return 0;
}

/* Runs handed to an iopt_run_fn per call. */
#define IOPT_RUN_BUF 32

/*
 * Runs gathered for one call of an iopt_run_fn, so the consumer is called
 * once per IOPT_RUN_BUF runs rather than once per page: @index is the
 * index of @runs[0], and after a failed flush the first one not taken.
 */
struct iopt_run_buf {
	iopt_run_fn fn;
	void *arg;
	bool fresh;
	unsigned long index;
	unsigned int n;
	struct iopt_pfn_run runs[IOPT_RUN_BUF];
};

int iopt_run_buf_flush(struct iopt_run_buf *buf);

/* Append a run that does not continue the last one, flushing when full. */
static __always_inline int iopt_run_buf_push(struct iopt_run_buf *buf,
					     unsigned long pfn,
					     unsigned long npages)
{
	int rc;

	if (unlikely(buf->n == IOPT_RUN_BUF)) {
		rc = iopt_run_buf_flush(buf);
		if (rc)
			return rc;
	}
	buf->runs[buf->n].pfn = pfn;
	buf->runs[buf->n].npages = npages;
	buf->n++;
	return 0;
}

/* Append a run, merged into the last when it continues it. */
static inline int iopt_run_buf_add(struct iopt_run_buf *buf, unsigned long pfn,
				   unsigned long npages)
{
	if (buf->n && buf->runs[buf->n - 1].pfn +
			      buf->runs[buf->n - 1].npages == pfn) {
		buf->runs[buf->n - 1].npages += npages;
		return 0;
	}
	return iopt_run_buf_push(buf, pfn, npages);
}

/* pages/pages.c, for the kinds of pages it does not make itself */
struct iopt_pages *iopt_pages_create(unsigned long npages, bool writable,
				     bool process_mode);
int iopt_pages_span(unsigned long start, unsigned long length,
		    unsigned long *npages);

/**
 * struct iopt_dmabuf - what dma-buf pages keep of their dma-buf
 * @dmabuf: the dma-buf (a reference)
 * @attach: the pages' pinned, dynamic attachment to it
 * @start: page-aligned byte offset in the dma-buf of index 0
 * @phys: the physical address of index 0
 * @prot: IOMMU_MMIO for MMIO, else 0; added to the areas' protection
 * @revoked: the exporter took the memory back; nothing maps it any more.
 *	Protected by pages->mutex.
 * @tracks: struct iopt_dmabuf_track, the domains each domain user is
 *	mapped in; protected by pages->mutex
 */
struct iopt_dmabuf {
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	unsigned long start;
	phys_addr_t phys;
	int prot;
	bool revoked;
	struct list_head tracks;
};

/**
 * struct iopt_dmabuf_track - a domain user of dma-buf pages is mapped in
 *	a domain
 * @item: in iopt_dmabuf.tracks
 * @user: the user
 * @domain: the domain
 */
struct iopt_dmabuf_track {
	struct list_head item;
	struct iopt_pages_user *user;
	struct iommu_domain *domain;
};

/* pages/dmabuf.c */
void iopt_dmabuf_release(struct iopt_pages *pages);
int iopt_dmabuf_read(struct iopt_pages *pages, unsigned long first,
		     unsigned long last, struct iopt_run_buf *buf);
int iopt_dmabuf_track(struct iopt_pages *pages, struct iopt_pages_user *user,
		      struct iommu_domain *domain);
void iopt_dmabuf_untrack(struct iopt_pages *pages,
			 struct iopt_pages_user *user,
			 struct iommu_domain *domain);

/* pages/vma_hint.c */
void iopt_vma_hint_set(struct iopt_vma_hint *hint, struct vm_area_struct *vma);

/*
 * pages/contig.c: per 2 MiB block of indexes (block 0 at index 0) a u32
 * mask, one bit per 64 KiB sub-block.  Bit k is set when sub-block k lies
 * in one physically contiguous stretch and, for k > 0, continues the page
 * before it, so a run of set bits from k on is one stretch.
 */
#define IOPT_CONTIG_SHIFT (21 - PAGE_SHIFT)
#define IOPT_CONTIG_PAGES BIT(IOPT_CONTIG_SHIFT)
#define IOPT_CONTIG_SUBS 32	/* the bits of a u32: 2^5 */
#define IOPT_CONTIG_SUB_SHIFT (IOPT_CONTIG_SHIFT - 5)
#define IOPT_CONTIG_SUB_PAGES BIT(IOPT_CONTIG_SUB_SHIFT)

/* The block of mask 0 of @user. */
static inline unsigned long
iopt_user_contig_base(const struct iopt_pages_user *user)
{
	return user->node.start >> IOPT_CONTIG_SHIFT;
}

bool __iopt_user_contig_note(struct iopt_pages_user *user,
			     unsigned long first, unsigned long end);
void iopt_user_contig_free(struct iopt_pages_user *user);
void iopt_user_contig_split(struct iopt_pages_user *left,
			    struct iopt_pages_user *right);

/*
 * Filling mapped [@first, @end) of @user as one physically contiguous
 * stretch: mark the sub-blocks it holds, if any.  Returns false when no
 * masks could be had (see __iopt_user_contig_note()).
 */
static __always_inline bool iopt_user_contig_note(struct iopt_pages_user *user,
						  unsigned long first,
						  unsigned long end)
{
	if (likely(end - first < IOPT_CONTIG_SUB_PAGES))
		return true;
	return __iopt_user_contig_note(user, first, end);
}

/*
 * If the sub-block of @index is marked, how many pages from @index on, up
 * to @last, follow the page at @index in memory: the rest of the marked
 * sub-blocks from there to the block's end.  Else 0.  @contig is a user's
 * masks, not NULL; @base its first block.
 */
static __always_inline unsigned long
iopt_contig_pages(const u32 *contig, unsigned long base, unsigned long index,
		  unsigned long last)
{
	unsigned long block = index >> IOPT_CONTIG_SHIFT;
	unsigned int sub = (index >> IOPT_CONTIG_SUB_SHIFT) &
			   (IOPT_CONTIG_SUBS - 1);
	u64 ones = (u64)contig[block - base] >> sub;
	unsigned long end;

	if (!(ones & 1))
		return 0;
	/* Bit 32 - sub and up are clear: ~ones has a set bit. */
	end = (block << IOPT_CONTIG_SHIFT) +
	      ((sub + __ffs64(~ones)) << IOPT_CONTIG_SUB_SHIFT);
	return min(end, last + 1) - index;
}

#ifdef IOMMUFD_SELFTEST
void iopt_user_contig_check(struct iommu_domain *domain,
			    unsigned long iova_base, unsigned long index,
			    unsigned long pfn, unsigned long npages);
#else
static inline void iopt_user_contig_check(struct iommu_domain *domain,
					  unsigned long iova_base,
					  unsigned long index,
					  unsigned long pfn,
					  unsigned long npages)
{
}
#endif

/* pages/pages_domain.c */
void iopt_user_unmap(struct iommu_domain *domain,
		     struct iopt_pages_user *user, unsigned long first,
		     unsigned long last, struct iommu_iotlb_gather *gather);

static inline struct iopt_pages_user *
to_iopt_pages_user(struct interval_tree_node *node)
{
	return container_of(node, struct iopt_pages_user, node);
}

#endif /* IOMMUFD_PAGES_PRIV_H */
