// SPDX-License-Identifier: GPL-2.0-only
/*
 * Devices and hardware page tables with mock devices (the test ABI):
 * bind/attach/replace/detach in different orders, destroy while attached,
 * domains kept in step with the IOAS, the aperture, IOMMU_GET_HW_INFO, and
 * closing the file with everything still attached (the fixture's teardown
 * checks nothing is left).
 */
#include "iommufd_utils.h"

#include "mock_utils.h"
#include "uffd_utils.h"

TEST_F(ioas, attach_fills_and_detach_empties)
{
	void *buf = test_buffer(4 * PAGE_SZ);
	__u32 stdev, hwpt;

	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 4 * PAGE_SZ,
				  BASE));
	/* Nothing pinned before a domain exists. */
	ASSERT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &hwpt, NULL));
	ASSERT_NE(self->ioas, hwpt);
	ASSERT_EQ(self->leak.pinned_before + 4, iommufd_pinned_pages());
	ASSERT_OK(check_map(self->fd, hwpt, BASE, buf, 4 * PAGE_SZ));

	/* Kept in step: map, copy and unmap after attach. */
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ,
				  BASE + 16 * PAGE_SZ));
	ASSERT_OK(check_map(self->fd, hwpt, BASE + 16 * PAGE_SZ, buf,
			    PAGE_SZ));
	ASSERT_OK(_ioas_copy(self->fd, self->ioas, BASE + 32 * PAGE_SZ,
			     self->ioas, BASE + PAGE_SZ, 2 * PAGE_SZ, MAP_RW));
	ASSERT_OK(check_map(self->fd, hwpt, BASE + 32 * PAGE_SZ,
			    (char *)buf + PAGE_SZ, 2 * PAGE_SZ));
	/* The copy shares pins; the second map of buf is pinned apart. */
	ASSERT_EQ(self->leak.pinned_before + 5, iommufd_pinned_pages());
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, BASE + 16 * PAGE_SZ,
			      PAGE_SZ, NULL));
	EXPECT_ERRNO(EINVAL, check_map(self->fd, hwpt, BASE + 16 * PAGE_SZ,
				       buf, PAGE_SZ));

	/* Detach (with unbind): the automatic HWPT goes, pins go. */
	ASSERT_OK(_destroy(self->fd, stdev));
	EXPECT_ERRNO(ENOENT, _destroy(self->fd, hwpt));
	ASSERT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
}

TEST_F(ioas, devices_share_an_automatic_domain)
{
	void *buf = test_buffer(2 * PAGE_SZ);
	__u32 s1, s2, h1, h2;

	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 2 * PAGE_SZ,
				  BASE));
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &s1, &h1, NULL));
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &s2, &h2, NULL));
	ASSERT_EQ(h1, h2);
	ASSERT_EQ(self->leak.pinned_before + 2, iommufd_pinned_pages());
	ASSERT_OK(_destroy(self->fd, s1));
	/* Still used by the second device. */
	ASSERT_OK(check_map(self->fd, h2, BASE, buf, 2 * PAGE_SZ));
	/* Leave s2 attached: closing the file must clean it up. */
}

/*
 * A map fills every domain of its IOAS, however many: here more than a
 * fill keeps at hand (eight), so it walks the xarray instead.  Taking a
 * domain out of the middle leaves the others as they were, and an unmap
 * empties every one left.
 */
TEST_F(ioas, a_map_fills_every_domain_however_many)
{
	enum { NDOMAINS = 11 };
	void *buf = test_buffer(8 * PAGE_SZ);
	__u32 stdev, idev, hwpt[NDOMAINS];

	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &hwpt[0],
			      &idev));
	for (int i = 1; i < NDOMAINS; i++)
		ASSERT_OK(hwpt_alloc(self->fd, idev, self->ioas, 0, 0,
				     IOMMU_HWPT_DATA_NONE, NULL, 0, &hwpt[i]));
	/* Scattered: one run per page, each mapped into every domain. */
	for (int p = 0; p < 8; p++)
		ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas,
					  (char *)buf + (p ^ 5) * PAGE_SZ,
					  PAGE_SZ, BASE + p * PAGE_SZ));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 8 * PAGE_SZ,
				  BASE + 64 * PAGE_SZ));
	for (int i = 0; i < NDOMAINS; i++) {
		for (int p = 0; p < 8; p++)
			ASSERT_OK(check_map(self->fd, hwpt[i],
					    BASE + p * PAGE_SZ,
					    (char *)buf + (p ^ 5) * PAGE_SZ,
					    PAGE_SZ));
		ASSERT_OK(check_map(self->fd, hwpt[i], BASE + 64 * PAGE_SZ,
				    buf, 8 * PAGE_SZ));
	}
	/* One domain in the middle goes; then the scattered pages do. */
	ASSERT_OK(_destroy(self->fd, hwpt[NDOMAINS / 2]));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, BASE, 8 * PAGE_SZ, NULL));
	for (int i = 0; i < NDOMAINS; i++) {
		if (i == NDOMAINS / 2)
			continue;
		EXPECT_ERRNO(EINVAL, check_map(self->fd, hwpt[i], BASE,
					       buf, PAGE_SZ));
		ASSERT_OK(check_map(self->fd, hwpt[i], BASE + 64 * PAGE_SZ,
				    buf, 8 * PAGE_SZ));
	}
	for (int i = 1; i < NDOMAINS; i++)
		if (i != NDOMAINS / 2)
			ASSERT_OK(_destroy(self->fd, hwpt[i]));
	ASSERT_OK(check_map(self->fd, hwpt[0], BASE + 64 * PAGE_SZ, buf,
			    8 * PAGE_SZ));
	ASSERT_EQ(self->leak.pinned_before + 8, iommufd_pinned_pages());
	ASSERT_OK(_destroy(self->fd, stdev));
	ASSERT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
}

TEST_F(ioas, destroy_of_anything_in_use_is_ebusy)
{
	__u32 stdev, hwpt, idev;

	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &hwpt, &idev));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, self->ioas));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, hwpt));
	/* The device object belongs to its binder. */
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, idev));
	ASSERT_OK(_destroy(self->fd, stdev));
	ASSERT_OK(_destroy(self->fd, self->ioas));
	EXPECT_ERRNO(ENOENT, _destroy(self->fd, idev));
}

TEST_F(ioas, replace_between_hwpts_and_ioases)
{
	struct iommu_hwpt_alloc alloc = { .size = sizeof(alloc) };
	void *buf = test_buffer(2 * PAGE_SZ);
	__u32 other, stdev, idev, auto1, pt;

	ASSERT_OK(_ioas_alloc(self->fd, &other));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ, BASE));
	ASSERT_OK(_ioas_map_fixed(self->fd, other, buf, 2 * PAGE_SZ, BASE));
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &auto1, &idev));

	/* An explicit HWPT on the other IOAS, for this device. */
	alloc.dev_id = idev;
	alloc.pt_id = other;
	ASSERT_OK(ioctl(self->fd, IOMMU_HWPT_ALLOC, &alloc));
	ASSERT_OK(check_map(self->fd, alloc.out_hwpt_id, BASE, buf,
			    2 * PAGE_SZ));
	pt = alloc.out_hwpt_id;
	ASSERT_OK(mock_replace(self->fd, stdev, &pt));
	ASSERT_EQ(alloc.out_hwpt_id, pt);
	/* The automatic HWPT left behind is gone. */
	EXPECT_ERRNO(ENOENT, _destroy(self->fd, auto1));

	/* Back to the first IOAS: a new automatic HWPT. */
	pt = self->ioas;
	ASSERT_OK(mock_replace(self->fd, stdev, &pt));
	ASSERT_NE(alloc.out_hwpt_id, pt);
	ASSERT_OK(check_map(self->fd, pt, BASE, buf, PAGE_SZ));
	/* The explicit one stays until destroyed. */
	ASSERT_OK(_destroy(self->fd, alloc.out_hwpt_id));
	/* Replace to nothing real changes nothing. */
	auto1 = pt;
	pt = 9999;
	EXPECT_ERRNO(ENOENT, mock_replace(self->fd, stdev, &pt));
	ASSERT_OK(check_map(self->fd, auto1, BASE, buf, PAGE_SZ));
}

TEST_F(ioas, attach_refused_when_mappings_lie_outside_the_aperture)
{
	void *buf = test_buffer(PAGE_SZ);
	__u64 length;
	__u32 stdev;

	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ, 0));
	EXPECT_ERRNO(EADDRINUSE, mock_domain(self->fd, self->ioas, 0, &stdev,
					     NULL, NULL));
	/* Nothing changed: the mapping is there, nothing pinned. */
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, 0, UINT64_MAX, &length));
	EXPECT_EQ(PAGE_SZ, length);
	/* Attached, IOVA outside the aperture is reserved. */
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, NULL, NULL));
	EXPECT_ERRNO(EINVAL, _ioas_map_fixed(self->fd, self->ioas, buf,
					     PAGE_SZ, 0));
	ASSERT_OK(_destroy(self->fd, stdev));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ, 0));
}

TEST_F(ioas, get_hw_info_reports_the_mock)
{
	struct iommu_test_hw_info data[2];
	struct iommu_hw_info info = { .size = sizeof(info) };
	__u32 idev, pasid_idev;

	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, NULL, NULL, &idev));
	ASSERT_OK(mock_domain(self->fd, self->ioas, MOCK_FLAGS_DEVICE_PASID,
			      NULL, NULL, &pasid_idev));
	memset(data, 0xff, sizeof(data));
	info.dev_id = idev;
	info.data_len = sizeof(data);
	info.data_uptr = (uintptr_t)data;
	ASSERT_OK(ioctl(self->fd, IOMMU_GET_HW_INFO, &info));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, info.out_data_type);
	EXPECT_EQ(sizeof(data[0]), info.data_len);
	EXPECT_EQ(IOMMU_HW_INFO_SELFTEST_REGVAL, data[0].test_reg);
	/* The rest of the caller's buffer is zeroed. */
	EXPECT_EQ(0, data[1].flags);
	EXPECT_EQ(0, data[1].test_reg);
	EXPECT_EQ(0, info.out_max_pasid_log2);
	/* A mock device is no PCI device: it cannot use ATS. */
	EXPECT_EQ(IOMMU_HW_CAP_DIRTY_TRACKING |
		  IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED, info.out_capabilities);

	info.dev_id = pasid_idev;
	ASSERT_OK(ioctl(self->fd, IOMMU_GET_HW_INFO, &info));
	EXPECT_EQ(MOCK_PASID_WIDTH, info.out_max_pasid_log2);

	info.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
	info.in_data_type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_GET_HW_INFO, &info));
	info.flags = 1U << 5;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_GET_HW_INFO, &info));
	info.flags = 0;
	info.dev_id = self->ioas;
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_GET_HW_INFO, &info));
}

/*
 * A thread's MD_CHECK_MAP holds an automatic HWPT while it waits on a
 * stalled page; the HWPT's last device leaves meanwhile.  The HWPT must go
 * with that device (after the ioctl lets go), not stay behind with no
 * device.
 */
struct held_check {
	int fd;
	__u32 hwpt;
	void *uptr;
};

static void *held_checker(void *arg)
{
	struct held_check *c = arg;

	check_map(c->fd, c->hwpt, BASE, c->uptr, PAGE_SZ);
	return NULL;
}

TEST_F(ioas, last_detach_destroys_an_automatic_hwpt_held_by_an_ioctl)
{
	struct held_check c = { .fd = self->fd };
	void *buf = test_buffer(PAGE_SZ);
	struct stall_page sp;
	pthread_t checker;
	__u32 stdev;

	if (stall_page_init(&sp, 300000))
		SKIP("no userfaultfd: %s", strerror(errno));
	c.uptr = sp.region;
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ, BASE));
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev, &c.hwpt, NULL));
	ASSERT_OK(pthread_create(&checker, NULL, held_checker, &c));
	ASSERT_OK(stall_page_wait_fault(&sp));

	/* The last device leaves while the ioctl holds the HWPT. */
	ASSERT_OK(_destroy(self->fd, stdev));
	ASSERT_OK(pthread_join(checker, NULL));
	stall_page_fini(&sp);
	EXPECT_ERRNO(ENOENT, _destroy(self->fd, c.hwpt));
}
