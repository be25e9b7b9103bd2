// SPDX-License-Identifier: GPL-2.0-only
/*
 * Taking pins: the holes of a range that no user covers are pinned and
 * handed on in runs (iopt_pages_produce()).
 *
 * Pins of user memory are taken in batches with pin_user_pages_fast() (or
 * the remote form when the caller is not the mapping process),
 * FOLL_LONGTERM always and FOLL_WRITE only for writable memory.
 *
 * Pins of a memfd (IOMMU_IOAS_MAP_FILE) come from memfd_pin_folios(), which
 * allocates missing pages and pins each folio of a range once.  Everything
 * else here counts one pin per page (unpin_user_page_range_dirty_lock()
 * drops one pin per page given), so a folio that backs several pages of
 * the range gets one more pin per extra page, taken by pinning that single
 * page again: folio_add_pin() is not exported.  With small folios, the
 * usual shmem case, that costs nothing extra.  Such pins are charged like
 * any other, to the process and user that mapped the file.
 */
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/user.h>
#include <linux/shmem_fs.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../selftest/selftest.h"
#include "pages_priv.h"

/*
 * Pages pinned per pin_user_pages call: eight pages of struct page
 * pointers, so a 2 MiB folio is pinned in one call and a 1 GiB one in 64.
 */
#define IOPT_PIN_BATCH (8 * PAGE_SIZE / sizeof(struct page *))

/*
 * Scratch space of one iopt_pages_produce() call: room for @max pages, and
 * for a file as many folios.
 */
struct iopt_pin_batch {
	struct page **pages;
	struct folio **folios;
	unsigned long max;
};

/**
 * iopt_pages_pin_file_page() - pin one page of the file, once
 * @pages: file-backed pages
 * @pos: byte offset in the file
 *
 * Return: the page, or an ERR_PTR().
 */
struct page *iopt_pages_pin_file_page(struct iopt_pages *pages, loff_t pos)
{
	struct folio *folio;
	pgoff_t offset;
	long nr;

	nr = memfd_pin_folios(pages->file, pos, pos + PAGE_SIZE - 1, &folio, 1,
			      &offset);
	if (nr < 0)
		return ERR_PTR(nr);
	if (!nr)
		return ERR_PTR(-EFAULT);
	return folio_page(folio, offset / PAGE_SIZE);
}

/*
 * Pin up to @npages pages of the file from index @index into
 * @batch->pages, one pin per page; returns how many, at least one, or a
 * negative errno.  memfd_pin_folios() pinned each folio once, which is the
 * pin of the first page used from it; the other pages of a large folio
 * are pinned one by one.
 */
static long iopt_pages_pin_file(struct iopt_pages *pages, unsigned long index,
				unsigned long npages,
				struct iopt_pin_batch *batch)
{
	loff_t pos = pages->file_start + (loff_t)index * PAGE_SIZE;
	unsigned long done = 0, in_folio, j;
	pgoff_t offset;
	long nr, i;

	nr = memfd_pin_folios(pages->file, pos,
			      pos + (loff_t)npages * PAGE_SIZE - 1,
			      batch->folios, npages, &offset);
	if (nr < 0)
		return nr;
	if (!nr)
		return -EFAULT;

	offset /= PAGE_SIZE;	/* the page of the first folio at @pos */
	for (i = 0; i < nr && done < npages; i++) {
		struct folio *folio = batch->folios[i];

		in_folio = min(folio_nr_pages(folio) - offset, npages - done);
		batch->pages[done++] = folio_page(folio, offset);
		for (j = 1; j < in_folio; j++) {
			struct page *page;

			page = iopt_pages_pin_file_page(pages,
							pos + done * PAGE_SIZE);
			if (IS_ERR(page)) {
				/* Keep what is done; the caller comes back. */
				unpin_folios(batch->folios + i + 1, nr - i - 1);
				return done;
			}
			batch->pages[done++] = page;
		}
		offset = 0;
	}
	if (WARN_ON(i < nr))
		unpin_folios(batch->folios + i, nr - i);
	return done;
}

/*
 * Pin up to @npages pages from index @index into @batch->pages; returns
 * how many, at least one, or a negative errno.
 */
static long iopt_pages_pin_batch(struct iopt_pages *pages,
				 unsigned long index, unsigned long npages,
				 struct iopt_pin_batch *batch)
{
	struct page **out = batch->pages;
	unsigned long addr = (unsigned long)pages->uptr + index * PAGE_SIZE;
	unsigned int gup_flags = FOLL_LONGTERM;
	struct mm_struct *mm = pages->source_mm;
	long rc;

	if (iommufd_should_fail())
		return -EFAULT;
	if (pages->file)
		return iopt_pages_pin_file(pages, index, npages, batch);
	if (pages->writable)
		gup_flags |= FOLL_WRITE;

	if (current->mm == mm) {
		rc = pin_user_pages_fast(addr, npages, gup_flags, out);
	} else {
		if (!mmget_not_zero(mm))
			return -EFAULT;
		mmap_read_lock(mm);
		rc = pin_user_pages_remote(mm, addr, npages, gup_flags, out,
					   NULL);
		mmap_read_unlock(mm);
		mmput(mm);
	}
	if (rc == 0)
		rc = -EFAULT;
	return rc;
}

static int iopt_pin_batch_alloc(struct iopt_pages *pages,
				struct iopt_pin_batch *batch,
				unsigned long npages)
{
	batch->max = min(npages, iommufd_test_pin_batch_limit(IOPT_PIN_BATCH));
	batch->pages = kvmalloc_array(batch->max, sizeof(*batch->pages),
				      GFP_KERNEL);
	if (!batch->pages)
		return -ENOMEM;
	if (pages->file) {
		batch->folios = iommufd_should_fail() ? NULL :
				kvmalloc_array(batch->max,
					       sizeof(*batch->folios),
					       GFP_KERNEL);
		if (!batch->folios) {
			/* iopt_pages_produce() frees the batch: not this twice. */
			kvfree(batch->pages);
			batch->pages = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * Put @n pinned pages into @buf, empty, a run per physically contiguous
 * stretch.  The buffer sees a run once it ends, so it never continues the
 * run before it.  Contiguity is checked on the struct page pointers:
 * nth_page() steps through the memory map as pfn_to_page(page_to_pfn() +
 * 1) would, which where the map is virtually contiguous
 * (SPARSEMEM_VMEMMAP, FLATMEM) is a pointer increment.  The runs are
 * written through a local cursor: with scattered pages this loop runs
 * once per page.
 */
static int iopt_run_buf_add_pages(struct iopt_run_buf *buf,
				  struct page **out, unsigned long n)
{
	struct iopt_pfn_run *run = buf->runs + buf->n;
	struct page **end = out + n;
	int rc;

	while (out != end) {
		struct page **from = out;
		struct page *next = nth_page(*out, 1);

		for (out++; out != end && *out == next; out++)
			next = nth_page(next, 1);
		if (unlikely(run == buf->runs + IOPT_RUN_BUF)) {
			buf->n = IOPT_RUN_BUF;
			rc = iopt_run_buf_flush(buf);
			if (rc)
				return rc;
			run = buf->runs;
		}
		run->pfn = page_to_pfn(*from);
		run->npages = out - from;
		run++;
	}
	buf->n = run - buf->runs;
	return 0;
}

/*
 * Pin [first, last], none of it pinned yet, and hand it to @fn in runs.
 * What @fn does not take, and everything after it, is unpinned here.
 */
static int iopt_pages_pin_hole(struct iopt_pages *pages, unsigned long first,
			       unsigned long last, struct iopt_pin_batch *batch,
			       iopt_run_fn fn, void *arg)
{
	struct iopt_run_buf buf = { .fn = fn, .arg = arg, .fresh = true };
	unsigned long index = first;
	int rc;

	lockdep_assert_held(&pages->mutex);

	if (!batch->pages) {
		rc = iopt_pin_batch_alloc(pages, batch, last - first + 1);
		if (rc)
			return rc;
	}
	while (index <= last) {
		unsigned long want = min(batch->max, last - index + 1);
		struct page **out = batch->pages;
		unsigned long left;
		long got;

		got = iopt_pages_pin_batch(pages, index, want, batch);
		if (got < 0)
			return got;
		rc = iopt_pages_charge(pages, got);
		if (rc) {
			unpin_user_pages(out, got);
			return rc;
		}
		pages->npinned += got;
		iommufd_test_pages_pinned(got);

		buf.index = index;
		rc = iopt_run_buf_add_pages(&buf, out, got);
		if (!rc)
			rc = iopt_run_buf_flush(&buf);
		if (rc) {
			/* buf.index: the first page @fn did not take. */
			left = index + got - buf.index;
			unpin_user_pages(out + (got - left), left);
			iopt_pages_unpinned(pages, left);
			return rc;
		}
		index += got;
	}
	return 0;
}

/**
 * iopt_pages_produce() - the runs of [@first, @last], pinning the holes
 * @pages: the pages
 * @first: first index
 * @last: last index, inclusive
 * @fn: called with each run in order, fresh when this call pinned it
 * @arg: for @fn
 *
 * What other users cover comes from their records; the rest is pinned and
 * charged.  The caller owns the fresh runs @fn accepted: if it is not
 * going to cover them with a user, it must unpin them.
 *
 * Context: pages->mutex held; may sleep.
 * Return: 0, or the first error of pinning or of @fn.
 */
int iopt_pages_produce(struct iopt_pages *pages, unsigned long first,
		       unsigned long last, iopt_run_fn fn, void *arg)
{
	struct iopt_pin_batch batch = {};
	unsigned long index = first;
	int rc = 0;

	lockdep_assert_held(&pages->mutex);

	/* A dma-buf's memory is where its exporter says; nothing to pin. */
	if (pages->dmabuf) {
		struct iopt_run_buf buf = { .fn = fn, .arg = arg, .index = first };

		rc = iopt_dmabuf_read(pages, first, last, &buf);
		return rc ?: iopt_run_buf_flush(&buf);
	}

	while (index <= last) {
		struct interval_tree_node *node;
		unsigned long seg_last;

		node = interval_tree_iter_first(&pages->users_itree, index,
						last);
		if (node && node->start <= index) {
			seg_last = min(node->last, last);
			rc = iopt_user_read(pages, to_iopt_pages_user(node),
					    index, seg_last, fn, arg);
		} else {
			seg_last = node ? node->start - 1 : last;
			rc = iopt_pages_pin_hole(pages, index, seg_last,
						 &batch, fn, arg);
		}
		if (rc)
			break;
		index = seg_last + 1;
	}
	kvfree(batch.folios);
	kvfree(batch.pages);
	return rc;
}
