// SPDX-License-Identifier: GPL-2.0-only
/*
 * Charging pinned pages against RLIMIT_MEMLOCK.
 *
 * Every pinned page shows in the mapping process's mm->pinned_vm (VmPin in
 * /proc/PID/status), or that of the process that took the mapping over
 * with IOMMU_IOAS_CHANGE_PROCESS (see the end of this file).  On top of
 * that, depending on the pages' account mode:
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
#include <linux/uidgid.h>

#include "../selftest/selftest.h"
#include "pages_priv.h"

/* Charge @npages to @user's locked_vm, within @task's RLIMIT_MEMLOCK. */
static int iopt_charge_user(struct user_struct *user, struct task_struct *task,
			    unsigned long npages)
{
	unsigned long limit, cur, next;

	limit = task_rlimit(task, RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	cur = atomic_long_read(&user->locked_vm);
	do {
		if (check_add_overflow(cur, npages, &next) || next > limit)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur, next));
	return 0;
}

/* Charge (@inc) or uncharge @npages to @mm's locked_vm, @task's limit. */
static int iopt_charge_mm(struct mm_struct *mm, struct task_struct *task,
			  unsigned long npages, bool inc)
{
	int rc;

	/* The mm may be exiting; a dead mm has no limit left to enforce. */
	if (!mmget_not_zero(mm))
		return inc ? -EFAULT : 0;
	mmap_write_lock(mm);
	rc = __account_locked_vm(mm, npages, inc, task, false);
	mmap_write_unlock(mm);
	mmput(mm);
	return rc;
}

/*
 * Give back what @npages of @pages cost its source (the process that owns
 * the charge); pages->naccounted is the caller's business.
 */
static void iopt_uncharge_source(struct iopt_pages *pages,
				 unsigned long npages)
{
	lockdep_assert_held(&pages->mutex);

	if (pages->account_mode == IOPT_ACCOUNT_USER)
		atomic_long_sub(npages, &pages->source_user->locked_vm);
	else if (pages->account_mode == IOPT_ACCOUNT_MM)
		iopt_charge_mm(pages->source_mm, pages->source_task, npages,
			       false);
	atomic64_sub(npages, &pages->source_mm->pinned_vm);
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

	if (iommufd_should_fail())
		return -ENOMEM;
	if (pages->account_mode == IOPT_ACCOUNT_USER)
		rc = iopt_charge_user(pages->source_user, pages->source_task,
				      npages);
	else if (pages->account_mode == IOPT_ACCOUNT_MM)
		rc = iopt_charge_mm(pages->source_mm, pages->source_task,
				    npages, true);
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
	iopt_uncharge_source(pages, npages);
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

/*
 * Moving the charge to another process (IOMMU_IOAS_CHANGE_PROCESS).
 *
 * The caller counts what must move with iopt_pages_count_move() on each
 * struct iopt_pages once, charges the total to current with
 * iopt_move_charge_current(), which alone can fail, and only then hands
 * every pages over with iopt_pages_move_to_current(), which gives the old
 * charge back.  So a failure leaves every charge where it was, and for a
 * moment the pins are charged twice: with the same user on both sides
 * (IOPT_ACCOUNT_USER after fork()), the user's locked_vm must have room
 * for them twice, as upstream's does.
 */

/* Does the charge of @pages sit anywhere current would not put it? */
static bool iopt_pages_charge_moves(struct iopt_pages *pages)
{
	lockdep_assert_held(&pages->mutex);

	/* pinned_vm follows the mm in every mode, CAP_IPC_LOCK's too. */
	if (pages->source_mm != current->mm)
		return true;
	return pages->account_mode == IOPT_ACCOUNT_USER &&
	       pages->source_user != current_user();
}

/**
 * iopt_pages_count_move() - add what moving @pages to current would charge
 * @pages: the pages; counted once however many areas map them
 * @move: the running totals
 *
 * Context: pages->mutex not held (taken here); the caller keeps
 * pages->naccounted from changing until iopt_pages_move_to_current().
 */
void iopt_pages_count_move(struct iopt_pages *pages,
			   struct iopt_charge_move *move)
{
	mutex_lock(&pages->mutex);
	if (iopt_pages_charge_moves(pages)) {
		if (pages->account_mode == IOPT_ACCOUNT_USER)
			move->nuser += pages->naccounted;
		else if (pages->account_mode == IOPT_ACCOUNT_MM)
			move->nmm += pages->naccounted;
		move->npinned += pages->naccounted;
	}
	mutex_unlock(&pages->mutex);
}

/**
 * iopt_move_charge_current() - charge current for the pins about to move
 * @move: the totals from iopt_pages_count_move()
 *
 * Charges the calling process as if it had pinned them: the user's
 * locked_vm within current's RLIMIT_MEMLOCK, the mm's locked_vm within the
 * same limit, and the mm's pinned_vm (VmPin).
 *
 * Context: process context, may sleep; takes current->mm's mmap lock.
 * Return: 0, or -ENOMEM over RLIMIT_MEMLOCK with nothing charged.
 */
int iopt_move_charge_current(const struct iopt_charge_move *move)
{
	int rc;

	if (move->nuser) {
		rc = iopt_charge_user(current_user(), current, move->nuser);
		if (rc)
			return rc;
	}
	if (iommufd_should_fail()) {
		rc = -ENOMEM;
		goto err_uncharge_user;
	}
	if (move->nmm) {
		mmap_write_lock(current->mm);
		rc = __account_locked_vm(current->mm, move->nmm, true, current,
					 false);
		mmap_write_unlock(current->mm);
		if (rc)
			goto err_uncharge_user;
	}
	atomic64_add(move->npinned, &current->mm->pinned_vm);
	return 0;

err_uncharge_user:
	if (move->nuser)
		atomic_long_sub(move->nuser, &current_user()->locked_vm);
	return rc;
}

/**
 * iopt_pages_move_to_current() - make current the owner of @pages
 * @pages: the pages, counted by iopt_pages_count_move() whose total
 *	iopt_move_charge_current() has charged
 *
 * Gives the old owner's charge back and takes references on current's
 * task (its group leader), mm and user in place of the old ones; later
 * pins and unpins of @pages are charged to current.
 *
 * Context: pages->mutex not held (taken here); may sleep.
 */
void iopt_pages_move_to_current(struct iopt_pages *pages)
{
	struct task_struct *old_task;
	struct user_struct *old_user;
	struct mm_struct *old_mm;

	mutex_lock(&pages->mutex);
	if (iopt_pages_charge_moves(pages))
		iopt_uncharge_source(pages, pages->naccounted);

	old_task = pages->source_task;
	old_mm = pages->source_mm;
	old_user = pages->source_user;
	pages->source_task = get_task_struct(current->group_leader);
	mmgrab(current->mm);
	pages->source_mm = current->mm;
	pages->source_user = get_uid(current_user());
	mutex_unlock(&pages->mutex);

	free_uid(old_user);
	mmdrop(old_mm);
	put_task_struct(old_task);
}

/**
 * iopt_pages_describe() - who @pages belongs to and what it pins and
 *	charges, for the debugfs view
 * @pages: the pages
 * @desc: filled in
 *
 * Context: process context; takes pages->mutex, so the caller may hold
 * at most an iova_rwsem.
 */
void iopt_pages_describe(struct iopt_pages *pages,
			 struct iopt_pages_desc *desc)
{
	mutex_lock(&pages->mutex);
	if (pages->dmabuf)
		desc->kind = "dmabuf";
	else if (pages->file)
		desc->kind = "file";
	else
		desc->kind = "memory";
	desc->pid = task_tgid_nr(pages->source_task);
	desc->uid = from_kuid(&init_user_ns, pages->source_user->uid);
	desc->account_mode = pages->account_mode;
	desc->npinned = pages->npinned;
	desc->naccounted = pages->naccounted;
	mutex_unlock(&pages->mutex);
}

/**
 * iopt_account_mode_name() - what the debugfs view calls an account mode
 * @account_mode: enum iopt_account_mode
 *
 * Return: "user", "process" or "none".
 */
const char *iopt_account_mode_name(u8 account_mode)
{
	switch (account_mode) {
	case IOPT_ACCOUNT_USER:
		return "user";
	case IOPT_ACCOUNT_MM:
		return "process";
	default:
		return "none";
	}
}
