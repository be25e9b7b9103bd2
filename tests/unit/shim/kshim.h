/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel API that the module's pure parts use, for building them
 * unchanged in user space (tests/unit/).  Every <linux/...> header those
 * files include is a one-line file in this folder that includes this.
 *
 * Locks are flags, not locks: the unit tests are single-threaded, and the
 * flags let lockdep_assert_held() check that a function's callers hold
 * what it says they must.  The interval tree is a sorted list: slower than
 * the kernel's, with the same answers.  WARN_ON() counts into
 * kshim_warnings, which every test expects to stay 0.
 */
#ifndef KSHIM_H
#define KSHIM_H

#include <asm/types.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define __aligned_u64 __u64 __attribute__((aligned(8)))

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef unsigned long phys_addr_t;
typedef unsigned long dma_addr_t;
typedef unsigned int gfp_t;

#define __user
#define __rcu
#define __counted_by(m)
#define __must_check

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define HPAGE_SIZE (1UL << 21)
#define CONFIG_TRANSPARENT_HUGEPAGE 1

#define GFP_KERNEL 0u
#define GFP_KERNEL_ACCOUNT 0u
#define __GFP_NOWARN 0u

#define BIT(n) (1UL << (n))
#define ALIGN(x, a) (((x) + (a) - 1) & ~((typeof(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((typeof(x))(a) - 1))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min_t(t, a, b) min((t)(a), (t)(b))
#define max_t(t, a, b) max((t)(a), (t)(b))
#define clamp(v, lo, hi) min(max(v, lo), hi)
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define array_index_nospec(i, n) (i)
#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)
#define BUILD_BUG_ON_ZERO(e) ((int)(sizeof(struct { int : (-!!(e)); })))
/* The kernel's one-argument form. */
#define static_assert(e, ...) _Static_assert(e, #e)
#define READ_ONCE(x) (x)
#define WRITE_ONCE(x, v) ((x) = (v))

#define BITS_PER_BYTE 8
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define is_power_of_2(n) ((n) != 0 && ((n) & ((n) - 1)) == 0)
#define ilog2(n) (63 - __builtin_clzl(n))

/*
 * User memory is the test's own memory; kshim_uaccess_fail makes the next
 * that many copies fail as a fault would.
 */
extern unsigned long kshim_uaccess_fail;
static inline unsigned long kshim_copy(void *to, const void *from,
				       unsigned long n)
{
	if (kshim_uaccess_fail) {
		kshim_uaccess_fail--;
		return n;
	}
	memcpy(to, from, n);
	return 0;
}
#define copy_from_user(to, from, n) kshim_copy(to, from, n)
#define copy_to_user(to, from, n) kshim_copy(to, from, n)
#define get_user(x, ptr) kshim_copy(&(x), ptr, sizeof(*(ptr)))

/* The kernel's rules for an extensible struct from user space. */
static inline int copy_struct_from_user(void *dst, size_t ksize,
					const void *src, size_t usize)
{
	if (usize > ksize) {
		for (size_t i = ksize; i < usize; i++)
			if (((const unsigned char *)src)[i])
				return -E2BIG;
	} else {
		memset((char *)dst + usize, 0, ksize - usize);
	}
	return kshim_copy(dst, src, min(usize, ksize)) ? -EFAULT : 0;
}

#define likely(c) __builtin_expect(!!(c), 1)
#define unlikely(c) __builtin_expect(!!(c), 0)

/*
 * Allocations that may fail: kshim_alloc_fail makes the next that many
 * kvcalloc() or kvmemdup() calls fail, as the kernel's allocator may.
 */
extern unsigned long kshim_alloc_fail;
static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	if (kshim_alloc_fail) {
		kshim_alloc_fail--;
		return NULL;
	}
	return calloc(n, size);
}
static inline void *kvmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kvcalloc(1, len, gfp);

	if (p)
		memcpy(p, src, len);
	return p;
}
/* The first byte of @n at @p that is not @c, or NULL. */
static inline void *memchr_inv(const void *p, int c, size_t n)
{
	for (const unsigned char *b = p; n--; b++)
		if (*b != (unsigned char)c)
			return (void *)b;
	return NULL;
}

/* Bitmaps. */
#define BITS_PER_LONG 64
static inline void bitmap_free(const unsigned long *map)
{
	free((void *)map);
}
static inline void __set_bit(unsigned long nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}
static inline void bitmap_set(unsigned long *map, unsigned long start,
			      unsigned int nbits)
{
	while (nbits--)
		__set_bit(start++, map);
}

static inline unsigned long __ffs(unsigned long x)
{
	return __builtin_ctzl(x);
}
static inline unsigned int __ffs64(unsigned long long x)
{
	return __builtin_ctzll(x);
}
#define GENMASK(h, l) \
	((~0UL << (l)) & (~0UL >> (BITS_PER_LONG - 1 - (h))))

static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return n <= 1 ? 1 : 1UL << (64 - __builtin_clzl(n - 1));
}

extern unsigned long kshim_warnings;
#define WARN_ON(c) ({ bool __c = !!(c); if (__c) { kshim_warnings++;	\
	fprintf(stderr, "# WARN_ON(%s) at %s:%d\n", #c, __FILE__,	\
		__LINE__); } __c; })
#define WARN_ON_ONCE(c) WARN_ON(c)

#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long e) { return (void *)e; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline bool IS_ERR(const void *p) { return IS_ERR_VALUE(p); }
#define ERR_CAST(p) ((void *)(p))

#define kzalloc(n, gfp) calloc(1, n)
#define kmalloc(n, gfp) malloc(n)
static inline void kfree(const void *p) { free((void *)p); }
static inline void kvfree(const void *p) { free((void *)p); }
static inline void cond_resched(void) { }

/* Locks: who holds them, for lockdep_assert_held(). */
struct kshim_lock { int readers; bool writer; };
struct rw_semaphore { struct kshim_lock l; };
struct mutex { struct kshim_lock l; };
typedef struct { struct kshim_lock l; } spinlock_t;
#define init_rwsem(s) memset(s, 0, sizeof(*(s)))
#define mutex_init(m) memset(m, 0, sizeof(*(m)))
#define spin_lock_init(s) memset(s, 0, sizeof(*(s)))
#define down_read(s) ((s)->l.readers++)
#define up_read(s) ((s)->l.readers--)
#define down_write(s) ((s)->l.writer = true)
#define up_write(s) ((s)->l.writer = false)
#define mutex_lock(m) ((m)->l.writer = true)
#define mutex_unlock(m) ((m)->l.writer = false)
#define mutex_destroy(m) ((void)(m))
#define lockdep_assert_held(s) \
	WARN_ON(!(s)->l.writer && !(s)->l.readers)
#define lockdep_assert_held_write(s) WARN_ON(!(s)->l.writer)

typedef struct { int refs; } refcount_t;
struct kref { refcount_t refcount; };
#define kref_get(k) ((k)->refcount.refs++)
#define kref_put(k, release) \
	(--(k)->refcount.refs == 0 ? (release(k), 1) : 0)
#define refcount_dec(r) ((r)->refs--)
#define refcount_inc(r) ((r)->refs++)
typedef struct { int unused; } wait_queue_head_t;
#define wake_up_all(w) ((void)(w))
#define wq_has_sleeper(w) ((void)(w), 0)

/* struct maple_tree: only embedded (the file's mmap() regions), never used. */
struct maple_tree {
	int unused;
};

/*
 * struct xarray: an array of (index, entry) pairs in index order, enough
 * for xa_for_each() and the allocating store the tests need.
 */
#define XA_FLAGS_ALLOC 1u
#define XA_FLAGS_ALLOC1 2u
struct xarray {
	unsigned long n;
	unsigned long idx[64];
	void *ent[64];
};
#define xa_init_flags(xa, f) memset(xa, 0, sizeof(*(xa)))
#define xa_init(xa) memset(xa, 0, sizeof(*(xa)))
#define xa_empty(xa) ((xa)->n == 0)
#define xa_for_each(xa, index, entry)					\
	for (unsigned long __i = 0;					\
	     __i < (xa)->n && ((index) = (xa)->idx[__i], (void)(index), \
			      (entry) = (xa)->ent[__i], 1); __i++)

/*
 * The interval tree as a list sorted by start: the same answers as the
 * kernel's (overlapping nodes in order of start), O(n) each.
 */
struct rb_node { struct rb_node *next; };
struct rb_root { struct rb_node *rb_node; };
struct rb_root_cached { struct rb_root rb_root; };
#define RB_ROOT_CACHED ((struct rb_root_cached){ { NULL } })
#define RB_EMPTY_ROOT(root) ((root)->rb_node == NULL)

struct interval_tree_node {
	struct rb_node rb;
	unsigned long start;
	unsigned long last;
	unsigned long __subtree_last;
};

void interval_tree_insert(struct interval_tree_node *node,
			  struct rb_root_cached *root);
void interval_tree_remove(struct interval_tree_node *node,
			  struct rb_root_cached *root);
struct interval_tree_node *
interval_tree_iter_first(struct rb_root_cached *root, unsigned long start,
			 unsigned long last);
struct interval_tree_node *
interval_tree_iter_next(struct interval_tree_node *node, unsigned long start,
			unsigned long last);

struct list_head { struct list_head *next, *prev; };

/* The one field of a file the code under test reads. */
struct file {
	void *private_data;
};
struct page;
struct device;
struct iommu_iotlb_gather;

struct iommu_domain {
	unsigned long pgsize_bitmap;
};
struct iommu_attach_handle {
	struct iommu_domain *domain;
};
#define IOMMU_READ 1
#define IOMMU_WRITE 2

#endif /* KSHIM_H */
