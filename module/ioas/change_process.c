// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_IOAS_CHANGE_PROCESS: hand the pinned memory of a file over to the
 * calling process.
 *
 * A struct iopt_pages charges its pins to the process that mapped it
 * (pages->source_task, source_mm, source_user; see pages/account.c).  When
 * another process takes the /dev/iommu file over, say the new binary of a
 * live update that received the fd, this moves every such charge to it, so
 * the old process can exit and the new one pays for what stays pinned.
 *
 * Only memfd mappings (IOMMU_IOAS_MAP_FILE) can move: they reach their
 * memory through the file.  A mapping of user memory reaches it through
 * the mapper's address space, which another process cannot take over.
 *
 * What must hold still while the charge moves: the set of areas (map,
 * unmap, copy) and each pages' pin count (domain fill and unfill, access
 * pin and unpin).  All of those run under the iova_rwsem of the IOAS they
 * touch, but for a map's own fill, which marks its areas filling under
 * that lock first; so this takes the iova_rwsem of every IOAS of the file
 * for write, in id order, under ctx->ioas_creation_lock so that no IOAS is
 * published behind its back (publishing takes that lock only when
 * ictx->ioas_publish_held says it must), and refuses while any area is
 * filling.  One
 * pages may be shared by areas of several IOASes (IOMMU_IOAS_COPY); it is
 * counted and moved once.
 *
 * Order of work: refuse (anything not file-backed), count, charge the new
 * process (the only step that can fail for lack of room), then give the
 * old charge back and swap the references.  A failure before the last
 * step has changed nothing.
 */
#include <linux/errno.h>
#include <linux/lockdep.h>
#include <linux/rwsem.h>
#include <linux/xarray.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include "../iommufd_private.h"
#include "../selftest/selftest.h"
#include "io_pagetable.h"

/* Drop what iommufd_ioas_lock_all() took, the creation lock last. */
static void iommufd_ioas_unlock_all(struct iommufd_ctx *ictx,
				    struct xarray *locked)
{
	struct iommufd_ioas *ioas;
	unsigned long id;

	xa_for_each(locked, id, ioas) {
		up_write(&ioas->iopt.iova_rwsem);
		iommufd_put_object(ictx, &ioas->obj);
	}
	xa_destroy(locked);
	xa_lock(&ictx->objects);
	ictx->ioas_publish_held = false;
	xa_unlock(&ictx->objects);
	up_write(&ictx->ioas_creation_lock);
}

/*
 * Take a user and the iova_rwsem for write of every published IOAS of
 * @ictx, recording each in @locked (id -> IOAS).  An IOAS already on its
 * way out (no users left) is skipped: nothing of it is pinned, since its
 * domains and accesses hold users of it.
 */
static int iommufd_ioas_lock_all(struct iommufd_ctx *ictx,
				 struct xarray *locked)
{
	struct iommufd_object *obj;
	unsigned long id;
	int rc;

	down_write(&ictx->ioas_creation_lock);
	xa_lock(&ictx->objects);
	/* From here an IOAS not yet in the table waits for the lock. */
	ictx->ioas_publish_held = true;
	xa_for_each(&ictx->objects, id, obj) {
		struct iommufd_ioas *ioas;

		if (obj->type != IOMMUFD_OBJ_IOAS ||
		    !refcount_inc_not_zero(&obj->users))
			continue;
		xa_unlock(&ictx->objects);

		ioas = container_of(obj, struct iommufd_ioas, obj);
		down_write_nest_lock(&ioas->iopt.iova_rwsem,
				     &ictx->ioas_creation_lock);
		rc = xa_err(xa_store(locked, id, ioas, GFP_KERNEL));
		if (rc) {
			up_write(&ioas->iopt.iova_rwsem);
			iommufd_put_object(ictx, obj);
			iommufd_ioas_unlock_all(ictx, locked);
			return rc;
		}
		xa_lock(&ictx->objects);
	}
	xa_unlock(&ictx->objects);
	return 0;
}

/*
 * The key of @pages in a set of distinct pages: two live struct iopt_pages
 * do not overlap, so their addresses divided by the size differ.
 */
static unsigned long iopt_pages_key(struct iopt_pages *pages)
{
	return (unsigned long)pages / sizeof(*pages);
}

/*
 * Collect the pages of every area of the IOASes in @locked into @set, once
 * each, and add up what moving them would charge.  -EBUSY while a map is
 * still pinning, -EINVAL if an area maps user memory; -ENOMEM.
 */
static int iommufd_ioas_collect_pages(struct xarray *locked,
				      struct xarray *set,
				      struct iopt_charge_move *move)
{
	struct iommufd_ioas *ioas;
	struct iopt_area *area;
	unsigned long id;
	int rc;

	/* Refuse first: a refusal must not depend on allocation. */
	xa_for_each(locked, id, ioas) {
		lockdep_assert_held_write(&ioas->iopt.iova_rwsem);
		/* A map still pinning changes pin counts without iova_rwsem. */
		if (iopt_range_filling(&ioas->iopt, 0, ULONG_MAX))
			return -EBUSY;
		iopt_for_each_area(area, &ioas->iopt, 0, ULONG_MAX)
			if (!area->pages->file)
				return -EINVAL;
	}

	xa_for_each(locked, id, ioas) {
		iopt_for_each_area(area, &ioas->iopt, 0, ULONG_MAX) {
			rc = xa_insert(set, iopt_pages_key(area->pages),
				       area->pages, GFP_KERNEL);
			if (rc == -EBUSY)
				continue;	/* a copy: already counted */
			if (rc)
				return rc;
			iopt_pages_count_move(area->pages, move);
		}
	}
	return 0;
}

/**
 * iommufd_ioas_change_process_ioctl() - IOMMU_IOAS_CHANGE_PROCESS
 * @ucmd: the command; struct iommu_ioas_change_process
 *
 * Makes the calling process the owner of the pins of every mapping of
 * every IOAS of the file: they are charged to it from now on, and their
 * old owner's charge is given back.  Pages keep the accounting mode they
 * were mapped with.  From the owning process itself it changes nothing.
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP if __reserved is set; -EINVAL if any IOAS maps
 * memory other than with IOMMU_IOAS_MAP_FILE; -EBUSY while a map is still
 * pinning; -ENOMEM without memory or over the caller's RLIMIT_MEMLOCK.  On
 * failure nothing has changed.
 */
int iommufd_ioas_change_process_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_change_process *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iopt_charge_move move = {};
	struct iopt_pages *pages;
	struct xarray locked;
	struct xarray set;
	unsigned long key;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	xa_init(&locked);
	xa_init(&set);
	rc = iommufd_ioas_lock_all(ictx, &locked);
	if (rc)
		goto out_set;
	iommufd_test_pause(IOMMUFD_PAUSE_ALL_IOAS_LOCKED);

	rc = iommufd_ioas_collect_pages(&locked, &set, &move);
	if (rc)
		goto out_unlock;
	rc = iopt_move_charge_current(&move);
	if (rc)
		goto out_unlock;
	/* Charged: from here nothing fails. */
	xa_for_each(&set, key, pages)
		iopt_pages_move_to_current(pages);

out_unlock:
	iommufd_ioas_unlock_all(ictx, &locked);
out_set:
	xa_destroy(&set);
	return rc;
}
