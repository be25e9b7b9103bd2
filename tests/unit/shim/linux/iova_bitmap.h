/* SPDX-License-Identifier: GPL-2.0-only */
/* The IOVA bitmap's API, as <linux/iova_bitmap.h> declares it. */
#ifndef KSHIM_IOVA_BITMAP_H
#define KSHIM_IOVA_BITMAP_H

#include "../kshim.h"

struct iova_bitmap;

typedef int (*iova_bitmap_fn_t)(struct iova_bitmap *bitmap,
				unsigned long iova, size_t length,
				void *opaque);

struct iova_bitmap *iova_bitmap_alloc(unsigned long iova, size_t length,
				      unsigned long page_size,
				      u64 __user *data);
void iova_bitmap_free(struct iova_bitmap *bitmap);
int iova_bitmap_for_each(struct iova_bitmap *bitmap, void *opaque,
			 iova_bitmap_fn_t fn);
void iova_bitmap_set(struct iova_bitmap *bitmap, unsigned long iova,
		     size_t length);

#endif
