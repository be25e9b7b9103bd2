// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mock IOMMU's vIOMMU type (IOMMU_VIOMMU_TYPE_SELFTEST).
 *
 * Its data is a loopback: out_data returns in_data.  Nested domains
 * allocated on it are mock nested domains that only devices with a vDEVICE
 * on the vIOMMU can attach to.  Its cache invalidation drops entries of
 * the "device cache" of the device a request names by its virtual ID, and
 * the devices attached through it report events in that ID.
 */
#include <linux/iommu.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include "../selftest/selftest.h"
#include "../viommu/viommu.h"
#include "mock_priv.h"

/*
 * The newest upstream layout of the data; this mock offers no mmap
 * region, so the last two fields are always returned 0.
 */
struct mock_viommu_data {
	__u32 in_data;
	__u32 out_data;
	__aligned_u64 out_mmap_offset;
	__aligned_u64 out_mmap_length;
};

static int mock_viommu_init_one(struct iommufd_viommu *viommu,
				const struct iommu_user_data *data)
{
	struct mock_viommu_data d;
	int rc;

	if (iommufd_should_fail())
		return -ENOMEM;
	if (!data)
		return 0;
	rc = iommu_copy_struct_from_user(&d, data, IOMMU_VIOMMU_TYPE_SELFTEST,
					 out_data);
	if (rc)
		return rc;
	d.out_data = d.in_data;
	d.out_mmap_offset = 0;
	d.out_mmap_length = 0;
	if (copy_to_user(data->uptr, &d, min_t(size_t, data->len, sizeof(d))))
		return -EFAULT;
	return 0;
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
	.alloc_domain_nested = mock_viommu_alloc_nested,
	.cache_invalidate = mock_viommu_cache_invalidate,
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
