// SPDX-License-Identifier: GPL-2.0-only
/*
 * The legacy VFIO flow, unchanged, on an iommufd: the group is set to the
 * iommufd as if it were a type1 container, the device fd comes from the
 * group, and DMA mappings are made with VFIO_IOMMU_MAP_DMA on the iommufd.
 * They land in the compat IOAS (IOMMU_VFIO_IOAS), and QEMU's edu does DMA
 * through them.  The iommufd is a /dev/iommu fd, or /dev/vfio/vfio itself
 * when iommufd.ko serves it (vm/run.sh --container).
 */
#include "edu.h"
#include "iommufd_utils.h"

#define IOVA_SRC 0x100000UL
#define IOVA_DST 0x200000UL
#define XFER 2000

static int group_of(const char *bdf)
{
	char path[300], link[300];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = 0;
	return atoi(strrchr(link, '/') + 1);
}

static void legacy_flow(int fd)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct iommu_vfio_ioas compat = { .size = sizeof(compat),
					  .op = IOMMU_VFIO_IOAS_GET };
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = IOVA_DST,
	};
	struct vfio_iommu_type1_info *info;
	long objects = iommufd_live_objects(), pinned = iommufd_pinned_pages();
	unsigned char *src = test_buffer(PAGE_SZ), *dst = test_buffer(PAGE_SZ);
	struct edu edu = {};
	char path[64];
	int group;

	if (edu_find(&edu))
		SKIP("no edu PCI device in this VM");
	if (edu_open_cdev(&edu))
		SKIP("cannot bind edu to vfio-pci (VFIO not loaded?)");
	close(edu.devfd);	/* this test takes the group path */
	snprintf(path, sizeof(path), "/dev/vfio/%d", group_of(edu.bdf));
	group = open(path, O_RDWR);
	ASSERT_GE(group, 0);
	ASSERT_OK(ioctl(group, VFIO_GROUP_GET_STATUS, &status));
	ASSERT_TRUE(status.flags & VFIO_GROUP_FLAGS_VIABLE);

	ASSERT_EQ(VFIO_API_VERSION, ioctl(fd, VFIO_GET_API_VERSION));
	ASSERT_EQ(1, ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	ASSERT_OK(ioctl(group, VFIO_GROUP_SET_CONTAINER, &fd));
	ASSERT_OK(ioctl(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	/* The group made a compat IOAS. */
	ASSERT_OK(ioctl(fd, IOMMU_VFIO_IOAS, &compat));
	ASSERT_NE(0, compat.ioas_id);

	edu.devfd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, edu.bdf);
	ASSERT_GE(edu.devfd, 0);
	ASSERT_OK(_vfio_map_dma(fd, src, IOVA_SRC, PAGE_SZ));
	ASSERT_OK(_vfio_map_dma(fd, dst, IOVA_DST, PAGE_SZ));
	ASSERT_EQ(pinned + 2, iommufd_pinned_pages());

	/* GET_INFO: page sizes and the IOVA ranges (VT-d's MSI hole). */
	info = calloc(1, 4096);
	info->argsz = 4096;
	ASSERT_OK(ioctl(fd, VFIO_IOMMU_GET_INFO, info));
	ASSERT_TRUE(info->flags & VFIO_IOMMU_INFO_CAPS);
	ASSERT_NE(0, info->iova_pgsizes & PAGE_SZ);
	ASSERT_EQ(sizeof(*info), info->cap_offset);
	free(info);

	ASSERT_OK(edu_enable(&edu));
	memset(dst, 0, PAGE_SZ);
	ASSERT_OK(edu_dma(&edu, IOVA_SRC, EDU_BUFFER, XFER, 0));
	ASSERT_OK(edu_dma(&edu, EDU_BUFFER, IOVA_DST, XFER, 1));
	ASSERT_EQ(0, memcmp(src, dst, XFER));

	unmap.size = PAGE_SZ;
	ASSERT_OK(ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	ASSERT_EQ(PAGE_SZ, unmap.size);
	memset(dst, 0, PAGE_SZ);
	ASSERT_OK(edu_dma(&edu, EDU_BUFFER, IOVA_DST, XFER, 1));
	ASSERT_EQ(0, dst[0]);
	ASSERT_EQ(0, memcmp(dst, dst + 1, XFER - 1));

	munmap((void *)edu.bar0, edu.bar0_size);
	ASSERT_OK(close(edu.devfd));
	ASSERT_OK(close(group));
	ASSERT_OK(close(fd));
	ASSERT_EQ(objects, iommufd_live_objects());
	ASSERT_EQ(pinned, iommufd_pinned_pages());
}

TEST(vfio_group, type1_container_on_dev_iommu)
{
	legacy_flow(iommufd_open());
}

TEST(vfio_group, dev_vfio_vfio_served_by_iommufd)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	__u32 ioas;

	if (fd < 0)
		SKIP("no /dev/vfio/vfio");
	/* Only an iommufd answers IOMMU_IOAS_ALLOC. */
	if (_ioas_alloc(fd, &ioas)) {
		close(fd);
		SKIP("/dev/vfio/vfio is VFIO's own container (iommufd serves it under vm/run.sh --container)");
	}
	ASSERT_OK(_destroy(fd, ioas));
	legacy_flow(fd);
}
