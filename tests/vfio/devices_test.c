// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every DMA-capable PCI device of the test VM (edu, e1000e, nvme) can be
 * bound to vfio-pci, appears as a VFIO device cdev, binds to /dev/iommu
 * and attaches to an I/O address space, which then maps and pins.
 */
#include "edu.h"
#include "iommufd_utils.h"

static void bind_and_attach(unsigned long vendor, unsigned long device,
			    const char *what)
{
	long objects = iommufd_live_objects(), pinned = iommufd_pinned_pages();
	void *buf = test_buffer(4 * PAGE_SZ);
	struct edu dev = {};
	__u32 ioas, pt;
	int fd;

	if (pci_find(&dev, vendor, device))
		SKIP("no %s in this VM", what);
	if (edu_open_cdev(&dev))
		SKIP("cannot bind the %s to vfio-pci (VFIO not loaded?)", what);
	fd = iommufd_open();
	ASSERT_OK(edu_bind(&dev, fd));
	ASSERT_OK(_ioas_alloc(fd, &ioas));
	pt = ioas;
	ASSERT_OK(edu_attach(&dev, &pt));
	ASSERT_OK(_ioas_map_fixed(fd, ioas, buf, 4 * PAGE_SZ, 1UL << 20));
	ASSERT_EQ(pinned + 4, iommufd_pinned_pages());
	ASSERT_OK(edu_detach(&dev));
	ASSERT_EQ(pinned, iommufd_pinned_pages());
	/* Attach again after detach, then close everything attached. */
	pt = ioas;
	ASSERT_OK(edu_attach(&dev, &pt));
	ASSERT_OK(close(dev.devfd));
	ASSERT_OK(close(fd));
	ASSERT_EQ(objects, iommufd_live_objects());
	ASSERT_EQ(pinned, iommufd_pinned_pages());
}

TEST(vfio_cdev, edu)
{
	bind_and_attach(EDU_VENDOR, EDU_DEVICE, "edu");
}

TEST(vfio_cdev, e1000e)
{
	bind_and_attach(0x8086, 0x10d3, "e1000e");
}

TEST(vfio_cdev, nvme)
{
	bind_and_attach(0x1b36, 0x0010, "QEMU nvme");
}
