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

/*
 * Half a CPU page (of x86's 4 KiB), so that IOVA alignment below PAGE_SIZE
 * gets exercised.
 */
#define MOCK_IO_PAGE_SIZE MOCK_PAGE_SIZE

/* Entry = physical address / MOCK_IO_PAGE_SIZE, plus these marks. */
#define MOCK_ENT_FIRST BIT(58)
#define MOCK_ENT_LAST BIT(59)
#define MOCK_ENT_HUGE BIT(60)	/* mapped as part of a MOCK_HUGE_PAGE_SIZE */
#define MOCK_ENT_PAGE BIT(62)	/* mapped as part of a PAGE_SIZE entry */
#define MOCK_ENT_ADDR (MOCK_ENT_FIRST - 1)

/* The xarray mark of an entry the "device" wrote to. */
#define MOCK_DIRTY XA_MARK_0

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
 * @reserved_removed: the domain last removed from PASID
 *	IOMMU_TEST_PASID_RESERVED, until the next set there; the core calls
 *	set and remove under its group mutex
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
	struct iommu_domain *reserved_removed;
	struct iommufd_viommu *viommu;
	u64 virt_id;
	atomic_t cache[MOCK_DEV_CACHE_NUM];
};

extern const struct iommu_ops mock_ops;
extern struct fwnode_handle mock_fwnode;
extern const struct iommu_dirty_ops mock_dirty_ops;
extern const struct iommu_domain_ops mock_domain_ops;
extern const struct iommu_domain_ops mock_nested_ops;

static inline struct mock_domain *to_mock_domain(struct iommu_domain *domain)
{
	return container_of(domain, struct mock_domain, domain);
}

static inline struct mock_dev *to_mock_dev(struct device *dev)
{
	return dev_iommu_priv_get(dev);
}

static inline struct mock_nested *to_mock_nested(struct iommu_domain *domain)
{
	return container_of(domain, struct mock_nested, domain);
}

/* mock_pgtable.c: the paging domain's I/O page table */
int mock_map_pages(struct iommu_domain *domain, unsigned long iova,
		   phys_addr_t paddr, size_t pgsize, size_t pgcount, int prot,
		   gfp_t gfp, size_t *mapped);
size_t mock_unmap_pages(struct iommu_domain *domain, unsigned long iova,
			size_t pgsize, size_t pgcount,
			struct iommu_iotlb_gather *gather);
phys_addr_t mock_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova);
void mock_domain_free(struct iommu_domain *domain);

int mock_invalidate_each(struct iommu_user_data_array *array, u32 type,
			 void *entry, size_t len, size_t min_len,
			 int (*one)(void *ctx, const void *entry), void *ctx);
struct iommu_domain *mock_nested_alloc(struct iommu_domain *parent,
				       const struct iommu_user_data *user_data);

#endif /* IOMMUFD_MOCK_PRIV_H */
