/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pages/: user memory or a memfd range that IOVA maps, its pins and their
 * charge.  A struct iopt_pages is shared by every area that maps it; each
 * holder of a pinned range is a struct iopt_pages_user.  The IOAS (ioas/)
 * is the only user of this header; what is internal to pages/ is in
 * pages_priv.h.
 *
 * Locking: pages->mutex protects everything of one struct iopt_pages (its
 * place in the module's lock order: iommufd_private.h).
 */
#ifndef IOMMUFD_PAGES_PAGES_H
#define IOMMUFD_PAGES_PAGES_H

#include <linux/interval_tree.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/types.h>

struct dma_buf;
struct file;
struct iommu_domain;
struct iopt_dmabuf;
struct iopt_vma_hint;
struct iommu_iotlb_gather;
struct page;
struct xarray;

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
 * @start_byte: first byte of the range it covers, from index 0
 * @end_byte: the byte after its last one
 * @domain: for an area mapped into IOMMU domains, one of them: the record
 *	of the range's PFNs, read back with iommu_iova_to_phys().  NULL for
 *	an access's pin, whose PFNs are in @runs.
 * @iova_base: for a domain user, the IOVA of byte 0 of the pages (byte b
 *	is at @iova_base + b; modular arithmetic)
 * @runs: for an access's pin, the PFNs of its range, in order
 * @contig: for a domain user read back page by page, one mask per 2 MiB
 *	block of its range: which of the block's 64 KiB sub-blocks filling
 *	mapped from one physically contiguous stretch (pages/contig.c); NULL
 *	if none, or if not @per_page
 * @nruns: entries of @runs
 * @users: holders of exactly this range (equal access pins share a user)
 * @prot: for a domain user, the IOMMU_READ / IOMMU_WRITE it maps with
 * @small_pages: for a domain user, map page by page, so that the IOMMU
 *	uses no large page and any page-aligned cut can be unmapped
 * @per_page: for a domain user, read the domain back page by page: some
 *	PFN run in its range breaks off inside a folio, or filling saw no
 *	folio of more than one page (reading one back per folio would only
 *	cost a folio lookup per page).  Otherwise each folio read back is
 *	known contiguous to its end (or the range's).
 *
 * Everything but the fields set before pinning is protected by
 * pages->mutex.
 */
struct iopt_pages_user {
	struct interval_tree_node node;
	unsigned long start_byte;
	unsigned long end_byte;
	struct iommu_domain *domain;
	unsigned long iova_base;
	union {		/* an access's pin, a domain user */
		struct iopt_pfn_run *runs;
		u32 *contig;
	};
	unsigned long nruns;
	unsigned int users;
	u8 prot;
	bool small_pages;
	bool per_page;
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
 * @dmabuf: for a dma-buf, what pages/dmabuf.c keeps of it; NULL for
 *	memory.  Dma-buf pages pin and charge nothing.
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
	struct iopt_dmabuf *dmabuf;
};

/*
 * The address or file offset of index 0, for aligning automatic IOVA the
 * way the memory itself is aligned.
 */
unsigned long iopt_pages_base(struct iopt_pages *pages);

static inline bool iopt_pages_is_dmabuf(struct iopt_pages *pages)
{
	return pages->dmabuf;
}

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

/**
 * struct iopt_pages_desc - what the debugfs view shows of pages
 * @kind: "memory", "file" or "dmabuf"
 * @pid: the process whose memory it is and whose VmPin counts it
 * @uid: the user charged in IOPT_ACCOUNT_USER
 * @account_mode: enum iopt_account_mode
 * @npinned: pages pinned now
 * @naccounted: pages charged now
 */
struct iopt_pages_desc {
	const char *kind;
	pid_t pid;
	uid_t uid;
	u8 account_mode;
	unsigned long npinned;
	unsigned long naccounted;
};

/* pages/account.c */
void iopt_pages_describe(struct iopt_pages *pages,
			 struct iopt_pages_desc *desc);
const char *iopt_account_mode_name(u8 account_mode);
void iopt_pages_count_move(struct iopt_pages *pages,
			   struct iopt_charge_move *move);
int iopt_move_charge_current(const struct iopt_charge_move *move);
void iopt_pages_move_to_current(struct iopt_pages *pages);

/* pages/pages.c */
struct iopt_pages *iopt_pages_alloc(void __user *uptr, unsigned long length,
				    bool writable, bool process_mode);
struct iopt_pages *iopt_pages_alloc_file(struct file *file,
					 unsigned long start,
					 unsigned long length, bool writable,
					 bool process_mode);
struct iopt_pages *iopt_pages_alloc_dmabuf(struct dma_buf *dmabuf,
					   unsigned long start,
					   unsigned long length, bool writable);

/* pages/vma_hint.c */
struct iopt_vma_hint *iopt_vma_hint_alloc(void);
void iopt_vma_hint_free(struct iopt_vma_hint *hint);
bool iopt_vma_hint_covers(struct iopt_vma_hint *hint, struct mm_struct *mm,
			  unsigned long uva);

/* pages/dmabuf.c */
struct dma_buf *iopt_dmabuf_of_user(struct iopt_vma_hint *hint,
				    void __user *uptr, unsigned long length,
				    bool writable, unsigned long *start);
void iopt_pages_release(struct kref *kref);

static inline void iopt_pages_get(struct iopt_pages *pages)
{
	kref_get(&pages->kref);
}

static inline void iopt_pages_put(struct iopt_pages *pages)
{
	kref_put(&pages->kref, iopt_pages_release);
}

int iopt_pages_pin(struct iopt_pages *pages, unsigned long first,
		   unsigned long last, struct page **out_pages);
void iopt_pages_unpin(struct iopt_pages *pages, unsigned long first,
		      unsigned long last);
int iopt_pages_rw(struct iopt_pages *pages, unsigned long offset, void *data,
		  unsigned long length, bool write, bool use_pinned);

/* pages/pages_domain.c */
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

#endif /* IOMMUFD_PAGES_PAGES_H */
