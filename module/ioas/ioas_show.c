// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOASes of a file as the debugfs view shows them (stat/): an "area"
 * line per area, then an "ioas" line with the IOAS's totals, and last a
 * "total" line for the whole file.
 *
 * Memory can be mapped more than once (IOAS_COPY shares it, within one
 * IOAS or across several), so pinned and charged bytes are summed over
 * distinct struct iopt_pages: once per IOAS in its line, once in all in
 * the total.  Mapped bytes count every area.
 */
#include <linux/iommu.h>
#include <linux/seq_file.h>
#include <linux/xarray.h>

#include "area.h"
#include "io_pagetable.h"

/**
 * struct iopt_show - one walk of a file's IOASes
 * @m: where the lines go
 * @file_seen: the pages counted in the file's totals, by address
 * @rc: 0, or -ENOMEM if a set could not grow (the totals would be wrong)
 * @nioas: IOASes walked
 * @total: the file's totals
 */
struct iopt_show {
	struct seq_file *m;
	struct xarray file_seen;
	int rc;
	unsigned int nioas;
	struct iopt_show_sums {
		unsigned long areas;
		u64 mapped;
		u64 pinned;
		u64 charged;
	} total;
};

/* Add @desc to @sums unless @pages is in @seen already. */
static int iopt_show_count(struct xarray *seen, struct iopt_pages *pages,
			   const struct iopt_pages_desc *desc,
			   struct iopt_show_sums *sums)
{
	int rc;

	/*
	 * A reserved index is enough for a set.  Objects are at least word
	 * aligned, so the address over a word is unique.
	 */
	rc = xa_insert(seen, (unsigned long)pages / sizeof(long), NULL,
		       GFP_KERNEL);
	if (rc == -EBUSY)
		return 0;
	if (rc)
		return rc;
	sums->pinned += (u64)desc->npinned * PAGE_SIZE;
	sums->charged += (u64)desc->naccounted * PAGE_SIZE;
	return 0;
}

static void iopt_show_area(struct iopt_show *s, struct iommufd_ioas *ioas,
			   struct iopt_area *area, struct xarray *ioas_seen,
			   struct iopt_show_sums *sums)
{
	struct iopt_pages_desc desc;
	int rc;

	/* Access and lock counts change under pages->mutex: a snapshot. */
	iopt_pages_describe(area->pages, &desc);
	seq_printf(s->m,
		   "area ioas=%u iova=0x%lx length=%lu kind=%s prot=%s%s pid=%d charge=%s uid=%u accesses=%u locks=%u\n",
		   ioas->obj.id, iopt_area_iova(area), iopt_area_length(area),
		   desc.kind, area->iommu_prot & IOMMU_READ ? "r" : "",
		   area->iommu_prot & IOMMU_WRITE ? "w" : "", desc.pid,
		   iopt_account_mode_name(desc.account_mode), desc.uid,
		   READ_ONCE(area->num_accesses), READ_ONCE(area->num_locks));

	sums->areas++;
	sums->mapped += iopt_area_length(area);
	s->total.areas++;
	s->total.mapped += iopt_area_length(area);
	rc = iopt_show_count(ioas_seen, area->pages, &desc, sums);
	if (!rc)
		rc = iopt_show_count(&s->file_seen, area->pages, &desc,
				     &s->total);
	if (rc)
		s->rc = rc;
}

static unsigned int iopt_show_xa_count(struct xarray *xa)
{
	unsigned int n = 0;
	unsigned long index;
	void *entry;

	xa_for_each(xa, index, entry)
		n++;
	return n;
}

static void iopt_show_ioas(struct iommufd_object *obj, void *arg)
{
	struct iommufd_ioas *ioas = container_of(obj, struct iommufd_ioas, obj);
	struct io_pagetable *iopt = &ioas->iopt;
	struct iopt_show_sums sums = {};
	struct iopt_show *s = arg;
	struct xarray ioas_seen;
	struct iopt_area *area;

	xa_init(&ioas_seen);
	s->nioas++;
	down_read(&iopt->iova_rwsem);
	iopt_for_each_area(area, iopt, 0, ULONG_MAX)
		iopt_show_area(s, ioas, area, &ioas_seen, &sums);
	seq_printf(s->m,
		   "ioas id=%u areas=%lu mapped=%llu pinned=%llu charged=%llu domains=%u accesses=%u\n",
		   obj->id, sums.areas, sums.mapped, sums.pinned, sums.charged,
		   iopt_show_xa_count(&iopt->domains),
		   iopt_show_xa_count(&iopt->accesses));
	up_read(&iopt->iova_rwsem);
	xa_destroy(&ioas_seen);
}

/**
 * iommufd_ioas_show_all() - print the IOASes of a file for the debugfs view
 * @m: where the lines go
 * @ictx: the file
 *
 * Context: process context, sleeps; takes each IOAS's iova_rwsem for read
 * and pages locks inside it.
 * Return: 0, or -ENOMEM when the walk could not keep count.
 */
int iommufd_ioas_show_all(struct seq_file *m, struct iommufd_ctx *ictx)
{
	struct iopt_show s = { .m = m };

	xa_init(&s.file_seen);
	iommufd_ctx_show(ictx, BIT(IOMMUFD_OBJ_IOAS), iopt_show_ioas, &s);
	seq_printf(m,
		   "total ioas=%u areas=%lu mapped=%llu pinned=%llu charged=%llu\n",
		   s.nioas, s.total.areas, s.total.mapped, s.total.pinned,
		   s.total.charged);
	xa_destroy(&s.file_seen);
	return s.rc;
}
