// SPDX-License-Identifier: GPL-2.0-only
/*
 * Areas in IOMMU domains: an area's struct iopt_pages_user pins its range
 * while the IOAS has domains, and the domains are the record of its PFNs.
 *
 * Filling streams runs from iopt_pages_produce() straight into every
 * domain, one iommu_map() per run of contiguous pages, so a huge folio is
 * one call and the IOMMU can use its large pages; nothing is stored per
 * page.  While filling it checks that each run that stops short of the
 * end of its folio is the last in the range; if so (the usual case: THP,
 * hugetlbfs, and every order-0 page), reading the domain back costs one
 * iommu_iova_to_phys() per folio, else one per page (user->per_page).
 * Where filling met only order-0 folios (at the ends of runs, where it
 * looks), it is one per page anyway, without looking at folios, but for
 * the 64 KiB sub-blocks it mapped from one physically contiguous
 * stretch, which it notes as it goes (pages/contig.c): one per run of
 * them.
 *
 * Unfilling reads back what nobody else covers, unmaps it from each
 * domain and only then unpins, so the device can reach no page that is
 * already unpinned.  It goes in steps of a few thousand runs, each ending
 * where two runs meet (no IOMMU page spans that), with one IOTLB flush per
 * step and domain: one for a GiB of huge folios, some 64 for a GiB of
 * scattered 4 KiB pages.
 */
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/sizes.h>

#include "../selftest/selftest.h"
#include "pages_priv.h"

/* Bytes of @user's range that pages [index, index + npages) hold. */
static void iopt_user_clip(struct iopt_pages_user *user, unsigned long index,
			   unsigned long npages, unsigned long *start,
			   unsigned long *end)
{
	*start = max(index * PAGE_SIZE, user->start_byte);
	*end = min((index + npages) * PAGE_SIZE, user->end_byte);
}

/* Map @size bytes at @iova; on failure nothing of it stays mapped. */
static int iopt_map_run(struct iommu_domain *domain,
			struct iopt_pages_user *user, unsigned long iova,
			phys_addr_t phys, unsigned long size)
{
	unsigned long done = 0;
	int rc;

	if (!user->small_pages)
		return iommu_map(domain, iova, phys, size, user->prot,
				 GFP_KERNEL_ACCOUNT);
	/* Page by page, at most up to the next page edge each. */
	while (done < size) {
		unsigned long step = min(size - done,
					 PAGE_SIZE - offset_in_page(phys + done));

		rc = iommu_map(domain, iova + done, phys + done, step,
			       user->prot, GFP_KERNEL_ACCOUNT);
		if (rc) {
			if (done)
				iommu_unmap(domain, iova, done);
			return rc;
		}
		done += step;
	}
	return 0;
}

/* Domains a fill maps each run into without walking their xarray. */
#define IOPT_FILL_DOMAINS 8

/**
 * struct iopt_fill - where iopt_fill_run() maps runs
 * @user: the domain user whose range is mapped
 * @domain: map into these @ndomains domains...
 * @ndomains: how many; 0 when @domains holds more than fit in @domain
 * @domains: ...or into every domain of this xarray, walked per run
 * @last_domain: the highest index in @domains; a walk stops there, not
 *	after reading every empty slot up to the end of the xarray's node
 * @next_index: the index after the last run mapped
 * @last_pfn: the PFN of the last page mapped
 * @stretch: the index where the physically contiguous stretch that the
 *	last run ends began (see pages/contig.c)
 * @check_folios: set @user->per_page if a run breaks off inside a folio
 * @large_folio: with @check_folios, a run was seen to end in a folio of
 *	more than one page
 * @note_contig: mark @user's contiguous sub-blocks as stretches end
 */
struct iopt_fill {
	struct iopt_pages_user *user;
	struct iommu_domain *domain[IOPT_FILL_DOMAINS];
	unsigned int ndomains;
	struct xarray *domains;
	unsigned long last_domain;
	unsigned long next_index;
	unsigned long last_pfn;
	unsigned long stretch;
	bool check_folios;
	bool large_folio;
	bool note_contig;
};

/*
 * Does a run ending at @pfn stop at the end of its folio?  Notes in @fill
 * when that folio is a large one.  Inline: with scattered 4 KiB pages it
 * is asked once per page, and an order-0 page answers from its flags.
 */
static __always_inline bool iopt_fill_run_ends_folio(struct iopt_fill *fill,
						     unsigned long pfn)
{
	struct page *page = pfn_to_page(pfn);
	struct folio *folio;

	if (!PageCompound(page))
		return true;
	folio = page_folio(page);
	fill->large_folio = true;
	return folio_page_idx(folio, page) == folio_nr_pages(folio) - 1;
}

/* Map one run into the domains of @fill; on failure, into none. */
static noinline int iopt_fill_one(struct iopt_fill *fill, unsigned long index,
				  unsigned long pfn, unsigned long npages)
{
	struct iopt_pages_user *user = fill->user;
	struct iommu_domain *domain, *failed;
	unsigned long start, end, i;
	unsigned int d;
	phys_addr_t phys;
	int rc = 0;

	iopt_user_clip(user, index, npages, &start, &end);
	phys = PFN_PHYS(pfn) + (start - index * PAGE_SIZE);
	for (d = 0; d < fill->ndomains; d++) {
		rc = iopt_map_run(fill->domain[d], user,
				  user->iova_base + start, phys, end - start);
		if (rc) {
			while (d--)
				iommu_unmap(fill->domain[d],
					    user->iova_base + start,
					    end - start);
			return rc;
		}
	}
	if (fill->ndomains)
		return 0;
	xa_for_each_range(fill->domains, i, domain, 0, fill->last_domain) {
		rc = iopt_map_run(domain, user, user->iova_base + start, phys,
				  end - start);
		if (rc)
			break;
	}
	if (rc) {
		failed = domain;
		xa_for_each_range(fill->domains, i, domain, 0,
				  fill->last_domain) {
			if (domain == failed)
				break;
			iommu_unmap(domain, user->iova_base + start,
				    end - start);
		}
	}
	return rc;
}

/*
 * iopt_run_fn: map runs into the domains of a struct iopt_fill.  With
 * scattered 4 KiB pages a run is a page, so the usual case (one domain,
 * large pages allowed, a run inside the user's bytes) is one iommu_map()
 * with few locals around it, and the rest goes to iopt_fill_one().
 */
static int iopt_fill_run(void *arg, unsigned long index,
			 const struct iopt_pfn_run *runs, unsigned int n,
			 bool fresh, unsigned int *taken)
{
	struct iopt_fill *fill = arg;
	struct iopt_pages_user *user = fill->user;
	const struct iopt_pfn_run *run = runs, *end = runs + n;
	/* Once a run broke off inside a folio, there is nothing to learn. */
	bool check_folios = fill->check_folios && !user->per_page;
	bool note_contig = fill->note_contig;
	unsigned long last_pfn = fill->last_pfn;
	/* Where the stretch that these runs continue began. */
	unsigned long stretch = fill->stretch;
	/* Runs of indexes in [direct_lo, direct_hi) take the usual case. */
	unsigned long direct_lo = ULONG_MAX, direct_hi = 0;
	int rc = 0;

	/*
	 * As if the IOMMU driver ran out of page table memory here, with the
	 * runs before these already mapped.
	 */
	if (iommufd_should_fail()) {
		*taken = 0;
		return -ENOMEM;
	}
	if (fill->ndomains == 1 && !user->small_pages) {
		direct_lo = DIV_ROUND_UP(user->start_byte, PAGE_SIZE);
		direct_hi = user->end_byte / PAGE_SIZE;
	}
	/* The first run of the range ends no run before it. */
	if (index == user->node.start && run != end)
		last_pfn = run->pfn - 1;
	for (; run != end; run++) {
		unsigned long pfn = run->pfn, npages = run->npages;

		if (pfn != last_pfn + 1) {
			if (check_folios &&
			    !iopt_fill_run_ends_folio(fill, last_pfn)) {
				user->per_page = true;
				check_folios = false;
			}
			/*
			 * The stretch ends here: note its sub-blocks, if it
			 * can hold one (with scattered pages, none can).
			 */
			if (index - stretch >= IOPT_CONTIG_SUB_PAGES &&
			    note_contig)
				note_contig = iopt_user_contig_note(user,
								    stretch,
								    index);
			stretch = index;
		}
		if (likely(index >= direct_lo && index + npages <= direct_hi))
			rc = iommu_map(fill->domain[0],
				       user->iova_base + index * PAGE_SIZE,
				       PFN_PHYS(pfn), npages * PAGE_SIZE,
				       user->prot, GFP_KERNEL_ACCOUNT);
		else
			rc = iopt_fill_one(fill, index, pfn, npages);
		if (rc)
			break;
		index += npages;
		last_pfn = pfn + npages - 1;
	}
	fill->next_index = index;
	fill->last_pfn = last_pfn;
	fill->stretch = stretch;
	fill->note_contig = note_contig;
	*taken = run - runs;
	return rc;
}

/**
 * iopt_user_unmap() - unmap @user's bytes of pages [@first, @last]
 * @domain: the domain to unmap them from
 * @user: a domain user
 * @first: first index
 * @last: last index, inclusive
 * @gather: collects the IOTLB flush; the caller syncs @domain with it
 */
void iopt_user_unmap(struct iommu_domain *domain,
		     struct iopt_pages_user *user, unsigned long first,
		     unsigned long last, struct iommu_iotlb_gather *gather)
{
	unsigned long start, end;
	size_t unmapped;

	iopt_user_clip(user, first, last - first + 1, &start, &end);
	unmapped = iommu_unmap_fast(domain, user->iova_base + start,
				    end - start, gather);
	WARN_ON(unmapped != end - start);
}

/*
 * Runs read back per step of an unfill: 64 KiB of them, like a pin batch,
 * so a GiB of scattered 4 KiB pages takes some 64 IOTLB flushes and a
 * range of huge folios one.
 */
#define IOPT_UNFILL_RUNS (SZ_64K / sizeof(struct iopt_run_entry))

/*
 * Take [first, last] of @user, which is not in the tree, out of every
 * domain and unpin what nobody else covers.  Step by step: read back a
 * batch of runs, unmap up to where they end (a cut point: no IOMMU page
 * spans it), one IOTLB flush per domain, and only then unpin them.
 */
static void iopt_user_unfill_range(struct iopt_pages *pages,
				   struct iopt_pages_user *user,
				   unsigned long first, unsigned long last,
				   struct xarray *domains)
{
	struct iommu_iotlb_gather gather;
	struct iommu_domain *domain;
	struct iopt_run_list list;
	unsigned long pos = first, cut, i;

	lockdep_assert_held(&pages->mutex);

	/* A dma-buf: nothing pinned, and nothing mapped once revoked. */
	if (pages->dmabuf) {
		if (pages->dmabuf->revoked)
			return;
		xa_for_each(domains, i, domain) {
			iommu_iotlb_gather_init(&gather);
			iopt_user_unmap(domain, user, first, last, &gather);
			iommu_iotlb_sync(domain, &gather);
		}
		return;
	}

	iopt_run_list_init(&list, GFP_KERNEL | __GFP_NOFAIL, IOPT_UNFILL_RUNS);
	do {
		cut = iopt_user_collect_uncovered(pages, user, pos, last,
						  &list);
		xa_for_each(domains, i, domain) {
			iommu_iotlb_gather_init(&gather);
			iopt_user_unmap(domain, user, pos, cut - 1, &gather);
			iommu_iotlb_sync(domain, &gather);
		}
		iopt_pages_unpinned(pages,
				    iopt_run_list_unpin(pages, &list, false));
		iopt_run_list_reuse(&list);
		pos = cut;
	} while (pos <= last);
	iopt_run_list_free(&list);
}

/**
 * iopt_pages_fill_user() - pin a domain user's range and map it into
 *	every domain
 * @pages: the pages
 * @user: the user, set up by its owner, not pinned
 * @domains: the domains, at least one
 *
 * Context: process context, may sleep; takes pages->mutex.  The caller
 * keeps @domains stable.
 * Return: 0, or a negative errno with nothing pinned or mapped: those of
 * pinning (iopt_pages_pin()) and of iommu_map().
 */
int iopt_pages_fill_user(struct iopt_pages *pages,
			 struct iopt_pages_user *user, struct xarray *domains)
{
	struct iopt_fill fill = {
		.user = user,
		.domains = domains,
		.next_index = user->node.start,
		.stretch = user->node.start,
		.check_folios = !pages->dmabuf,	/* MMIO has no folios */
		.note_contig = !pages->dmabuf,
	};
	struct iommu_domain *domain;
	unsigned long first = 0, i;
	int rc = 0;

	user->domain = xa_find(domains, &first, ULONG_MAX, XA_PRESENT);
	if (WARN_ON(!user->domain || user->contig))
		return -EINVAL;
	user->per_page = false;
	/* Usually one domain, a few at most: no xarray walk per run. */
	xa_for_each_start(domains, i, domain, first) {
		if (fill.ndomains < IOPT_FILL_DOMAINS)
			fill.domain[fill.ndomains] = domain;
		fill.ndomains++;
		fill.last_domain = i;
	}
	if (fill.ndomains > IOPT_FILL_DOMAINS)
		fill.ndomains = 0;

	mutex_lock(&pages->mutex);
	if (pages->dmabuf) {
		user->prot |= pages->dmabuf->prot;
		xa_for_each(domains, i, domain) {
			rc = iopt_dmabuf_track(pages, user, domain);
			if (rc)
				break;
		}
	}
	if (!rc)
		rc = iopt_pages_produce(pages, user->node.start,
					user->node.last, iopt_fill_run, &fill);
	if (rc) {
		if (fill.next_index != user->node.start)
			iopt_user_unfill_range(pages, user, user->node.start,
					       fill.next_index - 1, domains);
		if (pages->dmabuf)
			iopt_dmabuf_untrack(pages, user, NULL);
		iopt_user_contig_free(user);
		user->domain = NULL;
	} else {
		/* The last run's end, which no next run made it look at. */
		if (fill.check_folios) {
			iopt_fill_run_ends_folio(&fill, fill.last_pfn);
			if (!fill.large_folio)
				user->per_page = true;
		}
		if (fill.note_contig)
			iopt_user_contig_note(user, fill.stretch,
					      user->node.last + 1);
		/* Read back by folio, it has no use for the masks. */
		if (!user->per_page)
			iopt_user_contig_free(user);
		interval_tree_insert(&user->node, &pages->users_itree);
	}
	mutex_unlock(&pages->mutex);
	return rc;
}

/**
 * iopt_pages_unfill_user() - undo iopt_pages_fill_user()
 * @pages: the pages
 * @user: the user
 * @domains: every domain the user is mapped in
 *
 * Context: process context, may sleep; takes pages->mutex.
 */
void iopt_pages_unfill_user(struct iopt_pages *pages,
			    struct iopt_pages_user *user,
			    struct xarray *domains)
{
	mutex_lock(&pages->mutex);
	interval_tree_remove(&user->node, &pages->users_itree);
	iopt_user_unfill_range(pages, user, user->node.start, user->node.last,
			       domains);
	if (pages->dmabuf)
		iopt_dmabuf_untrack(pages, user, NULL);
	iopt_user_contig_free(user);
	user->domain = NULL;
	mutex_unlock(&pages->mutex);
}

/**
 * iopt_pages_map_user() - map a filled user's range into one more domain
 * @pages: the pages
 * @user: the user, filled
 * @domain: the new domain
 *
 * The PFNs are read back from the user's domain: nothing is pinned.
 *
 * Context: process context, may sleep; takes pages->mutex.
 * Return: 0, or the error of iommu_map() with nothing mapped.
 */
int iopt_pages_map_user(struct iopt_pages *pages,
			struct iopt_pages_user *user,
			struct iommu_domain *domain)
{
	struct iopt_fill fill = {
		.user = user,
		.domain = { domain },
		.ndomains = 1,
		.next_index = user->node.start,
	};
	int rc = 0;

	mutex_lock(&pages->mutex);
	if (pages->dmabuf)
		rc = iopt_dmabuf_track(pages, user, domain);
	if (!rc)
		rc = iopt_user_read(pages, user, user->node.start,
				    user->node.last, iopt_fill_run, &fill);
	if (rc && fill.next_index != user->node.start) {
		struct iommu_iotlb_gather gather;

		iommu_iotlb_gather_init(&gather);
		iopt_user_unmap(domain, user, user->node.start,
				fill.next_index - 1, &gather);
		iommu_iotlb_sync(domain, &gather);
	}
	if (rc && pages->dmabuf)
		iopt_dmabuf_untrack(pages, user, domain);
	mutex_unlock(&pages->mutex);
	return rc;
}

/**
 * iopt_pages_unmap_user() - take a filled user's range out of one domain
 *	of several
 * @pages: the pages
 * @user: the user, filled
 * @domain: the domain it leaves
 * @record: a domain it stays mapped in, its record from now on
 * @gather: collects the IOTLB flush; the caller syncs @domain with it
 *
 * Context: process context, may sleep; takes pages->mutex.
 */
void iopt_pages_unmap_user(struct iopt_pages *pages,
			   struct iopt_pages_user *user,
			   struct iommu_domain *domain,
			   struct iommu_domain *record,
			   struct iommu_iotlb_gather *gather)
{
	mutex_lock(&pages->mutex);
	if (user->domain == domain)
		user->domain = record;
	if (pages->dmabuf)
		iopt_dmabuf_untrack(pages, user, domain);
	if (!pages->dmabuf || !pages->dmabuf->revoked)
		iopt_user_unmap(domain, user, user->node.start,
				user->node.last, gather);
	mutex_unlock(&pages->mutex);
}

/**
 * iopt_pages_split_user() - cut a filled domain user in two
 * @pages: the pages
 * @left: the user, filled; keeps the part before @split_byte
 * @right: set up by its owner for the part from @split_byte
 *	on, not pinned; takes it over with the same record
 * @split_byte: where to cut, inside @left's range, on a page edge
 *
 * Nothing is pinned, unpinned or remapped: both halves are mapped as the
 * whole was.
 *
 * Context: process context; takes pages->mutex.
 */
void iopt_pages_split_user(struct iopt_pages *pages,
			   struct iopt_pages_user *left,
			   struct iopt_pages_user *right,
			   unsigned long split_byte)
{
	/* The callers never cut dma-buf areas; their tracks would not follow. */
	WARN_ON(pages->dmabuf);
	mutex_lock(&pages->mutex);
	interval_tree_remove(&left->node, &pages->users_itree);
	right->domain = left->domain;
	right->per_page = left->per_page;
	right->small_pages = left->small_pages;
	iopt_user_contig_split(left, right);
	left->end_byte = split_byte;
	left->node.last = (split_byte - 1) / PAGE_SIZE;
	interval_tree_insert(&left->node, &pages->users_itree);
	interval_tree_insert(&right->node, &pages->users_itree);
	mutex_unlock(&pages->mutex);
}
