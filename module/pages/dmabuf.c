// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pages that are a dma-buf: memory another driver exports, such as a PCI
 * BAR, mapped with IOMMU_IOAS_MAP_FILE of the dma-buf's fd so that devices
 * can reach each other's memory (peer-to-peer DMA).
 *
 * Nothing is pinned or charged to RLIMIT_MEMLOCK: the memory is the
 * exporter's, which says where it is (one physical range) through the
 * struct iommufd_dmabuf_exporter it registered here, and may take it back
 * at any time (a device reset, its memory decoding turned off, unbind).
 * It then calls dma_buf_move_notify() under the dma-buf's reservation
 * lock, and before that returns the range is out of every domain it was
 * mapped in: the pages are revoked for good.  Their areas stay in the IOAS
 * until unmapped, mapping nothing; a new MAP_FILE of the dma-buf maps it
 * again if the exporter has it back.
 *
 * For that the pages know which domains each area of theirs is mapped in
 * (struct iopt_dmabuf_track, one per user and domain), kept by the
 * domain functions of pages_domain.c under pages->mutex.  In-kernel
 * accesses cannot use the pages (no struct page to pin or copy through),
 * and an area of them is never cut.
 *
 * Locking: the reservation lock of the dma-buf is taken holding none of
 * this module's locks; revocation takes pages->mutex inside it.  That is
 * the opposite of memory pages, whose pages->mutex is held around GUP and
 * so the mmap lock (inside which drivers take reservation locks), so the
 * mutex of dma-buf pages is a lock class of its own: it is never held
 * around GUP or a user copy.  The exporters' list is protected by
 * iopt_dmabuf_exporters_lock, a leaf.  IOMMU_IOAS_MAP of an exporter's
 * user mapping calls the exporter holding the mmap lock for read and no
 * lock of this module (the exporter's module is held instead).
 */
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/iommu.h>
#include <linux/iommufd_ext.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "../iommufd_private.h"
#include "pages_priv.h"

static LIST_HEAD(iopt_dmabuf_exporters);
static DEFINE_MUTEX(iopt_dmabuf_exporters_lock);

/**
 * iommufd_dmabuf_exporter_register() - let dma-bufs of an exporter be
 *	mapped with IOMMU_IOAS_MAP_FILE
 * @exporter: its dma_buf_ops and how to find a dma-buf's memory; stays
 *	registered until iommufd_dmabuf_exporter_unregister()
 *
 * The exporter must call dma_buf_move_notify() when it takes the memory
 * of a dma-buf back, and must have dma_buf_ops.pin and .unpin.
 *
 * Context: process context.
 */
void iommufd_dmabuf_exporter_register(struct iommufd_dmabuf_exporter *exporter)
{
	mutex_lock(&iopt_dmabuf_exporters_lock);
	list_add_tail(&exporter->item, &iopt_dmabuf_exporters);
	mutex_unlock(&iopt_dmabuf_exporters_lock);
}
EXPORT_SYMBOL_NS_GPL(iommufd_dmabuf_exporter_register, IOMMUFD);

/**
 * iommufd_dmabuf_exporter_unregister() - undo
 *	iommufd_dmabuf_exporter_register()
 * @exporter: the exporter; none of its dma-bufs is mapped any more (each
 *	holds the exporter's module)
 *
 * Context: process context.
 */
void iommufd_dmabuf_exporter_unregister(struct iommufd_dmabuf_exporter *exporter)
{
	mutex_lock(&iopt_dmabuf_exporters_lock);
	list_del(&exporter->item);
	mutex_unlock(&iopt_dmabuf_exporters_lock);
}
EXPORT_SYMBOL_NS_GPL(iommufd_dmabuf_exporter_unregister, IOMMUFD);

/**
 * iopt_dmabuf_of_user() - the dma-buf behind an exporter's user mapping
 * @hint: what the caller's file last learnt (pages/vma_hint.c), which
 *	did not cover @uptr (iopt_vma_hint_covers()); kept up to date here
 * @uptr: user address in current's memory, as IOMMU_IOAS_MAP passes it
 * @length: bytes
 * @writable: will be mapped writable
 * @start: out: @uptr's offset in the dma-buf
 *
 * A device BAR that a driver maps into user space (vfio-pci's BAR mmap) has
 * no pages to pin: when a registered exporter made that mapping, it
 * describes the same memory as a new dma-buf instead, which is revocable
 * like one passed to IOMMU_IOAS_MAP_FILE.
 *
 * Context: process context, may sleep; takes the mmap lock for read.
 * Return: the dma-buf (the caller's reference); ERR_PTR(-EOPNOTSUPP) if no
 * exporter maps @uptr (it is memory to pin, or nothing); -EFAULT for a
 * range past the mapping, or writable of a read-only one; -EINTR; the
 * exporter's errors.
 */
struct dma_buf *iopt_dmabuf_of_user(struct iopt_vma_hint *hint,
				    void __user *uptr, unsigned long length,
				    bool writable, unsigned long *start)
{
	struct iommufd_dmabuf_exporter *exporter, *found = NULL;
	unsigned long uva = (unsigned long)uptr;
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct dma_buf *dmabuf;

	if (mmap_read_lock_killable(mm))
		return ERR_PTR(-EINTR);
	vma = vma_lookup(mm, uva);
	if (!vma) {
		dmabuf = ERR_PTR(-EOPNOTSUPP);
		goto out_unlock;
	}
	if (!(vma->vm_flags & VM_PFNMAP)) {
		/* Pages, no exporter's: the next map here need not look. */
		iopt_vma_hint_set(hint, vma);
		dmabuf = ERR_PTR(-EOPNOTSUPP);
		goto out_unlock;
	}
	mutex_lock(&iopt_dmabuf_exporters_lock);
	list_for_each_entry(exporter, &iopt_dmabuf_exporters, item) {
		if (exporter->vm_ops && exporter->vm_ops == vma->vm_ops &&
		    try_module_get(exporter->owner)) {
			found = exporter;
			break;
		}
	}
	mutex_unlock(&iopt_dmabuf_exporters_lock);
	if (!found) {
		dmabuf = ERR_PTR(-EOPNOTSUPP);
		goto out_unlock;
	}
	/* As GUP would refuse it. */
	if (writable && !(vma->vm_flags & VM_WRITE))
		dmabuf = ERR_PTR(-EFAULT);
	else
		dmabuf = found->vma_dmabuf(vma, uva, length, start);
	module_put(found->owner);
out_unlock:
	mmap_read_unlock(mm);
	return dmabuf;
}

/* Where @attach's dma-buf is, from its exporter; resv held. */
static int iopt_dmabuf_locate(struct dma_buf_attachment *attach,
			      phys_addr_t *phys, size_t *len, bool *mmio)
{
	struct iommufd_dmabuf_exporter *exporter;
	int rc = -EOPNOTSUPP;

	dma_resv_assert_held(attach->dmabuf->resv);
	mutex_lock(&iopt_dmabuf_exporters_lock);
	list_for_each_entry(exporter, &iopt_dmabuf_exporters, item) {
		if (exporter->ops != attach->dmabuf->ops)
			continue;
		rc = exporter->locate(attach, phys, len);
		*mmio = exporter->mmio;
		break;
	}
	mutex_unlock(&iopt_dmabuf_exporters_lock);
	return rc;
}

/* The exporter takes the memory back: out of every domain, for good. */
static void iopt_dmabuf_revoke(struct dma_buf_attachment *attach)
{
	struct iopt_pages *pages = attach->importer_priv;
	struct iopt_dmabuf *dm = pages->dmabuf;
	struct iommu_iotlb_gather gather;
	struct iopt_dmabuf_track *track;

	dma_resv_assert_held(attach->dmabuf->resv);
	mutex_lock(&pages->mutex);
	if (!dm->revoked) {
		list_for_each_entry(track, &dm->tracks, item) {
			iommu_iotlb_gather_init(&gather);
			iopt_user_unmap(track->domain, track->user,
					track->user->node.start,
					track->user->node.last, &gather);
			iommu_iotlb_sync(track->domain, &gather);
		}
		dm->revoked = true;
	}
	mutex_unlock(&pages->mutex);
}

static const struct dma_buf_attach_ops iopt_dmabuf_attach_ops = {
	.allow_peer2peer = true,
	.move_notify = iopt_dmabuf_revoke,
};

/*
 * Attach to @dmabuf and pin it (the exporter keeps it where it is until
 * it revokes it), and find where bytes [start, start + length) are.
 */
static int iopt_dmabuf_attach(struct iopt_pages *pages,
			      struct dma_buf *dmabuf, unsigned long start,
			      unsigned long length)
{
	struct iopt_dmabuf *dm = pages->dmabuf;
	struct dma_buf_attachment *attach;
	phys_addr_t phys;
	size_t len;
	bool mmio;
	int rc;

	attach = dma_buf_dynamic_attach(dmabuf, iommufd_global_device(),
					&iopt_dmabuf_attach_ops, pages);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	dma_resv_lock(dmabuf->resv, NULL);
	/* Tell lockdep now, not at the first revocation, what nests in it. */
	if (IS_ENABLED(CONFIG_LOCKDEP)) {
		mutex_lock(&pages->mutex);
		mutex_unlock(&pages->mutex);
	}
	rc = dma_buf_pin(attach);
	if (rc)
		goto err_unlock;
	rc = iopt_dmabuf_locate(attach, &phys, &len, &mmio);
	if (!rc && (start >= len || length > len - start))
		rc = -EINVAL;
	if (rc)
		goto err_unpin;
	dma_resv_unlock(dmabuf->resv);

	dm->attach = attach;
	dm->phys = phys + ALIGN_DOWN(start, PAGE_SIZE);
	dm->prot = mmio ? IOMMU_MMIO : 0;
	return 0;

err_unpin:
	dma_buf_unpin(attach);
err_unlock:
	dma_resv_unlock(dmabuf->resv);
	dma_buf_detach(dmabuf, attach);
	return rc;
}

/**
 * iopt_pages_alloc_dmabuf() - describe part of a dma-buf for mapping
 * @dmabuf: the dma-buf; the pages take their own reference
 * @start: byte offset in it
 * @length: bytes
 * @writable: will be mapped writable
 *
 * Context: process context, may sleep; takes the dma-buf's reservation
 * lock.
 * Return: the pages, or ERR_PTR(): -EINVAL for a zero length or a range
 * past the end of the dma-buf; -EOPNOTSUPP for a dma-buf of an exporter
 * that did not register; -ENODEV if the exporter has revoked it; -ENOMEM;
 * the errors of dma_buf_dynamic_attach() and dma_buf_pin().
 */
struct iopt_pages *iopt_pages_alloc_dmabuf(struct dma_buf *dmabuf,
					   unsigned long start,
					   unsigned long length, bool writable)
{
	static struct lock_class_key dmabuf_pages_mutex_key;
	struct iopt_pages *pages;
	unsigned long npages;
	int rc;

	rc = iopt_pages_span(start, length, &npages);
	if (rc)
		return ERR_PTR(rc);
	pages = iopt_pages_create(npages, writable, false);
	if (IS_ERR(pages))
		return pages;
	lockdep_set_class(&pages->mutex, &dmabuf_pages_mutex_key);
	pages->dmabuf = kzalloc(sizeof(*pages->dmabuf), GFP_KERNEL_ACCOUNT);
	if (!pages->dmabuf) {
		rc = -ENOMEM;
		goto err_put;
	}
	INIT_LIST_HEAD(&pages->dmabuf->tracks);
	pages->dmabuf->start = ALIGN_DOWN(start, PAGE_SIZE);
	rc = iopt_dmabuf_attach(pages, dmabuf, start, length);
	if (rc)
		goto err_put;
	get_dma_buf(dmabuf);
	pages->dmabuf->dmabuf = dmabuf;
	return pages;

err_put:
	iopt_pages_put(pages);
	return ERR_PTR(rc);
}

/**
 * iopt_dmabuf_release() - let go of the dma-buf of pages being freed
 * @pages: the pages, of a dma-buf; no area maps them any more
 *
 * Context: process context, may sleep; takes the reservation lock.
 */
void iopt_dmabuf_release(struct iopt_pages *pages)
{
	struct iopt_dmabuf *dm = pages->dmabuf;

	WARN_ON(!list_empty(&dm->tracks));
	if (dm->attach) {
		dma_resv_lock(dm->dmabuf->resv, NULL);
		dma_buf_unpin(dm->attach);
		dma_resv_unlock(dm->dmabuf->resv);
		dma_buf_detach(dm->dmabuf, dm->attach);
		dma_buf_put(dm->dmabuf);
	}
	kfree(dm);
}

/**
 * iopt_dmabuf_read() - the runs of [@first, @last] of dma-buf pages
 * @pages: the pages
 * @first: first index
 * @last: last index, inclusive
 * @buf: where they go
 *
 * One run, from where the exporter said the memory is; none once revoked.
 *
 * Context: pages->mutex held.
 * Return: 0, or the error of the consumer.
 */
int iopt_dmabuf_read(struct iopt_pages *pages, unsigned long first,
		     unsigned long last, struct iopt_run_buf *buf)
{
	lockdep_assert_held(&pages->mutex);
	if (pages->dmabuf->revoked)
		return 0;
	return iopt_run_buf_add(buf, PHYS_PFN(pages->dmabuf->phys) + first,
				last - first + 1);
}

/**
 * iopt_dmabuf_track() - note that @user is mapped in @domain
 * @pages: dma-buf pages
 * @user: a domain user of them
 * @domain: the domain
 *
 * Context: pages->mutex held.
 * Return: 0, or -ENOMEM.
 */
int iopt_dmabuf_track(struct iopt_pages *pages, struct iopt_pages_user *user,
		      struct iommu_domain *domain)
{
	struct iopt_dmabuf_track *track;

	lockdep_assert_held(&pages->mutex);
	track = kzalloc(sizeof(*track), GFP_KERNEL_ACCOUNT);
	if (!track)
		return -ENOMEM;
	track->user = user;
	track->domain = domain;
	list_add_tail(&track->item, &pages->dmabuf->tracks);
	return 0;
}

/**
 * iopt_dmabuf_untrack() - undo iopt_dmabuf_track()
 * @pages: dma-buf pages
 * @user: the user
 * @domain: the domain it leaves, or NULL for every one
 *
 * Context: pages->mutex held.
 */
void iopt_dmabuf_untrack(struct iopt_pages *pages,
			 struct iopt_pages_user *user,
			 struct iommu_domain *domain)
{
	struct iopt_dmabuf_track *track, *next;

	lockdep_assert_held(&pages->mutex);
	list_for_each_entry_safe(track, next, &pages->dmabuf->tracks, item) {
		if (track->user != user || (domain && track->domain != domain))
			continue;
		list_del(&track->item);
		kfree(track);
	}
}
