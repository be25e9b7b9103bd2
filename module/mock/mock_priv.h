/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the mock IOMMU's files share: its domains and per-device state.
 */
#ifndef IOMMUFD_MOCK_PRIV_H
#define IOMMUFD_MOCK_PRIV_H

#include <linux/iommu.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include <uapi/linux/iommufd_test.h>

#include "mock.h"

struct iommufd_viommu;

struct mock_domain {
	struct iommu_domain domain;
	struct xarray ptes;	/* IOVA / MOCK_IO_PAGE_SIZE -> entry */
	bool dirty_tracking;	/* IOMMU_HWPT_SET_DIRTY_TRACKING state */
};

/**
 * struct mock_nested - a mock stage-1 domain
 * @domain: the domain, type IOMMU_DOMAIN_NESTED
 * @parent: the stage-2
 * @viommu: the vIOMMU it was allocated on, or NULL
 * @lock: protects @iotlb
 * @iotlb: the cached "translations"; 0 once invalidated
 */
struct mock_nested {
	struct iommu_domain domain;
	struct mock_domain *parent;
	struct iommufd_viommu *viommu;
	spinlock_t lock;	/* see the kernel-doc above */
	u32 iotlb[MOCK_NESTED_DOMAIN_IOTLB_NUM];
};

/**
 * struct mock_dev - what the mock IOMMU keeps per device (dev_iommu_priv)
 * @iopf_rwsem: held for reading while a page request is reported, for
 *	writing to wait for reports in flight
 * @responses: page responses delivered, by enum iommu_page_response_code;
 *	atomic, as the core may answer from several contexts
 * @pasids: PASID -> the domain the core set there (what "hardware" uses)
 * @viommu: the vIOMMU of the nested domain the device is attached to, or
 *	NULL; written under @iopf_rwsem held for writing
 * @virt_id: the device's ID on @viommu, as at that attach
 * @cache: the "device cache" a vIOMMU invalidates (atomic: the
 *	invalidation runs under the vIOMMU's vdevs lock)
 */
struct mock_dev {
	struct rw_semaphore iopf_rwsem;
	atomic_t responses[IOMMU_TEST_IOPF_RESP_CODES];
	struct xarray pasids;
	struct iommufd_viommu *viommu;
	u64 virt_id;
	atomic_t cache[MOCK_DEV_CACHE_NUM];
};

extern const struct iommu_ops mock_ops;
extern const struct iommu_domain_ops mock_domain_ops;
extern const struct iommu_domain_ops mock_nested_ops;

static inline struct mock_dev *to_mock_dev(struct device *dev)
{
	return dev_iommu_priv_get(dev);
}

static inline struct mock_nested *to_mock_nested(struct iommu_domain *domain)
{
	return container_of(domain, struct mock_nested, domain);
}

struct iommu_domain *mock_nested_alloc(struct iommu_domain *parent,
				       const struct iommu_user_data *user_data);

#endif /* IOMMUFD_MOCK_PRIV_H */
