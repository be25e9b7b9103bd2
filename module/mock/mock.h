/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The mock IOMMU: a software IOMMU driver registered with the IOMMU core of
 * the running kernel, and mock devices behind it, for the test ABI.  Test
 * builds only.
 */
#ifndef IOMMUFD_MOCK_H
#define IOMMUFD_MOCK_H

#include <linux/types.h>

struct device;
struct iommu_domain;

/* Page response codes a mock device counts: SUCCESS, INVALID, FAILURE. */
#define IOMMU_TEST_IOPF_RESP_CODES 3

int iommufd_mock_init(void);
void iommufd_mock_exit(void);
void iommufd_mock_viommu_init(void);
void iommufd_mock_viommu_exit(void);

struct device *iommufd_mock_dev_create(u32 flags);
void iommufd_mock_dev_destroy(struct device *dev);
bool iommufd_mock_is_dev(struct device *dev);
bool iommufd_mock_is_domain(struct iommu_domain *domain);
int iommufd_mock_mark_dirty(struct iommu_domain *domain, unsigned long iova,
			    unsigned long length, unsigned long page_size,
			    const unsigned long *bits, unsigned long *count);
int iommufd_mock_check_iotlb(struct iommu_domain *domain, u32 index,
			     u32 value);
int iommufd_mock_report_iopf(struct device *dev, u32 pasid, u32 grpid,
			     u32 perm, u64 addr, bool last);
void iommufd_mock_iopf_responses(struct device *dev, u32 *counts);
int iommufd_mock_check_dev_cache(struct device *dev, u32 index, u32 value);
int iommufd_mock_trigger_vevent(struct device *dev);
struct iommu_domain *iommufd_mock_pasid_domain(struct device *dev,
					       u32 pasid);
int iommufd_mock_check_map(struct iommu_domain *domain, unsigned long iova,
			   unsigned long length, void __user *uptr);

#endif /* IOMMUFD_MOCK_H */
