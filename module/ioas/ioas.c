// SPDX-License-Identifier: GPL-2.0-only
/*
 * The I/O address space object (IOAS) and its ioctls.
 *
 * Each handler checks the command in upstream's order (unknown flags and
 * reserved fields EOPNOTSUPP, values that do not fit an unsigned long
 * EOVERFLOW, missing permissions EINVAL, then the ids) before touching any
 * object, and leaves everything as it was when it fails.
 */
#include <linux/dma-buf.h>
#include <linux/errno.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include "../iommufd_private.h"
#include "io_pagetable.h"

#define IOMMUFD_MAP_FLAGS (IOMMU_IOAS_MAP_FIXED_IOVA | \
			   IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)

/* A cap on the ranges of one ALLOW_IOVAS, so one call cannot hog memory. */
#define IOMMUFD_MAX_ALLOWED_RANGES SZ_1M

/**
 * iommufd_ioas_destroy() - release what an IOAS holds
 * @obj: the IOAS's object, already out of the table
 *
 * Context: process context, may sleep.
 */
void iommufd_ioas_destroy(struct iommufd_object *obj)
{
	struct iommufd_ioas *ioas = container_of(obj, struct iommufd_ioas, obj);

	/*
	 * If it was the context's VFIO compatibility IOAS, there is none now.
	 * Only its creator, before publishing it, or a holder of a use of it
	 * ever points vfio_ioas here, and both are done: the table's use was
	 * the last.  So if vfio_ioas does not point here now, it never will,
	 * and nobody can be using it through vfio_ioas.  The acquire orders
	 * the read before the teardown.
	 */
	smp_mb();	/* the last user's release of its use before the read */
	if (smp_load_acquire(&ioas->ictx->vfio_ioas) == ioas) {
		mutex_lock(&ioas->ictx->vfio_lock);
		if (ioas->ictx->vfio_ioas == ioas)
			ioas->ictx->vfio_ioas = NULL;
		mutex_unlock(&ioas->ictx->vfio_lock);
	}
	WARN_ON(!list_empty(&ioas->hwpt_list));
	iopt_destroy(&ioas->iopt);
	mutex_destroy(&ioas->mutex);
}

/**
 * iommufd_ioas_ctx_init() - what IOASes keep per /dev/iommu file
 * @ictx: the new context
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM.
 */
int iommufd_ioas_ctx_init(struct iommufd_ctx *ictx)
{
	ictx->vma_hint = iopt_vma_hint_alloc();
	return ictx->vma_hint ? 0 : -ENOMEM;
}

/**
 * iommufd_ioas_ctx_fini() - undo iommufd_ioas_ctx_init()
 * @ictx: the context; its objects are gone
 *
 * Context: process context.
 */
void iommufd_ioas_ctx_fini(struct iommufd_ctx *ictx)
{
	iopt_vma_hint_free(ictx->vma_hint);
}

/**
 * iommufd_ioas_create() - allocate an IOAS, not yet published
 * @ictx: the owning context
 *
 * Context: process context, may sleep.
 * Return: the IOAS, or an ERR_PTR().
 */
struct iommufd_ioas *iommufd_ioas_create(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas;

	ioas = iommufd_object_alloc(ictx, struct iommufd_ioas,
				    IOMMUFD_OBJ_IOAS);
	if (IS_ERR(ioas))
		return ioas;
	iopt_init(&ioas->iopt);
	ioas->ictx = ictx;
	mutex_init(&ioas->mutex);
	INIT_LIST_HEAD(&ioas->hwpt_list);
	return ioas;
}

/**
 * iommufd_ioas_finalize() - publish an IOAS built by iommufd_ioas_create()
 * @ictx: the owning context
 * @ioas: the IOAS
 *
 * Waits while IOMMU_IOAS_CHANGE_PROCESS runs: it must see every IOAS.
 * Usually none runs, and the table's lock that publishing takes anyway
 * tells so: CHANGE_PROCESS raises ioas_publish_held under it before it
 * walks the table.
 *
 * Context: process context, may sleep; no iova_rwsem held.
 */
void iommufd_ioas_finalize(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas)
{
	might_lock_read(&ictx->ioas_creation_lock);
	if (iommufd_object_finalize_unless(ictx, &ioas->obj,
					   &ictx->ioas_publish_held))
		return;
	down_read(&ictx->ioas_creation_lock);
	iommufd_object_finalize(ictx, &ioas->obj);
	up_read(&ictx->ioas_creation_lock);
}

/**
 * iommufd_ioas_alloc_ioctl() - IOMMU_IOAS_ALLOC
 * @ucmd: the command; struct iommu_ioas_alloc
 *
 * Context: process context, may sleep.
 * Return: 0 with out_ioas_id set; -EOPNOTSUPP for any flag; -ENOMEM;
 * -EFAULT if the reply cannot be written, in which case no IOAS exists.
 */
int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;

	ioas = iommufd_ioas_create(ucmd->ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	cmd->out_ioas_id = ioas->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	iommufd_ioas_finalize(ucmd->ictx, ioas);
	return 0;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &ioas->obj);
	return rc;
}

/* Where IOMMU_IOAS_IOVA_RANGES writes the ranges, and how many it saw. */
struct iommufd_ranges_out {
	struct iommu_iova_range __user *ranges;
	u32 room;
	u32 count;
};

/* Copy out one usable range if the array has room; count it anyway. */
static int iommufd_ranges_put(void *arg, unsigned long start,
			      unsigned long last)
{
	struct iommufd_ranges_out *out = arg;
	struct iommu_iova_range range = { .start = start, .last = last };

	if (out->count < out->room &&
	    copy_to_user(out->ranges + out->count, &range, sizeof(range)))
		return -EFAULT;
	out->count++;
	return 0;
}

/**
 * iommufd_ioas_iova_ranges_ioctl() - IOMMU_IOAS_IOVA_RANGES
 * @ucmd: the command; struct iommu_ioas_iova_ranges
 *
 * Reports the IOVA that is not reserved, as many ranges as the caller's
 * array holds, and the total.
 *
 * Context: process context, may sleep.
 * Return: 0; -EMSGSIZE, with num_iovas set to the total, when the array is
 * too small; -EOPNOTSUPP, -ENOENT, -EFAULT.
 */
int iommufd_ioas_iova_ranges_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	struct iommufd_ranges_out out = {
		.ranges = u64_to_user_ptr(cmd->allowed_iovas),
		.room = cmd->num_iovas,
	};
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	down_read(&ioas->iopt.iova_rwsem);
	cmd->out_iova_alignment = ioas->iopt.iova_alignment;
	up_read(&ioas->iopt.iova_rwsem);
	rc = iopt_walk_usable(&ioas->iopt, iommufd_ranges_put, &out);
	cmd->num_iovas = out.count;
	if (!rc)
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (!rc && out.count > out.room)
		rc = -EMSGSIZE;
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

/* Read @num user ranges into a fresh tree of struct iopt_allowed. */
static int iommufd_ioas_load_ranges(struct rb_root_cached *itree,
				    struct iommu_iova_range __user *ranges,
				    u32 num)
{
	u32 i;

	for (i = 0; i < num; i++) {
		struct iommu_iova_range range;
		struct iopt_allowed *allowed;

		if (copy_from_user(&range, ranges + i, sizeof(range)))
			return -EFAULT;
		if (range.start >= range.last)
			return -EINVAL;
		if (range.last > ULONG_MAX)
			return -EOVERFLOW;
		if (interval_tree_iter_first(itree, range.start, range.last))
			return -EINVAL;

		allowed = kzalloc(sizeof(*allowed), GFP_KERNEL_ACCOUNT);
		if (!allowed)
			return -ENOMEM;
		allowed->node.start = range.start;
		allowed->node.last = range.last;
		interval_tree_insert(&allowed->node, itree);
		cond_resched();
	}
	return 0;
}

/**
 * iommufd_ioas_allow_iovas_ioctl() - IOMMU_IOAS_ALLOW_IOVAS
 * @ucmd: the command; struct iommu_ioas_allow_iovas
 *
 * Replaces the allowed ranges with the given list (none: no restriction).
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for an empty, reversed or overlapping range;
 * -EADDRINUSE if a range overlaps reserved IOVA; -EOPNOTSUPP, -ENOENT,
 * -EFAULT, -ENOMEM.  Nothing changes on failure.
 */
int iommufd_ioas_allow_iovas_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	struct rb_root_cached allowed = RB_ROOT_CACHED;
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->num_iovas > IOMMUFD_MAX_ALLOWED_RANGES)
		return -EINVAL;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	rc = iommufd_ioas_load_ranges(&allowed,
				      u64_to_user_ptr(cmd->allowed_iovas),
				      cmd->num_iovas);
	if (!rc)
		rc = iopt_set_allowed(&ioas->iopt, &allowed);
	/* The old ranges on success, the rejected new ones on failure. */
	iopt_free_itree(&allowed);
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

/* IOMMU_IOAS_MAP_* flags to IOMMU_* protection. */
static int iommufd_map_prot(u32 flags)
{
	/*
	 * No cache maintenance is offered to user space, so every mapping
	 * must be cache coherent; devices that cannot be are refused at bind.
	 */
	int prot = IOMMU_CACHE;

	if (flags & IOMMU_IOAS_MAP_WRITEABLE)
		prot |= IOMMU_WRITE;
	if (flags & IOMMU_IOAS_MAP_READABLE)
		prot |= IOMMU_READ;
	return prot;
}

/*
 * Answer a MAP, MAP_FILE or COPY whose new mapping of @length bytes sits at
 * @iova in @iopt: @out_iova is the command's IOVA field.  If user space
 * cannot learn of the mapping, it is taken back.
 */
static int iommufd_ioas_map_respond(struct iommufd_ucmd *ucmd,
				    struct io_pagetable *iopt,
				    unsigned long iova, unsigned long length,
				    __u64 *out_iova, size_t size)
{
	unsigned long unmapped;
	int rc;

	*out_iova = iova;
	rc = iommufd_ucmd_respond(ucmd, size);
	if (rc)
		iopt_unmap(iopt, iova, length, &unmapped);
	return rc;
}

/*
 * The checks MAP and MAP_FILE share, in their errno order: flags, values
 * past ULONG_MAX (@start: MAP_FILE's offset, 0 for MAP), no access.
 */
static int iommufd_map_check(u32 flags, u64 iova, u64 length, u64 start)
{
	if (flags & ~IOMMUFD_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (iova >= ULONG_MAX || length >= ULONG_MAX || start > ULONG_MAX)
		return -EOVERFLOW;
	if (!(flags & (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;
	return 0;
}

/* Where MAP (user memory at @uptr) or MAP_FILE (@fd from @start) maps. */
struct iommufd_map_source {
	bool from_file;
	void __user *uptr;
	int fd;
	unsigned long start;
};

/*
 * MAP and MAP_FILE once their arguments are checked: map @length bytes of
 * @src into IOAS @ioas_id at *@iova (chosen unless FIXED_IOVA) and answer
 * with the IOVA in *@iova.  The mapping holds its own reference on a file.
 * Inlined: IOMMU_IOAS_MAP is a VMM's most frequent call, and each of the
 * two copies drops the half its source never takes.
 */
static __always_inline int
iommufd_ioas_map_from(struct iommufd_ucmd *ucmd, u32 ioas_id, u32 flags,
		      __u64 *iova, u64 length,
		      const struct iommufd_map_source *src, size_t cmd_size)
{
	bool process_mode = READ_ONCE(ucmd->ictx->process_accounting);
	bool fixed = flags & IOMMU_IOAS_MAP_FIXED_IOVA;
	int prot = iommufd_map_prot(flags);
	unsigned long at = *iova;
	struct iommufd_ioas *ioas;
	struct dma_buf *dmabuf;
	struct file *file;
	int rc;

	ioas = iommufd_get_ioas(ucmd->ictx, ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	dmabuf = src->from_file ? dma_buf_get(src->fd) : ERR_PTR(-EINVAL);
	if (!IS_ERR(dmabuf)) {
		rc = iopt_map_dmabuf_pages(&ioas->iopt, &at, dmabuf,
					   src->start, length, prot, fixed);
		dma_buf_put(dmabuf);
	} else if (src->from_file) {
		file = fget(src->fd);
		if (!file) {
			rc = -EBADF;
			goto out_put;
		}
		rc = iopt_map_file_pages(&ioas->iopt, &at, file, src->start,
					 length, prot, process_mode, fixed);
		fput(file);
	} else {
		rc = iopt_map_user_pages(&ioas->iopt, ucmd->ictx->vma_hint, &at,
					 src->uptr, length, prot, process_mode,
					 fixed);
	}
	if (!rc)
		rc = iommufd_ioas_map_respond(ucmd, &ioas->iopt, at, length,
					      iova, cmd_size);
out_put:
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

/**
 * iommufd_ioas_map_ioctl() - IOMMU_IOAS_MAP
 * @ucmd: the command; struct iommu_ioas_map
 *
 * Context: process context, may sleep.
 * Return: 0 with iova set; -EOPNOTSUPP for unknown flags or reserved
 * fields; -EOVERFLOW for values past ULONG_MAX or a wrapping range;
 * -EINVAL without READABLE or WRITEABLE, or for a misaligned, zero or
 * reserved range; -EEXIST over an existing mapping; -ENOSPC when no IOVA
 * is free; -ENOENT, -ENOMEM, -EFAULT.  Nothing is mapped on failure.
 */
int iommufd_ioas_map_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map *cmd = ucmd->cmd;
	struct iommufd_map_source src = {
		.uptr = u64_to_user_ptr(cmd->user_va),
	};
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	rc = iommufd_map_check(cmd->flags, cmd->iova, cmd->length, 0);
	if (rc)
		return rc;
	return iommufd_ioas_map_from(ucmd, cmd->ioas_id, cmd->flags,
				     &cmd->iova, cmd->length, &src,
				     sizeof(*cmd));
}

/**
 * iommufd_ioas_map_file_ioctl() - IOMMU_IOAS_MAP_FILE
 * @ucmd: the command; struct iommu_ioas_map_file
 *
 * IOMMU_IOAS_MAP of @length bytes of the memfd @fd from byte @start.  The
 * mapping holds its own reference on the file: closing @fd changes
 * nothing until the IOVA is unmapped.  @fd may also be a dma-buf of an
 * exporter that registered with this module (pages/dmabuf.c): nothing is
 * pinned or charged then, and the exporter may revoke the mapping.
 *
 * Context: process context, may sleep.
 * Return: 0 with iova set; -EBADF if fd is not an open file; -EINVAL for
 * a file that is not a memfd (shmem or hugetlbfs); -EPERM for WRITEABLE
 * on a file not open for writing or sealed against writes; -ENODEV for a
 * revoked dma-buf, -EOPNOTSUPP for one of an unknown exporter, -EINVAL
 * for a range past its end; -EOVERFLOW if
 * start + length wraps; the errors of IOMMU_IOAS_MAP otherwise, in its
 * order.  Nothing is mapped on failure.
 */
int iommufd_ioas_map_file_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map_file *cmd = ucmd->cmd;
	struct iommufd_map_source src = {
		.from_file = true,
		.fd = cmd->fd,
		.start = cmd->start,
	};
	int rc;

	rc = iommufd_map_check(cmd->flags, cmd->iova, cmd->length,
			       cmd->start);
	if (rc)
		return rc;
	return iommufd_ioas_map_from(ucmd, cmd->ioas_id, cmd->flags,
				     &cmd->iova, cmd->length, &src,
				     sizeof(*cmd));
}

/**
 * iommufd_ioas_copy_ioctl() - IOMMU_IOAS_COPY
 * @ucmd: the command; struct iommu_ioas_copy
 *
 * Context: process context, may sleep.
 * Return: 0 with dst_iova set; -ENOENT if the source range is not fully
 * mapped or an id is unknown; -EPERM for writable copies of read-only
 * memory; the errors of IOMMU_IOAS_MAP otherwise.  Nothing is mapped on
 * failure.
 */
int iommufd_ioas_copy_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_copy *cmd = ucmd->cmd;
	struct iommufd_ioas *src, *dst;
	unsigned long iova;
	int rc;

	if (cmd->flags & ~IOMMUFD_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (cmd->length >= ULONG_MAX || cmd->src_iova >= ULONG_MAX ||
	    cmd->dst_iova >= ULONG_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;

	src = iommufd_get_ioas(ucmd->ictx, cmd->src_ioas_id);
	if (IS_ERR(src))
		return PTR_ERR(src);
	dst = iommufd_get_ioas(ucmd->ictx, cmd->dst_ioas_id);
	if (IS_ERR(dst)) {
		rc = PTR_ERR(dst);
		goto out_put_src;
	}

	iova = cmd->dst_iova;
	rc = iopt_copy(&dst->iopt, &src->iopt, &iova, cmd->src_iova,
		       cmd->length, iommufd_map_prot(cmd->flags),
		       cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA);
	if (rc)
		goto out_put_dst;

	rc = iommufd_ioas_map_respond(ucmd, &dst->iopt, iova, cmd->length,
				      &cmd->dst_iova, sizeof(*cmd));
out_put_dst:
	iommufd_put_object(ucmd->ictx, &dst->obj);
out_put_src:
	iommufd_put_object(ucmd->ictx, &src->obj);
	return rc;
}

/**
 * iommufd_ioas_unmap_ioctl() - IOMMU_IOAS_UNMAP
 * @ucmd: the command; struct iommu_ioas_unmap
 *
 * iova 0 with length U64_MAX unmaps everything; otherwise the range must
 * contain whole mappings.  length returns the bytes unmapped.
 *
 * Context: process context, may sleep.
 * Return: 0; -ENOENT if the range holds no mapping or cuts one, with
 * nothing unmapped; -EOVERFLOW, -EINVAL for a bad range; -EDEADLOCK if an
 * in-kernel access would not release its pins.
 */
int iommufd_ioas_unmap_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	unsigned long unmapped = 0;
	struct iommufd_ioas *ioas;
	int rc;

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (cmd->iova == 0 && cmd->length == U64_MAX) {
		rc = iopt_unmap_all(&ioas->iopt, &unmapped);
	} else if (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX) {
		rc = -EOVERFLOW;
	} else {
		rc = iopt_unmap(&ioas->iopt, cmd->iova, cmd->length,
				&unmapped);
		if (!rc && !unmapped)
			rc = -ENOENT;
	}
	if (!rc) {
		cmd->length = unmapped;
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	}
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}
