// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA ownership: DMA isolation is per IOMMU group, so while any device of
 * a group is driven by a kernel driver using the DMA API, no device of the
 * group can be bound to /dev/iommu (EBUSY), and while one is bound, no
 * kernel driver can take a device of the group.
 *
 * Needs the VM's --bridge topology: a second edu and an e1000 behind a
 * PCIe-to-PCI bridge, in one group; e1000.ko is in /lib/extra.
 */
#include <sys/stat.h>

#include "edu.h"
#include "iommufd_utils.h"

#define E1000_VENDOR 0x8086
#define E1000_DEVICE 0x100e

/* The edu that shares its IOMMU group with the e1000; 0 if found. */
static int find_grouped(struct edu *edu, struct edu *nic)
{
	char a[400], b[400];
	ssize_t n;

	if (pci_find(nic, E1000_VENDOR, E1000_DEVICE))
		return -1;
	snprintf(a, sizeof(a), "/sys/bus/pci/devices/%s/iommu_group", nic->bdf);
	n = readlink(a, b, sizeof(b) - 1);
	if (n < 0)
		return -1;
	b[n] = 0;
	/* Every edu in that group. */
	snprintf(a, sizeof(a), "/sys/kernel/iommu_groups/%s/devices",
		 strrchr(b, '/') + 1);
	{
		DIR *dir = opendir(a);
		struct dirent *de;
		int rc = -1;

		if (!dir)
			return -1;
		while ((de = readdir(dir))) {
			char path[700];

			snprintf(path, sizeof(path), "%s/%s/device", a,
				 de->d_name);
			if (sysfs_read_hex(path) == EDU_DEVICE) {
				snprintf(edu->bdf, sizeof(edu->bdf), "%s",
					 de->d_name);
				rc = 0;
			}
		}
		closedir(dir);
		return rc;
	}
}

static int driver_bound(const char *bdf)
{
	char path[300];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	return !lstat(path, &st);
}

TEST(dma_owner, kernel_driver_in_the_group_blocks_bind)
{
	struct edu edu = {}, nic = {};
	char path[300];
	int fd;

	if (find_grouped(&edu, &nic))
		SKIP("needs the VM's --bridge topology (edu and e1000 in one group)");
	ASSERT_EQ(0, system("insmod /lib/extra/e1000.ko"));
	ASSERT_TRUE(driver_bound(nic.bdf));

	/* vfio-pci takes edu, but the e1000 driver uses the group's DMA. */
	ASSERT_OK(edu_open_cdev(&edu));
	fd = iommufd_open();
	ASSERT_ERRNO(EPERM, edu_bind(&edu, fd));

	/* Without the kernel driver the group can be owned. */
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/e1000/unbind");
	ASSERT_OK(sysfs_write(path, nic.bdf));
	ASSERT_OK(edu_bind(&edu, fd));

	/* And while it is, the kernel driver cannot take the e1000 back. */
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/e1000/bind");
	ASSERT_NE(0, sysfs_write(path, nic.bdf));
	ASSERT_FALSE(driver_bound(nic.bdf));

	ASSERT_OK(close(edu.devfd));
	ASSERT_OK(close(fd));
	/* Released: the kernel driver may have it again. */
	ASSERT_OK(sysfs_write(path, nic.bdf));
	ASSERT_TRUE(driver_bound(nic.bdf));
	ASSERT_EQ(0, system("rmmod e1000"));
}
