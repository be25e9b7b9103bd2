// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO type1 compatibility: the /dev/iommu file answers the ioctls of a
 * VFIO container, acting on one IOAS (the "compat IOAS"), so user space
 * written for type1 works on an iommufd.
 *
 * IOMMU_VFIO_IOAS chooses that IOAS; without one, the container ioctls
 * that need it fail with ENODEV, as type1 does before VFIO_SET_IOMMU.
 */
#include <linux/capability.h>
#include <linux/iommufd.h>
#include <linux/iommu.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/vfio.h>

#include "../iommufd_private.h"
#include "../ioas/ioas.h"
#include "../selftest/selftest.h"
#include "vfio_compat.h"

/*
 * Is the compat IOAS alive (not being destroyed)?  It is then returned
 * without a use taken; ERR_PTR(-ENODEV) otherwise.
 */
static struct iommufd_ioas *iommufd_vfio_peek(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas;

	lockdep_assert_held(&ictx->vfio_lock);

	ioas = ictx->vfio_ioas;
	if (!ioas || !iommufd_object_tryget(ictx, &ioas->obj))
		return ERR_PTR(-ENODEV);
	iommufd_put_object(ictx, &ioas->obj);
	return ioas;
}

/*
 * The compat IOAS, as a user; ERR_PTR(-ENODEV) when there is none.  Held
 * by address, never found again by id: after IOMMU_DESTROY took it out
 * of the table, and before its destroy callback forgets it here, another
 * IOAS may already have its id.  vfio_lock keeps the memory valid.
 */
static struct iommufd_ioas *iommufd_vfio_get_ioas(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas;

	mutex_lock(&ictx->vfio_lock);
	ioas = ictx->vfio_ioas;
	if (!ioas || !iommufd_object_tryget(ictx, &ioas->obj))
		ioas = ERR_PTR(-ENODEV);
	mutex_unlock(&ictx->vfio_lock);
	return ioas;
}

/**
 * iommufd_vfio_compat_ioas_get_id() - the id of the compat IOAS
 * @ictx: the context
 * @out_ioas_id: out: the id
 *
 * Context: process context.
 * Return: 0, or -ENODEV when there is no compat IOAS.
 */
int iommufd_vfio_compat_ioas_get_id(struct iommufd_ctx *ictx, u32 *out_ioas_id)
{
	struct iommufd_ioas *ioas = iommufd_vfio_get_ioas(ictx);

	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	*out_ioas_id = ioas->obj.id;
	iommufd_put_object(ictx, &ioas->obj);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(iommufd_vfio_compat_ioas_get_id, IOMMUFD);

/**
 * iommufd_vfio_compat_ioas_create() - make sure there is a compat IOAS
 * @ictx: the context
 *
 * For VFIO_GROUP_SET_CONTAINER on an iommufd: the compat IOAS chosen with
 * IOMMU_VFIO_IOAS, or a new one.
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOMEM.
 */
int iommufd_vfio_compat_ioas_create(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas;

	ioas = iommufd_ioas_create(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	mutex_lock(&ictx->vfio_lock);
	if (ictx->vfio_ioas && !IS_ERR(iommufd_vfio_peek(ictx))) {
		mutex_unlock(&ictx->vfio_lock);
		iommufd_object_abort_and_destroy(ictx, &ioas->obj);
		return 0;
	}
	ictx->vfio_ioas = ioas;
	iommufd_ioas_finalize(ictx, ioas);
	mutex_unlock(&ictx->vfio_lock);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(iommufd_vfio_compat_ioas_create, IOMMUFD);

/**
 * iommufd_vfio_ioas_ioctl() - IOMMU_VFIO_IOAS
 * @ucmd: the command; struct iommu_vfio_ioas
 *
 * Context: process context, may sleep.
 * Return: 0; -ENODEV for GET without a compat IOAS; -ENOENT for SET of an
 * unknown IOAS; -EOPNOTSUPP for an unknown op or reserved field.
 */
int iommufd_vfio_ioas_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		ioas = iommufd_vfio_get_ioas(ictx);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		cmd->ioas_id = ioas->obj.id;
		iommufd_put_object(ictx, &ioas->obj);
		return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	case IOMMU_VFIO_IOAS_SET:
		ioas = iommufd_get_ioas(ictx, cmd->ioas_id);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		mutex_lock(&ictx->vfio_lock);
		ictx->vfio_ioas = ioas;
		mutex_unlock(&ictx->vfio_lock);
		iommufd_put_object(ictx, &ioas->obj);
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		mutex_lock(&ictx->vfio_lock);
		ictx->vfio_ioas = NULL;
		mutex_unlock(&ictx->vfio_lock);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int iommufd_vfio_check_extension(unsigned long type)
{
	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	default:
		return 0;
	}
}

static int iommufd_vfio_set_iommu(struct iommufd_ctx *ictx, unsigned long type)
{
	struct iommufd_ioas *ioas;
	int rc;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return -EINVAL;
	ioas = iommufd_vfio_get_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/*
	 * Type1 v1 lets unmap cut a mapping anywhere on a page boundary, so
	 * every page is mapped on its own.
	 */
	rc = type == VFIO_TYPE1_IOMMU ?
		iopt_set_large_pages(&ioas->iopt, false) : 0;
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

static int iommufd_vfio_map_dma(struct iommufd_ctx *ictx, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	struct vfio_iommu_type1_dma_map map;
	int prot = IOMMU_CACHE;
	struct iommufd_ioas *ioas;
	unsigned long iova;
	int rc;

	if (copy_from_user(&map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz ||
	    (map.flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)))
		return -EINVAL;
	if (map.flags & VFIO_DMA_MAP_FLAG_READ)
		prot |= IOMMU_READ;
	if (map.flags & VFIO_DMA_MAP_FLAG_WRITE)
		prot |= IOMMU_WRITE;

	ioas = iommufd_vfio_get_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	iova = map.iova;
	rc = iopt_map_user_pages(&ioas->iopt, ictx->vma_hint, &iova,
				 u64_to_user_ptr(map.vaddr), map.size, prot,
				 READ_ONCE(ictx->process_accounting), true);
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

static int iommufd_vfio_unmap_dma(struct iommufd_ctx *ictx, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	struct vfio_iommu_type1_dma_unmap unmap;
	unsigned long unmapped = 0;
	struct iommufd_ioas *ioas;
	int rc;

	if (copy_from_user(&unmap, arg, minsz))
		return -EFAULT;
	if (unmap.argsz < minsz || (unmap.flags & ~VFIO_DMA_UNMAP_FLAG_ALL))
		return -EINVAL;

	ioas = iommufd_vfio_get_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		rc = unmap.iova || unmap.size ? -EINVAL :
			iopt_unmap_all(&ioas->iopt, &unmapped);
	} else {
		unsigned long cuts[] = { unmap.iova + unmap.size - 1,
					 unmap.iova - 1 };

		/* Type1 v1 may cut mappings; v2 must unmap whole ones. */
		rc = 0;
		if (READ_ONCE(ioas->iopt.disable_large_pages) && unmap.size) {
			iommufd_test_pause(IOMMUFD_PAUSE_V1_CUT);
			rc = iopt_cut_iova(&ioas->iopt, cuts,
					   unmap.iova ? 2 : 1);
		}
		if (!rc)
			rc = iopt_unmap(&ioas->iopt, unmap.iova, unmap.size,
					&unmapped);
	}
	if (!rc) {
		unmap.size = unmapped;
		if (copy_to_user(arg, &unmap, minsz))
			rc = -EFAULT;
	}
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/* The IOVA range capability being filled, and the room left for it. */
struct iommufd_vfio_ranges {
	struct vfio_iommu_type1_info_cap_iova_range *cap;
	size_t room;
};

static int iommufd_vfio_add_range(void *arg, unsigned long start,
				  unsigned long last)
{
	struct iommufd_vfio_ranges *r = arg;
	struct vfio_iova_range *range;

	if (r->room < struct_size(r->cap, iova_ranges, r->cap->nr_iovas + 1))
		return -ENOSPC;
	range = &r->cap->iova_ranges[r->cap->nr_iovas++];
	range->start = start;
	range->end = last;
	return 0;
}

/*
 * The capability chain of VFIO_IOMMU_GET_INFO, built in @buf: the DMA
 * mapping limit (none), then the usable IOVA ranges.  @base is where the
 * chain starts in the caller's struct, for the "next" offsets.  Returns the
 * length, or -ENOSPC if @room is too small.
 */
static int iommufd_vfio_build_caps(struct io_pagetable *iopt, void *buf,
				   size_t room, u32 base)
{
	struct vfio_iommu_type1_info_dma_avail *avail;
	size_t len = ALIGN(sizeof(*avail), sizeof(u64));
	struct iommufd_vfio_ranges r = { .room = room - len };
	int rc;

	if (room < len + sizeof(*r.cap))
		return -ENOSPC;
	avail = buf;
	avail->header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
	avail->header.version = 1;
	avail->header.next = base + len;
	avail->avail = U32_MAX;

	r.cap = buf + len;
	r.cap->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	r.cap->header.version = 1;
	rc = iopt_walk_usable(iopt, iommufd_vfio_add_range, &r);
	if (rc)
		return rc;
	len += struct_size(r.cap, iova_ranges, r.cap->nr_iovas);
	return ALIGN(len, sizeof(u64));
}

/*
 * VFIO_IOMMU_GET_INFO: page sizes, and the capability chain after the
 * struct when the caller's argsz holds all of it; argsz returns the size
 * the whole answer needs.
 */
static int iommufd_vfio_iommu_get_info(struct iommufd_ctx *ictx,
				       void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	struct vfio_iommu_type1_info info = {};
	struct iommufd_ioas *ioas;
	size_t room = PAGE_SIZE;
	int caplen, rc = 0;
	void *caps;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	minsz = min_t(size_t, info.argsz, sizeof(info));

	ioas = iommufd_vfio_get_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	for (;;) {
		caps = kzalloc(room, GFP_KERNEL);
		if (!caps) {
			rc = -ENOMEM;
			goto out_put;
		}
		caplen = iommufd_vfio_build_caps(&ioas->iopt, caps, room,
						 sizeof(info));
		if (caplen != -ENOSPC)
			break;
		kfree(caps);
		room *= 2;
	}

	info.iova_pgsizes = iopt_page_sizes(&ioas->iopt);
	info.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info.cap_offset = 0;
	if (info.argsz >= sizeof(info) + caplen) {
		if (copy_to_user(arg + sizeof(info), caps, caplen)) {
			rc = -EFAULT;
			goto out_free;
		}
		info.cap_offset = sizeof(info);
	}
	info.argsz = sizeof(info) + caplen;
	if (copy_to_user(arg, &info, minsz))
		rc = -EFAULT;
out_free:
	kfree(caps);
out_put:
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/**
 * iommufd_vfio_ioctl() - the VFIO container ioctls, on a /dev/iommu file
 * @ictx: the file's context
 * @cmd: the ioctl number
 * @arg: its argument
 *
 * Context: process context, may sleep.
 * Return: the ioctl's result, or -ENOTTY for what is not a VFIO container
 * ioctl.
 */
long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd,
			unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return iommufd_vfio_check_extension(arg);
	case VFIO_SET_IOMMU:
		return iommufd_vfio_set_iommu(ictx, arg);
	case VFIO_IOMMU_GET_INFO:
		return iommufd_vfio_iommu_get_info(ictx, uarg);
	case VFIO_IOMMU_MAP_DMA:
		return iommufd_vfio_map_dma(ictx, uarg);
	case VFIO_IOMMU_UNMAP_DMA:
		return iommufd_vfio_unmap_dma(ictx, uarg);
	default:
		return -ENOTTY;
	}
}
