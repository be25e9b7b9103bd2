/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The I/O page table of an IOAS: which IOVA ranges map which user memory.
 *
 * Glossary (used the same way in every file that includes this):
 *   area      - one contiguous IOVA range [iova, last] that maps a slice of
 *               one struct iopt_pages.  MAP makes one area; COPY makes one
 *               per source area it crosses; UNMAP removes whole areas only.
 *   pages     - struct iopt_pages: a range of memory, either user memory
 *               [uptr, uptr + npages * PAGE_SIZE) or a file range
 *               [file_start, file_start + npages * PAGE_SIZE) of a memfd
 *               (MAP_FILE), and the pages of it that are pinned.
 *               Shared by every area that maps it (COPY shares, never
 *               re-pins).  Indexes count PAGE_SIZE pages from uptr or
 *               file_start.
 *   reserved  - IOVA that must never be mapped (MSI windows, device
 *               reserved regions, the test ABI's ADD_RESERVED).
 *   allowed   - IOVA user space asked to keep usable (ALLOW_IOVAS); when
 *               present, automatic IOVA is only taken from inside it.
 *   last      - inclusive end of a range; "end" would be exclusive.
 *
 * Locking (their order among the module's locks: iommufd_private.h):
 *   iopt->domains_rwsem  the IOMMU domains the IOAS is mirrored into
 *   iopt->iova_rwsem     the three interval trees and iova_alignment
 *   pages->mutex         everything about one struct iopt_pages
 * While the IOAS has a domain, every area is mapped in every domain and its
 * pages are pinned for that (the area's struct iopt_pages_user); with no
 * domain, nothing is pinned but what accesses pin.  The domains are the
 * only record of an area's PFNs: nothing is stored per page.
 * An area's iova range and pages pointer never change while it is in the
 * tree; removing it needs iova_rwsem for write.
 */
#ifndef IOMMUFD_IO_PAGETABLE_H
#define IOMMUFD_IO_PAGETABLE_H

#include <linux/interval_tree.h>
#include <linux/kref.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/rwsem.h>
#include <linux/xarray.h>

struct file;
struct iommufd_access;
struct iommu_domain;
struct iommu_iotlb_gather;
struct page;

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
 * @accesses: the in-kernel accesses attached (index -> access), told
 *	before any IOVA they may have pinned is unmapped
 * @notify_unmap: how they are told: called with no lock held before an
 *	unmap of [@iova, @iova + @length) that an access has pinned into;
 *	set by the owner of the page table (the IOAS) at creation
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
	void (*notify_unmap)(struct io_pagetable *iopt, unsigned long iova,
			     unsigned long length);
	unsigned long auto_hint;
	unsigned long iova_alignment;
	bool disable_large_pages;
};

/**
 * struct iopt_pfn_run - physically contiguous pages
 * @pfn: the first page's frame number
 * @npages: how many pages
 */
struct iopt_pfn_run {
	unsigned long pfn;
	unsigned long npages;
};

/**
 * struct iopt_pages_user - a range of a struct iopt_pages kept pinned
 * @node: [first index, last index] in pages->users_itree while pinned
 * @users: holders of exactly this range (equal access pins share a user)
 * @start_byte: first byte of the range it covers, from index 0
 * @end_byte: the byte after its last one
 * @domain: for an area mapped into IOMMU domains, one of them: the record
 *	of the range's PFNs, read back with iommu_iova_to_phys().  NULL for
 *	an access's pin, whose PFNs are in @runs.
 * @iova_base: for a domain user, the IOVA of byte 0 of the pages (byte b
 *	is at @iova_base + b; modular arithmetic)
 * @prot: for a domain user, the IOMMU_READ / IOMMU_WRITE it maps with
 * @small_pages: for a domain user, map page by page, so that the IOMMU
 *	uses no large page and any page-aligned cut can be unmapped
 * @per_page: for a domain user, some PFN run in its range breaks off
 *	inside a folio, so the domain is read back page by page; otherwise
 *	each folio read back is known contiguous to its end (or the range's)
 * @runs: for an access's pin, the PFNs of its range, in order
 * @nruns: entries of @runs
 *
 * Everything but the fields set before pinning is protected by
 * pages->mutex.
 */
struct iopt_pages_user {
	struct interval_tree_node node;
	unsigned int users;
	unsigned long start_byte;
	unsigned long end_byte;
	struct iommu_domain *domain;
	unsigned long iova_base;
	int prot;
	bool small_pages;
	bool per_page;
	struct iopt_pfn_run *runs;
	unsigned long nruns;
};

/**
 * struct iopt_area - an IOVA range mapping a slice of a struct iopt_pages
 * @node: [iova, last] in iopt->area_itree
 * @pages_node: [first index, last index] of the pages it maps
 * @iopt: the page table it is in
 * @pages: the pages it maps (a reference)
 * @user: its pin while the IOAS has domains; the domains hold its PFNs
 * @page_offset: byte offset of @node.start within page @pages_node.start
 * @iommu_prot: IOMMU_READ / IOMMU_WRITE
 * @num_accesses: pins in this area held by in-kernel accesses; protected
 *	by @pages->mutex
 * @prevent_access: an unmap is waiting for the accesses to let go; new
 *	pins are refused.  Protected by @pages->mutex.
 * @filling: a map has put it in the tree (its IOVA is taken) and is still
 *	pinning and mapping it into the domains without iova_rwsem; lookups
 *	skip it and unmaps of it fail with -EBUSY.  Written under iova_rwsem
 *	for write.
 */
struct iopt_area {
	struct interval_tree_node node;
	struct interval_tree_node pages_node;
	struct io_pagetable *iopt;
	struct iopt_pages *pages;
	struct iopt_pages_user user;
	unsigned int page_offset;
	int iommu_prot;
	unsigned int num_accesses;
	bool prevent_access;
	bool filling;
};

/* An IOVA range in allowed_itree or reserved_itree. */
struct iopt_allowed {
	struct interval_tree_node node;
};

/**
 * struct iopt_reserved - an IOVA range that must stay unmapped
 * @node: the range in iopt->reserved_itree
 * @owner: who reserved it, so it can remove what it added
 */
struct iopt_reserved {
	struct interval_tree_node node;
	void *owner;
};

/* How pinned pages are charged; see pages/account.c. */
enum iopt_account_mode {
	IOPT_ACCOUNT_NONE,
	IOPT_ACCOUNT_USER,
	IOPT_ACCOUNT_MM,
};

/**
 * struct iopt_pages - user memory mapped by one or more areas
 * @kref: one per area mapping it, plus transient holders
 * @mutex: protects everything below that can change
 * @uptr: page-aligned start of the user range; unused when @file is set
 * @file: the memfd the memory comes from (a reference, and a writable
 *	mapping count on its address space when @writable), or NULL for
 *	user memory
 * @file_start: page-aligned byte offset in @file of index 0
 * @npages: number of pages in the range
 * @writable: mapped with write permission: pinned with FOLL_WRITE, and
 *	dirtied when unpinned
 * @account_mode: where pins are charged, fixed at creation
 * @source_task: the process that mapped it (a reference)
 * @source_mm: its mm (an mmgrab() reference), pinned from (user memory)
 *	and charged (both kinds)
 * @source_user: its user (a reference), charged in IOPT_ACCOUNT_USER
 *	(the three source fields: read under @mutex; changed only by
 *	IOMMU_IOAS_CHANGE_PROCESS, under @mutex and with the iova_rwsem of
 *	every IOAS of the file held for write, for file-backed pages only)
 * @npinned: pages currently pinned
 * @naccounted: pages currently charged; kept equal to @npinned
 * @users_itree: struct iopt_pages_user by index range.  A page is pinned,
 *	once, exactly while some user covers it.
 */
struct iopt_pages {
	struct kref kref;
	struct mutex mutex;	/* see the kernel-doc above */
	void __user *uptr;
	struct file *file;
	unsigned long file_start;
	unsigned long npages;
	bool writable;
	u8 account_mode;
	struct task_struct *source_task;
	struct mm_struct *source_mm;
	struct user_struct *source_user;
	unsigned long npinned;
	unsigned long naccounted;
	struct rb_root_cached users_itree;
};

/*
 * The address or file offset of index 0, for aligning automatic IOVA the
 * way the memory itself is aligned.
 */
static inline unsigned long iopt_pages_base(struct iopt_pages *pages)
{
	return pages->file ? pages->file_start : (unsigned long)pages->uptr;
}

static inline unsigned long iopt_area_iova(struct iopt_area *area)
{
	return area->node.start;
}

static inline unsigned long iopt_area_last_iova(struct iopt_area *area)
{
	return area->node.last;
}

static inline unsigned long iopt_area_length(struct iopt_area *area)
{
	return area->node.last - area->node.start + 1;
}

/* Byte offset within the pages' user range where @area starts. */
static inline unsigned long iopt_area_start_byte(struct iopt_area *area)
{
	return area->pages_node.start * PAGE_SIZE + area->page_offset;
}

/* Index of the page that holds @iova, which must be inside @area. */
static inline unsigned long iopt_area_iova_to_index(struct iopt_area *area,
						    unsigned long iova)
{
	return (iopt_area_start_byte(area) + (iova - iopt_area_iova(area))) /
	       PAGE_SIZE;
}

/* @node, or the first area after it in [@iova, @last] that is filled. */
static inline struct iopt_area *
iopt_area_filled_from(struct interval_tree_node *node, unsigned long iova,
		      unsigned long last)
{
	for (; node; node = interval_tree_iter_next(node, iova, last)) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);

		if (!area->filling)
			return area;
	}
	return NULL;
}

/*
 * The areas in [@iova, @last] in IOVA order, skipping any still being
 * filled by a map (struct iopt_area @filling).  iova_rwsem held.
 */
static inline struct iopt_area *iopt_area_first(struct io_pagetable *iopt,
						unsigned long iova,
						unsigned long last)
{
	lockdep_assert_held(&iopt->iova_rwsem);
	return iopt_area_filled_from(interval_tree_iter_first(&iopt->area_itree,
							       iova, last),
				     iova, last);
}

static inline struct iopt_area *iopt_area_next(struct iopt_area *area,
					       unsigned long iova,
					       unsigned long last)
{
	return iopt_area_filled_from(interval_tree_iter_next(&area->node, iova,
							     last),
				     iova, last);
}

/* Where iopt_for_each_area() is: the next area, and the range it walks. */
struct iopt_area_walk {
	struct iopt_area *next;
	unsigned long first;
	unsigned long last;
};

static inline struct iopt_area_walk
iopt_area_walk_start(struct io_pagetable *iopt, unsigned long first,
		     unsigned long last)
{
	return (struct iopt_area_walk){
		.next = iopt_area_first(iopt, first, last),
		.first = first,
		.last = last,
	};
}

static inline struct iopt_area *iopt_area_walk_next(struct iopt_area_walk *walk)
{
	struct iopt_area *area = walk->next;

	if (area)
		walk->next = iopt_area_next(area, walk->first, walk->last);
	return area;
}

/*
 * Each filled area of @iopt in [@first, @last], in IOVA order; iova_rwsem
 * held.  The next area is found before the body runs, so the body may
 * take the current one out of the tree.
 */
#define iopt_for_each_area(area, iopt, first, last)			\
	for (struct iopt_area_walk __walk =				\
		     iopt_area_walk_start(iopt, first, last);		\
	     ((area) = iopt_area_walk_next(&__walk));)

/* io_pagetable.c */
void iopt_init(struct io_pagetable *iopt);
void iopt_destroy(struct io_pagetable *iopt);
int iopt_map_user_pages(struct io_pagetable *iopt, unsigned long *iova,
			void __user *uptr, unsigned long length,
			int iommu_prot, u8 account_mode, bool fixed_iova);
int iopt_map_file_pages(struct io_pagetable *iopt, unsigned long *iova,
			struct file *file, unsigned long start,
			unsigned long length, int iommu_prot, u8 account_mode,
			bool fixed_iova);
int iopt_copy(struct io_pagetable *dst, struct io_pagetable *src,
	      unsigned long *dst_iova, unsigned long src_iova,
	      unsigned long length, int iommu_prot, bool fixed_iova);
int iopt_unmap(struct io_pagetable *iopt, unsigned long iova,
	       unsigned long length, unsigned long *unmapped);
int iopt_unmap_all(struct io_pagetable *iopt, unsigned long *unmapped);
int iopt_reserve(struct io_pagetable *iopt, unsigned long start,
		 unsigned long last, void *owner);
void iopt_unreserve(struct io_pagetable *iopt, void *owner);
int iopt_set_allowed(struct io_pagetable *iopt,
		     struct rb_root_cached *allowed);
void iopt_free_itree(struct rb_root_cached *itree);
unsigned long iopt_needed_alignment(struct io_pagetable *iopt);
int iopt_check_alignment(struct io_pagetable *iopt, unsigned long align);
bool iopt_range_filling(struct io_pagetable *iopt, unsigned long first,
			unsigned long last);
int iopt_set_large_pages(struct io_pagetable *iopt, bool enable);
int iopt_cut_iova(struct io_pagetable *iopt, unsigned long *iovas,
		  unsigned int count);

/* ioas/iopt_domain.c */
int iopt_area_fill_domains(struct io_pagetable *iopt, struct iopt_area *area);
void iopt_area_unfill_domains(struct io_pagetable *iopt,
			      struct iopt_area *area);
int iopt_table_add_domain(struct io_pagetable *iopt,
			  struct iommu_domain *domain);
void iopt_table_remove_domain(struct io_pagetable *iopt,
			      struct iommu_domain *domain);

/**
 * struct iopt_charge_move - pins whose charge moves to the calling process
 * @nuser: pages charged per user (IOPT_ACCOUNT_USER)
 * @nmm: pages charged per process (IOPT_ACCOUNT_MM)
 * @npinned: pages of every mode, for the mm's pinned_vm
 */
struct iopt_charge_move {
	unsigned long nuser;
	unsigned long nmm;
	unsigned long npinned;
};

/* pages/account.c */
void iopt_pages_count_move(struct iopt_pages *pages,
			   struct iopt_charge_move *move);
int iopt_move_charge_current(const struct iopt_charge_move *move);
void iopt_pages_move_to_current(struct iopt_pages *pages);

/* pages/pages.c */
struct iopt_pages *iopt_pages_alloc(void __user *uptr, unsigned long length,
				    bool writable, u8 account_mode);
struct iopt_pages *iopt_pages_alloc_file(struct file *file,
					 unsigned long start,
					 unsigned long length, bool writable,
					 u8 account_mode);
void iopt_pages_release(struct kref *kref);

static inline void iopt_pages_get(struct iopt_pages *pages)
{
	kref_get(&pages->kref);
}

static inline void iopt_pages_put(struct iopt_pages *pages)
{
	kref_put(&pages->kref, iopt_pages_release);
}

/* Dirty tracking (ioas/iopt_dirty.c). */
int iopt_set_dirty_tracking(struct io_pagetable *iopt,
			    struct iommu_domain *domain, bool enable);
int iopt_read_dirty(struct io_pagetable *iopt, struct iommu_domain *domain,
		    unsigned long iova, unsigned long length,
		    unsigned long page_size, u64 __user *data,
		    unsigned long flags);

/* In-kernel accesses (ioas/iopt_access.c). */
int iopt_add_access(struct io_pagetable *iopt, void *access,
		    unsigned long alignment, u32 *id);
void iopt_remove_access(struct io_pagetable *iopt, void *access, u32 id);
int iopt_access_pin(struct io_pagetable *iopt, unsigned long iova,
		    unsigned long last, struct page **out_pages,
		    unsigned int flags);
void iopt_access_unpin(struct io_pagetable *iopt, unsigned long iova,
		       unsigned long last);
int iopt_access_rw(struct io_pagetable *iopt, unsigned long iova,
		   unsigned long last, void *data, unsigned int flags);

int iopt_pages_pin(struct iopt_pages *pages, unsigned long first,
		   unsigned long last, struct page **out_pages);
void iopt_pages_unpin(struct iopt_pages *pages, unsigned long first,
		      unsigned long last);
int iopt_pages_rw(struct iopt_pages *pages, unsigned long offset, void *data,
		  unsigned long length, bool write, bool use_pinned);

/* pages/pages_domain.c */
void iopt_area_init_user(struct iopt_area *area, bool small_pages);
int iopt_pages_fill_user(struct iopt_pages *pages,
			 struct iopt_pages_user *user, struct xarray *domains);
void iopt_pages_unfill_user(struct iopt_pages *pages,
			    struct iopt_pages_user *user,
			    struct xarray *domains);
int iopt_pages_map_user(struct iopt_pages *pages,
			struct iopt_pages_user *user,
			struct iommu_domain *domain);
void iopt_pages_unmap_user(struct iopt_pages *pages,
			   struct iopt_pages_user *user,
			   struct iommu_domain *domain,
			   struct iommu_domain *record,
			   struct iommu_iotlb_gather *gather);
void iopt_pages_split_user(struct iopt_pages *pages,
			   struct iopt_pages_user *left,
			   struct iopt_pages_user *right,
			   unsigned long split_byte);

#endif /* IOMMUFD_IO_PAGETABLE_H */
