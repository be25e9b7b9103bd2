// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pins of in-kernel accesses: an access's pin of [first, last] is a user
 * with its PFNs kept as runs (equal pins share one user), so unpinning
 * and rw need no page table walk; rw of memory nobody pinned copies
 * through the mapping process's mm or the memfd.
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
 * -EINVAL for a file range past the end of the file, or for a dma-buf.
 */
int iopt_pages_pin(struct iopt_pages *pages, unsigned long first,
		   unsigned long last, struct page **out_pages)
{
	struct iopt_pages_user *user;
	struct iopt_run_list list;
	int rc;

	if (WARN_ON(first > last || last >= pages->npages))
		return -EINVAL;
	/* A dma-buf has no struct pages to hand out. */
	if (pages->dmabuf)
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
 * Return: 0; -EFAULT; -EINVAL for a dma-buf.
 */
int iopt_pages_rw(struct iopt_pages *pages, unsigned long offset, void *data,
		  unsigned long length, bool write, bool use_pinned)
{
	struct iopt_rw rw = { .data = data, .offset = offset, .length = length,
			      .write = write };
	int rc = 0;

	/* Nor any the CPU could copy through. */
	if (pages->dmabuf)
		return -EINVAL;
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
