// SPDX-License-Identifier: GPL-2.0-only
/*
 * Mock devices: each is a platform device whose fwspec names the mock
 * IOMMU's firmware node before it is added, so the core probes it with
 * the mock's ops (mock_iommu.c).  The test ABI makes and removes them and
 * has them send page requests, as a device's PRI would, and count the
 * responses.
 */
#include <linux/fwnode.h>
#include <linux/iommu.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd_test.h>

#include "../selftest/selftest.h"
#include "mock_priv.h"

/**
 * iommufd_mock_report_iopf() - a mock device sends a page request
 * @dev: a mock device
 * @pasid: the PASID, or IOMMU_NO_PASID for none
 * @grpid: the page request group
 * @perm: IOMMU_FAULT_PERM_* access wanted
 * @addr: the faulting address
 * @last: the last request of its group (the group is then handled)
 *
 * Context: process context, may sleep.
 * Return: what iommu_report_device_fault() returns; the fault is answered
 * (counted by iommufd_mock_iopf_responses()) when it cannot be handled.
 */
int iommufd_mock_report_iopf(struct device *dev, u32 pasid, u32 grpid,
			     u32 perm, u64 addr, bool last)
{
	struct mock_dev *mdev = to_mock_dev(dev);
	struct iopf_fault event = {
		.fault = {
			.type = IOMMU_FAULT_PAGE_REQ,
			.prm = {
				.pasid = pasid,
				.grpid = grpid,
				.perm = perm,
				.addr = addr,
			},
		},
	};
	int rc;

	if (last)
		event.fault.prm.flags |= IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	if (pasid != IOMMU_NO_PASID)
		event.fault.prm.flags |= IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
	down_read(&mdev->iopf_rwsem);
	rc = iommu_report_device_fault(dev, &event);
	up_read(&mdev->iopf_rwsem);
	return rc;
}

/**
 * iommufd_mock_iopf_responses() - page responses a mock device received
 * @dev: a mock device
 * @counts: out: IOMMU_TEST_IOPF_RESP_CODES counts, by response code
 */
void iommufd_mock_iopf_responses(struct device *dev, u32 *counts)
{
	struct mock_dev *mdev = to_mock_dev(dev);
	int i;

	for (i = 0; i < IOMMU_TEST_IOPF_RESP_CODES; i++)
		counts[i] = atomic_read(&mdev->responses[i]);
}

/**
 * iommufd_mock_pasid_domain() - the domain set at a PASID of a mock device
 * @dev: a mock device
 * @pasid: the PASID
 *
 * Return: the domain, or NULL if none is set there.
 */
struct iommu_domain *iommufd_mock_pasid_domain(struct device *dev,
					       u32 pasid)
{
	return xa_load(&to_mock_dev(dev)->pasids, pasid);
}

/**
 * iommufd_mock_is_dev() - is @dev a mock device?
 * @dev: any device
 *
 * Return: true if the mock IOMMU translates for @dev.
 */
bool iommufd_mock_is_dev(struct device *dev)
{
	struct iommu_fwspec *fwspec = dev_iommu_fwspec_get(dev);

	return fwspec && fwspec->iommu_fwnode == &mock_fwnode;
}

/*
 * Point @dev, not yet added, at the mock IOMMU.  iommu_fwspec_init() would
 * do it, but wants iommu_probe_device_lock held, which Debian's kernel
 * does not export (firmware code calls it under that lock).  A device not
 * yet added cannot race with its own probe, so build the same per-device
 * data directly; the core frees it when the device is removed.
 */
static int mock_dev_set_fwspec(struct device *dev)
{
	struct iommu_fwspec *fwspec;
	struct dev_iommu *param;

	param = kzalloc(sizeof(*param), GFP_KERNEL);
	fwspec = kzalloc(struct_size(fwspec, ids, 1), GFP_KERNEL);
	if (!param || !fwspec) {
		kfree(param);
		kfree(fwspec);
		return -ENOMEM;
	}
	mutex_init(&param->lock);
	fwspec->iommu_fwnode = fwnode_handle_get(&mock_fwnode);
	param->fwspec = fwspec;
	dev->iommu = param;
	return 0;
}

/* Undo mock_dev_set_fwspec() for a device that was never added. */
static void mock_dev_free_fwspec(struct device *dev)
{
	struct dev_iommu *param = dev->iommu;

	if (!param)
		return;
	dev->iommu = NULL;
	fwnode_handle_put(param->fwspec->iommu_fwnode);
	kfree(param->fwspec);
	mutex_destroy(&param->lock);
	kfree(param);
}

/**
 * iommufd_mock_dev_create() - add a mock device behind the mock IOMMU
 * @flags: MOCK_FLAGS_DEVICE_*
 *
 * Context: process context, may sleep.
 * Return: the device, probed by the IOMMU core into a group of its own, or
 * an ERR_PTR().
 */
struct device *iommufd_mock_dev_create(u32 flags)
{
	struct platform_device *pdev;
	int rc;

	if (flags & ~(MOCK_FLAGS_DEVICE_NO_DIRTY | MOCK_FLAGS_DEVICE_HUGE_IOVA |
		      MOCK_FLAGS_DEVICE_PASID |
		      MOCK_FLAGS_DEVICE_SHARED_GROUP |
		      MOCK_FLAGS_DEVICE_IOPF_LAST_WORD))
		return ERR_PTR(-EINVAL);

	pdev = platform_device_alloc("iommufd-mock", PLATFORM_DEVID_AUTO);
	if (!pdev)
		return ERR_PTR(-ENOMEM);
	/*
	 * Nothing suspends a mock device or listens for its uevents: without
	 * its power/ attributes and uevents, making one costs some thirty
	 * fewer allocations, and fail-nth tests that make many run shorter.
	 */
	device_set_pm_not_required(&pdev->dev);
	dev_set_uevent_suppress(&pdev->dev, true);
	rc = platform_device_add_data(pdev, &flags, sizeof(flags));
	if (rc)
		goto err_put;
	/* Name the mock IOMMU before the bus notifier probes the device. */
	rc = mock_dev_set_fwspec(&pdev->dev);
	if (rc)
		goto err_put;
	rc = platform_device_add(pdev);
	if (rc) {
		mock_dev_free_fwspec(&pdev->dev);
		goto err_put;
	}
	if (!pdev->dev.iommu_group) {
		platform_device_unregister(pdev);
		return ERR_PTR(-ENODEV);
	}
	return &pdev->dev;

err_put:
	platform_device_put(pdev);
	return ERR_PTR(rc);
}

/**
 * iommufd_mock_dev_destroy() - remove a device of iommufd_mock_dev_create()
 * @dev: the device, no longer bound to iommufd
 *
 * Context: process context, may sleep.
 */
void iommufd_mock_dev_destroy(struct device *dev)
{
	platform_device_unregister(to_platform_device(dev));
}
