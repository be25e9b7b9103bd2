// SPDX-License-Identifier: GPL-2.0-only
/*
 * Charging pinned pages against RLIMIT_MEMLOCK.
 *
 * Every pinned page shows in the mapping process's mm->pinned_vm (VmPin in
 * /proc/PID/status).  On top of that, depending on the pages' account mode:
 *   IOPT_ACCOUNT_USER  the user's locked_vm is charged and may not pass the
 *                      mapping task's RLIMIT_MEMLOCK: all processes of one
 *                      user share the limit (the default)
 *   IOPT_ACCOUNT_MM    the process's mm->locked_vm is charged against its
 *                      own limit (IOMMU_OPTION_RLIMIT_MODE = 1)
 *   IOPT_ACCOUNT_NONE  nothing more: the mapper had CAP_IPC_LOCK
 * A page is charged once however many domains and accesses use it.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>

#include "../ioas/io_pagetable.h"
#include "pages.h"

static int iopt_charge_user(struct iopt_pages *pages, unsigned long npages)
{
	unsigned long limit, cur, next;

	limit = task_rlimit(pages->source_task, RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	cur = atomic_long_read(&pages->source_user->locked_vm);
	do {
		if (check_add_overflow(cur, npages, &next) || next > limit)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&pages->source_user->locked_vm, &cur,
					  next));
	return 0;
}

static int iopt_charge_mm(struct iopt_pages *pages, unsigned long npages,
			  bool inc)
{
	struct mm_struct *mm = pages->source_mm;
	int rc;

	/* The mm may be exiting; a dead mm has no limit left to enforce. */
	if (!mmget_not_zero(mm))
		return inc ? -EFAULT : 0;
	mmap_write_lock(mm);
	rc = __account_locked_vm(mm, npages, inc, pages->source_task, false);
	mmap_write_unlock(mm);
	mmput(mm);
	return rc;
}

/**
 * iopt_pages_charge() - charge @npages newly pinned pages
 * @pages: the pages they belong to
 * @npages: how many
 *
 * Context: pages->mutex held; may sleep.
 * Return: 0, or -ENOMEM (-EFAULT if the process is gone) with nothing
 * charged.
 */
int iopt_pages_charge(struct iopt_pages *pages, unsigned long npages)
{
	int rc = 0;

	lockdep_assert_held(&pages->mutex);

	if (pages->account_mode == IOPT_ACCOUNT_USER)
		rc = iopt_charge_user(pages, npages);
	else if (pages->account_mode == IOPT_ACCOUNT_MM)
		rc = iopt_charge_mm(pages, npages, true);
	if (rc)
		return rc;
	atomic64_add(npages, &pages->source_mm->pinned_vm);
	pages->naccounted += npages;
	return 0;
}

/**
 * iopt_pages_uncharge() - give back the charge of @npages unpinned pages
 * @pages: the pages they belonged to
 * @npages: how many
 *
 * Context: pages->mutex held; may sleep.
 */
void iopt_pages_uncharge(struct iopt_pages *pages, unsigned long npages)
{
	lockdep_assert_held(&pages->mutex);

	if (WARN_ON(npages > pages->naccounted))
		npages = pages->naccounted;
	if (pages->account_mode == IOPT_ACCOUNT_USER)
		atomic_long_sub(npages, &pages->source_user->locked_vm);
	else if (pages->account_mode == IOPT_ACCOUNT_MM)
		iopt_charge_mm(pages, npages, false);
	atomic64_sub(npages, &pages->source_mm->pinned_vm);
	pages->naccounted -= npages;
}

/**
 * iopt_account_mode_for_current() - how memory mapped by current is charged
 * @process_mode: the file's IOMMU_OPTION_RLIMIT_MODE is 1
 *
 * Return: an enum iopt_account_mode.
 */
u8 iopt_account_mode_for_current(bool process_mode)
{
	if (capable(CAP_IPC_LOCK))
		return IOPT_ACCOUNT_NONE;
	return process_mode ? IOPT_ACCOUNT_MM : IOPT_ACCOUNT_USER;
}
