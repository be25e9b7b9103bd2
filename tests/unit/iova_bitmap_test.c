// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of hwpt/iova_bitmap.c, built from the module's own source in
 * user space: random IOVA ranges, page sizes and buffer contents, the bits
 * a driver records compared byte for byte with a plain bit-by-bit
 * reference, the windows the walk hands out, and its errors.
 */
#include "kshim.h"

#include <linux/iova_bitmap.h>

#include "harness.h"
#include "unit.h"

#define MAX_BYTES (64 * 1024)	/* 16 windows of the walk */
#define MAX_DIRTY 32

struct dirty_range {
	unsigned long iova;
	unsigned long length;
};

/* What the "driver" records, and what it saw of the walk. */
struct driver {
	struct dirty_range dirty[MAX_DIRTY];
	unsigned int ndirty;
	unsigned long next_iova;	/* where the next window must start */
	unsigned long windows;
	int fail_at;			/* fail the walk at this window */
};

static int record(struct iova_bitmap *bitmap, unsigned long iova,
		  size_t length, void *opaque)
{
	struct driver *d = opaque;

	/* Windows follow each other with no gap or overlap. */
	if (iova != d->next_iova || !length)
		return -EPROTO;
	d->next_iova = iova + length;
	if (d->windows++ == (unsigned long)d->fail_at)
		return -EIO;
	/* A driver reports whatever it has; the bitmap keeps the window's. */
	for (unsigned int i = 0; i < d->ndirty; i++)
		iova_bitmap_set(bitmap, d->dirty[i].iova, d->dirty[i].length);
	return 0;
}

/* Bit n stands for [iova + n * page, +page): set those a range touches. */
static void reference(u8 *bits, unsigned long nbits, unsigned long iova,
		      unsigned long page, const struct dirty_range *r)
{
	for (unsigned long n = 0; n < nbits; n++) {
		unsigned long start = iova + n * page, last = start + page - 1;

		if (r->length && r->iova <= last &&
		    r->iova + r->length - 1 >= start)
			bits[n / 8] |= 1u << (n % 8);
	}
}

TEST_TIMEOUT(iova_bitmap, recorded_bits_match_reference, 300)
{
	static u8 user[MAX_BYTES + 16], want[MAX_BYTES + 16];
	unsigned long runs = 0, windows = 0;

	seed();
	for (unsigned int run = 0; run < 400; run++) {
		unsigned long page = 1UL << (12 + rnd_below(10));
		unsigned long nbits = 1 + rnd_below(rnd_below(2) ?
						    MAX_BYTES * 8 : 200);
		unsigned long iova = rnd_below(1UL << 40) & ~(page - 1);
		unsigned long length = nbits * page - rnd_below(page);
		unsigned long off = rnd_below(8);	/* any byte alignment */
		struct driver d = { .next_iova = iova, .fail_at = -1 };
		struct iova_bitmap *bitmap;

		for (unsigned long i = 0; i < sizeof(user); i++)
			user[i] = rnd_below(4) ? 0 : rnd();
		memcpy(want, user, sizeof(user));
		d.ndirty = rnd_below(MAX_DIRTY);
		for (unsigned int i = 0; i < d.ndirty; i++) {
			struct dirty_range *r = &d.dirty[i];

			/* Some start before the bitmap or end past it. */
			r->iova = iova - page * 2 + rnd_below(length + page * 4);
			r->length = rnd_below(4) ? rnd_below(page * 3) :
						   rnd_below(length);
			reference(want + off, nbits, iova, page, r);
		}
		bitmap = iova_bitmap_alloc(iova, length, page,
					   (u64 *)(user + off));
		ASSERT_FALSE(IS_ERR(bitmap));
		ASSERT_EQ(0, iova_bitmap_for_each(bitmap, &d, record));
		iova_bitmap_free(bitmap);
		ASSERT_EQ(iova + length, d.next_iova);
		/* Every byte: the range's bits, and nothing outside them. */
		for (unsigned long i = 0; i < sizeof(user); i++) {
			if (user[i] != want[i])
				printf("# run %u byte %lu: %#x, want %#x\n", run,
				       i, user[i], want[i]);
			ASSERT_EQ(want[i], user[i]);
		}
		runs++;
		windows += d.windows;
	}
	printf("# %lu bitmaps, %lu windows matched\n", runs, windows);
	ASSERT_GT(windows, runs);	/* some walks took several windows */
}

TEST(iova_bitmap, errors_stop_the_walk)
{
	static u8 user[MAX_BYTES];
	unsigned long page = 4096, nbits = MAX_BYTES * 8;
	struct driver d = { .fail_at = 2 };
	struct iova_bitmap *bitmap;

	ASSERT_EQ(-EINVAL, PTR_ERR(iova_bitmap_alloc(0, 0, page,
						     (u64 *)user)));
	ASSERT_EQ(-EINVAL, PTR_ERR(iova_bitmap_alloc(0, page, 3 * 1024,
						     (u64 *)user)));

	/* The driver's error, at the third window. */
	bitmap = iova_bitmap_alloc(0, nbits * page, page, (u64 *)user);
	ASSERT_FALSE(IS_ERR(bitmap));
	ASSERT_EQ(-EIO, iova_bitmap_for_each(bitmap, &d, record));
	ASSERT_EQ(3UL, d.windows);
	iova_bitmap_free(bitmap);

	/* A user buffer that faults, reading and then writing back. */
	for (unsigned long fail = 1; fail <= 2; fail++) {
		struct driver ok = { .fail_at = -1 };

		bitmap = iova_bitmap_alloc(0, nbits * page, page,
					   (u64 *)user);
		kshim_uaccess_fail = fail;
		ASSERT_EQ(-EFAULT, iova_bitmap_for_each(bitmap, &ok, record));
		kshim_uaccess_fail = 0;
		iova_bitmap_free(bitmap);
	}
	ASSERT_EQ(0UL, kshim_warnings);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
