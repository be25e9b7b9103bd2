/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Driving QEMU's "edu" PCI device (and binding any PCI device) from user
 * space through VFIO's device cdev and /dev/iommu: what a VMM or a
 * user-space driver does.  Shared by the demo and the tests.
 *
 * edu: BAR0 registers 0x00 identification, 0x80 DMA source, 0x88 DMA
 * destination, 0x90 DMA count, 0x98 DMA command (bit 0 start/busy, bit 1
 * direction: set = device to RAM); its DMA buffer is at device address
 * 0x40000, 4 KiB.  DMA addresses are IOVAs below 2^28.  QEMU 7.2 aborts
 * when a transfer ends exactly at the buffer's end, so transfers stay
 * below 4096 bytes.
 */
#ifndef EDU_H
#define EDU_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_IDENT 0x00
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_CMD_START 0x1
#define EDU_CMD_TO_RAM 0x2
#define EDU_BUFFER 0x40000
#define EDU_MAX_XFER 4095

struct edu {
	char bdf[256];
	int devfd;		/* /dev/vfio/devices/vfioN */
	__u32 devid;		/* its iommufd device id once bound */
	volatile unsigned char *bar0;
	size_t bar0_size;
};

static inline int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

static inline unsigned long sysfs_read_hex(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return strtoul(buf, NULL, 16);
}

/* Is PCI device @name (as in /sys/bus/pci/devices) a @vendor:@device? */
static inline int pci_is(const char *name, unsigned long vendor,
			 unsigned long device)
{
	char path[300];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%.64s/vendor", name);
	if (sysfs_read_hex(path) != vendor)
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%.64s/device", name);
	return sysfs_read_hex(path) == device;
}

/* The first PCI device with these ids, into @edu->bdf; 0 if found. */
static inline int pci_find(struct edu *edu, unsigned long vendor,
			   unsigned long device)
{
	DIR *dir = opendir("/sys/bus/pci/devices");
	struct dirent *de;
	int rc = -1;

	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || !pci_is(de->d_name, vendor, device))
			continue;
		snprintf(edu->bdf, sizeof(edu->bdf), "%s", de->d_name);
		rc = 0;
		break;
	}
	closedir(dir);
	return rc;
}

/* The PCI address of the first edu device; 0 if found. */
static inline int edu_find(struct edu *edu)
{
	return pci_find(edu, EDU_VENDOR, EDU_DEVICE);
}

static inline int edu_bdf_cmp(const void *a, const void *b)
{
	return strcmp(((const struct edu *)a)->bdf,
		      ((const struct edu *)b)->bdf);
}

/* Every edu device, up to @max, sorted by PCI address; how many. */
static inline int edu_find_all(struct edu *edus, int max)
{
	DIR *dir = opendir("/sys/bus/pci/devices");
	struct dirent *de;
	int n = 0;

	if (!dir)
		return 0;
	while (n < max && (de = readdir(dir))) {
		if (de->d_name[0] == '.' ||
		    !pci_is(de->d_name, EDU_VENDOR, EDU_DEVICE))
			continue;
		memset(&edus[n], 0, sizeof(edus[n]));
		edus[n].devfd = -1;
		snprintf(edus[n].bdf, sizeof(edus[n].bdf), "%s", de->d_name);
		n++;
	}
	closedir(dir);
	qsort(edus, n, sizeof(*edus), edu_bdf_cmp);
	return n;
}

/* Bind the device to vfio-pci and open its cdev; 0 on success. */
static inline int edu_open_cdev(struct edu *edu)
{
	char path[300], node[300];
	struct dirent *de;
	DIR *dir;

	/* A PCI address is short; the precision bounds it for the compiler. */
	snprintf(path, sizeof(path),
		 "/sys/bus/pci/devices/%.64s/driver_override", edu->bdf);
	if (sysfs_write(path, "vfio-pci"))
		return -1;
	/* Already bound is fine (EBUSY/EEXIST from drivers_probe). */
	sysfs_write("/sys/bus/pci/drivers_probe", edu->bdf);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%.64s/vfio-dev",
		 edu->bdf);
	dir = opendir(path);
	if (!dir)
		return -1;
	node[0] = 0;
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, "vfio", 4))
			snprintf(node, sizeof(node), "/dev/vfio/devices/%s",
				 de->d_name);
	closedir(dir);
	if (!node[0])
		return -1;
	edu->devfd = open(node, O_RDWR | O_CLOEXEC);
	return edu->devfd < 0 ? -1 : 0;
}

static inline int edu_bind(struct edu *edu, int iommufd)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind), .iommufd = iommufd,
	};

	if (ioctl(edu->devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return -1;
	edu->devid = bind.out_devid;
	return 0;
}

/* Attach to an IOAS or HWPT; *pt_id becomes the HWPT used. */
static inline int edu_attach(struct edu *edu, __u32 *pt_id)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach), .pt_id = *pt_id,
	};

	if (ioctl(edu->devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return -1;
	*pt_id = attach.pt_id;
	return 0;
}

static inline int edu_detach(struct edu *edu)
{
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
	};

	return ioctl(edu->devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach);
}

/* Map BAR0 and let the device master the bus; 0 on success. */
static inline int edu_enable(struct edu *edu)
{
	struct vfio_region_info bar = { .argsz = sizeof(bar),
					.index = VFIO_PCI_BAR0_REGION_INDEX };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	__u16 cmd;
	void *map;

	if (ioctl(edu->devfd, VFIO_DEVICE_GET_REGION_INFO, &bar) ||
	    ioctl(edu->devfd, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		return -1;
	map = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   edu->devfd, bar.offset);
	if (map == MAP_FAILED)
		return -1;
	edu->bar0 = map;
	edu->bar0_size = bar.size;
	if (pread(edu->devfd, &cmd, 2, cfg.offset + 4) != 2)
		return -1;
	cmd |= 0x4;	/* PCI_COMMAND_MASTER */
	if (pwrite(edu->devfd, &cmd, 2, cfg.offset + 4) != 2)
		return -1;
	return 0;
}

static inline __u32 edu_read32(struct edu *edu, unsigned int reg)
{
	return *(volatile __u32 *)(edu->bar0 + reg);
}

static inline void edu_write64(struct edu *edu, unsigned int reg, __u64 val)
{
	*(volatile __u64 *)(edu->bar0 + reg) = val;
}

/* One DMA; 0 once the device says it finished, -1 on a timeout. */
static inline int edu_dma(struct edu *edu, __u64 src, __u64 dst, __u64 count,
			  int to_ram)
{
	struct timespec ts = { .tv_nsec = 1000000 };

	edu_write64(edu, EDU_DMA_SRC, src);
	edu_write64(edu, EDU_DMA_DST, dst);
	edu_write64(edu, EDU_DMA_COUNT, count);
	edu_write64(edu, EDU_DMA_CMD,
		    EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0));
	for (int i = 0; i < 5000; i++) {
		if (!(edu_read32(edu, EDU_DMA_CMD) & EDU_CMD_START))
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* Does the kernel log hold an IOMMU fault for @iova? */
static inline int kernel_log_has_fault_now(unsigned long iova)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, want[64];
	int found;

	if (len <= 0)
		return 0;
	buf = calloc(1, len + 1);
	if (!buf)
		return 0;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	snprintf(want, sizeof(want), "fault addr 0x%lx", iova);
	found = len > 0 && strstr(buf, want) != NULL;
	free(buf);
	return found;
}

/*
 * The IOMMU reports a fault from its interrupt, after the DMA that caused
 * it has already completed for the device: give the log line up to five
 * seconds to appear.
 */
static inline int kernel_log_has_fault(unsigned long iova)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (kernel_log_has_fault_now(iova))
			return 1;
		usleep(50000);
	}
	return 0;
}

#endif /* EDU_H */
