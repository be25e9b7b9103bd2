// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOVA bitmap: one bit per page_size of an IOVA range, in a user
 * buffer, that IOMMU drivers set through iommu_dirty_bitmap_record().
 *
 * Debian's kernel is built without CONFIG_IOMMUFD_DRIVER, so its own
 * iova_bitmap_*() are empty stubs; this module builds with that option and
 * provides them.  (Only drivers compiled against these, i.e. the mock IOMMU,
 * can record dirty pages on the stock kernel.)
 *
 * The user buffer is walked in windows of at most IOVA_BITMAP_WINDOW
 * bytes: a window is read in, the driver sets bits for the IOVA it covers,
 * and it is written back.  Bits are only ever set, never cleared, and
 * bytes outside the range's bits are left as they were, so any byte
 * alignment of the buffer, any power-of-two page size and ranges far
 * larger than a window all work alike.  Bit n (LSB first in byte n / 8) is
 * the page at iova + n * page_size, the layout of a little-endian u64
 * bitmap.
 */
#include <linux/bitops.h>
#include <linux/iova_bitmap.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#define IOVA_BITMAP_WINDOW PAGE_SIZE

/**
 * struct iova_bitmap - a user bitmap over an IOVA range, and its window
 * @iova: IOVA of bit 0
 * @length: bytes of IOVA covered
 * @page_shift: log2 of the bytes one bit stands for
 * @nbits: bits in the bitmap
 * @data: the user buffer
 * @buf: the window's bytes
 * @first_bit: first bit of the window, a multiple of 8
 * @win_bits: bits in the window
 */
struct iova_bitmap {
	unsigned long iova;
	unsigned long length;
	unsigned int page_shift;
	unsigned long nbits;
	u8 __user *data;
	u8 *buf;
	unsigned long first_bit;
	unsigned long win_bits;
};

/**
 * iova_bitmap_alloc() - describe a user bitmap over an IOVA range
 * @iova: first IOVA, page_size aligned
 * @length: bytes, a multiple of page_size
 * @page_size: bytes per bit, a power of two
 * @data: user buffer of at least DIV_ROUND_UP(length / page_size, 8) bytes
 *
 * Context: process context.
 * Return: the bitmap, or ERR_PTR(-EINVAL) or ERR_PTR(-ENOMEM).
 */
struct iova_bitmap *iova_bitmap_alloc(unsigned long iova, size_t length,
				      unsigned long page_size,
				      u64 __user *data)
{
	struct iova_bitmap *bitmap;

	if (!length || !is_power_of_2(page_size))
		return ERR_PTR(-EINVAL);
	bitmap = kzalloc(sizeof(*bitmap), GFP_KERNEL);
	if (!bitmap)
		return ERR_PTR(-ENOMEM);
	bitmap->buf = kmalloc(IOVA_BITMAP_WINDOW, GFP_KERNEL);
	if (!bitmap->buf) {
		kfree(bitmap);
		return ERR_PTR(-ENOMEM);
	}
	bitmap->iova = iova;
	bitmap->length = length;
	bitmap->page_shift = ilog2(page_size);
	bitmap->nbits = ((length - 1) >> bitmap->page_shift) + 1;
	bitmap->data = (u8 __user *)data;
	return bitmap;
}

/**
 * iova_bitmap_free() - free a bitmap of iova_bitmap_alloc()
 * @bitmap: the bitmap
 */
void iova_bitmap_free(struct iova_bitmap *bitmap)
{
	kfree(bitmap->buf);
	kfree(bitmap);
}

/**
 * iova_bitmap_for_each() - let @fn fill the bitmap window by window
 * @bitmap: the bitmap
 * @opaque: passed to @fn
 * @fn: called with the IOVA range of each window; records dirty IOVA with
 *	iova_bitmap_set()
 *
 * Context: process context, may fault.
 * Return: 0, @fn's error, or -EFAULT.
 */
int iova_bitmap_for_each(struct iova_bitmap *bitmap, void *opaque,
			 iova_bitmap_fn_t fn)
{
	for (bitmap->first_bit = 0; bitmap->first_bit < bitmap->nbits;
	     bitmap->first_bit += bitmap->win_bits) {
		unsigned long byte = bitmap->first_bit / BITS_PER_BYTE;
		unsigned long iova, len;
		size_t bytes;
		int rc;

		bitmap->win_bits = min_t(unsigned long,
					 bitmap->nbits - bitmap->first_bit,
					 IOVA_BITMAP_WINDOW * BITS_PER_BYTE);
		bytes = DIV_ROUND_UP(bitmap->win_bits, BITS_PER_BYTE);
		if (copy_from_user(bitmap->buf, bitmap->data + byte, bytes))
			return -EFAULT;

		iova = bitmap->iova + (bitmap->first_bit << bitmap->page_shift);
		len = min(bitmap->length - (iova - bitmap->iova),
			  bitmap->win_bits << bitmap->page_shift);
		rc = fn(bitmap, iova, len, opaque);
		if (rc)
			return rc;
		if (copy_to_user(bitmap->data + byte, bitmap->buf, bytes))
			return -EFAULT;
		cond_resched();
	}
	return 0;
}

/**
 * iova_bitmap_set() - mark [@iova, @iova + @length) dirty
 * @bitmap: the bitmap, inside iova_bitmap_for_each()
 * @iova: start
 * @length: bytes
 *
 * Only the part inside the current window is recorded: the walk hands the
 * driver one window's IOVA at a time.
 *
 * Context: any.
 */
void iova_bitmap_set(struct iova_bitmap *bitmap, unsigned long iova,
		     size_t length)
{
	unsigned long first, last, bit;

	if (!length || iova + length - 1 < bitmap->iova)
		return;
	first = iova > bitmap->iova ?
		(iova - bitmap->iova) >> bitmap->page_shift : 0;
	last = (iova + length - 1 - bitmap->iova) >> bitmap->page_shift;
	first = max(first, bitmap->first_bit);
	last = min(last, bitmap->first_bit + bitmap->win_bits - 1);
	for (bit = first; bit <= last && bit >= first; bit++) {
		unsigned long rel = bit - bitmap->first_bit;

		bitmap->buf[rel / BITS_PER_BYTE] |= BIT(rel % BITS_PER_BYTE);
	}
}
