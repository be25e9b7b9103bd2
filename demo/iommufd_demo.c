// SPDX-License-Identifier: GPL-2.0-only
/*
 * The main job, run inside the VM: a real (emulated) PCI device, QEMU's
 * edu, does DMA into a user buffer through /dev/iommu, the way a VMM or a
 * user-space driver would set it up, and the same DMA is blocked by the
 * IOMMU once the buffer is unmapped.  Says what it does in plain words and
 * ends with a verdict on whether everything behaved as expected.
 */
#include "edu.h"

#define IOVA_SRC 0x100000UL
#define IOVA_DST 0x200000UL
#define XFER 4000

static int problems;

static void step(int ok, const char *what)
{
	printf("  [%s] %s\n", ok ? " ok " : "FAIL", what);
	if (!ok)
		problems++;
}

static int ioas_map(int fd, __u32 ioas, void *buf, size_t len, __u64 iova)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map), .ioas_id = ioas,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = (uintptr_t)buf, .length = len, .iova = iova,
	};

	return ioctl(fd, IOMMU_IOAS_MAP, &map);
}

static int ioas_unmap(int fd, __u32 ioas, __u64 iova, size_t len)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap), .ioas_id = ioas, .iova = iova,
		.length = len,
	};

	return ioctl(fd, IOMMU_IOAS_UNMAP, &unmap);
}

int main(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *src, *dst;
	struct edu edu = {};
	int fd, i, same, mapped;
	__u32 pt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("/dev/iommu demo: a PCI device doing DMA through I/O page tables\n"
	       "that this module manages, on Debian's stock 6.12 kernel.\n\n");

	step(!edu_find(&edu), "found QEMU's edu PCI device");
	printf("        edu is at PCI address %s\n", edu.bdf);
	fd = open("/dev/iommu", O_RDWR);
	step(fd >= 0, "opened /dev/iommu, as a VMM would");
	step(!edu_open_cdev(&edu),
	     "bound edu to vfio-pci and opened its VFIO device cdev");
	if (fd < 0 || edu.devfd <= 0)
		goto out;

	step(!edu_bind(&edu, fd),
	     "VFIO_DEVICE_BIND_IOMMUFD: handed the device to /dev/iommu");
	printf("        the device is object #%u of this /dev/iommu\n",
	       edu.devid);
	step(!ioctl(fd, IOMMU_IOAS_ALLOC, &alloc),
	     "IOMMU_IOAS_ALLOC: made an I/O address space");
	pt = alloc.out_ioas_id;
	step(!edu_attach(&edu, &pt),
	     "VFIO_DEVICE_ATTACH_IOMMUFD_PT: attached the device to it");
	printf("        I/O address space #%u -> I/O page table (Intel VT-d domain) #%u -> edu\n",
	       alloc.out_ioas_id, pt);

	src = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < XFER; i++)
		src[i] = (unsigned char)(i * 31 + 7);
	memset(dst, 0, page);
	mapped = !ioas_map(fd, alloc.out_ioas_id, src, page, IOVA_SRC) &&
		 !ioas_map(fd, alloc.out_ioas_id, dst, page, IOVA_DST);
	step(mapped,
	     "IOMMU_IOAS_MAP: mapped a source buffer at IOVA 0x100000 and an empty destination buffer at IOVA 0x200000");

	step(!edu_enable(&edu), "mapped edu's registers and enabled bus mastering");
	printf("        edu identifies itself as 0x%08x\n",
	       edu_read32(&edu, EDU_IDENT));

	step(!edu_dma(&edu, IOVA_SRC, EDU_BUFFER, XFER, 0),
	     "edu DMA: read 4000 bytes from IOVA 0x100000 into the device");
	step(!edu_dma(&edu, EDU_BUFFER, IOVA_DST, XFER, 1),
	     "edu DMA: wrote them back to IOVA 0x200000");
	same = !memcmp(src, dst, XFER);
	step(same, "the destination buffer now holds exactly the source bytes");
	printf("        first bytes: source %02x %02x %02x %02x, destination %02x %02x %02x %02x\n",
	       src[0], src[1], src[2], src[3], dst[0], dst[1], dst[2], dst[3]);

	step(!ioas_unmap(fd, alloc.out_ioas_id, IOVA_DST, page),
	     "IOMMU_IOAS_UNMAP: removed IOVA 0x200000 from the address space");
	memset(dst, 0, page);
	edu_dma(&edu, EDU_BUFFER, IOVA_DST, XFER, 1);
	step(dst[0] == 0 && !memcmp(dst, dst + 1, XFER - 1),
	     "the same DMA again: the destination buffer stays untouched");
	step(kernel_log_has_fault(IOVA_DST),
	     "the IOMMU blocked it: the kernel log reports a DMA fault at 0x200000");

	step(!edu_detach(&edu), "VFIO_DEVICE_DETACH_IOMMUFD_PT: detached");
	close(edu.devfd);
	close(fd);
out:
	printf("\n%s\n", problems ?
	       "RESULT: something did not behave as expected (see FAIL above)" :
	       "RESULT: everything shown behaved as expected");
	return problems ? 1 : 0;
}
