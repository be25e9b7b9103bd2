// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lists of PFN runs, collected while a range is read back or pinned and
 * used once it is safe: unpinned after the IOMMU forgot them, or turned
 * into an access pin's run array.  The list grows a page at a time, so
 * collecting a GiB of scattered 4 KiB pages needs no large allocation,
 * and a huge folio is one entry.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "../iommufd_private.h"
#include "../ioas/io_pagetable.h"
#include "pages.h"

struct iopt_run_entry {
	unsigned long pfn;
	unsigned int npages;
	bool fresh;
};

struct iopt_run_chunk {
	struct iopt_run_chunk *next;
	unsigned int n;
	struct iopt_run_entry runs[];
};

#define IOPT_RUNS_PER_CHUNK \
	((PAGE_SIZE - sizeof(struct iopt_run_chunk)) / \
	 sizeof(struct iopt_run_entry))

/**
 * iopt_run_list_init() - an empty list
 * @list: the list
 * @gfp: how its chunks are allocated; with __GFP_NOFAIL adding never fails
 *	(teardown, which must not fail, collects what it unpins this way)
 */
void iopt_run_list_init(struct iopt_run_list *list, gfp_t gfp)
{
	*list = (struct iopt_run_list){ .gfp = gfp };
}

/**
 * iopt_run_list_add() - append a run, merging it into the last one when
 *	it continues it
 * @list: the list
 * @pfn: the run's first page
 * @npages: its length
 * @fresh: pinned by the call collecting it
 *
 * Context: may sleep.
 * Return: 0, or -ENOMEM.
 */
int iopt_run_list_add(struct iopt_run_list *list, unsigned long pfn,
		      unsigned long npages, bool fresh)
{
	struct iopt_run_chunk *chunk = list->tail;
	struct iopt_run_entry *last;

	while (npages) {
		unsigned int n = min_t(unsigned long, npages, UINT_MAX);

		last = chunk && chunk->n ? &chunk->runs[chunk->n - 1] : NULL;
		if (last && last->fresh == fresh &&
		    last->pfn + last->npages == pfn &&
		    last->npages <= UINT_MAX - n) {
			last->npages += n;
		} else {
			if (!chunk || chunk->n == IOPT_RUNS_PER_CHUNK) {
				chunk = (void *)__get_free_page(list->gfp);
				if (!chunk)
					return -ENOMEM;
				chunk->next = NULL;
				chunk->n = 0;
				if (list->tail)
					list->tail->next = chunk;
				else
					list->head = chunk;
				list->tail = chunk;
			}
			chunk->runs[chunk->n++] = (struct iopt_run_entry){
				.pfn = pfn, .npages = n, .fresh = fresh };
			list->nruns++;
		}
		list->npages += n;
		pfn += n;
		npages -= n;
	}
	return 0;
}

/**
 * iopt_run_list_collect() - an iopt_run_fn that appends to a list
 * @arg: the struct iopt_run_list
 * @index: unused: runs are collected in order
 * @pfn: the run's first page
 * @npages: its length
 * @fresh: pinned by the caller
 *
 * Return: 0, or -ENOMEM.
 */
int iopt_run_list_collect(void *arg, unsigned long index, unsigned long pfn,
			  unsigned long npages, bool fresh)
{
	return iopt_run_list_add(arg, pfn, npages, fresh);
}

/**
 * iopt_run_list_unpin() - unpin the runs of a list
 * @pages: the pages they belong to
 * @list: the list
 * @fresh_only: only the fresh runs, and account for them; otherwise every
 *	run, and the caller accounts (list->npages)
 *
 * Context: pages->mutex held; may sleep.
 */
void iopt_run_list_unpin(struct iopt_pages *pages, struct iopt_run_list *list,
			 bool fresh_only)
{
	struct iopt_run_chunk *chunk;
	unsigned long unpinned = 0;
	unsigned int i;

	for (chunk = list->head; chunk; chunk = chunk->next) {
		for (i = 0; i < chunk->n; i++) {
			struct iopt_run_entry *run = &chunk->runs[i];

			if (fresh_only && !run->fresh)
				continue;
			iopt_pages_unpin_run(pages, run->pfn, run->npages);
			unpinned += run->npages;
		}
		cond_resched();
	}
	if (fresh_only)
		iopt_pages_unpinned(pages, unpinned);
}

/**
 * iopt_run_list_to_array() - the runs as one array, for an access's pin
 * @list: the list
 *
 * Context: may sleep.
 * Return: a kmalloc()ed array of list->nruns runs, or NULL.
 */
struct iopt_pfn_run *iopt_run_list_to_array(struct iopt_run_list *list)
{
	struct iopt_run_chunk *chunk;
	struct iopt_pfn_run *runs, *out;
	unsigned int i;

	runs = kmalloc_array(max(list->nruns, 1UL), sizeof(*runs),
			     GFP_KERNEL_ACCOUNT);
	if (!runs)
		return NULL;
	out = runs;
	for (chunk = list->head; chunk; chunk = chunk->next)
		for (i = 0; i < chunk->n; i++)
			*out++ = (struct iopt_pfn_run){
				.pfn = chunk->runs[i].pfn,
				.npages = chunk->runs[i].npages };
	return runs;
}

/**
 * iopt_run_list_free() - free a list's chunks (not the pins)
 * @list: the list
 */
void iopt_run_list_free(struct iopt_run_list *list)
{
	struct iopt_run_chunk *chunk = list->head, *next;

	for (; chunk; chunk = next) {
		next = chunk->next;
		free_page((unsigned long)chunk);
	}
	list->head = NULL;
	list->tail = NULL;
}
