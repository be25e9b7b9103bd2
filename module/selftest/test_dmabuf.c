// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test ABI's dma-buf exporter: IOMMU_TEST_OP_DMABUF_GET makes a
 * dma-buf of kernel memory, IOMMU_TEST_OP_DMABUF_REVOKE takes it back (or
 * gives it back) as a device reset takes a BAR, so that MAP_FILE of a
 * dma-buf and its revocation can be tested without a device.  It is a
 * registered struct iommufd_dmabuf_exporter like any other.
 */
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/gfp.h>
#include <linux/iommufd_ext.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_test.h>

#include "../iommufd_private.h"
#include "test_cmd.h"

/* Large enough for any test, small enough to always get. */
#define TEST_DMABUF_MAX SZ_4M

/**
 * struct test_dmabuf - a test dma-buf
 * @memory: its memory, physically contiguous
 * @length: its length in bytes
 * @revoked: taken back; changed under the dma-buf's reservation lock
 */
struct test_dmabuf {
	void *memory;
	size_t length;
	bool revoked;
};

static int test_dmabuf_pin(struct dma_buf_attachment *attach)
{
	return 0;
}

static void test_dmabuf_unpin(struct dma_buf_attachment *attach)
{
}

/* Only iommufd imports these, and it never asks for a scatterlist. */
static struct sg_table *test_dmabuf_map(struct dma_buf_attachment *attach,
					enum dma_data_direction dir)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static void test_dmabuf_unmap(struct dma_buf_attachment *attach,
			      struct sg_table *sgt,
			      enum dma_data_direction dir)
{
}

static void test_dmabuf_release(struct dma_buf *dmabuf)
{
	struct test_dmabuf *priv = dmabuf->priv;

	free_pages_exact(priv->memory, priv->length);
	kfree(priv);
}

static const struct dma_buf_ops test_dmabuf_ops = {
	.pin = test_dmabuf_pin,
	.unpin = test_dmabuf_unpin,
	.map_dma_buf = test_dmabuf_map,
	.unmap_dma_buf = test_dmabuf_unmap,
	.release = test_dmabuf_release,
};

static int test_dmabuf_locate(struct dma_buf_attachment *attach,
			      phys_addr_t *phys, size_t *len)
{
	struct test_dmabuf *priv = attach->dmabuf->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (priv->revoked)
		return -ENODEV;
	*phys = virt_to_phys(priv->memory);
	*len = priv->length;
	return 0;
}

static struct iommufd_dmabuf_exporter test_dmabuf_exporter = {
	.ops = &test_dmabuf_ops,
	.locate = test_dmabuf_locate,
};

/**
 * iommufd_test_dmabuf_get() - IOMMU_TEST_OP_DMABUF_GET
 * @length: bytes, 1 to TEST_DMABUF_MAX
 * @open_flags: O_CLOEXEC or 0, for the new descriptor
 *
 * Context: process context, may sleep.
 * Return: the dma-buf's new file descriptor; -EINVAL for a bad length or
 * flags; -ENOMEM; the errors of dma_buf_export() and dma_buf_fd().
 */
int iommufd_test_dmabuf_get(size_t length, u32 open_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct test_dmabuf *priv;
	struct dma_buf *dmabuf;
	int fd;

	if (!length || length > TEST_DMABUF_MAX || open_flags & ~O_CLOEXEC)
		return -EINVAL;
	priv = kzalloc(sizeof(*priv), GFP_KERNEL);
	if (!priv)
		return -ENOMEM;
	priv->length = length;
	priv->memory = alloc_pages_exact(length, GFP_KERNEL | __GFP_ZERO);
	if (!priv->memory) {
		kfree(priv);
		return -ENOMEM;
	}
	exp_info.ops = &test_dmabuf_ops;
	exp_info.size = length;
	exp_info.flags = O_RDWR;
	exp_info.priv = priv;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		free_pages_exact(priv->memory, length);
		kfree(priv);
		return PTR_ERR(dmabuf);
	}
	/* From here on the release callback frees @priv. */
	fd = dma_buf_fd(dmabuf, open_flags);
	if (fd < 0)
		dma_buf_put(dmabuf);
	return fd;
}

/**
 * iommufd_test_dmabuf_revoke() - IOMMU_TEST_OP_DMABUF_REVOKE
 * @fd: a test dma-buf
 * @revoked: take it back (every importer is told) or give it back (for
 *	new importers; those told keep it revoked)
 *
 * Context: process context, may sleep.
 * Return: 0; -EBADF or -EINVAL for a descriptor that is no test dma-buf.
 */
int iommufd_test_dmabuf_revoke(int fd, bool revoked)
{
	struct test_dmabuf *priv;
	struct dma_buf *dmabuf;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	if (dmabuf->ops != &test_dmabuf_ops) {
		dma_buf_put(dmabuf);
		return -EINVAL;
	}
	priv = dmabuf->priv;
	dma_resv_lock(dmabuf->resv, NULL);
	priv->revoked = revoked;
	if (revoked)
		dma_buf_move_notify(dmabuf);
	dma_resv_unlock(dmabuf->resv);
	dma_buf_put(dmabuf);
	return 0;
}

/**
 * iommufd_test_dmabuf_init() - register the test exporter
 *
 * Context: process context (module init).
 */
void iommufd_test_dmabuf_init(void)
{
	iommufd_dmabuf_exporter_register(&test_dmabuf_exporter);
}

/**
 * iommufd_test_dmabuf_exit() - unregister it; no test dma-buf exists
 *	(each holds this module)
 *
 * Context: process context (module exit).
 */
void iommufd_test_dmabuf_exit(void)
{
	iommufd_dmabuf_exporter_unregister(&test_dmabuf_exporter);
}
