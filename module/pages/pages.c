// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct iopt_pages: user memory behind one or more areas, and its pins.
 * Making and releasing one is here; taking pins is pin.c's, reading a
 * user's PFNs back user_read.c's, pins of in-kernel accesses access_pin.c's.
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
 * struct iopt_pages_user's per_page), or for small pages one per 2 MiB
 * block that filling mapped in physical order (contig.c); an access's pin
 * keeps its PFNs as runs.  Everything moves in runs of contiguous pages
 * (pages_priv.h), so a huge folio is pinned, mapped, read back and
 * unpinned in one step each.
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

/* What every kind of pages shares; @npages is checked by the callers. */
struct iopt_pages *iopt_pages_create(unsigned long npages, bool writable,
				     bool process_mode)
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
int iopt_pages_span(unsigned long start, unsigned long length,
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

/**
 * iopt_pages_base() - the address or offset of index 0 of @pages
 * @pages: the pages
 *
 * For aligning automatic IOVA the way the memory itself is aligned.
 *
 * Return: the page-aligned user address, or offset in the file or dma-buf.
 */
unsigned long iopt_pages_base(struct iopt_pages *pages)
{
	if (pages->dmabuf)
		return pages->dmabuf->start;
	return pages->file ? pages->file_start : (unsigned long)pages->uptr;
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
	if (pages->dmabuf)
		iopt_dmabuf_release(pages);
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
