// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading a user's PFNs back from its record (a domain user's IOMMU
 * domain, an access pin's runs), and finding what of a user's range no
 * other user covers, which is what is pinned for it alone.
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

/*
 * What reading a domain user back needs of it, read once per call: the
 * user's fields would be read again after every iommu_iova_to_phys().
 * @per_page: page by page, and no contiguity masks to go by; @contig:
 * a user read back page by page but for its marked sub-blocks.
 */
struct iopt_domain_reader {
	struct iommu_domain *domain;
	unsigned long iova_base;
	unsigned long start_byte;
	const u32 *contig;
	unsigned long contig_base;
	bool per_page;
};

static __always_inline struct iopt_domain_reader
iopt_domain_reader(const struct iopt_pages_user *user)
{
	return (struct iopt_domain_reader){
		.domain = user->domain,
		.iova_base = user->iova_base,
		.start_byte = user->start_byte,
		.contig = user->contig,
		.contig_base = iopt_user_contig_base(user),
		.per_page = user->per_page && !user->contig,
	};
}

/*
 * Read the run at @index of a domain user back from its domain: its first
 * PFN in *@pfn, and how many pages of [@index, @last] it holds (one unless
 * the user knows its folios are whole, or its sub-blocks contiguous); 0
 * if the domain has nothing there.
 */
static __always_inline unsigned long
iopt_user_domain_run(const struct iopt_domain_reader *r, unsigned long index,
		     unsigned long last, unsigned long *pfn)
{
	unsigned long byte = max(index * PAGE_SIZE, r->start_byte);
	unsigned long npages;
	struct folio *folio;
	struct page *page;
	phys_addr_t phys;

	phys = iommu_iova_to_phys(r->domain, r->iova_base + byte);
	if (WARN_ON_ONCE(!phys))
		return 0;
	*pfn = PHYS_PFN(phys);
	if (r->per_page)
		return 1;
	if (r->contig) {
		npages = iopt_contig_pages(r->contig, r->contig_base, index,
					   last);
		if (!npages)
			return 1;
		iopt_user_contig_check(r->domain, r->iova_base, index, *pfn,
				       npages);
		return npages;
	}
	page = pfn_to_page(*pfn);
	folio = page_folio(page);
	return min_t(unsigned long,
		     folio_nr_pages(folio) - folio_page_idx(folio, page),
		     last - index + 1);
}

/* Read a domain user's PFNs of [first, last] back from its domain. */
static int iopt_user_read_domain(struct iopt_pages_user *user,
				 unsigned long first, unsigned long last,
				 struct iopt_run_buf *buf)
{
	const struct iopt_domain_reader r = iopt_domain_reader(user);
	unsigned long index = first;
	int rc;

	while (index <= last) {
		unsigned long pfn, npages;

		npages = iopt_user_domain_run(&r, index, last, &pfn);
		if (!npages)
			return -EFAULT;
		rc = iopt_run_buf_add(buf, pfn, npages);
		if (rc)
			return rc;
		index += npages;
	}
	return 0;
}

/*
 * Put the run [@index, @index + @npages) from @pfn into @list: through the
 * cursor when it starts where the last entry stops in memory (@cut),
 * else with iopt_run_list_take(), which may merge the two.
 */
static __always_inline int iopt_user_put_run(struct iopt_run_list *list,
					     struct iopt_run_cursor *c,
					     bool cut, unsigned long index,
					     unsigned long pfn,
					     unsigned int npages)
{
	int rc;

	if (likely(cut))
		return iopt_run_cursor_push(list, c, index, pfn, npages, false);
	iopt_run_cursor_close(list, c, index);
	rc = iopt_run_list_take(list, index, pfn, npages, false);
	iopt_run_cursor_open(list, c);
	return rc;
}

/*
 * What iopt_user_read_domain() reads, straight into a run list: what an
 * unfill reads, one entry per page when the pages are scattered, without
 * a buffer and a call per IOPT_RUN_BUF runs in between.  A run grows in
 * locals and goes into the list once the next page does not continue it.
 */
static int iopt_user_read_domain_list(struct iopt_pages_user *user,
				      unsigned long first, unsigned long last,
				      struct iopt_run_list *list)
{
	const struct iopt_domain_reader r = iopt_domain_reader(user);
	unsigned long index = first, since_resched = 0;
	/* The run being read, [run_index, index) from run_pfn. */
	unsigned long run_index = first, run_pfn = 0;
	unsigned int run_npages = 0;
	/* It does not continue the list's last entry in memory. */
	bool cut = false;
	struct iopt_run_cursor c;
	int rc = 0;

	iopt_run_cursor_open(list, &c);
	while (index <= last) {
		unsigned long pfn, npages;

		npages = iopt_user_domain_run(&r, index, last, &pfn);
		if (!npages) {
			rc = -EFAULT;
			break;
		}
		index += npages;
		if (pfn == run_pfn + run_npages && run_npages &&
		    npages <= UINT_MAX - run_npages) {
			run_npages += npages;
			continue;
		}
		if (run_npages) {
			rc = iopt_user_put_run(list, &c, cut, run_index,
					       run_pfn, run_npages);
			if (rc)
				return rc;
			cut = pfn != run_pfn + run_npages;
		}
		run_index = index - npages;
		run_pfn = pfn;
		run_npages = npages;
		if (unlikely(++since_resched == IOPT_RUN_BUF * 32)) {
			cond_resched();
			since_resched = 0;
		}
	}
	if (!rc && run_npages) {
		rc = iopt_user_put_run(list, &c, cut, run_index, run_pfn,
				       run_npages);
		if (rc)
			return rc;
		run_index = index;
	}
	iopt_run_cursor_close(list, &c, run_index);
	return rc;
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
	if (pages->dmabuf)
		rc = iopt_dmabuf_read(pages, first, last, &buf);
	else if (user->domain)
		rc = iopt_user_read_domain(user, first, last, &buf);
	else
		rc = iopt_user_read_runs(user, first, last, &buf);
	if (!rc)
		rc = iopt_run_buf_flush(&buf);
	return rc;
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
	int rc;

	lockdep_assert_held(&pages->mutex);
	while (pos <= last) {
		pos = iopt_pages_next_uncovered(pages, pos, last, &run_last);
		if (pos > last)
			break;
		if (user->domain && !pages->dmabuf)
			rc = iopt_user_read_domain_list(user, pos, run_last,
							list);
		else
			rc = iopt_user_read(pages, user, pos, run_last,
					    iopt_run_list_collect, list);
		if (rc == -EAGAIN)
			return list->stopped_at;
		pos = run_last + 1;
	}
	return last + 1;
}
