// SPDX-License-Identifier: GPL-2.0-only
/*
 * Peer-to-peer DMA: edu A's DMA engine writes into the BAR of another edu
 * through the IOMMU, mapped in A's IOAS by IOMMU_IOAS_MAP_FILE of a VFIO
 * dma-buf or by IOMMU_IOAS_MAP of the BAR's mmap.  The mapping lives only
 * as long as the BAR: memory decoding turned off, a reset and close of
 * the peer each take it out of the IOMMU, so the same DMA faults.
 *
 * Needs the VM of `vm/run.sh --p2p` (three edus: A and B on the root bus,
 * C alone behind a PCIe-to-PCI bridge, so that it can be reset) and VT-d,
 * whose fault log shows where a DMA was blocked.  edu register 0x04 reads
 * back the complement of what was written to it: a 4-byte DMA into it is
 * proof that it arrived.
 */
#include <linux/vfio_dmabuf.h>

#include "edu.h"
#include "iommufd_utils.h"

#define EDU_INVERT 0x04
#define BAR_SZ 0x100000UL
/* edu masks DMA addresses to 28 bits: all IOVAs below 256 MiB. */
#define IOVA_RAM 0x100000UL
#define IOVA_PEER 0x400000UL	/* + n * BAR_SZ for the n-th mapping */

FIXTURE(p2p) {
	int fd;
	__u32 ioas;
	struct edu a, b, c;	/* c: the one that can be reset */
	unsigned char *ram;
	__u64 cfg_offset;	/* of B's config space */
	struct leak_baseline leak;
};

static int edu_can_reset(struct edu *edu)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	return !ioctl(edu->devfd, VFIO_DEVICE_GET_INFO, &info) &&
	       (info.flags & VFIO_DEVICE_FLAGS_RESET);
}

FIXTURE_SETUP(p2p)
{
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	struct edu edus[4], *peers[2];
	int n, i, np = 0;
	__u32 pt;

	leak_baseline(&self->leak);
	if (access("/sys/class/iommu/dmar0", F_OK))
		SKIP("needs VT-d, which logs the faults this test looks for");
	n = edu_find_all(edus, 4);
	if (n < 3)
		SKIP("%d edu device(s): peer-to-peer needs the VM of run.sh --p2p", n);
	self->fd = iommufd_open();
	ASSERT_OK(_ioas_alloc(self->fd, &self->ioas));
	for (i = 0; i < 3; i++) {
		if (edu_open_cdev(&edus[i]))
			SKIP("cannot bind edu to vfio-pci (VFIO not loaded?)");
		ASSERT_OK(edu_bind(&edus[i], self->fd));
		ASSERT_OK(edu_enable(&edus[i]));
		if (edu_can_reset(&edus[i]) && !self->c.bdf[0])
			self->c = edus[i];
		else if (np < 2)
			peers[np++] = &edus[i];
	}
	ASSERT_EQ(2, np);
	ASSERT_TRUE(self->c.bdf[0]);
	self->a = *peers[0];
	self->b = *peers[1];
	ASSERT_OK(ioctl(self->b.devfd, VFIO_DEVICE_GET_REGION_INFO, &cfg));
	self->cfg_offset = cfg.offset;

	pt = self->ioas;
	ASSERT_OK(edu_attach(&self->a, &pt));
	self->ram = test_buffer(PAGE_SZ);
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, self->ram, PAGE_SZ,
				  IOVA_RAM));
}

static void edu_close(struct edu *edu)
{
	if (edu->bar0)
		munmap((void *)edu->bar0, edu->bar0_size);
	edu->bar0 = NULL;
	if (edu->devfd >= 0)
		close(edu->devfd);
	edu->devfd = -1;
}

FIXTURE_TEARDOWN(p2p)
{
	edu_close(&self->a);
	edu_close(&self->b);
	edu_close(&self->c);
	ASSERT_OK(close(self->fd));
	leak_check(&self->leak);
}

static int feature_dma_buf(int devfd, __u32 flags, __u32 index,
			   __u32 dmabuf_flags, __u32 nr, __u64 offset,
			   __u64 length)
{
	struct {
		struct vfio_device_feature hdr;
		struct vfio_device_feature_dma_buf get;
		struct vfio_region_dma_range range;
	} cmd = {
		.hdr = { .argsz = sizeof(cmd),
			 .flags = flags | VFIO_DEVICE_FEATURE_DMA_BUF },
		.get = { .region_index = index, .open_flags = O_RDWR | O_CLOEXEC,
			 .flags = dmabuf_flags, .nr_ranges = nr },
		.range = { .offset = offset, .length = length },
	};

	return ioctl(devfd, VFIO_DEVICE_FEATURE, &cmd);
}

/* A dma-buf of all of @edu's BAR0; its fd. */
static int bar0_dmabuf(struct edu *edu)
{
	return feature_dma_buf(edu->devfd, VFIO_DEVICE_FEATURE_GET,
			       VFIO_PCI_BAR0_REGION_INDEX, 0, 1, 0, BAR_SZ);
}

/* A dma-buf of the peer's BAR0, or the test ends: skipped without one. */
static int peer_bar0_dmabuf(FIXTURE(p2p) *self)
{
	int dfd = bar0_dmabuf(&self->b);

	if (dfd < 0 && errno == ENOTTY)
		SKIP("VFIO without VFIO_DEVICE_FEATURE_DMA_BUF (not this project's)");
	ASSERT_GE(dfd, 0);
	return dfd;
}

/* A writes @val to offset @reg of the BAR mapped at @iova, by DMA. */
static int dma_to_peer(FIXTURE(p2p) *self, __u64 iova, unsigned int reg,
		       __u32 val)
{
	memcpy(self->ram, &val, 4);
	if (edu_dma(&self->a, IOVA_RAM, EDU_BUFFER, 4, 0))
		return -1;
	return edu_dma(&self->a, EDU_BUFFER, iova + reg, 4, 1);
}

/* A reads offset @reg of the BAR mapped at @iova, by DMA, into *@val. */
static int dma_from_peer(FIXTURE(p2p) *self, __u64 iova, unsigned int reg,
			 __u32 *val)
{
	memset(self->ram, 0, 4);
	if (edu_dma(&self->a, iova + reg, EDU_BUFFER, 4, 0) ||
	    edu_dma(&self->a, EDU_BUFFER, IOVA_RAM, 4, 1))
		return -1;
	memcpy(val, self->ram, 4);
	return 0;
}

/*
 * VT-d's fault handler prints at most ten lines per five seconds, and a
 * fault takes three: a DMA that should fault waits until the last one is
 * more than five seconds old, so that its line is printed.  The first
 * waits the whole time: a program that ran before may have faulted.
 */
static void before_faulting_dma(void)
{
	static struct timespec last;
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - last.tv_sec) * 1000 +
	     (now.tv_nsec - last.tv_nsec) / 1000000;
	if (!last.tv_sec)
		ms = 0;
	if (ms < 5200)
		usleep((5200 - ms) * 1000);
	clock_gettime(CLOCK_MONOTONIC, &last);
}

static int set_memory_decoding(FIXTURE(p2p) *self, int on)
{
	__u16 cmd;

	if (pread(self->b.devfd, &cmd, 2, self->cfg_offset + 4) != 2)
		return -1;
	cmd = on ? cmd | 0x2 : cmd & ~0x2;	/* PCI_COMMAND_MEMORY */
	return pwrite(self->b.devfd, &cmd, 2, self->cfg_offset + 4) == 2 ?
	       0 : -1;
}

TEST_F(p2p, dma_buf_feature_checks_its_request)
{
	const __u32 get = VFIO_DEVICE_FEATURE_GET;
	const struct {
		const char *what;
		int err;
		__u32 flags, index, dmabuf_flags, nr;
		__u64 offset, length;
	} bad[] = {
		{ "SET", EINVAL, VFIO_DEVICE_FEATURE_SET, 0, 0, 1, 0, BAR_SZ },
		{ "flags", EINVAL, get, 0, 1, 1, 0, BAR_SZ },
		{ "no range", EINVAL, get, 0, 0, 0, 0, BAR_SZ },
		{ "unaligned", EINVAL, get, 0, 0, 1, 0x80, PAGE_SZ },
		{ "empty", EINVAL, get, 0, 0, 1, 0, 0 },
		{ "past the BAR", EINVAL, get, 0, 0, 1, PAGE_SZ, BAR_SZ },
		{ "more ranges than argsz holds", EINVAL, get, 0, 0, 2, 0,
		  PAGE_SZ },
		{ "no BAR1 on edu", EINVAL, get, 1, 0, 1, 0, PAGE_SZ },
		{ "ROM", ENODEV, get, VFIO_PCI_ROM_REGION_INDEX, 0, 1, 0,
		  PAGE_SZ },
		{ "config space", ENODEV, get, VFIO_PCI_CONFIG_REGION_INDEX, 0,
		  1, 0, PAGE_SZ },
	};
	unsigned int i;
	int dfd;

	dfd = feature_dma_buf(self->b.devfd, VFIO_DEVICE_FEATURE_PROBE, 0, 0,
			      1, 0, BAR_SZ);
	if (dfd && errno == ENOTTY)
		SKIP("VFIO without VFIO_DEVICE_FEATURE_DMA_BUF (not this project's)");
	ASSERT_EQ(0, dfd);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		dfd = feature_dma_buf(self->b.devfd, bad[i].flags,
				      bad[i].index, bad[i].dmabuf_flags,
				      bad[i].nr, bad[i].offset, bad[i].length);
		if (dfd != -1 || errno != bad[i].err)
			printf("# request with %s: %d, errno %d\n", bad[i].what,
			       dfd, errno);
		EXPECT_EQ(-1, dfd);
		EXPECT_EQ(bad[i].err, errno);
	}

	/* Only iommufd can use it: it has no pages to hand out. */
	dfd = bar0_dmabuf(&self->b);
	ASSERT_GE(dfd, 0);
	EXPECT_TRUE(mmap(NULL, PAGE_SZ, PROT_READ, MAP_SHARED, dfd, 0) ==
		    MAP_FAILED);
	/* Ranges of the dma-buf are checked at map time. */
	EXPECT_ERRNO(EINVAL, _ioas_map_file_fixed(self->fd, self->ioas, dfd,
						  0, 2 * BAR_SZ, IOVA_PEER));
	ASSERT_OK(close(dfd));
}

TEST_F(p2p, a_device_writes_and_reads_a_peer_bar_through_a_dma_buf)
{
	long pinned = iommufd_pinned_pages();
	__u64 x = IOVA_PEER, x2 = IOVA_PEER + BAR_SZ;
	__u32 val;
	int dfd;

	dfd = peer_bar0_dmabuf(self);
	ASSERT_OK(_ioas_map_file_fixed(self->fd, self->ioas, dfd, 0, BAR_SZ,
				       x));
	/* BAR memory is not pinned, nor charged. */
	ASSERT_EQ(pinned, iommufd_pinned_pages());

	ASSERT_OK(dma_to_peer(self, x, EDU_INVERT, 0x12345678));
	ASSERT_EQ(~0x12345678u, edu_read32(&self->b, EDU_INVERT));
	ASSERT_OK(dma_from_peer(self, x, EDU_IDENT, &val));
	ASSERT_EQ(0x010000ed, val & 0xff0000ff);
	ASSERT_FALSE(kernel_log_has_fault_now(x));

	/* Memory decoding off: the BAR leaves the IOMMU at once. */
	ASSERT_OK(set_memory_decoding(self, 0));
	before_faulting_dma();
	ASSERT_OK(dma_to_peer(self, x, EDU_INVERT, 0x1111));
	ASSERT_TRUE(kernel_log_has_fault(x));
	/* ... and cannot be mapped until it is back. */
	EXPECT_ERRNO(ENODEV, _ioas_map_file_fixed(self->fd, self->ioas, dfd,
						  0, BAR_SZ, x2));
	ASSERT_OK(set_memory_decoding(self, 1));
	ASSERT_EQ(~0x12345678u, edu_read32(&self->b, EDU_INVERT));

	/* Back on: a new mapping works; the revoked one stays revoked. */
	ASSERT_OK(_ioas_map_file_fixed(self->fd, self->ioas, dfd, 0, BAR_SZ,
				       x2));
	ASSERT_OK(dma_to_peer(self, x2, EDU_INVERT, 0x2222));
	ASSERT_EQ(~0x2222u, edu_read32(&self->b, EDU_INVERT));
	before_faulting_dma();
	ASSERT_OK(dma_to_peer(self, x, EDU_INVERT, 0x3333));
	ASSERT_EQ(~0x2222u, edu_read32(&self->b, EDU_INVERT));
	/* The revoked area still holds its IOVA until unmapped. */
	EXPECT_ERRNO(EEXIST, _ioas_map_file_fixed(self->fd, self->ioas, dfd,
						  0, BAR_SZ, x));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, x, BAR_SZ, NULL));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, x2, BAR_SZ, NULL));
	ASSERT_OK(close(dfd));
	ASSERT_EQ(pinned, iommufd_pinned_pages());
}

TEST_F(p2p, ioas_map_of_a_bar_mmap_is_revoked_by_a_reset)
{
	long pinned = iommufd_pinned_pages();
	struct vfio_region_info bar = { .argsz = sizeof(bar),
					.index = VFIO_PCI_BAR0_REGION_INDEX };
	__u64 x = IOVA_PEER + 2 * BAR_SZ, iova = x;
	void *ro;

	/* The BAR mmap itself, as QEMU maps a passed-through BAR. */
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, (void *)self->c.bar0,
				  BAR_SZ, x));
	ASSERT_EQ(pinned, iommufd_pinned_pages());
	ASSERT_OK(dma_to_peer(self, x, EDU_INVERT, 0xabcd));
	ASSERT_EQ(~0xabcdu, edu_read32(&self->c, EDU_INVERT));

	/* A reset of C takes its BAR out of A's IOAS. */
	ASSERT_OK(ioctl(self->c.devfd, VFIO_DEVICE_RESET));
	before_faulting_dma();
	ASSERT_OK(dma_to_peer(self, x, EDU_INVERT, 0x5555));
	ASSERT_TRUE(kernel_log_has_fault(x));
	/* edu keeps the register through a reset: the DMA did not land. */
	ASSERT_EQ(~0xabcdu, edu_read32(&self->c, EDU_INVERT));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, x, BAR_SZ, NULL));

	/* Mapped again after the reset (one page of it), it works again. */
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, (void *)self->c.bar0,
				  PAGE_SZ, x));
	ASSERT_OK(dma_to_peer(self, x, EDU_INVERT, 0x7777));
	ASSERT_EQ(~0x7777u, edu_read32(&self->c, EDU_INVERT));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, x, PAGE_SZ, NULL));

	/* What GUP would refuse: past the mapping, writable of read-only. */
	EXPECT_ERRNO(EFAULT, _ioas_map_fixed(self->fd, self->ioas,
					     (void *)self->c.bar0, 2 * BAR_SZ,
					     x));
	ASSERT_OK(ioctl(self->c.devfd, VFIO_DEVICE_GET_REGION_INFO, &bar));
	ro = mmap(NULL, BAR_SZ, PROT_READ, MAP_SHARED, self->c.devfd,
		  bar.offset);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_ERRNO(EFAULT, _ioas_map_fixed(self->fd, self->ioas, ro, BAR_SZ,
					     x));
	ASSERT_OK(_ioas_map(self->fd, self->ioas, ro, BAR_SZ, &iova,
			    IOMMU_IOAS_MAP_READABLE));
	ASSERT_OK(munmap(ro, BAR_SZ));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, iova, BAR_SZ, NULL));
	ASSERT_EQ(pinned, iommufd_pinned_pages());
}

/*
 * IOMMU_IOAS_MAP remembers a range it found to hold pages, so that mapping
 * it again skips the VMA lookup; a BAR mmapped over it later is a new VMA
 * and must be seen as the BAR, not refused by GUP as memory.
 */
TEST_F(p2p, a_bar_mmapped_over_mapped_memory_is_mapped_as_the_bar)
{
	long pinned = iommufd_pinned_pages();
	struct vfio_region_info bar = { .argsz = sizeof(bar),
					.index = VFIO_PCI_BAR0_REGION_INDEX };
	__u64 x = IOVA_PEER + 5 * BAR_SZ;
	void *mem, *bar0;

	mem = mmap(NULL, BAR_SZ, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, mem, BAR_SZ, x));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, mem, BAR_SZ,
				  x + BAR_SZ));
	ASSERT_LT(pinned, iommufd_pinned_pages());
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, x, 2 * BAR_SZ, NULL));
	ASSERT_EQ(pinned, iommufd_pinned_pages());

	/* C's BAR takes the memory's place, at the same address. */
	ASSERT_OK(ioctl(self->c.devfd, VFIO_DEVICE_GET_REGION_INFO, &bar));
	bar0 = mmap(mem, BAR_SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		    self->c.devfd, bar.offset);
	ASSERT_EQ(mem, bar0);
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, bar0, BAR_SZ, x));
	ASSERT_EQ(pinned, iommufd_pinned_pages());
	ASSERT_OK(dma_to_peer(self, x, EDU_INVERT, 0x1357));
	ASSERT_EQ(~0x1357u, edu_read32(&self->c, EDU_INVERT));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, x, BAR_SZ, NULL));
	ASSERT_OK(munmap(bar0, BAR_SZ));

	/* And memory again where the BAR was. */
	mem = mmap(bar0, BAR_SZ, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(bar0, mem);
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, mem, BAR_SZ, x));
	ASSERT_LT(pinned, iommufd_pinned_pages());
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, x, BAR_SZ, NULL));
	ASSERT_OK(munmap(mem, BAR_SZ));
	ASSERT_EQ(pinned, iommufd_pinned_pages());
}

TEST_F(p2p, closing_the_peer_revokes_its_bar)
{
	__u64 x = IOVA_PEER + 3 * BAR_SZ, y = IOVA_PEER + 4 * BAR_SZ;
	int dfd;

	dfd = peer_bar0_dmabuf(self);
	ASSERT_OK(_ioas_map_file_fixed(self->fd, self->ioas, dfd, 0, BAR_SZ,
				       x));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, (void *)self->b.bar0,
				  BAR_SZ, y));
	ASSERT_OK(dma_to_peer(self, x, EDU_INVERT, 0x4444));
	ASSERT_EQ(~0x4444u, edu_read32(&self->b, EDU_INVERT));

	/*
	 * B's user lets go of it: both mappings outlive the munmap (they
	 * hold no page), but not the close.
	 */
	edu_close(&self->b);
	before_faulting_dma();
	ASSERT_OK(dma_to_peer(self, x, EDU_INVERT, 0x8888));
	ASSERT_TRUE(kernel_log_has_fault(x));
	before_faulting_dma();
	ASSERT_OK(dma_to_peer(self, y, EDU_INVERT, 0x9999));
	ASSERT_TRUE(kernel_log_has_fault(y));
	/* Revoked for good: no new mapping of the dma-buf. */
	EXPECT_ERRNO(ENODEV, _ioas_map_file_fixed(self->fd, self->ioas, dfd,
						  0, BAR_SZ,
						  IOVA_PEER + 5 * BAR_SZ));
	ASSERT_OK(close(dfd));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, x, BAR_SZ, NULL));
	ASSERT_OK(_ioas_unmap(self->fd, self->ioas, y, BAR_SZ, NULL));
}
