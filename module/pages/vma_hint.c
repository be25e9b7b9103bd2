// SPDX-License-Identifier: GPL-2.0-only
/*
 * What IOMMU_IOAS_MAP last learnt of a user address range: that it is a
 * VMA of pages, not a dma-buf exporter's mapping (a vfio-pci BAR), so the
 * range is memory to pin.  Finding that out takes the mmap lock and a walk of the VMA tree;
 * remembering it lets the next map of the same memory skip both: mapping
 * guest RAM into several IOASes, or piece by piece as a VMM's emulated
 * IOMMU asks.  Each /dev/iommu file keeps one.
 *
 * The answer stays true while the VMA tree of its mm is unchanged.  Every
 * change to the tree happens under the mmap lock held for write, and
 * taking and dropping that moves mm->mm_lock_seq (odd while held): the
 * answer is used only while the count still reads as it did under the
 * read lock the lookup held.  Even a wrong answer could only make a BAR
 * look like memory, which GUP refuses: it never grants more access.
 *
 * Locking: the hint's seqlock protects its fields; readers retry and never
 * block.  Taken holding the mmap lock for read, or nothing.
 */
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/mm.h>
#include <linux/seqlock.h>
#include <linux/slab.h>

#include "../iommufd_private.h"
#include "pages_priv.h"

/**
 * struct iopt_vma_hint - a user range known to hold no exporter's mapping
 * @lock: protects the fields below
 * @mm: whose range, with mmgrab() so the address names no other mm; or NULL
 * @start: first byte
 * @end: byte after the last
 * @mm_seq: @mm's mm_lock_seq when the range was looked up
 */
struct iopt_vma_hint {
	seqlock_t lock;
	struct mm_struct *mm;
	unsigned long start;
	unsigned long end;
	unsigned int mm_seq;
};

#if defined(CONFIG_PER_VMA_LOCK) && defined(IOMMUFD_MM_LOCK_SEQCOUNT)
#define IOPT_VMA_HINT true

/* Moves whenever @mm's VMA tree may have changed; odd while it may change. */
static unsigned int iopt_mm_vma_seq(struct mm_struct *mm)
{
	return raw_read_seqcount(&mm->mm_lock_seq);
}
#else
/* No count to trust (see module/Kbuild): the hint remembers nothing. */
#define IOPT_VMA_HINT false

static unsigned int iopt_mm_vma_seq(struct mm_struct *mm)
{
	return 0;
}
#endif

/**
 * iopt_vma_hint_alloc() - an empty hint for one /dev/iommu file
 *
 * Context: process context, may sleep.
 * Return: the hint, or NULL without memory.
 */
struct iopt_vma_hint *iopt_vma_hint_alloc(void)
{
	struct iopt_vma_hint *hint;

	hint = kzalloc(sizeof(*hint), GFP_KERNEL_ACCOUNT);
	if (hint)
		seqlock_init(&hint->lock);
	return hint;
}

/**
 * iopt_vma_hint_free() - free a hint and let go of its mm
 * @hint: the hint, or NULL; nothing uses it any more
 *
 * Context: process context.
 */
void iopt_vma_hint_free(struct iopt_vma_hint *hint)
{
	if (!hint)
		return;
	if (hint->mm)
		mmdrop(hint->mm);
	kfree(hint);
}

/**
 * iopt_vma_hint_covers() - is @uva known to be memory to pin?
 * @hint: the file's hint
 * @mm: the address space of @uva
 * @uva: a user address
 *
 * True when the last VMA a map of this file found to hold pages, not an
 * exporter's mapping (iopt_dmabuf_of_user()), holds @uva and the VMA tree
 * of @mm has not changed since.  False says nothing: look it up.
 *
 * Context: any; never blocks.
 * Return: whether @uva is known to be memory.
 */
bool iopt_vma_hint_covers(struct iopt_vma_hint *hint, struct mm_struct *mm,
			  unsigned long uva)
{
	unsigned int seq;
	bool hit;

	if (!IOPT_VMA_HINT)
		return false;
	do {
		seq = read_seqbegin(&hint->lock);
		hit = hint->mm == mm && uva >= hint->start &&
		      uva < hint->end && hint->mm_seq == iopt_mm_vma_seq(mm);
	} while (read_seqretry(&hint->lock, seq));
	return hit;
}

/* @vma, looked up under the mmap lock, has pages (no VM_PFNMAP): note it. */
void iopt_vma_hint_set(struct iopt_vma_hint *hint, struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm, *old = NULL;

	mmap_assert_locked(mm);
	if (!IOPT_VMA_HINT)
		return;

	write_seqlock(&hint->lock);
	if (hint->mm != mm) {
		old = hint->mm;
		mmgrab(mm);
		hint->mm = mm;
	}
	hint->start = vma->vm_start;
	hint->end = vma->vm_end;
	/* Stable and even: no writer while the read lock is held. */
	hint->mm_seq = iopt_mm_vma_seq(mm);
	write_sequnlock(&hint->lock);
	if (old)
		mmdrop(old);
}
