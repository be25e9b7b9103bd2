// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model fuzzer: seeded random IOAS operations, each checked against a
 * user-space model of what every IOAS holds (areas and the buffer bytes
 * behind them, allowed and reserved ranges): the errno, the IOVA chosen,
 * the length unmapped, and the bytes read back through an in-kernel access.
 * Malformed commands (short and oversized structs with trailing bytes,
 * unknown flags, reserved fields, overflowing ranges, bad ids) are mixed
 * in and must change nothing.
 *
 * Work goes in episodes of up to EPISODE operations on a fresh file, so a
 * failure is replayable alone: it is shrunk to a minimal list of
 * operations that still fails, and printed with the seed.
 *
 * IOMMUFD_FUZZ_SEED and IOMMUFD_FUZZ_SECONDS (default: a fixed seed, 10 s;
 * scripts/fuzz.sh runs it for hours on the debug kernel).
 */
#include <stdbool.h>
#include <time.h>

#include "mock_utils.h"

#define NIOAS 2
#define BUF_PAGES 256
#define WINDOW_PAGES 64		/* fixed IOVAs fall in BASE + this */
#define MAX_AREAS 256
#define EPISODE 200
#define ULONG_LAST (~0UL)

enum op_kind {
	OP_MAP, OP_MAP_FIXED, OP_UNMAP, OP_UNMAP_ALL, OP_COPY, OP_ALLOW,
	OP_RESERVE, OP_READ, OP_RANGES, OP_PIN, OP_UNPIN, OP_BAD_SIZE,
	OP_BAD_FLAGS, OP_BAD_ID, OP_BAD_RANGE, OP_KINDS
};

static const char *const op_names[] = {
	"map", "map_fixed", "unmap", "unmap_all", "copy", "allow", "reserve",
	"read", "ranges", "pin", "unpin", "bad_size", "bad_flags", "bad_id",
	"bad_range",
};

/*
 * @rel: aim at an existing area (picked by @off) instead of @iova, and
 * for unmap and copy half the time at its length, resolved against the
 * model when the operation runs, so that unmaps, copies, pins and reads
 * often hit something and often cross from one area into the next.
 */
struct op {
	enum op_kind kind;
	int ioas, ioas2;
	__u64 iova, iova2, len, len2;
	unsigned long off;	/* buffer offset (pages) */
	bool rel;
};

struct range {
	__u64 first, last;
};

/*
 * @pages names the pinned-page object behind the area: a map makes a new
 * one, a copy shares its source's, and pages are pinned once per object.
 */
struct area {
	__u64 iova, len;
	unsigned long off;	/* buffer byte offset */
	int pages;
};

/* An access pin: [iova, iova + len), the test ABI's item id. */
struct pin {
	__u64 iova, len;
	__u32 item;
};

#define MAX_PINS 32

struct model_ioas {
	struct area areas[MAX_AREAS];
	int nareas;
	struct range allowed[2], resv[16];
	int nallowed, nresv;
	struct pin pins[MAX_PINS];
	int npins;
};

struct model {
	struct model_ioas ioas[NIOAS];
	int next_pages;
	long pinned_base;	/* the test build's pinned_pages at the start */
};

/* The kernel side of an episode: a reading and a pinning access per IOAS. */
struct env {
	int fd;
	__u32 ioas[NIOAS];
	int access[NIOAS];
	int pinner[NIOAS];
};

static unsigned char *buf;
static unsigned long page;
/* Commands that succeeded, by the kind of operation that issued them. */
static unsigned long kind_ok[OP_KINDS];
static enum op_kind cur_kind;

static bool overlaps(__u64 a, __u64 alast, __u64 b, __u64 blast)
{
	return a <= blast && b <= alast;
}

static bool hits_areas(struct model_ioas *m, __u64 first, __u64 last)
{
	for (int i = 0; i < m->nareas; i++)
		if (overlaps(first, last, m->areas[i].iova,
			     m->areas[i].iova + m->areas[i].len - 1))
			return true;
	return false;
}

static bool hits(const struct range *r, int n, __u64 first, __u64 last)
{
	for (int i = 0; i < n; i++)
		if (overlaps(first, last, r[i].first, r[i].last))
			return true;
	return false;
}

/*
 * The errno a fixed mapping of [iova, iova + len) gets; 0 if it fits.
 * The pinning access on each IOAS makes its IOVA alignment a page.
 */
static int fixed_errno(struct model_ioas *m, __u64 iova, __u64 len)
{
	__u64 last;

	if (!len || iova % page)
		return EINVAL;
	if (__builtin_add_overflow(iova, len - 1, &last))
		return EOVERFLOW;
	if (hits(m->resv, m->nresv, iova, last))
		return EINVAL;
	if (hits_areas(m, iova, last))
		return EEXIST;
	return 0;
}

static int add_area(struct model_ioas *m, __u64 iova, __u64 len,
		    unsigned long off, int pages)
{
	if (m->nareas == MAX_AREAS)
		return -1;
	m->areas[m->nareas++] = (struct area){ iova, len, off, pages };
	return 0;
}

/* Sort areas by IOVA (few of them: insertion sort). */
static void sort_areas(struct model_ioas *m)
{
	for (int i = 1; i < m->nareas; i++)
		for (int j = i; j > 0 &&
		     m->areas[j - 1].iova > m->areas[j].iova; j--) {
			struct area t = m->areas[j];

			m->areas[j] = m->areas[j - 1];
			m->areas[j - 1] = t;
		}
}

/*
 * The slices that cover [iova, iova + len) without a gap, as areas at
 * @dst; ENOENT for a gap.
 */
static int covering(struct model_ioas *m, __u64 iova, __u64 len,
		    __u64 dst, struct area *out, int *nout)
{
	__u64 pos = iova, last = iova + len - 1;

	sort_areas(m);
	*nout = 0;
	for (int i = 0; i < m->nareas; i++) {
		struct area *a = &m->areas[i];
		__u64 alast = a->iova + a->len - 1, slast;

		if (alast < pos)
			continue;
		if (a->iova > pos)
			return ENOENT;
		slast = alast < last ? alast : last;
		out[(*nout)++] = (struct area){
			dst + (pos - iova), slast - pos + 1,
			a->off + (pos - a->iova), a->pages };
		if (slast == last)
			return 0;
		pos = slast + 1;
	}
	return ENOENT;
}

/*
 * The errno of an access pin of [iova, iova + len): the areas must cover
 * it without a gap and in whole pages of memory.
 */
static int pin_errno(struct model_ioas *m, __u64 iova, __u64 len,
		     struct area *slices, int *n)
{
	int rc;

	if (!len)
		return EINVAL;
	sort_areas(m);
	rc = covering(m, iova, len, iova, slices, n);
	for (int i = 0; i < *n; i++) {
		/* A gap after slice i is found only once slice i passed. */
		if (slices[i].off % page ||
		    (i != *n - 1 && (slices[i].off + slices[i].len) % page) ||
		    (rc && i == *n - 1 &&
		     (slices[i].off + slices[i].len) % page))
			return EINVAL;
	}
	return rc;
}

/* Pages the model has pinned: distinct (pages object, buffer page). */
static long model_pinned(struct model *mod)
{
	static unsigned char seen[4 * EPISODE + NIOAS][BUF_PAGES];
	long n = 0;

	memset(seen, 0, sizeof(seen));
	for (int k = 0; k < NIOAS; k++) {
		struct model_ioas *m = &mod->ioas[k];

		for (int p = 0; p < m->npins; p++) {
			struct area slices[MAX_AREAS];
			int ns = 0;

			covering(m, m->pins[p].iova, m->pins[p].len,
				 m->pins[p].iova, slices, &ns);
			for (int i = 0; i < ns; i++)
				for (unsigned long b = slices[i].off / page;
				     b <= (slices[i].off + slices[i].len - 1) /
						  page; b++)
					if (!seen[slices[i].pages][b]++)
						n++;
		}
	}
	return n;
}

/* The test access unpins whatever an unmapped area overlapped. */
static void drop_pins(struct model_ioas *m, __u64 first, __u64 last)
{
	for (int p = 0; p < m->npins; p++)
		if (overlaps(first, last, m->pins[p].iova,
			     m->pins[p].iova + m->pins[p].len - 1))
			m->pins[p--] = m->pins[--m->npins];
}

static int check_pinned(struct model *mod, char *why, size_t whylen,
			const char *after)
{
	long got = iommufd_pinned_pages() - mod->pinned_base;
	long want = model_pinned(mod);

	if (got == want)
		return 0;
	snprintf(why, whylen, "after %s: %ld pages pinned, model %ld", after,
		 got, want);
	return -1;
}

/* Expect @rc (0 or -1 with errno) to be @want (0 or an errno). */
static int expect(int rc, int want, const char *what, char *why,
		  size_t whylen)
{
	int got = rc ? errno : 0;

	if (!got)
		kind_ok[cur_kind]++;
	if (got == want)
		return 0;
	snprintf(why, whylen, "%s: got %s, model says %s", what,
		 got ? strerrorname_np(got) : "success",
		 want ? strerrorname_np(want) : "success");
	return -1;
}

#define EXPECT(rc, want, what) expect(rc, want, what, why, whylen)

/* An operation with @rel resolved: a whole area, or pages inside one. */
static struct op resolve(struct model_ioas *m, const struct op *in)
{
	struct op op = *in;
	struct area *a;
	__u64 skip;

	if (!op.rel || !m->nareas)
		return op;
	sort_areas(m);
	a = &m->areas[op.off % m->nareas];
	op.iova = a->iova;
	if (op.kind == OP_UNMAP || op.kind == OP_COPY) {
		/* The area whole, or from its start on, maybe into others. */
		if (op.len2 / page % 2)
			op.len = a->len;
		return op;
	}
	skip = (op.len2 / page) % (a->len / page) * page;
	op.iova += skip;
	if (op.len > a->len - skip)
		op.len = a->len - skip;
	return op;
}

/* Which of two variants a malformed command takes. */
static int coin(const struct op *op)
{
	return (op->len2 / page) % 2;
}

static int run_op(struct env *e, struct model *mod, const struct op *in,
		  char *why, size_t whylen)
{
	struct model_ioas *m = &mod->ioas[in->ioas];
	const struct op resolved = resolve(m, in), *op = &resolved;
	__u32 id = e->ioas[op->ioas];
	void *va = buf + op->off * page;
	int rc, want;

	switch (op->kind) {
	case OP_MAP_FIXED:
		want = fixed_errno(m, op->iova, op->len);
		rc = _ioas_map_fixed(e->fd, id, va, op->len, op->iova);
		if (EXPECT(rc, want, "map_fixed"))
			return -1;
		if (!rc)
			add_area(m, op->iova, op->len, op->off * page,
				 mod->next_pages++);
		return 0;
	case OP_MAP: {
		__u64 iova = 0, last;

		rc = _ioas_map(e->fd, id, va, op->len, &iova, MAP_RW);
		if (rc && errno == ENOSPC && m->nallowed)
			return 0;	/* the allowed ranges may be full */
		if (EXPECT(rc, op->len ? 0 : EINVAL, "map"))
			return -1;
		if (rc)
			return 0;
		last = iova + op->len - 1;
		if (iova % page || iova < page ||
		    hits(m->resv, m->nresv, iova, last) ||
		    hits_areas(m, iova, last)) {
			snprintf(why, whylen,
				 "map chose 0x%llx, which is misaligned, reserved or in use",
				 (unsigned long long)iova);
			return -1;
		}
		if (m->nallowed) {
			bool inside = false;

			for (int i = 0; i < m->nallowed; i++)
				inside |= iova >= m->allowed[i].first &&
					  last <= m->allowed[i].last;
			if (!inside) {
				snprintf(why, whylen,
					 "map chose 0x%llx outside the allowed ranges",
					 (unsigned long long)iova);
				return -1;
			}
		}
		return add_area(m, iova, op->len, op->off * page,
				mod->next_pages++);
	}
	case OP_UNMAP: {
		__u64 first = op->iova, last = op->iova + op->len - 1, total = 0;
		__u64 unmapped = 0;
		int n = 0;

		want = 0;
		for (int i = 0; i < m->nareas; i++) {
			struct area *a = &m->areas[i];

			if (!overlaps(first, last, a->iova,
				      a->iova + a->len - 1))
				continue;
			if (a->iova < first || a->iova + a->len - 1 > last)
				want = ENOENT;
			total += a->len;
			n++;
		}
		if (!n || !op->len)
			want = op->len ? ENOENT : EINVAL;
		rc = _ioas_unmap(e->fd, id, op->iova, op->len, &unmapped);
		if (EXPECT(rc, want, "unmap"))
			return -1;
		/* Refused: every pin stays. */
		if (rc)
			return check_pinned(mod, why, whylen, "refused unmap");
		if (unmapped != total) {
			snprintf(why, whylen, "unmap: %llu bytes, model %llu",
				 (unsigned long long)unmapped,
				 (unsigned long long)total);
			return -1;
		}
		for (int i = 0; i < m->nareas; i++)
			if (overlaps(first, last, m->areas[i].iova,
				     m->areas[i].iova + m->areas[i].len - 1))
				m->areas[i--] = m->areas[--m->nareas];
		drop_pins(m, first, last);
		return check_pinned(mod, why, whylen, "unmap");
	}
	case OP_UNMAP_ALL: {
		__u64 unmapped = 0, total = 0;

		for (int i = 0; i < m->nareas; i++)
			total += m->areas[i].len;
		rc = _ioas_unmap(e->fd, id, 0, UINT64_MAX, &unmapped);
		if (EXPECT(rc, 0, "unmap_all"))
			return -1;
		if (unmapped != total) {
			snprintf(why, whylen,
				 "unmap_all: %llu bytes, model %llu",
				 (unsigned long long)unmapped,
				 (unsigned long long)total);
			return -1;
		}
		m->nareas = 0;
		m->npins = 0;
		return check_pinned(mod, why, whylen, "unmap_all");
	}
	case OP_COPY: {
		struct model_ioas *d = &mod->ioas[op->ioas2];
		struct area slices[MAX_AREAS];
		int n = 0;

		want = op->len ? covering(m, op->iova, op->len, op->iova2,
					  slices, &n) : EINVAL;
		if (!want)
			want = fixed_errno(d, op->iova2, op->len);
		/* Each slice must start on a page of memory. */
		for (int i = 0; !want && i < n; i++)
			if (slices[i].off % page)
				want = EINVAL;
		rc = _ioas_copy(e->fd, e->ioas[op->ioas2], op->iova2, id,
				op->iova, op->len, MAP_RW);
		if (EXPECT(rc, want, "copy"))
			return -1;
		for (int i = 0; !rc && i < n; i++)
			if (add_area(d, slices[i].iova, slices[i].len,
				     slices[i].off, slices[i].pages))
				return 0;
		return 0;
	}
	case OP_ALLOW: {
		struct iommu_iova_range r[2] = {
			{ op->iova, op->iova + op->len - 1 },
			{ op->iova2, op->iova2 + op->len2 - 1 },
		};
		struct iommu_ioas_allow_iovas cmd = {
			.size = sizeof(cmd), .ioas_id = id,
			.num_iovas = op->off % 3,
			.allowed_iovas = (uintptr_t)r,
		};
		int n = cmd.num_iovas;

		want = 0;
		for (int i = 0; i < n; i++)
			if (r[i].start >= r[i].last)
				want = EINVAL;
		if (!want && n == 2 &&
		    overlaps(r[0].start, r[0].last, r[1].start, r[1].last))
			want = EINVAL;
		for (int i = 0; !want && i < n; i++)
			if (hits(m->resv, m->nresv, r[i].start, r[i].last))
				want = EADDRINUSE;
		rc = ioctl(e->fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
		if (EXPECT(rc, want, "allow_iovas"))
			return -1;
		if (!rc) {
			m->nallowed = n;
			for (int i = 0; i < n; i++)
				m->allowed[i] = (struct range){ r[i].start,
								r[i].last };
		}
		return 0;
	}
	case OP_RESERVE: {
		__u64 last = op->iova + op->len - 1;

		want = hits_areas(m, op->iova, last) ||
		       hits(m->allowed, m->nallowed, op->iova, last) ?
			       EADDRINUSE : 0;
		if (!want && m->nresv == 16)
			return 0;
		rc = _add_reserved(e->fd, id, op->iova, op->len);
		if (EXPECT(rc, want, "reserve"))
			return -1;
		if (!rc)
			m->resv[m->nresv++] = (struct range){ op->iova, last };
		return 0;
	}
	case OP_READ: {
		unsigned char got[2 * 4096 + 64];
		struct area slices[MAX_AREAS];
		__u64 len = op->len < sizeof(got) ? op->len : sizeof(got);
		int n = 0;

		want = len ? covering(m, op->iova, len, op->iova, slices, &n) :
			     EINVAL;
		rc = _access_rw(e->fd, e->access[op->ioas], op->iova, got, len,
				0);
		if (EXPECT(rc, want, "access read"))
			return -1;
		for (int i = 0; !rc && i < n; i++)
			if (memcmp(got + (slices[i].iova - op->iova),
				   buf + slices[i].off, slices[i].len)) {
				snprintf(why, whylen,
					 "access read at 0x%llx: bytes differ from the buffer at %lu",
					 (unsigned long long)slices[i].iova,
					 slices[i].off);
				return -1;
			}
		return 0;
	}
	case OP_RANGES: {
		struct iommu_iova_range got[20];
		struct iommu_ioas_iova_ranges cmd = {
			.size = sizeof(cmd), .ioas_id = id,
			.num_iovas = coin(op) ? 0 : 20,
			.allowed_iovas = (uintptr_t)got,
		};
		struct range want_r[20];
		__u64 pos = 0;
		int n = 0;
		bool end = false;

		/* The complement of the reserved ranges. */
		while (!end) {
			int first = -1;

			for (int i = 0; i < m->nresv; i++)
				if (m->resv[i].last >= pos &&
				    (first < 0 ||
				     m->resv[i].first < m->resv[first].first))
					first = i;
			if (first >= 0 && m->resv[first].first <= pos) {
				end = m->resv[first].last == ULONG_LAST;
				pos = m->resv[first].last + 1;
				continue;
			}
			want_r[n].first = pos;
			want_r[n++].last = first < 0 ? ULONG_LAST :
						       m->resv[first].first - 1;
			end = first < 0;
			if (!end)
				pos = m->resv[first].last + 1;
		}
		rc = ioctl(e->fd, IOMMU_IOAS_IOVA_RANGES, &cmd);
		if (EXPECT(rc, cmd.allowed_iovas && !(coin(op)) ? 0 :
			   EMSGSIZE, "iova_ranges"))
			return -1;
		if ((int)cmd.num_iovas != n) {
			snprintf(why, whylen, "iova_ranges: %u ranges, model %d",
				 cmd.num_iovas, n);
			return -1;
		}
		for (int i = 0; !rc && i < n; i++)
			if (got[i].start != want_r[i].first ||
			    got[i].last != want_r[i].last) {
				snprintf(why, whylen,
					 "iova_ranges: range %d is 0x%llx-0x%llx, model 0x%llx-0x%llx",
					 i, (unsigned long long)got[i].start,
					 (unsigned long long)got[i].last,
					 (unsigned long long)want_r[i].first,
					 (unsigned long long)want_r[i].last);
				return -1;
			}
		return 0;
	}
	case OP_PIN: {
		struct area slices[MAX_AREAS];
		struct iommu_test_cmd cmd = {
			.op = IOMMU_TEST_OP_ACCESS_PAGES,
			.id = e->pinner[op->ioas],
			.access_pages = { .iova = op->iova, .length = op->len,
					  .flags = MOCK_FLAGS_ACCESS_WRITE },
		};
		int n = 0;

		if (m->npins == MAX_PINS)
			return 0;
		want = pin_errno(m, op->iova, op->len, slices, &n);
		/* Within one area the kernel also checks the pages it pins. */
		if (!want && n == 1)
			cmd.access_pages.uptr = (uintptr_t)buf + slices[0].off;
		rc = _test_cmd(e->fd, &cmd);
		if (EXPECT(rc, want, "access pin"))
			return -1;
		if (!rc)
			m->pins[m->npins++] = (struct pin){
				op->iova, op->len,
				cmd.access_pages.out_access_pages_id };
		return check_pinned(mod, why, whylen, "access pin");
	}
	case OP_UNPIN: {
		int p = m->npins ? (int)(op->off % (m->npins + 1)) : 0;
		__u32 item = p < m->npins ? m->pins[p].item : 100000 + op->off;

		rc = _access_unpin(e->fd, e->pinner[op->ioas], item);
		if (EXPECT(rc, p < m->npins ? 0 : ENOENT, "access unpin"))
			return -1;
		if (p < m->npins)
			m->pins[p] = m->pins[--m->npins];
		return check_pinned(mod, why, whylen, "access unpin");
	}
	case OP_BAD_SIZE: {
		struct {
			struct iommu_ioas_map cmd;
			__u64 tail;
		} big = { .cmd = { .flags = MAP_RW, .ioas_id = id,
				   .user_va = (uintptr_t)va,
				   .length = page }, .tail = 1 };

		/* Shorter than the first version: EINVAL; longer with
		 * non-zero bytes past what is known: E2BIG.
		 */
		big.cmd.size = coin(op) ? 8 : sizeof(big);
		rc = ioctl(e->fd, IOMMU_IOAS_MAP, &big);
		return EXPECT(rc, coin(op) ? EINVAL : E2BIG, "bad size");
	}
	case OP_BAD_FLAGS: {
		struct iommu_ioas_map cmd = {
			.size = sizeof(cmd), .flags = MAP_RW, .ioas_id = id,
			.user_va = (uintptr_t)va, .length = page,
		};

		if (coin(op))
			cmd.flags |= 1U << (4 + op->off % 28);
		else
			cmd.__reserved = 1;
		rc = ioctl(e->fd, IOMMU_IOAS_MAP, &cmd);
		return EXPECT(rc, EOPNOTSUPP, "bad flags");
	}
	case OP_BAD_ID:
		/* No such object. */
		rc = _ioas_map_fixed(e->fd, coin(op) ? 0 : 1000 + op->off,
				     va, page, op->iova);
		return EXPECT(rc, ENOENT, "bad id");
	case OP_BAD_RANGE:
		if (coin(op)) {
			rc = _ioas_unmap(e->fd, id, ULONG_LAST, page, NULL);
			return EXPECT(rc, EOVERFLOW, "unmap at the top");
		}
		rc = _ioas_map_fixed(e->fd, id, va, 2 * page,
				     ULONG_LAST - page + 1);
		return EXPECT(rc, EOVERFLOW, "map over the top");
	default:
		return 0;
	}
}

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return rand_r(seed) % n;
}

static struct op gen_op(unsigned int *seed)
{
	struct op op = {
		.kind = rnd(seed, OP_KINDS),
		.ioas = rnd(seed, NIOAS),
		.ioas2 = rnd(seed, NIOAS),
		.iova = BASE + rnd(seed, WINDOW_PAGES) * page,
		.iova2 = BASE + rnd(seed, WINDOW_PAGES) * page,
		.len = (1 + rnd(seed, 8)) * page,
		.len2 = (1 + rnd(seed, 16)) * page,
	};

	op.off = rnd(seed, BUF_PAGES - op.len / page + 1);
	op.rel = rnd(seed, 2);
	/* Now and then a length of zero or an IOVA off the page. */
	if (!rnd(seed, 40))
		op.len = 0;
	if (!rnd(seed, 40))
		op.iova += 512;
	if (op.kind == OP_ALLOW) {
		/* Allowed ranges large enough to map in. */
		op.len = (8 + rnd(seed, 64)) * page;
		op.len2 = (8 + rnd(seed, 64)) * page;
		if (!rnd(seed, 10))
			op.len = 1;	/* start == last: refused */
	}
	if (op.kind == OP_READ && op.len)
		op.len -= rnd(seed, 64);
	if (op.kind == OP_RESERVE && !op.len)
		op.len = page;
	return op;
}

static void env_open(struct env *e)
{
	e->fd = iommufd_open();
	for (int i = 0; i < NIOAS; i++) {
		ASSERT_OK(_ioas_alloc(e->fd, &e->ioas[i]));
		e->access[i] = _access_create(e->fd, e->ioas[i], 0);
		ASSERT_LE(0, e->access[i]);
		e->pinner[i] = _access_create(e->fd, e->ioas[i], 1);
		ASSERT_LE(0, e->pinner[i]);
	}
}

static void env_close(struct env *e)
{
	for (int i = 0; i < NIOAS; i++) {
		ASSERT_OK(close(e->pinner[i]));
		ASSERT_OK(close(e->access[i]));
	}
	ASSERT_OK(close(e->fd));
}

/* Run @ops on a fresh file; the index of the first mismatch, or -1. */
static int replay(const struct op *ops, int n, char *why, size_t whylen)
{
	static struct model mod;
	struct env e;
	int bad = -1;

	memset(&mod, 0, sizeof(mod));
	mod.next_pages = NIOAS;
	mod.pinned_base = iommufd_pinned_pages();
	env_open(&e);
	for (int i = 0; i < n && bad < 0; i++) {
		cur_kind = ops[i].kind;
		if (run_op(&e, &mod, &ops[i], why, whylen))
			bad = i;
	}
	/* The end: what is left must be what the model holds. */
	for (int k = 0; bad < 0 && k < NIOAS; k++) {
		struct op all = { .kind = OP_UNMAP_ALL, .ioas = k };

		cur_kind = OP_UNMAP_ALL;
		if (run_op(&e, &mod, &all, why, whylen))
			bad = n;
	}
	env_close(&e);
	return bad;
}

static void print_op(int i, const struct op *op)
{
	printf("#   %3d %-9s%s ioas %d iova 0x%llx len 0x%llx buf page %lu | ioas2 %d iova2 0x%llx len2 0x%llx\n",
	       i, op_names[op->kind], op->rel ? " (area)" : "", op->ioas,
	       (unsigned long long)op->iova,
	       (unsigned long long)op->len, op->off, op->ioas2,
	       (unsigned long long)op->iova2, (unsigned long long)op->len2);
}

/* Drop chunks of operations while the episode still fails. */
static int shrink(struct op *ops, int n)
{
	char why[256];

	for (int chunk = n / 2; chunk >= 1; chunk /= 2) {
		for (int i = 0; i + chunk <= n;) {
			static struct op cand[EPISODE];
			int m = 0;

			for (int j = 0; j < n; j++)
				if (j < i || j >= i + chunk)
					cand[m++] = ops[j];
			if (replay(cand, m, why, sizeof(why)) >= 0) {
				memcpy(ops, cand, m * sizeof(*ops));
				n = m;
			} else {
				i += chunk;
			}
		}
	}
	return n;
}

TEST_TIMEOUT(fuzz, ioas_against_model, 86400)
{
	const char *env_seed = getenv("IOMMUFD_FUZZ_SEED");
	const char *env_secs = getenv("IOMMUFD_FUZZ_SECONDS");
	unsigned int seed = env_seed ? strtoul(env_seed, NULL, 0) : 20261202;
	long seconds = env_secs ? atol(env_secs) : 10;
	long objects = iommufd_live_objects(), pinned = iommufd_pinned_pages();
	unsigned long nops = 0, episodes = 0, counts[OP_KINDS] = { 0 };
	time_t start = time(NULL), last_report = start;
	static struct op ops[EPISODE];
	char why[256];

	if (objects < 0 || pinned < 0)
		SKIP("%s missing: not the test build of iommufd.ko",
		     IOMMUFD_DEBUGFS);
	page = PAGE_SZ;
	buf = test_buffer(BUF_PAGES * page);
	ASSERT_NE(NULL, buf);
	printf("# seed %u, %ld s\n", seed, seconds);
	while (time(NULL) - start < seconds) {
		unsigned int ep_seed = seed + episodes;
		int n = 1 + rnd(&ep_seed, EPISODE), bad;

		for (int i = 0; i < n; i++) {
			ops[i] = gen_op(&ep_seed);
			counts[ops[i].kind]++;
		}
		bad = replay(ops, n, why, sizeof(why));
		if (bad >= 0) {
			printf("# episode %lu (seed %u): operation %d: %s\n",
			       episodes, seed, bad, why);
			n = shrink(ops, bad < n ? bad + 1 : n);
			bad = replay(ops, n, why, sizeof(why));
			printf("# shrunk to %d operations, failing at %d: %s\n",
			       n, bad, why);
			for (int i = 0; i < n; i++)
				print_op(i, &ops[i]);
			harness_abort(__FILE__, __LINE__,
				      "the kernel disagrees with the model (IOMMUFD_FUZZ_SEED=%u, episode %lu)",
				      seed, episodes);
		}
		nops += n;
		episodes++;
		if (seconds >= 120 && time(NULL) - last_report >= 60) {
			last_report = time(NULL);
			printf("# %lds: %lu operations\n",
			       (long)(last_report - start), nops);
			fflush(stdout);
		}
	}
	seconds = time(NULL) - start;
	printf("# %lu operations in %lu episodes, %ld/s; by kind:", nops,
	       episodes, nops / (seconds ? seconds : 1));
	for (int k = 0; k < OP_KINDS; k++)
		printf(" %s %lu (%lu ok)", op_names[k], counts[k], kind_ok[k]);
	printf("\n");
	ASSERT_LT(0, episodes);
	EXPECT_EQ(objects, iommufd_live_objects());
	EXPECT_EQ(pinned, iommufd_pinned_pages());
}
