// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lists of PFN runs, collected while a range is read back or pinned and
 * used once it is safe: unpinned after the IOMMU forgot them, or turned
 * into an access pin's run array.  A few entries live in the list itself,
 * the rest in chunks of a page each, so a small range costs no allocation,
 * collecting a GiB of scattered 4 KiB pages needs no large one, and a
 * huge folio is one entry.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "pages_priv.h"

/* Empty @list; its chunks, if any, are the caller's. */
static void iopt_run_list_empty(struct iopt_run_list *list)
{
	list->head = NULL;
	list->tail = NULL;
	list->last = NULL;
	list->free = list->inline_runs;
	list->free_end = list->inline_runs + IOPT_RUN_LIST_INLINE;
	list->nruns = 0;
	list->next_index = 0;
	list->stopped_at = 0;
}

/**
 * iopt_run_list_init() - an empty list
 * @list: the list
 * @gfp: how its chunks are allocated; with __GFP_NOFAIL adding never fails
 *	(teardown, which must not fail, collects what it unpins this way)
 * @limit: collecting through iopt_run_list_collect() stops at the first
 *	cut point once the list has this many entries; 0 for no limit
 */
void iopt_run_list_init(struct iopt_run_list *list, gfp_t gfp,
			unsigned long limit)
{
	iopt_run_list_empty(list);
	list->spare = NULL;
	list->limit = limit;
	list->gfp = gfp;
}

/**
 * iopt_run_list_grow() - a new chunk at the tail of a list
 * @list: the list, its entries all used
 *
 * Return: 0, with list->free the new chunk's first entry; -ENOMEM.
 */
int iopt_run_list_grow(struct iopt_run_list *list)
{
	struct iopt_run_chunk *chunk;

	chunk = list->spare;
	if (chunk) {
		list->spare = chunk->next;
	} else {
		chunk = (void *)__get_free_page(list->gfp);
		if (!chunk)
			return -ENOMEM;
	}
	chunk->next = NULL;
	if (list->tail)
		list->tail->next = chunk;
	else
		list->head = chunk;
	list->tail = chunk;
	list->free = &chunk->runs[0];
	list->free_end = &chunk->runs[IOPT_RUNS_PER_CHUNK];
	return 0;
}

/**
 * iopt_run_cursor_refill() - more room for a cursor that used up its own
 * @list: the list
 * @c: the cursor, full
 * @index: the index of the run about to be written, a cut point
 *
 * Return: 0; -EAGAIN at the list's limit, with list->stopped_at = @index;
 * -ENOMEM.  Either way the entries written are the list's.
 */
int iopt_run_cursor_refill(struct iopt_run_list *list,
			   struct iopt_run_cursor *c, unsigned long index)
{
	iopt_run_cursor_close(list, c, index);
	if (iopt_run_list_stop_at(list, index))
		return -EAGAIN;
	if (list->free == list->free_end && iopt_run_list_grow(list))
		return -ENOMEM;
	iopt_run_cursor_open(list, c);
	return 0;
}

/* Entries used in @chunk: all of them but in the tail. */
static unsigned int iopt_run_chunk_used(const struct iopt_run_list *list,
					const struct iopt_run_chunk *chunk)
{
	if (chunk == list->tail)
		return list->free - chunk->runs;
	return IOPT_RUNS_PER_CHUNK;
}

/**
 * iopt_run_list_collect() - an iopt_run_fn that appends to a list
 * @arg: the struct iopt_run_list
 * @index: the first run's index
 * @runs: the runs
 * @n: how many
 * @fresh: pinned by the caller
 * @taken: out: how many it took, when it did not take them all
 *
 * Past the list's limit it stops, before a run that follows the last one
 * in index but not in memory: an IOVA range can be cut there.
 * list->stopped_at is then that run's index.
 *
 * Return: 0; -EAGAIN when it stopped; -ENOMEM.
 */
int iopt_run_list_collect(void *arg, unsigned long index,
			  const struct iopt_pfn_run *runs, unsigned int n,
			  bool fresh, unsigned int *taken)
{
	struct iopt_run_list *list = arg;
	unsigned int k;
	int rc;

	for (k = 0; k < n; k++) {
		unsigned long pfn = runs[k].pfn, npages = runs[k].npages;

		/* Entries hold up to UINT_MAX pages: 16 TiB, a run rarely more. */
		do {
			unsigned int step = min_t(unsigned long, npages,
						  UINT_MAX);

			rc = iopt_run_list_take(list, index, pfn, step, fresh);
			if (rc) {
				/* Only a run's first step can meet a cut. */
				*taken = k;
				return rc;
			}
			index += step;
			pfn += step;
			npages -= step;
		} while (npages);
	}
	return 0;
}

/* Unpin the @n entries at @runs; returns the pages they held. */
static unsigned long iopt_run_entries_unpin(struct iopt_pages *pages,
					    struct iopt_run_entry *runs,
					    unsigned int n, bool fresh_only)
{
	unsigned long unpinned = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (fresh_only && !runs[i].fresh)
			continue;
		unpin_user_page_range_dirty_lock(pfn_to_page(runs[i].pfn),
						 runs[i].npages,
						 pages->writable);
		unpinned += runs[i].npages;
	}
	return unpinned;
}

/* The entry after the @i-th of @chunk (NULL: the inline ones), or NULL. */
static struct iopt_run_entry *iopt_run_list_next(struct iopt_run_list *list,
						 struct iopt_run_chunk **chunk,
						 unsigned int *i)
{
	if (!*chunk) {
		if (*i < min_t(unsigned long, list->nruns,
			       IOPT_RUN_LIST_INLINE))
			return &list->inline_runs[(*i)++];
		*chunk = list->head;
		*i = 0;
	}
	while (*chunk && *i == iopt_run_chunk_used(list, *chunk)) {
		*chunk = (*chunk)->next;
		*i = 0;
	}
	return *chunk ? &(*chunk)->runs[(*i)++] : NULL;
}

/**
 * iopt_run_list_unpin() - unpin the runs of a list
 * @pages: the pages they belong to
 * @list: the list
 * @fresh_only: only the fresh runs; otherwise every run
 *
 * The caller accounts for what was unpinned, with iopt_pages_unpinned().
 *
 * Context: pages->mutex held; may sleep.
 * Return: the number of pages unpinned.
 */
unsigned long iopt_run_list_unpin(struct iopt_pages *pages,
				  struct iopt_run_list *list, bool fresh_only)
{
	struct iopt_run_chunk *chunk;
	unsigned long unpinned;

	lockdep_assert_held(&pages->mutex);

	unpinned = iopt_run_entries_unpin(pages, list->inline_runs,
					  min_t(unsigned long, list->nruns,
						IOPT_RUN_LIST_INLINE),
					  fresh_only);
	for (chunk = list->head; chunk; chunk = chunk->next) {
		unsigned int n = iopt_run_chunk_used(list, chunk);

		unpinned += iopt_run_entries_unpin(pages, chunk->runs, n,
						   fresh_only);
		cond_resched();
	}
	return unpinned;
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
	struct iopt_run_chunk *chunk = NULL;
	struct iopt_pfn_run *runs, *out;
	struct iopt_run_entry *run;
	unsigned int i = 0;

	runs = kmalloc_array(max(list->nruns, 1UL), sizeof(*runs),
			     GFP_KERNEL_ACCOUNT);
	if (!runs)
		return NULL;
	out = runs;
	while ((run = iopt_run_list_next(list, &chunk, &i)))
		*out++ = (struct iopt_pfn_run){ .pfn = run->pfn,
						.npages = run->npages };
	return runs;
}

/**
 * iopt_run_list_reuse() - empty a list, keeping its chunks for its next
 *	entries
 * @list: the list
 *
 * For a caller that collects in steps: a step reuses the pages the one
 * before allocated.
 */
void iopt_run_list_reuse(struct iopt_run_list *list)
{
	if (list->tail) {
		list->tail->next = list->spare;
		list->spare = list->head;
	}
	iopt_run_list_empty(list);
}

static void iopt_run_chunks_free(struct iopt_run_chunk *chunk)
{
	struct iopt_run_chunk *next;

	for (; chunk; chunk = next) {
		next = chunk->next;
		free_page((unsigned long)chunk);
	}
}

/**
 * iopt_run_list_free() - free a list's chunks (not the pins) and empty it
 * @list: the list
 */
void iopt_run_list_free(struct iopt_run_list *list)
{
	iopt_run_chunks_free(list->head);
	iopt_run_chunks_free(list->spare);
	iopt_run_list_init(list, list->gfp, list->limit);
}

/**
 * iopt_run_buf_flush() - hand the gathered runs to the consumer
 * @buf: the buffer; empty afterwards, @buf->index past what was taken
 *
 * Return: what the consumer returned.
 */
int iopt_run_buf_flush(struct iopt_run_buf *buf)
{
	unsigned int taken = buf->n, i;
	int rc = 0;

	if (buf->n)
		rc = buf->fn(buf->arg, buf->index, buf->runs, buf->n,
			     buf->fresh, &taken);
	for (i = 0; i < taken; i++)
		buf->index += buf->runs[i].npages;
	buf->n = 0;
	cond_resched();
	return rc;
}
