// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct iopt_pages: user memory behind one or more areas, and its pins.
 *
 * Invariant: a page is pinned, once, exactly while some struct
 * iopt_pages_user covers its index in pages->users_itree: an area mapped
 * into the IOAS's IOMMU domains (one user per area) or an in-kernel
 * access's pin.  A new user pins only the holes that no other user covers
 * and takes the PFNs of the rest from their users; a user leaving unpins
 * only what nobody else covers.  So a page is pinned and charged once
 * however many users share it, and undoing a failed pin is "unpin what
 * this call pinned", which is what is left uncovered.
 *
 * Nothing is kept per page.  A domain user's PFNs are in its IOMMU domain
 * and read back with iommu_iova_to_phys(), one call per folio (see
 * struct iopt_pages_user's per_page); an access's pin keeps its PFNs as
 * runs.  Everything moves in runs of contiguous pages (pages.h), so a huge
 * folio is pinned, mapped, read back and unpinned in one step each.
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

/* What both kinds of pages share; @npages is checked by the callers. */
static struct iopt_pages *iopt_pages_create(unsigned long npages,
					    bool writable, bool process_mode)
{
	struct iopt_pages *pages;

	pages = kzalloc(sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	kref_init(&pages->kref);
	mutex_init(&pages->mutex);
	pages->users_itree = RB_ROOT_CACHED;
	pages->npages = npages;
	pages->writable = writable;
	pages->account_mode = iopt_account_mode_for_current(process_mode);

	pages->source_task = current->group_leader;
	get_task_struct(pages->source_task);
	pages->source_mm = current->mm;
	mmgrab(pages->source_mm);
	pages->source_user = get_uid(current_user());
	return pages;
}

/* @start and @length as user space gave them: the pages they span. */
static int iopt_pages_span(unsigned long start, unsigned long length,
			   unsigned long *npages)
{
	unsigned long end;

	if (!length || length > SIZE_MAX - PAGE_SIZE)
		return -EINVAL;
	if (check_add_overflow(start, length, &end))
		return -EOVERFLOW;
	*npages = DIV_ROUND_UP(end - (start & PAGE_MASK), PAGE_SIZE);
	return 0;
}

/**
 * iopt_pages_alloc() - describe user memory for mapping
 * @uptr: the user address, any alignment
 * @length: bytes
 * @writable: will be mapped writable
 * @process_mode: charge pins to the process, not the user
 *
 * Pins nothing.  Takes references on current's task, mm and user.
 *
 * Context: process context.
 * Return: the pages, or ERR_PTR(): -EINVAL for a zero or absurd length,
 * -EOVERFLOW if the range wraps, -ENOMEM.
 */
struct iopt_pages *iopt_pages_alloc(void __user *uptr, unsigned long length,
				    bool writable, bool process_mode)
{
	unsigned long start = (unsigned long)uptr, npages;
	struct iopt_pages *pages;
	int rc;

	rc = iopt_pages_span(start, length, &npages);
	if (rc)
		return ERR_PTR(rc);
	pages = iopt_pages_create(npages, writable, process_mode);
	if (!IS_ERR(pages))
		pages->uptr = (void __user *)(start & PAGE_MASK);
	return pages;
}

/*
 * The seals of a memfd.  They only ever grow; F_SEAL_WRITE cannot be added
 * while a writable mapping count is held, F_SEAL_FUTURE_WRITE can, and
 * like a shared mmap() made before it, a mapping made before it stays.
 */
static unsigned int iopt_memfd_seals(struct file *file)
{
	struct inode *inode = file_inode(file);

	if (shmem_file(file))
		return READ_ONCE(SHMEM_I(inode)->seals);
	if (is_file_hugepages(file))
		return READ_ONCE(HUGETLBFS_I(inode)->seals);
	return 0;
}

/**
 * iopt_pages_alloc_file() - describe part of a memfd for mapping
 * @file: a shmem or hugetlbfs file
 * @start: byte offset in @file, any alignment
 * @length: bytes
 * @writable: will be mapped writable
 * @process_mode: charge pins to the process, not the user
 *
 * Pins nothing; pages are pinned (and charged to current's process or
 * user, as for user memory) when something needs them.  Takes a reference
 * on @file, so the memory outlives the caller's file descriptor, and for
 * @writable a writable-mapping count on its address space, so that the
 * memfd cannot be sealed against writes while DMA may write it.  The
 * range need not lie inside the file now: pinning past its end fails.
 *
 * Context: process context.
 * Return: the pages, or ERR_PTR(): -EINVAL for a zero or absurd length or
 * a file that is not a memfd (shmem or hugetlbfs), -EOVERFLOW if the range
 * wraps, -EACCES for a file not open for reading, -EPERM for @writable on
 * a file not open for writing or sealed against writes (F_SEAL_WRITE or
 * F_SEAL_FUTURE_WRITE), -ENOMEM.
 */
struct iopt_pages *iopt_pages_alloc_file(struct file *file,
					 unsigned long start,
					 unsigned long length, bool writable,
					 bool process_mode)
{
	struct iopt_pages *pages;
	unsigned long npages;
	int rc;

	rc = iopt_pages_span(start, length, &npages);
	if (rc)
		return ERR_PTR(rc);
	/* What memfd_pin_folios() can pin; anything else would fail later. */
	if (!shmem_file(file) && !is_file_hugepages(file))
		return ERR_PTR(-EINVAL);
	/* As mmap() would: DMA reads the file, and may write it. */
	if (!(file->f_mode & FMODE_READ))
		return ERR_PTR(-EACCES);
	if (writable) {
		if (!(file->f_mode & FMODE_WRITE) ||
		    (iopt_memfd_seals(file) & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
			return ERR_PTR(-EPERM);
		rc = mapping_map_writable(file->f_mapping);
		if (rc)
			return ERR_PTR(rc);
	}

	pages = iopt_pages_create(npages, writable, process_mode);
	if (IS_ERR(pages)) {
		if (writable)
			mapping_unmap_writable(file->f_mapping);
		return pages;
	}
	/* Pairs with the fput() in iopt_pages_release(). */
	pages->file = get_file(file);
	pages->file_start = start & PAGE_MASK;
	return pages;
}

/**
 * iopt_pages_release() - kref release of struct iopt_pages
 * @kref: the pages' kref
 *
 * Every user is gone, so nothing is pinned any more.
 *
 * Context: process context, may sleep.
 */
void iopt_pages_release(struct kref *kref)
{
	struct iopt_pages *pages = container_of(kref, struct iopt_pages, kref);

	WARN_ON(!RB_EMPTY_ROOT(&pages->users_itree.rb_root));
	WARN_ON(pages->npinned || pages->naccounted);
	if (pages->file) {
		if (pages->writable)
			mapping_unmap_writable(pages->file->f_mapping);
		fput(pages->file);
	}
	free_uid(pages->source_user);
	mmdrop(pages->source_mm);
	put_task_struct(pages->source_task);
	mutex_destroy(&pages->mutex);
	kfree(pages);
}

/*
 * The first run of indexes in [pos, last] that no user covers: returns its
 * start and sets *run_last, or returns last + 1 if every index is covered.
 */
static unsigned long iopt_pages_next_uncovered(struct iopt_pages *pages,
					       unsigned long pos,
					       unsigned long last,
					       unsigned long *run_last)
{
	lockdep_assert_held(&pages->mutex);

	while (pos <= last) {
		struct interval_tree_node *node;

		node = interval_tree_iter_first(&pages->users_itree, pos, last);
		if (!node) {
			*run_last = last;
			return pos;
		}
		if (node->start > pos) {
			*run_last = node->start - 1;
			return pos;
		}
		if (node->last >= last)
			break;
		pos = node->last + 1;
	}
	return last + 1;
}

/**
 * iopt_pages_unpinned() - account for @npages pages unpinned
 * @pages: the pages they belonged to
 * @npages: how many
 *
 * Context: pages->mutex held; may sleep.
 */
void iopt_pages_unpinned(struct iopt_pages *pages, unsigned long npages)
{
	lockdep_assert_held(&pages->mutex);

	if (!npages)
		return;
	pages->npinned -= npages;
	iopt_pages_uncharge(pages, npages);
	iommufd_test_pages_unpinned(npages);
}

/* Pin the page of the file at byte @pos, once: the page or ERR_PTR(). */
static struct page *iopt_pages_pin_file_page(struct iopt_pages *pages,
					     loff_t pos)
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

static int iopt_run_buf_flush(struct iopt_run_buf *buf)
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

/* Append a run, merged into the last when it continues it. */
static inline int iopt_run_buf_add(struct iopt_run_buf *buf, unsigned long pfn,
				   unsigned long npages)
{
	int rc;

	if (buf->n && buf->runs[buf->n - 1].pfn +
			      buf->runs[buf->n - 1].npages == pfn) {
		buf->runs[buf->n - 1].npages += npages;
		return 0;
	}
	if (buf->n == IOPT_RUN_BUF) {
		rc = iopt_run_buf_flush(buf);
		if (rc)
			return rc;
	}
	buf->runs[buf->n].pfn = pfn;
	buf->runs[buf->n].npages = npages;
	buf->n++;
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
		unsigned long i, left;
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
		for (i = 0; i < got; i++) {
			rc = iopt_run_buf_add(&buf, page_to_pfn(out[i]), 1);
			if (rc)
				break;
		}
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

static struct iopt_pages_user *
to_iopt_pages_user(struct interval_tree_node *node)
{
	return container_of(node, struct iopt_pages_user, node);
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

/* Read a domain user's PFNs of [first, last] back from its domain. */
static int iopt_user_read_domain(struct iopt_pages_user *user,
				 unsigned long first, unsigned long last,
				 struct iopt_run_buf *buf)
{
	unsigned long index = first;
	int rc;

	while (index <= last) {
		unsigned long byte = max(index * PAGE_SIZE, user->start_byte);
		unsigned long pfn, npages = 1;
		phys_addr_t phys;

		phys = iommu_iova_to_phys(user->domain, user->iova_base + byte);
		if (WARN_ON_ONCE(!phys))
			return -EFAULT;
		pfn = PHYS_PFN(phys);
		if (!user->per_page) {
			struct page *page = pfn_to_page(pfn);
			struct folio *folio = page_folio(page);

			npages = min_t(unsigned long,
				       folio_nr_pages(folio) -
					       folio_page_idx(folio, page),
				       last - index + 1);
		}
		rc = iopt_run_buf_add(buf, pfn, npages);
		if (rc)
			return rc;
		index += npages;
	}
	return 0;
}

/* Read an access pin's PFNs of [first, last] from its runs. */
static int iopt_user_read_runs(struct iopt_pages_user *user,
			       unsigned long first, unsigned long last,
			       struct iopt_run_buf *buf)
{
	unsigned long index = user->node.start, i;

	for (i = 0; i < user->nruns && index <= last; i++) {
		struct iopt_pfn_run *run = &user->runs[i];
		unsigned long run_last = index + run->npages - 1;

		if (run_last >= first) {
			unsigned long from = max(index, first);
			int rc;

			rc = iopt_run_buf_add(buf, run->pfn + (from - index),
					      min(run_last, last) - from + 1);
			if (rc)
				return rc;
		}
		index = run_last + 1;
	}
	return 0;
}

/**
 * iopt_user_read() - the runs of [@first, @last] from a user's record
 * @pages: the pages
 * @user: a user covering [@first, @last]
 * @first: first index
 * @last: last index, inclusive
 * @fn: called with each run in order, never fresh
 * @arg: for @fn
 *
 * Context: pages->mutex held.
 * Return: 0, or the first error of @fn; -EFAULT (with a warning) if the
 * record is missing a page, a bug.
 */
int iopt_user_read(struct iopt_pages *pages, struct iopt_pages_user *user,
		   unsigned long first, unsigned long last, iopt_run_fn fn,
		   void *arg)
{
	struct iopt_run_buf buf = { .fn = fn, .arg = arg, .index = first };
	int rc;

	lockdep_assert_held(&pages->mutex);

	if (WARN_ON(first < user->node.start || last > user->node.last))
		return -EINVAL;
	if (user->domain)
		rc = iopt_user_read_domain(user, first, last, &buf);
	else
		rc = iopt_user_read_runs(user, first, last, &buf);
	if (!rc)
		rc = iopt_run_buf_flush(&buf);
	return rc;
}

/* The user in @pages for an access's pin of exactly [first, last]. */
static struct iopt_pages_user *
iopt_pages_find_pin(struct iopt_pages *pages, unsigned long first,
		    unsigned long last)
{
	struct interval_tree_node *node;

	lockdep_assert_held(&pages->mutex);

	for (node = interval_tree_iter_first(&pages->users_itree, first, last);
	     node; node = interval_tree_iter_next(node, first, last)) {
		struct iopt_pages_user *user = to_iopt_pages_user(node);

		if (!user->domain && node->start == first && node->last == last)
			return user;
	}
	return NULL;
}

/* @fn for filling a struct page array, one entry per page. */
static int iopt_fill_page_array(void *arg, unsigned long index,
				const struct iopt_pfn_run *runs, unsigned int n,
				bool fresh, unsigned int *taken)
{
	struct page ***out = arg;
	unsigned long i, k;

	for (k = 0; k < n; k++)
		for (i = 0; i < runs[k].npages; i++)
			*(*out)++ = pfn_to_page(runs[k].pfn + i);
	return 0;
}

/**
 * iopt_user_collect_uncovered() - the runs of @user's [@first, @last]
 *	that no user in the tree covers
 * @pages: the pages
 * @user: a user that has left the tree
 * @first: first index
 * @last: last index, inclusive
 * @list: where the runs go; a __GFP_NOFAIL list, so nothing is missed
 *
 * With a limit on @list, it stops at a cut point past the limit.
 *
 * Context: pages->mutex held; may sleep.
 * Return: the index it stopped at, @last + 1 when it went through.
 */
unsigned long iopt_user_collect_uncovered(struct iopt_pages *pages,
					  struct iopt_pages_user *user,
					  unsigned long first,
					  unsigned long last,
					  struct iopt_run_list *list)
{
	unsigned long pos = first, run_last;

	lockdep_assert_held(&pages->mutex);
	while (pos <= last) {
		pos = iopt_pages_next_uncovered(pages, pos, last, &run_last);
		if (pos > last)
			break;
		if (iopt_user_read(pages, user, pos, run_last,
				   iopt_run_list_collect, list) == -EAGAIN)
			return list->stopped_at;
		pos = run_last + 1;
	}
	return last + 1;
}

/**
 * iopt_pages_pin() - keep [@first, @last] pinned for an in-kernel access
 * @pages: the pages
 * @first: first index
 * @last: last index, inclusive
 * @out_pages: out, may be NULL: the struct page of each index
 *
 * Pair with iopt_pages_unpin() on the same range.  The pin's PFNs are kept
 * as runs, so a range inside huge folios costs a few entries.
 *
 * Context: process context, may sleep; takes pages->mutex.
 * Return: 0, or a negative errno with nothing pinned or charged by this
 * call: -ENOMEM over RLIMIT_MEMLOCK, -EFAULT for memory that is gone,
 * -EINVAL for a file range past the end of the file.
 */
int iopt_pages_pin(struct iopt_pages *pages, unsigned long first,
		   unsigned long last, struct page **out_pages)
{
	struct iopt_pages_user *user;
	struct iopt_run_list list;
	int rc;

	if (WARN_ON(first > last || last >= pages->npages))
		return -EINVAL;

	mutex_lock(&pages->mutex);
	user = iopt_pages_find_pin(pages, first, last);
	if (user) {
		user->users++;
		goto out_fill;
	}

	user = kzalloc(sizeof(*user), GFP_KERNEL_ACCOUNT);
	if (!user) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	iopt_run_list_init(&list, GFP_KERNEL, 0);
	rc = iopt_pages_produce(pages, first, last, iopt_run_list_collect,
				&list);
	if (!rc) {
		user->runs = iopt_run_list_to_array(&list);
		if (!user->runs)
			rc = -ENOMEM;
	}
	if (rc) {
		/* What this call pinned is exactly what nobody covers. */
		iopt_pages_unpinned(pages,
				    iopt_run_list_unpin(pages, &list, true));
		iopt_run_list_free(&list);
		kfree(user);
		goto out_unlock;
	}
	user->nruns = list.nruns;
	iopt_run_list_free(&list);
	user->node.start = first;
	user->node.last = last;
	user->start_byte = first * PAGE_SIZE;
	user->end_byte = (last + 1) * PAGE_SIZE;
	user->users = 1;
	interval_tree_insert(&user->node, &pages->users_itree);
out_fill:
	if (out_pages)
		iopt_user_read(pages, user, first, last, iopt_fill_page_array,
			       &out_pages);
	rc = 0;
out_unlock:
	mutex_unlock(&pages->mutex);
	return rc;
}

/**
 * iopt_pages_unpin() - undo iopt_pages_pin()
 * @pages: the pages
 * @first: first index, as given to the pin
 * @last: last index, as given to the pin
 *
 * Context: process context, may sleep; takes pages->mutex.
 */
void iopt_pages_unpin(struct iopt_pages *pages, unsigned long first,
		      unsigned long last)
{
	struct iopt_pages_user *user;
	struct iopt_run_list list;

	mutex_lock(&pages->mutex);
	user = iopt_pages_find_pin(pages, first, last);
	if (WARN_ON(!user))
		goto out_unlock;
	if (--user->users)
		goto out_unlock;
	interval_tree_remove(&user->node, &pages->users_itree);
	iopt_run_list_init(&list, GFP_KERNEL | __GFP_NOFAIL, 0);
	iopt_user_collect_uncovered(pages, user, first, last, &list);
	iopt_pages_unpinned(pages, iopt_run_list_unpin(pages, &list, false));
	iopt_run_list_free(&list);
	kfree(user->runs);
	kfree(user);
out_unlock:
	mutex_unlock(&pages->mutex);
}

/**
 * struct iopt_rw - a copy to or from pinned pages, as an iopt_run_fn
 * @data: the kernel buffer, advanced as it is copied
 * @offset: byte offset in the pages, advanced likewise
 * @length: bytes left
 * @write: into the pages, else out of them
 */
struct iopt_rw {
	void *data;
	unsigned long offset;
	unsigned long length;
	bool write;
};

/* iopt_run_fn: copy through the pages of runs, a page at a time. */
static int iopt_rw_runs(void *arg, unsigned long index,
			const struct iopt_pfn_run *runs, unsigned int n,
			bool fresh, unsigned int *taken)
{
	struct iopt_rw *rw = arg;
	unsigned int k;

	for (k = 0; k < n && rw->length; k++) {
		unsigned long end = (index + runs[k].npages) * PAGE_SIZE;

		while (rw->length && rw->offset < end) {
			struct page *page = pfn_to_page(runs[k].pfn +
							rw->offset / PAGE_SIZE -
							index);
			unsigned long in_page = offset_in_page(rw->offset);
			unsigned long chunk = min(rw->length,
						  PAGE_SIZE - in_page);

			if (rw->write)
				memcpy_to_page(page, in_page, rw->data, chunk);
			else
				memcpy_from_page(rw->data, page, in_page, chunk);
			rw->data += chunk;
			rw->offset += chunk;
			rw->length -= chunk;
		}
		index += runs[k].npages;
	}
	return 0;
}

/*
 * Copy within one page of the file, pinned for the moment: @offset and
 * @length never cross a page.
 */
static int iopt_pages_rw_file(struct iopt_pages *pages, unsigned long offset,
			      void *data, unsigned long length, bool write)
{
	struct page *page;

	page = iopt_pages_pin_file_page(pages, pages->file_start +
					(offset & PAGE_MASK));
	if (IS_ERR(page))
		return -EFAULT;
	if (write)
		memcpy_to_page(page, offset_in_page(offset), data, length);
	else
		memcpy_from_page(data, page, offset_in_page(offset), length);
	unpin_user_pages_dirty_lock(&page, 1, write);
	return 0;
}

/*
 * Copy through the address space that was mapped: pages->source_mm, never
 * whatever the mapping task runs now (after an exec() it is another mm,
 * and its memory is not what the IOAS maps).  From another process or a
 * kthread, page by page through the remote mm while it lives.
 */
static int iopt_pages_rw_user(struct iopt_pages *pages, unsigned long offset,
			      void *data, unsigned long length, bool write)
{
	unsigned long addr = (unsigned long)pages->uptr + offset;
	struct mm_struct *mm = pages->source_mm;
	int rc = 0;

	if (current->mm == mm) {
		if (write ? copy_to_user((void __user *)addr, data, length) :
			    copy_from_user(data, (void __user *)addr, length))
			return -EFAULT;
		return 0;
	}
	if (!mmget_not_zero(mm))
		return -EFAULT;
	mmap_read_lock(mm);
	while (length) {
		unsigned long chunk = min(length, PAGE_SIZE - offset_in_page(addr));
		struct page *page;

		if (get_user_pages_remote(mm, addr, 1, write ? FOLL_WRITE : 0,
					  &page, NULL) != 1) {
			rc = -EFAULT;
			break;
		}
		if (write) {
			memcpy_to_page(page, offset_in_page(addr), data, chunk);
			set_page_dirty_lock(page);
		} else {
			memcpy_from_page(data, page, offset_in_page(addr), chunk);
		}
		put_page(page);
		addr += chunk;
		data += chunk;
		length -= chunk;
	}
	mmap_read_unlock(mm);
	mmput(mm);
	return rc;
}

/**
 * iopt_pages_rw() - read or write the memory behind @pages
 * @pages: the pages
 * @offset: byte offset from index 0 (pages->uptr or pages->file_start)
 * @data: kernel buffer
 * @length: bytes
 * @write: copy @data into the memory, else out of it
 * @use_pinned: use the pinned pages where there are some
 *
 * Pinned pages are used directly, the rest through the mapping process's
 * address space (user memory) or pinned for the moment (a file), so this
 * works whether or not the range is pinned.
 *
 * Context: process context, may sleep; takes pages->mutex.
 * Return: 0, or -EFAULT.
 */
int iopt_pages_rw(struct iopt_pages *pages, unsigned long offset, void *data,
		  unsigned long length, bool write, bool use_pinned)
{
	struct iopt_rw rw = { .data = data, .offset = offset, .length = length,
			      .write = write };
	int rc = 0;

	mutex_lock(&pages->mutex);
	while (rw.length) {
		unsigned long index = rw.offset / PAGE_SIZE;
		unsigned long last = (rw.offset + rw.length - 1) / PAGE_SIZE;
		struct interval_tree_node *node = NULL;
		unsigned long chunk;

		if (use_pinned)
			node = interval_tree_iter_first(&pages->users_itree,
							index, last);
		/* Pinned here: through the pinned pages, as far as they go. */
		if (node && node->start <= index) {
			rc = iopt_user_read(pages, to_iopt_pages_user(node),
					    index, min(node->last, last),
					    iopt_rw_runs, &rw);
			if (rc)
				break;
			continue;
		}
		/*
		 * Not pinned: through the memory, up to the next pinned page
		 * and at most 1 MiB at a time.
		 */
		chunk = min_t(unsigned long, rw.length, SZ_1M);
		if (node)
			chunk = min(chunk, node->start * PAGE_SIZE - rw.offset);
		if (iommufd_should_fail()) {
			rc = -EFAULT;
			break;
		}
		if (pages->file) {
			chunk = min(chunk, PAGE_SIZE - offset_in_page(rw.offset));
			rc = iopt_pages_rw_file(pages, rw.offset, rw.data, chunk,
						write);
		} else {
			rc = iopt_pages_rw_user(pages, rw.offset, rw.data, chunk,
						write);
		}
		if (rc)
			break;
		rw.data += chunk;
		rw.offset += chunk;
		rw.length -= chunk;
	}
	mutex_unlock(&pages->mutex);
	return rc;
}
