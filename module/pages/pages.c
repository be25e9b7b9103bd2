// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct iopt_pages: user memory behind one or more areas, and its pins.
 *
 * Invariant: a page is pinned (present in pages->pinned) exactly when some
 * user covers its index with a range in access_itree: an in-kernel access's
 * pin, or an area mapped into the IOAS's IOMMU domains (one range per area
 * while the IOAS has any domain).
 * Pinning fills only the holes of a range; unpinning releases only what
 * nothing else covers.  So a page is pinned and charged once however many
 * users share it, and undoing a failed pin is "release what is uncovered".
 *
 * Pins of user memory are taken in batches with pin_user_pages_fast() (or
 * the remote form when the caller is not the mapping process),
 * FOLL_LONGTERM always and FOLL_WRITE only for writable memory.
 *
 * Pins of a memfd (IOMMU_IOAS_MAP_FILE) come from memfd_pin_folios(), which
 * allocates missing pages and pins each folio of a range once.  Everything
 * else here counts one pin per page (the xarray holds pages, and
 * unpin_user_pages*() drops one pin per page given), so a folio that backs
 * several pages of the range gets one more pin per extra page, taken by
 * pinning that single page again: folio_add_pin() is not exported.  With
 * small folios, the usual shmem case, that costs nothing extra.  Such pins
 * are charged like any other, to the process and user that mapped the
 * file.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/user.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../iommufd_private.h"
#include "../ioas/io_pagetable.h"
#include "../selftest/selftest.h"
#include "pages.h"

/* Pages pinned per pin_user_pages call: one page of struct page pointers. */
#define IOPT_PIN_BATCH (PAGE_SIZE / sizeof(struct page *))

/*
 * Scratch space of one iopt_pages_pin() call: room for @max pages, and for
 * a file as many folios.
 */
struct iopt_pin_batch {
	struct page **pages;
	struct folio **folios;
	unsigned long max;
};

/*
 * A range of indexes some user needs pinned; in pages->access_itree.  Equal
 * ranges share one node.
 */
struct iopt_pages_access {
	struct interval_tree_node node;
	unsigned int users;
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
	xa_init_flags(&pages->pinned, XA_FLAGS_ACCOUNT);
	pages->access_itree = RB_ROOT_CACHED;
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
				    bool writable, u8 process_mode)
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
 * wraps, -EPERM for @writable on a file not open for writing or sealed
 * against writes, -ENOMEM.
 */
struct iopt_pages *iopt_pages_alloc_file(struct file *file,
					 unsigned long start,
					 unsigned long length, bool writable,
					 u8 process_mode)
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
	if (writable) {
		if (!(file->f_mode & FMODE_WRITE))
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

	WARN_ON(!RB_EMPTY_ROOT(&pages->access_itree.rb_root));
	WARN_ON(pages->npinned || pages->naccounted);
	WARN_ON(!xa_empty(&pages->pinned));
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
 * start and sets *run_last, or returns last + 1 (or 0 on wrap) if every
 * index is covered.
 */
static unsigned long iopt_pages_next_uncovered(struct iopt_pages *pages,
					       unsigned long pos,
					       unsigned long last,
					       unsigned long *run_last)
{
	lockdep_assert_held(&pages->mutex);

	while (pos <= last) {
		struct interval_tree_node *node;

		node = interval_tree_iter_first(&pages->access_itree, pos, last);
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

/* Unpin and forget the pinned pages in [first, last]. */
static void iopt_pages_release_range(struct iopt_pages *pages,
				     unsigned long first, unsigned long last)
{
	struct page *batch[32];
	unsigned long released = 0, index = first;
	unsigned int n = 0;
	void *entry;

	lockdep_assert_held(&pages->mutex);

	xa_for_each_range(&pages->pinned, index, entry, first, last) {
		xa_erase(&pages->pinned, index);
		batch[n++] = pfn_to_page(xa_to_value(entry));
		if (n == ARRAY_SIZE(batch)) {
			unpin_user_pages_dirty_lock(batch, n, pages->writable);
			released += n;
			n = 0;
		}
	}
	if (n)
		unpin_user_pages_dirty_lock(batch, n, pages->writable);
	released += n;
	if (!released)
		return;
	pages->npinned -= released;
	iopt_pages_uncharge(pages, released);
	iommufd_test_pages_unpinned(released);
}

/* Release every pinned page in [first, last] that no user covers. */
static void iopt_pages_release_uncovered(struct iopt_pages *pages,
					 unsigned long first,
					 unsigned long last)
{
	unsigned long run_last, pos = first;

	while (pos <= last && pos >= first) {
		pos = iopt_pages_next_uncovered(pages, pos, last, &run_last);
		if (pos > last || pos < first)
			break;
		iopt_pages_release_range(pages, pos, run_last);
		if (run_last == last)
			break;
		pos = run_last + 1;
	}
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

/* Pin every page of [first, last] that is not pinned yet. */
static int iopt_pages_fill_range(struct iopt_pages *pages,
				 unsigned long first, unsigned long last,
				 struct iopt_pin_batch *batch)
{
	struct page **out = batch->pages;
	unsigned long index = first;

	lockdep_assert_held(&pages->mutex);

	while (index <= last) {
		unsigned long want = 1, i;
		long got;
		int rc;

		if (xa_load(&pages->pinned, index)) {
			if (index == last)
				break;
			index++;
			continue;
		}
		while (want < batch->max && index + want <= last &&
		       !xa_load(&pages->pinned, index + want))
			want++;

		got = iopt_pages_pin_batch(pages, index, want, batch);
		if (got < 0)
			return got;

		rc = iopt_pages_charge(pages, got);
		if (rc) {
			unpin_user_pages(out, got);
			return rc;
		}
		for (i = 0; i < got; i++) {
			rc = xa_err(xa_store(&pages->pinned, index + i,
					     xa_mk_value(page_to_pfn(out[i])),
					     GFP_KERNEL_ACCOUNT));
			if (rc) {
				/* Those stored are released by the caller. */
				unpin_user_pages(out + i, got - i);
				pages->npinned += i;
				iommufd_test_pages_pinned(i);
				iopt_pages_uncharge(pages, got - i);
				return rc;
			}
		}
		pages->npinned += got;
		iommufd_test_pages_pinned(got);
		if (index + got - 1 >= last)
			break;
		index += got;
	}
	return 0;
}

static struct iopt_pages_access *
iopt_pages_find_access(struct iopt_pages *pages, unsigned long first,
		       unsigned long last)
{
	struct interval_tree_node *node;

	for (node = interval_tree_iter_first(&pages->access_itree, first, last);
	     node; node = interval_tree_iter_next(node, first, last))
		if (node->start == first && node->last == last)
			return container_of(node, struct iopt_pages_access,
					    node);
	return NULL;
}

/**
 * iopt_pages_pin() - keep [@first, @last] pinned for a user (an access's
 *	pin, or an area mapped into IOMMU domains)
 * @pages: the pages
 * @first: first index
 * @last: last index, inclusive
 *
 * Pair with iopt_pages_unpin() on the same range.
 *
 * Context: process context, may sleep; takes pages->mutex.
 * Return: 0, or a negative errno with nothing pinned or charged by this
 * call: -ENOMEM over RLIMIT_MEMLOCK, -EFAULT for memory that is gone,
 * -EINVAL for a file range past the end of the file.
 */
int iopt_pages_pin(struct iopt_pages *pages, unsigned long first,
		   unsigned long last)
{
	struct iopt_pin_batch batch = {};
	struct iopt_pages_access *access;
	int rc;

	if (WARN_ON(first > last || last >= pages->npages))
		return -EINVAL;

	batch.max = iommufd_test_pin_batch_limit(IOPT_PIN_BATCH);
	batch.pages = kmalloc_array(batch.max, sizeof(*batch.pages),
				    GFP_KERNEL);
	if (!batch.pages)
		return -ENOMEM;
	if (pages->file) {
		batch.folios = kmalloc_array(batch.max, sizeof(*batch.folios),
					     GFP_KERNEL);
		if (!batch.folios) {
			rc = -ENOMEM;
			goto out_free;
		}
	}

	mutex_lock(&pages->mutex);
	access = iopt_pages_find_access(pages, first, last);
	if (access) {
		access->users++;
		rc = 0;
		goto out_unlock;
	}

	access = kzalloc(sizeof(*access), GFP_KERNEL_ACCOUNT);
	if (!access) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	rc = iopt_pages_fill_range(pages, first, last, &batch);
	if (rc) {
		/* What this call pinned is exactly what nobody covers. */
		iopt_pages_release_uncovered(pages, first, last);
		kfree(access);
		goto out_unlock;
	}
	access->node.start = first;
	access->node.last = last;
	access->users = 1;
	interval_tree_insert(&access->node, &pages->access_itree);
out_unlock:
	mutex_unlock(&pages->mutex);
out_free:
	kfree(batch.folios);
	kfree(batch.pages);
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
	struct iopt_pages_access *access;

	mutex_lock(&pages->mutex);
	access = iopt_pages_find_access(pages, first, last);
	if (WARN_ON(!access))
		goto out_unlock;
	if (--access->users)
		goto out_unlock;
	interval_tree_remove(&access->node, &pages->access_itree);
	kfree(access);
	iopt_pages_release_uncovered(pages, first, last);
out_unlock:
	mutex_unlock(&pages->mutex);
}

/**
 * iopt_pages_pinned_page() - the pinned page at @index
 * @pages: the pages
 * @index: page index
 *
 * Context: pages->mutex held, or a pin covering @index held by the caller.
 * Return: the page, or NULL if it is not pinned.
 */
struct page *iopt_pages_pinned_page(struct iopt_pages *pages,
				    unsigned long index)
{
	void *entry = xa_load(&pages->pinned, index);

	return entry ? pfn_to_page(xa_to_value(entry)) : NULL;
}

/**
 * iopt_pages_pinned_pfn() - the pfn of the pinned page at @index
 * @pages: the pages
 * @index: page index, pinned by the caller's user range
 *
 * Context: a pin covering @index held by the caller.
 * Return: the pfn; 0 (with a warning) if it is not pinned, a bug.
 */
unsigned long iopt_pages_pinned_pfn(struct iopt_pages *pages,
				    unsigned long index)
{
	void *entry = xa_load(&pages->pinned, index);

	if (WARN_ON(!entry))
		return 0;
	return xa_to_value(entry);
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

/* Copy through the mapping process's own address space. */
static int iopt_pages_rw_user(struct iopt_pages *pages, unsigned long offset,
			      void *data, unsigned long length, bool write)
{
	void __user *uaddr = pages->uptr + offset;
	int copied;

	if (current->mm == pages->source_mm) {
		if (write ? copy_to_user(uaddr, data, length) :
			    copy_from_user(data, uaddr, length))
			return -EFAULT;
		return 0;
	}
	/* Another process (or a kthread): go through the mapper's mm. */
	copied = access_process_vm(pages->source_task, (unsigned long)uaddr,
				   data, length, write ? FOLL_WRITE : 0);
	return copied == length ? 0 : -EFAULT;
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
	int rc = 0;

	mutex_lock(&pages->mutex);
	while (length) {
		unsigned long index = offset / PAGE_SIZE;
		unsigned long in_page = offset % PAGE_SIZE;
		unsigned long chunk = min(length, PAGE_SIZE - in_page);
		struct page *page = NULL;

		if (use_pinned)
			page = iopt_pages_pinned_page(pages, index);
		if (page) {
			if (write)
				memcpy_to_page(page, in_page, data, chunk);
			else
				memcpy_from_page(data, page, in_page, chunk);
		} else {
			if (pages->file)
				rc = iopt_pages_rw_file(pages, offset, data,
							chunk, write);
			else
				rc = iopt_pages_rw_user(pages, offset, data,
							chunk, write);
			if (rc)
				break;
		}
		data += chunk;
		offset += chunk;
		length -= chunk;
	}
	mutex_unlock(&pages->mutex);
	return rc;
}
