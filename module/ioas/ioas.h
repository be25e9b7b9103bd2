/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioas/: I/O address spaces and their I/O page tables.  This is what the
 * rest of the module may use of an IOAS; areas, the trees and their locks
 * are internal (io_pagetable.h), and nothing outside ioas/ takes
 * iova_rwsem or walks areas: it asks through the functions below.
 *
 * Locking: see struct io_pagetable; the module's lock order is at the top
 * of iommufd_private.h.
 */
#ifndef IOMMUFD_IOAS_IOAS_H
#define IOMMUFD_IOAS_IOAS_H

#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/rwsem.h>
#include <linux/xarray.h>

#include "../iommufd_private.h"

struct iommu_domain;
struct iopt_access_link;
struct page;
struct seq_file;

/**
 * struct iopt_access_ops - how a page table tells an access of unmaps
 * @get: called under the accesses' xa_lock: may @link be told now?  False
 *	if it is going away; true takes a hold that @unmap drops
 * @unmap: called with no lock held before [@iova, @iova + @length), into
 *	which it may have pinned, is unmapped; then drops the hold of @get
 */
struct iopt_access_ops {
	bool (*get)(struct iopt_access_link *link);
	void (*unmap)(struct iopt_access_link *link, unsigned long iova,
		      unsigned long length);
};

/**
 * struct iopt_access_link - an in-kernel access's place in a page table,
 *	embedded in the access (iopt_add_access())
 * @ops: its callbacks
 * @alignment: the IOVA alignment it needs (1 or PAGE_SIZE); new mappings
 *	must have at least this while it is attached
 * @id: its index in iopt->accesses
 */
struct iopt_access_link {
	const struct iopt_access_ops *ops;
	unsigned long alignment;
	u32 id;
};

/**
 * struct io_pagetable - the IOVA map of one IOAS
 * @domains_rwsem: protects @domains; held for read while areas are mapped
 *	into or unmapped from them
 * @domains: index -> struct iommu_domain mirroring this IOAS; changed only
 *	with both rwsems held for write, so either one keeps it stable
 * @iova_rwsem: protects the trees, @auto_hint, @iova_alignment and
 *	@accesses
 * @area_itree: struct iopt_area by IOVA; areas never overlap
 * @allowed_itree: struct iopt_allowed by IOVA
 * @reserved_itree: struct iopt_reserved by IOVA
 * @accesses: the in-kernel accesses attached (index -> struct
 *	iopt_access_link), told before any IOVA they may have pinned is
 *	unmapped; protected by its xa_lock for that walk
 * @auto_hint: no free byte lies in [first automatic IOVA, @auto_hint), so
 *	automatic allocation starts its first-fit search there; lowered when
 *	something below it is unmapped or unreserved
 * @iova_alignment: IOVA, length and sub-page offset of every new mapping
 *	must be multiples of it; the largest alignment any attached user
 *	needs (1 with none)
 * @disable_large_pages: IOMMU_OPTION_HUGE_PAGES set to 0; written under
 *	@iova_rwsem, read locklessly by IOMMU_OPTION's GET
 */
struct io_pagetable {
	struct rw_semaphore domains_rwsem;
	struct xarray domains;
	struct rw_semaphore iova_rwsem;
	struct rb_root_cached area_itree;
	struct rb_root_cached allowed_itree;
	struct rb_root_cached reserved_itree;
	struct xarray accesses;
	unsigned long auto_hint;
	unsigned long iova_alignment;
	bool disable_large_pages;
};

/**
 * struct iommufd_ioas - an I/O address space
 * @obj: the object
 * @iopt: its page table
 * @ictx: the owning context
 * @mutex: serializes choosing and creating the automatic domains of
 *	attaches; protects @hwpt_list
 * @hwpt_list: the struct iommufd_hwpt_paging on this IOAS
 */
struct iommufd_ioas {
	struct iommufd_object obj;
	struct io_pagetable iopt;
	struct iommufd_ctx *ictx;
	struct mutex mutex;		/* see the kernel-doc above */
	struct list_head hwpt_list;
};

static inline struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ictx,
						    u32 id)
{
	struct iommufd_object *obj = iommufd_get_object(ictx, id,
						       IOMMUFD_OBJ_IOAS);

	return IS_ERR(obj) ? ERR_CAST(obj) :
			     container_of(obj, struct iommufd_ioas, obj);
}

int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_iova_ranges_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_allow_iovas_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map_file_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_copy_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_unmap_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_option_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_ioas_destroy(struct iommufd_object *obj);
int iommufd_ioas_ctx_init(struct iommufd_ctx *ictx);
void iommufd_ioas_ctx_fini(struct iommufd_ctx *ictx);
struct iommufd_ioas *iommufd_ioas_create(struct iommufd_ctx *ictx);
void iommufd_ioas_finalize(struct iommufd_ctx *ictx,
			   struct iommufd_ioas *ioas);
int iommufd_ioas_change_process_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_show_all(struct seq_file *m, struct iommufd_ctx *ictx);

/* The I/O page table, for the other parts of the module. */
typedef int (*iopt_range_fn)(void *arg, unsigned long start,
			     unsigned long last);
int iopt_walk_usable(struct io_pagetable *iopt, iopt_range_fn fn, void *arg);
u64 iopt_page_sizes(struct io_pagetable *iopt);
int iopt_map_user_pages(struct io_pagetable *iopt, struct iopt_vma_hint *hint,
			unsigned long *iova, void __user *uptr,
			unsigned long length, int iommu_prot, bool process_mode,
			bool fixed_iova);
int iopt_unmap(struct io_pagetable *iopt, unsigned long iova,
	       unsigned long length, unsigned long *unmapped);
int iopt_unmap_all(struct io_pagetable *iopt, unsigned long *unmapped);
int iopt_reserve(struct io_pagetable *iopt, unsigned long start,
		 unsigned long last, void *owner);
void iopt_unreserve(struct io_pagetable *iopt, void *owner);
int iopt_set_large_pages(struct io_pagetable *iopt, bool enable);
int iopt_cut_iova(struct io_pagetable *iopt, unsigned long *iovas,
		  unsigned int count);
int iopt_table_add_domain(struct io_pagetable *iopt,
			  struct iommu_domain *domain);
void iopt_table_remove_domain(struct io_pagetable *iopt,
			      struct iommu_domain *domain);

/* Dirty tracking (ioas/iopt_dirty.c). */
int iopt_set_dirty_tracking(struct io_pagetable *iopt,
			    struct iommu_domain *domain, bool enable);
int iopt_read_dirty(struct io_pagetable *iopt, struct iommu_domain *domain,
		    unsigned long iova, unsigned long length,
		    unsigned long page_size, u64 __user *data,
		    unsigned long flags);

/* In-kernel accesses (ioas/iopt_access.c). */
int iopt_add_access(struct io_pagetable *iopt, struct iopt_access_link *link);
void iopt_remove_access(struct io_pagetable *iopt,
			struct iopt_access_link *link);
int iopt_access_pin(struct io_pagetable *iopt, unsigned long iova,
		    unsigned long last, struct page **out_pages,
		    unsigned int flags);
void iopt_access_unpin(struct io_pagetable *iopt, unsigned long iova,
		       unsigned long last);
int iopt_lock_pin(struct io_pagetable *iopt, unsigned long iova,
		  unsigned long last, struct page **out_pages);
void iopt_lock_unpin(struct io_pagetable *iopt, unsigned long iova,
		     unsigned long last);
int iopt_access_rw(struct io_pagetable *iopt, unsigned long iova,
		   unsigned long last, void *data, unsigned int flags);

#endif /* IOMMUFD_IOAS_IOAS_H */
