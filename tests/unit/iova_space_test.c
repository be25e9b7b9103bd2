// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of ioas/iova_space.c, built from the module's own source in
 * user space (see shim/kshim.h): automatic IOVA allocation, the check of
 * a fixed IOVA, reserving and allowing ranges, the walk of usable IOVA and
 * the alignment rules, each run as thousands of random operations against
 * a shadow model whose answers come from a plain first-fit search over a
 * sorted list.  The seed is printed; UNIT_SEED=N repeats a run.
 */
#include "kshim.h"

#include "../../module/ioas/io_pagetable.h"

#include "harness.h"
#include "unit.h"

#define MAX_RANGES 256
#define OPS 20000

struct range {
	unsigned long start;
	unsigned long last;
	void *owner;		/* reserved ranges: who reserved it */
	struct iopt_area *area;	/* areas: the module's node */
};

/* What the page table should hold, kept apart from the module's trees. */
struct model {
	struct range areas[MAX_RANGES];
	unsigned int nareas;
	struct range resv[MAX_RANGES];
	unsigned int nresv;
	struct range allowed[MAX_RANGES];
	unsigned int nallowed;
};

static void table_init(struct io_pagetable *iopt)
{
	memset(iopt, 0, sizeof(*iopt));
	init_rwsem(&iopt->iova_rwsem);
	init_rwsem(&iopt->domains_rwsem);
	iopt->area_itree = RB_ROOT_CACHED;
	iopt->allowed_itree = RB_ROOT_CACHED;
	iopt->reserved_itree = RB_ROOT_CACHED;
	iopt->auto_hint = IOPT_AUTO_FIRST;
	iopt->iova_alignment = 1;
}

static bool overlaps(const struct range *r, unsigned int n,
		     unsigned long start, unsigned long last)
{
	for (unsigned int i = 0; i < n; i++)
		if (r[i].start <= last && r[i].last >= start)
			return true;
	return false;
}

/* The first-fit candidate in [start, last], as the allocator must find. */
static bool ref_fit(unsigned long start, unsigned long last,
		    unsigned long length, unsigned long align,
		    unsigned long offset, unsigned long *iova)
{
	unsigned long cand;

	if (start > last || __builtin_add_overflow(start, align - 1, &cand))
		return false;
	cand = (cand & ~(align - 1)) | offset;
	if (cand < start || cand > last || last - cand < length - 1)
		return false;
	*iova = cand;
	return true;
}

/* The lowest fit in [ws, we] around every area and reservation. */
static bool ref_window(const struct model *m, unsigned long ws,
		       unsigned long we, unsigned long length,
		       unsigned long align, unsigned long offset,
		       unsigned long *iova)
{
	unsigned long pos = ws;

	for (;;) {
		const struct range *next = NULL;

		/* The used range that starts lowest among those ending >= pos. */
		for (unsigned int i = 0; i < m->nareas + m->nresv; i++) {
			const struct range *r = i < m->nareas ?
				&m->areas[i] : &m->resv[i - m->nareas];

			if (r->last < pos || r->start > we)
				continue;
			if (!next || r->start < next->start)
				next = r;
		}
		if (!next)
			return ref_fit(pos, we, length, align, offset, iova);
		if (next->start > pos &&
		    ref_fit(pos, next->start - 1, length, align, offset, iova))
			return true;
		if (next->last >= we)
			return false;
		pos = max(pos, next->last + 1);
	}
}

static int ref_alloc(const struct model *m, unsigned long table_align,
		     unsigned long uaddr, unsigned long length,
		     unsigned long *iova)
{
	unsigned long align, offset;

	if (!length || length >= ULONG_MAX / 2)
		return -EOVERFLOW;
	align = roundup_pow_of_two(length);
	if (uaddr)
		align = min(align, 1UL << __builtin_ctzl(uaddr));
	align = min(align, HPAGE_SIZE);
	if (align < table_align)
		return -EINVAL;
	offset = uaddr % PAGE_SIZE & ~(align - 1) & (PAGE_SIZE - 1);
	if (!m->nallowed)
		return ref_window(m, IOPT_AUTO_FIRST, IOPT_AUTO_LAST, length,
				  align, offset, iova) ? 0 : -ENOSPC;
	/* Allowed ranges in IOVA order. */
	for (unsigned long floor = 0;;) {
		const struct range *a = NULL;

		for (unsigned int i = 0; i < m->nallowed; i++)
			if (m->allowed[i].start >= floor &&
			    (!a || m->allowed[i].start < a->start))
				a = &m->allowed[i];
		if (!a)
			return -ENOSPC;
		if (ref_window(m, max(a->start, IOPT_AUTO_FIRST),
			       min(a->last, IOPT_AUTO_LAST), length, align,
			       offset, iova))
			return 0;
		if (a->start == ULONG_MAX)
			return -ENOSPC;
		floor = a->start + 1;
	}
}

static int ref_check(const struct model *m, unsigned long table_align,
		     unsigned long iova, unsigned long length)
{
	unsigned long last;

	if (iova & (table_align - 1))
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (overlaps(m->resv, m->nresv, iova, last))
		return -EINVAL;
	if (overlaps(m->areas, m->nareas, iova, last))
		return -EEXIST;
	return 0;
}

/* A length of the kinds a VMM maps: sub-page, pages, huge pages. */
static unsigned long rnd_length(void)
{
	switch (rnd_below(4)) {
	case 0:
		return 1 + rnd_below(PAGE_SIZE * 2);
	case 1:
		return PAGE_SIZE * (1 + rnd_below(64));
	case 2:
		return HPAGE_SIZE * (1 + rnd_below(4));
	default:
		return PAGE_SIZE * (1 + rnd_below(1024)) + rnd_below(PAGE_SIZE);
	}
}

/* A user address: sometimes 0 (no address to imitate), sometimes huge. */
static unsigned long rnd_uaddr(void)
{
	switch (rnd_below(4)) {
	case 0:
		return 0;
	case 1:
		return HPAGE_SIZE * (1 + rnd_below(1 << 16));
	default:
		return (rnd() & ((1UL << 46) - 1)) | PAGE_SIZE;
	}
}

/* IOVA in the low 4 GiB, where the allocator packs what it hands out. */
static unsigned long rnd_iova(void)
{
	return rnd_below(1UL << 32) & ~(rnd_below(2) ? PAGE_SIZE - 1 : 0);
}

static void add_area(struct io_pagetable *iopt, struct model *m,
		     unsigned long iova, unsigned long length)
{
	struct iopt_area *area = calloc(1, sizeof(*area));

	area->node.start = iova;
	area->node.last = iova + length - 1;
	area->start_byte = iova % PAGE_SIZE;
	interval_tree_insert(&area->node, &iopt->area_itree);
	m->areas[m->nareas++] = (struct range){
		.start = iova, .last = iova + length - 1, .area = area,
	};
}

static void remove_area(struct io_pagetable *iopt, struct model *m,
			unsigned int i)
{
	struct iopt_area *area = m->areas[i].area;

	down_write(&iopt->iova_rwsem);
	interval_tree_remove(&area->node, &iopt->area_itree);
	iopt_lower_hint(iopt, area->node.start);
	up_write(&iopt->iova_rwsem);
	free(area);
	m->areas[i] = m->areas[--m->nareas];
}

static void free_areas(struct io_pagetable *iopt, struct model *m)
{
	while (m->nareas)
		remove_area(iopt, m, 0);
	iopt_free_itree(&iopt->reserved_itree);
	iopt_free_itree(&iopt->allowed_itree);
}

TEST_TIMEOUT(iova_space, alloc_matches_first_fit, 300)
{
	static struct model m;
	struct io_pagetable iopt;
	unsigned long ok = 0, refused = 0;

	seed();
	table_init(&iopt);
	for (unsigned int op = 0; op < OPS; op++) {
		unsigned long length = rnd_length(), uaddr = rnd_uaddr();
		unsigned long got = 0, want = 0;
		int rc, want_rc;

		if (m.nareas == MAX_RANGES || rnd_below(4) == 0) {
			if (m.nareas)
				remove_area(&iopt, &m, rnd_below(m.nareas));
			continue;
		}
		if (m.nresv < MAX_RANGES / 2 && rnd_below(8) == 0) {
			unsigned long start = rnd_iova();
			unsigned long last = start + rnd_below(1UL << 24);

			want_rc = overlaps(m.areas, m.nareas, start, last) ?
					  -EADDRINUSE : 0;
			ASSERT_EQ(want_rc, iopt_reserve(&iopt, start, last,
							&m));
			if (!want_rc)
				m.resv[m.nresv++] = (struct range){
					.start = start, .last = last,
					.owner = &m,
				};
			continue;
		}
		/* Now and then what must be refused, in the model too. */
		if (rnd_below(32) == 0)
			length = rnd_below(2) ? 0 : ULONG_MAX / 2 + rnd_below(9);
		if (rnd_below(64) == 0)
			iopt.iova_alignment = iopt.iova_alignment == 1 ?
					      PAGE_SIZE : 1;
		want_rc = ref_alloc(&m, iopt.iova_alignment, uaddr, length,
				    &want);
		down_write(&iopt.iova_rwsem);
		rc = iopt_alloc_iova(&iopt, &got, uaddr, length);
		up_write(&iopt.iova_rwsem);
		if (rc != want_rc || (!rc && got != want))
			printf("# op %u: length %#lx uaddr %#lx: got %d %#lx, want %d %#lx\n",
			       op, length, uaddr, rc, got, want_rc, want);
		ASSERT_EQ(want_rc, rc);
		if (rc) {
			refused++;
			continue;
		}
		ASSERT_EQ(want, got);
		ASSERT_EQ(0, ref_check(&m, 1, got, length));
		add_area(&iopt, &m, got, length);
		ok++;
	}
	printf("# %lu allocations matched, %lu refusals matched\n", ok,
	       refused);
	ASSERT_GT(ok, 1000UL);
	free_areas(&iopt, &m);
	ASSERT_EQ(0UL, kshim_warnings);
}

TEST(iova_space, alloc_stays_inside_allowed)
{
	static struct model m;
	struct rb_root_cached allowed = RB_ROOT_CACHED;
	struct io_pagetable iopt;
	unsigned long matched = 0;

	seed();
	table_init(&iopt);
	/* A few allowed windows, some too small for what is asked. */
	for (unsigned int i = 0; i < 6; i++) {
		struct iopt_allowed *a = calloc(1, sizeof(*a));
		unsigned long start = (i + 1) * (1UL << 30) +
				      rnd_below(1UL << 20);

		a->node.start = start;
		a->node.last = start + (PAGE_SIZE << rnd_below(16)) - 1;
		interval_tree_insert(&a->node, &allowed);
		m.allowed[m.nallowed++] = (struct range){
			.start = a->node.start, .last = a->node.last,
		};
	}
	ASSERT_EQ(0, iopt_set_allowed(&iopt, &allowed));
	iopt_free_itree(&allowed);	/* the old (empty) tree came back */
	for (unsigned int op = 0; op < OPS / 4 && m.nareas < MAX_RANGES;
	     op++) {
		unsigned long length = rnd_length(), uaddr = rnd_uaddr();
		unsigned long got = 0, want = 0;
		int rc, want_rc;

		want_rc = ref_alloc(&m, 1, uaddr, length, &want);
		down_write(&iopt.iova_rwsem);
		rc = iopt_alloc_iova(&iopt, &got, uaddr, length);
		up_write(&iopt.iova_rwsem);
		ASSERT_EQ(want_rc, rc);
		if (rc)
			continue;
		ASSERT_EQ(want, got);
		ASSERT_TRUE(overlaps(m.allowed, m.nallowed, got,
				     got + length - 1));
		add_area(&iopt, &m, got, length);
		matched++;
	}
	printf("# %lu allocations inside the allowed ranges matched\n",
	       matched);
	ASSERT_GT(matched, 10UL);
	/* Reserving inside an allowed range is refused. */
	ASSERT_EQ(-EADDRINUSE, iopt_reserve(&iopt, m.allowed[0].start,
					    m.allowed[0].start, &m));
	free_areas(&iopt, &m);
	ASSERT_EQ(0UL, kshim_warnings);
}

TEST(iova_space, fixed_iova_check_matches_model)
{
	static struct model m;
	struct io_pagetable iopt;
	unsigned int counts[4] = {};

	seed();
	table_init(&iopt);
	for (unsigned int i = 0; i < 64; i++) {
		unsigned long start = rnd_iova(), len = rnd_length();
		unsigned long last = start + len - 1;

		if (overlaps(m.areas, m.nareas, start, last) ||
		    overlaps(m.resv, m.nresv, start, last))
			continue;
		if (i % 3) {
			add_area(&iopt, &m, start, len);
		} else {
			ASSERT_EQ(0, iopt_reserve(&iopt, start, last, &m));
			m.resv[m.nresv++] = (struct range){
				.start = start, .last = last, .owner = &m,
			};
		}
	}
	for (unsigned int op = 0; op < OPS; op++) {
		unsigned long align = 1UL << rnd_below(14);
		unsigned long iova = rnd_iova(), length = rnd_length();
		int want, got;

		if (rnd_below(64) == 0)
			iova = ULONG_MAX - rnd_below(PAGE_SIZE);
		want = ref_check(&m, align, iova, length);
		iopt.iova_alignment = align;
		down_read(&iopt.iova_rwsem);
		got = iopt_check_iova(&iopt, iova, length);
		up_read(&iopt.iova_rwsem);
		ASSERT_EQ(want, got);
		counts[want == 0 ? 0 : want == -EINVAL ? 1 :
		       want == -EEXIST ? 2 : 3]++;
	}
	printf("# free %u, misaligned or reserved %u, mapped %u, overflow %u\n",
	       counts[0], counts[1], counts[2], counts[3]);
	ASSERT_GT(counts[0], 0U);
	ASSERT_GT(counts[1], 0U);
	ASSERT_GT(counts[2], 0U);
	ASSERT_GT(counts[3], 0U);
	free_areas(&iopt, &m);
	ASSERT_EQ(0UL, kshim_warnings);
}

/* What iopt_walk_usable() reports, collected. */
struct walked {
	struct range r[MAX_RANGES + 1];
	unsigned int n;
};

static int collect(void *arg, unsigned long start, unsigned long last)
{
	struct walked *w = arg;

	if (w->n == MAX_RANGES + 1)
		return -ENOSPC;
	w->r[w->n++] = (struct range){ .start = start, .last = last };
	return 0;
}

TEST(iova_space, usable_walk_is_complement_of_reserved)
{
	static struct model m;
	struct io_pagetable iopt;
	void *owners[3] = { &owners[0], &owners[1], &owners[2] };

	seed();
	table_init(&iopt);
	for (unsigned int round = 0; round < 200; round++) {
		struct walked w = {};
		unsigned long pos = 0;
		bool covered_to_end = false;

		if (m.nresv < MAX_RANGES - 1 && rnd_below(3)) {
			unsigned long start = rnd_below(4) ? rnd_iova() :
					      ULONG_MAX - rnd_below(1 << 20);
			unsigned long last = rnd_below(8) ?
				start + rnd_below(1UL << 26) : ULONG_MAX;
			void *owner = owners[rnd_below(3)];

			if (last < start)
				last = ULONG_MAX;
			ASSERT_EQ(0, iopt_reserve(&iopt, start, last, owner));
			m.resv[m.nresv++] = (struct range){
				.start = start, .last = last, .owner = owner,
			};
		} else {
			void *owner = owners[rnd_below(3)];

			iopt_unreserve(&iopt, owner);
			for (unsigned int i = 0; i < m.nresv;)
				if (m.resv[i].owner == owner)
					m.resv[i] = m.resv[--m.nresv];
				else
					i++;
		}
		ASSERT_EQ(0, iopt_walk_usable(&iopt, collect, &w));
		/* Every reported range is free, and between them all is used. */
		for (unsigned int i = 0; i < w.n; i++) {
			ASSERT_LE(pos, w.r[i].start);
			ASSERT_FALSE(overlaps(m.resv, m.nresv, w.r[i].start,
					      w.r[i].last));
			if (w.r[i].start > pos) {
				/* The gap is reserved byte for byte: its ends. */
				ASSERT_TRUE(overlaps(m.resv, m.nresv, pos, pos));
				ASSERT_TRUE(overlaps(m.resv, m.nresv,
						     w.r[i].start - 1,
						     w.r[i].start - 1));
			}
			if (i + 1 < w.n)
				ASSERT_LT(w.r[i].last + 1, w.r[i + 1].start);
			if (w.r[i].last == ULONG_MAX)
				covered_to_end = true;
			else
				pos = w.r[i].last + 1;
		}
		if (!covered_to_end && w.n)
			ASSERT_TRUE(overlaps(m.resv, m.nresv, ULONG_MAX,
					     ULONG_MAX));
		if (!w.n)
			ASSERT_TRUE(overlaps(m.resv, m.nresv, 0, 0));
	}
	iopt_free_itree(&iopt.reserved_itree);
	ASSERT_EQ(0UL, kshim_warnings);
}

TEST(iova_space, alignment_follows_domains_and_areas)
{
	static struct model m;
	struct iommu_domain dom = { .pgsize_bitmap = (1UL << 14) | (1UL << 21) };
	struct io_pagetable iopt;

	table_init(&iopt);
	down_write(&iopt.iova_rwsem);
	ASSERT_EQ(1UL, iopt_needed_alignment(&iopt));
	iopt.disable_large_pages = true;
	ASSERT_EQ(PAGE_SIZE, iopt_needed_alignment(&iopt));
	iopt.disable_large_pages = false;
	iopt.domains.idx[0] = 0;
	iopt.domains.ent[0] = &dom;
	iopt.domains.n = 1;
	ASSERT_EQ(1UL << 14, iopt_needed_alignment(&iopt));
	up_write(&iopt.iova_rwsem);

	add_area(&iopt, &m, 3 * PAGE_SIZE, 2 * PAGE_SIZE);
	down_write(&iopt.iova_rwsem);
	ASSERT_EQ(0, iopt_check_alignment(&iopt, PAGE_SIZE));
	iopt.iova_alignment = PAGE_SIZE;
	ASSERT_EQ(-EADDRINUSE, iopt_check_alignment(&iopt, 2 * PAGE_SIZE));
	/* Not raised: the areas never need to be looked at. */
	ASSERT_EQ(0, iopt_check_alignment(&iopt, PAGE_SIZE));
	up_write(&iopt.iova_rwsem);
	iopt.domains.n = 0;
	free_areas(&iopt, &m);
	ASSERT_EQ(0UL, kshim_warnings);
}

TEST(iova_space, lock_assertions_are_checked)
{
	struct io_pagetable iopt;
	unsigned long iova;

	/* The shim's lockdep catches a caller that holds nothing. */
	table_init(&iopt);
	kshim_warnings = 0;
	iopt_alloc_iova(&iopt, &iova, 0, PAGE_SIZE);
	ASSERT_GT(kshim_warnings, 0UL);
	kshim_warnings = 0;
}

TEST(area, index_and_user_arithmetic)
{
	seed();
	for (unsigned int op = 0; op < OPS; op++) {
		struct iopt_area area = {};
		unsigned long length = rnd_length(), iova = rnd_iova();
		unsigned long byte = rnd_below(length);
		unsigned long first_byte, first, last;

		first = rnd_below(1 << 20);
		first_byte = first * PAGE_SIZE + rnd_below(PAGE_SIZE);
		last = (first_byte + length - 1) / PAGE_SIZE;
		area.node.start = iova;
		area.node.last = iova + length - 1;
		area.start_byte = first_byte;
		area.iommu_prot = IOMMU_READ;
		ASSERT_EQ(length, iopt_area_length(&area));
		ASSERT_EQ(first_byte, iopt_area_start_byte(&area));
		ASSERT_EQ(first, iopt_area_first_index(&area));
		ASSERT_EQ(last, iopt_area_last_index(&area));
		ASSERT_EQ((first_byte + byte) / PAGE_SIZE,
			  iopt_area_iova_to_index(&area, iova + byte));
		ASSERT_EQ(last, iopt_area_iova_to_index(&area, area.node.last));
		iopt_area_init_user(&area, op & 1);
		ASSERT_EQ(first_byte, area.user.start_byte);
		ASSERT_EQ(first_byte + length, area.user.end_byte);
		/* Byte b of the pages sits at IOVA iova_base + b. */
		ASSERT_EQ(iova + byte,
			  area.user.iova_base + first_byte + byte);
		ASSERT_EQ(first, area.user.node.start);
		ASSERT_EQ(last, area.user.node.last);
		ASSERT_EQ((bool)(op & 1), area.user.small_pages);
	}
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
