// SPDX-License-Identifier: GPL-2.0-only
/*
 * A real (emulated) PCI device through VFIO's cdev and /dev/iommu: QEMU's
 * edu does DMA through the I/O page table this module builds in the VT-d
 * domain; unmapped IOVA is blocked by the IOMMU; replace switches page
 * tables under the device; closing everything while attached leaks nothing.
 */
#include "edu.h"
#include "iommufd_utils.h"

#define IOVA_SRC 0x100000UL
#define IOVA_DST 0x200000UL
#define XFER 4000

FIXTURE(edu) {
	int fd;
	__u32 ioas;
	struct edu edu;
	unsigned char *src, *dst;
	struct leak_baseline leak;
};

/* QEMU's virtio-iommu with Debian's driver, which finishes a domain only
 * at its first attach. */
static int behind_virtio_iommu(void)
{
	return !access("/sys/module/virtio_iommu", F_OK);
}

FIXTURE_SETUP(edu)
{
	leak_baseline(&self->leak);
	if (edu_find(&self->edu))
		SKIP("no edu PCI device in this VM");
	if (edu_open_cdev(&self->edu))
		SKIP("cannot bind edu to vfio-pci (VFIO not loaded?)");
	self->fd = iommufd_open();
	ASSERT_OK(edu_bind(&self->edu, self->fd));
	ASSERT_OK(_ioas_alloc(self->fd, &self->ioas));
	ASSERT_OK(edu_enable(&self->edu));
	ASSERT_EQ(0x010000ed, edu_read32(&self->edu, EDU_IDENT) & 0xff0000ff);
	self->src = test_buffer(PAGE_SZ);
	self->dst = test_buffer(PAGE_SZ);
	memset(self->dst, 0, PAGE_SZ);
}

FIXTURE_TEARDOWN(edu)
{
	/* Closed while bound and attached: the close must clean up all. */
	if (self->edu.bar0)	/* the mapping holds the device file open */
		munmap((void *)self->edu.bar0, self->edu.bar0_size);
	ASSERT_OK(close(self->edu.devfd));
	ASSERT_OK(close(self->fd));
	leak_check(&self->leak);
}

TEST_F(edu, dma_goes_through_the_ioas_and_unmap_blocks_it)
{
	__u32 pt = self->ioas;

	ASSERT_OK(edu_attach(&self->edu, &pt));
	ASSERT_NE(self->ioas, pt);	/* an automatic HWPT */
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, self->src, PAGE_SZ,
				  IOVA_SRC));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, self->dst, PAGE_SZ,
				  IOVA_DST));
	/* Mapping into a domain pins. */
	ASSERT_EQ(self->leak.pinned_before + 2, iommufd_pinned_pages());

	ASSERT_OK(edu_dma(&self->edu, IOVA_SRC, EDU_BUFFER, XFER, 0));
	ASSERT_OK(edu_dma(&self->edu, EDU_BUFFER, IOVA_DST, XFER, 1));
	ASSERT_EQ(0, memcmp(self->src, self->dst, XFER));

	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, IOVA_DST, PAGE_SZ, NULL));
	ASSERT_EQ(self->leak.pinned_before + 1, iommufd_pinned_pages());
	memset(self->dst, 0, PAGE_SZ);
	ASSERT_OK(edu_dma(&self->edu, EDU_BUFFER, IOVA_DST, XFER, 1));
	for (unsigned int i = 0; i < XFER; i++)
		ASSERT_EQ(0, self->dst[i]);
	/* VT-d logs the fault; QEMU 7.2's AMD-Vi and virtio-iommu do not. */
	if (!access("/sys/class/iommu/dmar0", F_OK))
		ASSERT_TRUE(kernel_log_has_fault(IOVA_DST));
	ASSERT_OK(edu_detach(&self->edu));
	ASSERT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
}

TEST_F(edu, replace_switches_page_tables_under_the_device)
{
	__u32 other, pt = self->ioas, pt2;

	if (behind_virtio_iommu())
		SKIP("virtio-iommu (6.12) finishes a domain only at its first attach, so a new domain cannot be filled before the replace");

	ASSERT_OK(_ioas_alloc(self->fd, &other));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, self->src, PAGE_SZ,
				  IOVA_SRC));
	ASSERT_OK(_ioas_map_fixed(self->fd, other, self->src, PAGE_SZ,
				  IOVA_SRC));
	ASSERT_OK(_ioas_map_fixed(self->fd, other, self->dst, PAGE_SZ,
				  IOVA_DST));
	ASSERT_OK(edu_attach(&self->edu, &pt));
	ASSERT_OK(edu_dma(&self->edu, IOVA_SRC, EDU_BUFFER, XFER, 0));

	/* IOVA_DST is not mapped in the first IOAS. */
	ASSERT_OK(edu_dma(&self->edu, EDU_BUFFER, IOVA_DST, XFER, 1));
	ASSERT_NE(0, memcmp(self->src, self->dst, XFER));

	/* A second attach replaces the page table. */
	pt2 = other;
	ASSERT_OK(edu_attach(&self->edu, &pt2));
	ASSERT_NE(pt, pt2);
	/* The first automatic HWPT went with its last device. */
	EXPECT_ERRNO(ENOENT, _destroy(self->fd, pt));
	ASSERT_OK(edu_dma(&self->edu, EDU_BUFFER, IOVA_DST, XFER, 1));
	ASSERT_EQ(0, memcmp(self->src, self->dst, XFER));

	/* In use: neither IOAS nor HWPT can be destroyed. */
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, other));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, pt2));
	/* Unknown target: nothing changes. */
	pt = 9999;
	EXPECT_ERRNO(ENOENT, edu_attach(&self->edu, &pt));
	memset(self->dst, 0, PAGE_SZ);
	ASSERT_OK(edu_dma(&self->edu, EDU_BUFFER, IOVA_DST, XFER, 1));
	ASSERT_EQ(0, memcmp(self->src, self->dst, XFER));
}

TEST_F(edu, explicit_hwpt_and_device_reserved_regions)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .dev_id = self->edu.devid,
		.pt_id = self->ioas,
	};
	struct iommu_iova_range ranges[8];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q), .ioas_id = self->ioas, .num_iovas = 8,
		.allowed_iovas = (uintptr_t)ranges,
	};
	__u32 pt;

	if (behind_virtio_iommu())
		SKIP("virtio-iommu (6.12) finishes a domain only at its first attach, so IOMMU_HWPT_ALLOC cannot fill one");

	ASSERT_OK(ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	pt = cmd.out_hwpt_id;
	ASSERT_OK(edu_attach(&self->edu, &pt));
	ASSERT_EQ(cmd.out_hwpt_id, pt);
	/* VT-d's MSI window is reserved while the device is attached. */
	ASSERT_OK(ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &q));
	ASSERT_GE(q.num_iovas, 2);
	EXPECT_ERRNO(EINVAL, _ioas_map_fixed(self->fd, self->ioas, self->src,
					     PAGE_SZ, 0xfee00000UL));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, self->src, PAGE_SZ,
				  IOVA_SRC));
	ASSERT_OK(edu_dma(&self->edu, IOVA_SRC, EDU_BUFFER, XFER, 0));
	ASSERT_OK(edu_detach(&self->edu));
	/* Detached, the window is usable IOVA again. */
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, self->src, PAGE_SZ,
				  0xfee00000UL));
	/* An explicit HWPT outlives its devices until destroyed. */
	ASSERT_OK(_destroy(self->fd, cmd.out_hwpt_id));
}

/*
 * A device whose MSI writes the IOMMU cannot isolate (no interrupt
 * remapping, as under x86 virtio-iommu) is refused unless the
 * allow_unsafe_interrupts module parameter says otherwise.
 */
TEST(msi, non_isolated_interrupts_refused_unless_allowed)
{
	const char *param = "/sys/module/iommufd/parameters/allow_unsafe_interrupts";
	struct edu edu = {};
	char old[4] = "N";
	int fd, pfd;

	if (!behind_virtio_iommu())
		SKIP("MSI is isolated under this IOMMU (interrupt remapping)");
	if (edu_find(&edu) || edu_open_cdev(&edu))
		SKIP("no edu bound to vfio-pci");
	pfd = open(param, O_RDONLY);
	ASSERT_GE(pfd, 0);
	ASSERT_GE(read(pfd, old, 1), 1);
	close(pfd);
	fd = iommufd_open();

	ASSERT_OK(sysfs_write(param, "0"));
	ASSERT_ERRNO(EPERM, edu_bind(&edu, fd));
	ASSERT_OK(sysfs_write(param, "1"));
	ASSERT_OK(edu_bind(&edu, fd));

	ASSERT_OK(close(edu.devfd));
	ASSERT_OK(close(fd));
	ASSERT_OK(sysfs_write(param, old[0] == 'Y' ? "1" : "0"));
}
