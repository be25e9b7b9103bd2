// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mock IOMMU's vIOMMU type (IOMMU_VIOMMU_TYPE_SELFTEST).
 *
 * Its data is a loopback: out_data returns in_data.  Nested domains
 * allocated on it are mock nested domains that only devices with a vDEVICE
 * on the vIOMMU can attach to.  Its cache invalidation drops entries of
 * the "device cache" of the device a request names by its virtual ID, and
 * the devices attached through it report events in that ID.
 *
 * Callers of the newest data layout also get a region of two pages to
 * mmap(), standing for the vIOMMU's own hardware pages, whose first word
 * holds in_data.  Its hardware queues (IOMMU_HW_QUEUE_TYPE_SELFTEST) come
 * in IOMMU_TEST_HW_QUEUE_MAX slots filled from index 0 up, each depending
 * on the one below it, and check that the core found their memory's
 * physical address right.
 */
#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include "../selftest/selftest.h"
#include "../viommu/viommu.h"
#include "mock_priv.h"

#define MOCK_VIOMMU_MMAP_ORDER 1	/* two pages */

/**
 * struct mock_viommu - the mock's part of a vIOMMU (viommu->priv)
 * @page: the pages of its mmap() region, or NULL
 * @mmap_offset: the region's offset in the file
 * @queue_lock: protects @queues
 * @queues: its hardware queues by index
 */
struct mock_viommu {
	u32 *page;
	unsigned long mmap_offset;
	struct mutex queue_lock;	/* protects @queues */
	struct iommufd_hw_queue *queues[IOMMU_TEST_HW_QUEUE_MAX];
};

/* Give the caller of the newest layout its mmap() region. */
static int mock_viommu_add_mmap(struct iommufd_viommu *viommu,
				struct mock_viommu *mv,
				struct iommu_viommu_selftest *d)
{
	int rc;

	mv->page = (u32 *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
					   MOCK_VIOMMU_MMAP_ORDER);
	if (!mv->page)
		return -ENOMEM;
	rc = iommufd_viommu_alloc_mmap(viommu, virt_to_phys(mv->page),
				       PAGE_SIZE << MOCK_VIOMMU_MMAP_ORDER,
				       &mv->mmap_offset);
	if (rc) {
		free_pages((unsigned long)mv->page, MOCK_VIOMMU_MMAP_ORDER);
		mv->page = NULL;
		return rc;
	}
	*mv->page = d->in_data;
	d->out_mmap_offset = mv->mmap_offset;
	d->out_mmap_length = PAGE_SIZE << MOCK_VIOMMU_MMAP_ORDER;
	return 0;
}

static void mock_viommu_destroy(struct iommufd_viommu *viommu)
{
	struct mock_viommu *mv = viommu->priv;

	if (mv->page) {
		iommufd_viommu_destroy_mmap(viommu, mv->mmap_offset);
		free_pages((unsigned long)mv->page, MOCK_VIOMMU_MMAP_ORDER);
	}
	mutex_destroy(&mv->queue_lock);
	kfree(mv);
}

static int mock_viommu_init_one(struct iommufd_viommu *viommu,
				const struct iommu_user_data *data)
{
	struct iommu_viommu_selftest d = {};
	struct mock_viommu *mv;
	int rc;

	if (iommufd_should_fail())
		return -ENOMEM;
	if (data) {
		rc = iommu_copy_struct_from_user(&d, data,
						 IOMMU_VIOMMU_TYPE_SELFTEST,
						 out_data);
		if (rc)
			return rc;
	}
	mv = kzalloc(sizeof(*mv), GFP_KERNEL_ACCOUNT);
	if (!mv)
		return -ENOMEM;
	mutex_init(&mv->queue_lock);
	viommu->priv = mv;
	if (!data)
		return 0;

	/* Only a caller that can learn of the region gets one. */
	if (data->len >= offsetofend(typeof(d), out_mmap_length)) {
		rc = mock_viommu_add_mmap(viommu, mv, &d);
		if (rc)
			goto err_free;
	}
	d.out_data = d.in_data;
	if (copy_to_user(data->uptr, &d, min_t(size_t, data->len, sizeof(d)))) {
		rc = -EFAULT;
		goto err_free;
	}
	return 0;

err_free:
	mock_viommu_destroy(viommu);
	viommu->priv = NULL;
	return rc;
}

static bool mock_hw_queue_supports(struct iommufd_viommu *viommu, u32 type)
{
	return type == IOMMU_HW_QUEUE_TYPE_SELFTEST;
}

static int mock_hw_queue_init(struct iommufd_hw_queue *q,
			      phys_addr_t base_pa)
{
	struct iommu_domain *parent = iommufd_viommu_parent_domain(q->viommu);
	struct mock_viommu *mv = q->viommu->priv;
	int rc = 0;

	if (iommufd_should_fail())
		return -ENOMEM;
	if (q->index >= IOMMU_TEST_HW_QUEUE_MAX)
		return -EINVAL;
	/* The core must have translated the IOVA as the parent does. */
	if (base_pa != iommu_iova_to_phys(parent, q->base_iova))
		return -EFAULT;
	mutex_lock(&mv->queue_lock);
	if (mv->queues[q->index]) {
		rc = -EEXIST;
	} else if (q->index) {
		rc = mv->queues[q->index - 1] ?
		     iommufd_hw_queue_depend(q, mv->queues[q->index - 1]) :
		     -EIO;
	}
	if (!rc)
		mv->queues[q->index] = q;
	mutex_unlock(&mv->queue_lock);
	return rc;
}

static void mock_hw_queue_destroy(struct iommufd_hw_queue *q)
{
	struct mock_viommu *mv = q->viommu->priv;

	mutex_lock(&mv->queue_lock);
	mv->queues[q->index] = NULL;
	if (q->index)
		iommufd_hw_queue_undepend(q, mv->queues[q->index - 1]);
	mutex_unlock(&mv->queue_lock);
}

static struct iommu_domain *
mock_viommu_alloc_nested(struct iommufd_viommu *viommu, u32 flags,
			 const struct iommu_user_data *data)
{
	struct iommu_domain *domain;

	if (iommufd_should_fail())
		return ERR_PTR(-ENOMEM);
	if (flags)
		return ERR_PTR(-EOPNOTSUPP);
	domain = mock_nested_alloc(iommufd_viommu_parent_domain(viommu), data);
	if (!IS_ERR(domain))
		to_mock_nested(domain)->viommu = viommu;
	return domain;
}

/* Zero entry @cache_id (all with FLAG_ALL) of the cache of @vdev_id. */
static int mock_viommu_invalidate_one(void *ctx, const void *entry)
{
	const struct iommu_viommu_invalidate_selftest *inv = entry;
	struct iommufd_viommu *viommu = ctx;
	struct mock_dev *mdev;
	struct device *dev;
	int i;

	if (inv->flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL)
		return -EOPNOTSUPP;
	if (inv->cache_id > MOCK_DEV_CACHE_ID_MAX)
		return -EINVAL;
	xa_lock(&viommu->vdevs);
	dev = iommufd_viommu_find_dev(viommu, inv->vdev_id);
	if (!dev) {
		xa_unlock(&viommu->vdevs);
		return -EINVAL;
	}
	mdev = to_mock_dev(dev);
	for (i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		if ((inv->flags & IOMMU_TEST_INVALIDATE_FLAG_ALL) ||
		    i == inv->cache_id)
			atomic_set(&mdev->cache[i], 0);
	xa_unlock(&viommu->vdevs);
	return 0;
}

static int mock_viommu_cache_invalidate(struct iommufd_viommu *viommu,
					struct iommu_user_data_array *array)
{
	struct iommu_viommu_invalidate_selftest inv;

	return mock_invalidate_each(array, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
				    &inv, sizeof(inv),
				    offsetofend(typeof(inv), cache_id),
				    mock_viommu_invalidate_one, viommu);
}

static const struct iommufd_viommu_ops mock_viommu_ops = {
	.init = mock_viommu_init_one,
	.destroy = mock_viommu_destroy,
	.alloc_domain_nested = mock_viommu_alloc_nested,
	.cache_invalidate = mock_viommu_cache_invalidate,
	.hw_queue_supports = mock_hw_queue_supports,
	.hw_queue_init = mock_hw_queue_init,
	.hw_queue_destroy = mock_hw_queue_destroy,
};

static struct iommufd_viommu_driver mock_viommu_driver = {
	.type = IOMMU_VIOMMU_TYPE_SELFTEST,
	.iommu_ops = &mock_ops,
	.ops = &mock_viommu_ops,
};

/**
 * iommufd_mock_check_dev_cache() - compare an entry of a device's cache
 * @dev: a mock device
 * @index: the entry
 * @value: what it should hold
 *
 * Return: 0 if it does; -EINVAL if not, or for a bad @index.
 */
int iommufd_mock_check_dev_cache(struct device *dev, u32 index, u32 value)
{
	if (index > MOCK_DEV_CACHE_ID_MAX)
		return -EINVAL;
	return atomic_read(&to_mock_dev(dev)->cache[index]) == value ?
	       0 : -EINVAL;
}

/**
 * iommufd_mock_trigger_vevent() - a mock device reports an event to the
 *	vIOMMU it is attached through
 * @dev: a mock device
 *
 * Context: process context, may sleep.
 * Return: 0 when queued (or counted lost); -ENOENT unless the device is
 * attached to a nested domain of a vIOMMU that knows it by a non-zero ID;
 * -EOPNOTSUPP without a queue for the events.
 */
int iommufd_mock_trigger_vevent(struct device *dev)
{
	struct mock_dev *mdev = to_mock_dev(dev);
	struct iommu_viommu_event_selftest ev;
	int rc = -ENOENT;

	/* Held, the attachment and so the vIOMMU cannot go. */
	down_read(&mdev->iopf_rwsem);
	if (mdev->viommu && mdev->virt_id) {
		ev.virt_id = mdev->virt_id;
		rc = iommufd_viommu_report_event(mdev->viommu,
						 IOMMU_VEVENTQ_TYPE_SELFTEST,
						 &ev, sizeof(ev));
	}
	up_read(&mdev->iopf_rwsem);
	return rc;
}

/**
 * iommufd_mock_viommu_init() - offer the mock's vIOMMU type
 *
 * After iommufd_mock_init(): the type is the mock IOMMU's.
 *
 * Context: process context (module init).
 */
void iommufd_mock_viommu_init(void)
{
	iommufd_viommu_driver_register(&mock_viommu_driver);
}

/**
 * iommufd_mock_viommu_exit() - withdraw it; no mock vIOMMU exists any more
 *
 * Context: process context (module exit).
 */
void iommufd_mock_viommu_exit(void)
{
	iommufd_viommu_driver_unregister(&mock_viommu_driver);
}
