// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page tables at PASIDs of a mock device with PASID support: attach,
 * replace and detach through the in-kernel API (test ABI PASID_* ops),
 * checked against what the mock driver was told; refusals; page faults
 * with a PASID reaching the queue of that PASID's table; and cleanup when
 * the device goes with PASIDs still attached.
 */
#include "mock_utils.h"

#define MAX_PASID (1U << MOCK_PASID_WIDTH)

static int pasid_op(int fd, __u32 op, __u32 stdev, __u32 pasid, __u32 pt)
{
	struct iommu_test_cmd cmd = { .op = op, .id = stdev };

	switch (op) {
	case IOMMU_TEST_OP_PASID_ATTACH:
		cmd.pasid_attach.pasid = pasid;
		cmd.pasid_attach.pt_id = pt;
		break;
	case IOMMU_TEST_OP_PASID_REPLACE:
		cmd.pasid_replace.pasid = pasid;
		cmd.pasid_replace.pt_id = pt;
		break;
	case IOMMU_TEST_OP_PASID_DETACH:
		cmd.pasid_detach.pasid = pasid;
		break;
	default:
		cmd.pasid_check.pasid = pasid;
		cmd.pasid_check.hwpt_id = pt;
	}
	return _test_cmd(fd, &cmd);
}

#define attach(p, pt) pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH, \
			       self->stdev, p, pt)
#define replace(p, pt) pasid_op(self->fd, IOMMU_TEST_OP_PASID_REPLACE, \
				self->stdev, p, pt)
#define detach(p) pasid_op(self->fd, IOMMU_TEST_OP_PASID_DETACH, \
			   self->stdev, p, 0)
/* The mock driver has @pt's domain at @p (0: nothing there). */
#define at(p, pt) pasid_op(self->fd, IOMMU_TEST_OP_PASID_CHECK_HWPT, \
			   self->stdev, p, pt)

static int pasid_hwpt(int fd, __u32 idev, __u32 ioas, __u32 *out)
{
	return hwpt_alloc(fd, idev, ioas, IOMMU_HWPT_ALLOC_PASID, 0,
			  IOMMU_HWPT_DATA_NONE, NULL, 0, out);
}

/*
 * A PASID-capable mock device on an IOAS with one page mapped.  Its RID
 * moves from the automatic HWPT of its attach to one made for PASID use
 * (@rid_hwpt): PASIDs take tables only while the RID is on such a one.
 */
FIXTURE(pasid) {
	int fd;
	__u32 ioas, stdev, idev, rid_hwpt;
	void *buf;
	struct leak_baseline leak;
};

FIXTURE_SETUP(pasid)
{
	__u32 pt;

	open_with_ioas(&self->leak, &self->fd, &self->ioas);
	self->buf = test_buffer(PAGE_SZ);
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, self->buf, PAGE_SZ,
				  BASE));
	ASSERT_OK(mock_domain(self->fd, self->ioas, MOCK_FLAGS_DEVICE_PASID,
			      &self->stdev, NULL, &self->idev));
	ASSERT_OK(pasid_hwpt(self->fd, self->idev, self->ioas,
			     &self->rid_hwpt));
	pt = self->rid_hwpt;
	ASSERT_OK(mock_replace(self->fd, self->stdev, &pt));
}

FIXTURE_TEARDOWN(pasid)
{
	ASSERT_OK(close(self->fd));
	leak_check(&self->leak);
}

TEST_F(pasid, rid_and_pasids_share_pasid_tables)
{
	__u32 h, plain, pt;

	ASSERT_OK(pasid_hwpt(self->fd, self->idev, self->ioas, &h));
	ASSERT_OK(hwpt_alloc(self->fd, self->idev, self->ioas, 0, 0,
			     IOMMU_HWPT_DATA_NONE, NULL, 0, &plain));

	/* While a PASID has a table, the RID stays on PASID tables. */
	ASSERT_OK(attach(100, h));
	pt = plain;
	EXPECT_ERRNO(EINVAL, mock_replace(self->fd, self->stdev, &pt));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, self->rid_hwpt));
	ASSERT_OK(at(100, h));
	ASSERT_OK(detach(100));

	/* A RID on another table keeps the PASIDs from taking any. */
	pt = plain;
	ASSERT_OK(mock_replace(self->fd, self->stdev, &pt));
	EXPECT_ERRNO(EINVAL, attach(100, h));
	ASSERT_OK(at(100, 0));

	/* Back on a PASID table, they may again. */
	pt = self->rid_hwpt;
	ASSERT_OK(mock_replace(self->fd, self->stdev, &pt));
	ASSERT_OK(attach(100, h));
	ASSERT_OK(detach(100));
	ASSERT_OK(_destroy(self->fd, plain));
	ASSERT_OK(_destroy(self->fd, h));
}

TEST_F(pasid, attach_replace_detach)
{
	__u32 h1, h2;

	ASSERT_OK(pasid_hwpt(self->fd, self->idev, self->ioas, &h1));
	ASSERT_OK(pasid_hwpt(self->fd, self->idev, self->ioas, &h2));
	ASSERT_OK(check_map(self->fd, h1, BASE, self->buf, PAGE_SZ));

	ASSERT_OK(at(100, 0));
	ASSERT_OK(attach(100, h1));
	ASSERT_OK(at(100, h1));
	ASSERT_OK(at(101, 0));
	/* The device itself stays where it was. */
	ASSERT_OK(check_map(self->fd, self->rid_hwpt, BASE, self->buf,
			    PAGE_SZ));
	EXPECT_ERRNO(EBUSY, attach(100, h2));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, h1));

	/* Several PASIDs, one table each; one table at several PASIDs. */
	ASSERT_OK(attach(MAX_PASID - 1, h2));
	ASSERT_OK(attach(7, h1));
	ASSERT_OK(at(MAX_PASID - 1, h2));
	ASSERT_OK(at(7, h1));

	ASSERT_OK(replace(100, h2));
	ASSERT_OK(at(100, h2));
	ASSERT_OK(replace(100, h2));	/* to where it is: nothing changes */
	ASSERT_OK(at(100, h2));
	ASSERT_OK(detach(7));
	ASSERT_OK(at(7, 0));
	/* h1 is used nowhere now. */
	ASSERT_OK(_destroy(self->fd, h1));

	ASSERT_OK(detach(100));
	ASSERT_OK(detach(100));	/* not attached: nothing happens */
	ASSERT_OK(at(100, 0));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, h2));
	ASSERT_OK(detach(MAX_PASID - 1));
	ASSERT_OK(_destroy(self->fd, h2));
}

TEST_F(pasid, refusals_change_nothing)
{
	__u32 h, plain, other_stdev, other_idev, other_h;

	ASSERT_OK(pasid_hwpt(self->fd, self->idev, self->ioas, &h));
	ASSERT_OK(hwpt_alloc(self->fd, self->idev, self->ioas, 0, 0,
			     IOMMU_HWPT_DATA_NONE, NULL, 0, &plain));
	ASSERT_OK(attach(5, h));

	/* Not allocated for PASIDs; an IOAS; a device; nothing at all. */
	EXPECT_ERRNO(EINVAL, attach(6, plain));
	EXPECT_ERRNO(EINVAL, attach(6, self->ioas));
	EXPECT_ERRNO(EINVAL, attach(6, self->idev));
	EXPECT_ERRNO(ENOENT, attach(6, 99999));
	/* PASID 0 is the device itself; beyond the width is none. */
	EXPECT_ERRNO(EINVAL, attach(0, h));
	EXPECT_ERRNO(EINVAL, attach(MAX_PASID, h));
	/* Replace: only an attached PASID, only to a suitable table. */
	EXPECT_ERRNO(EINVAL, replace(6, h));
	EXPECT_ERRNO(EINVAL, replace(5, plain));
	ASSERT_OK(at(5, h));
	ASSERT_OK(at(6, 0));

	/* A device without PASID support has none to attach. */
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &other_stdev, NULL,
			      &other_idev));
	ASSERT_OK(pasid_hwpt(self->fd, other_idev, self->ioas, &other_h));
	EXPECT_ERRNO(EINVAL, pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH,
				      other_stdev, 1, other_h));
	ASSERT_OK(_destroy(self->fd, other_stdev));
	ASSERT_OK(_destroy(self->fd, other_h));

	/* Unknown flags still refused at allocation. */
	EXPECT_ERRNO(EOPNOTSUPP, hwpt_alloc(self->fd, self->idev, self->ioas,
					    1U << 4, 0, IOMMU_HWPT_DATA_NONE,
					    NULL, 0, NULL));
	ASSERT_OK(detach(5));
	ASSERT_OK(_destroy(self->fd, h));
	ASSERT_OK(_destroy(self->fd, plain));
}

TEST_F(pasid, nested_tables_and_faults_at_a_pasid)
{
	struct iommu_hwpt_selftest data = { .iotlb = 1 };
	struct iommu_hwpt_page_response resp = {
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};
	struct iommu_hwpt_pgfault rec;
	__u32 parent, nested, fault_id;
	struct iopf_counts c;
	int fault_fd;

	ASSERT_OK(parent_alloc(self->fd, self->idev, self->ioas, &parent));
	ASSERT_OK(fault_alloc(self->fd, &fault_id, &fault_fd));
	ASSERT_OK(hwpt_alloc(self->fd, self->idev, parent,
			     IOMMU_HWPT_FAULT_ID_VALID |
			     IOMMU_HWPT_ALLOC_PASID, fault_id,
			     IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data),
			     &nested));
	ASSERT_OK(attach(300, nested));
	ASSERT_OK(at(300, nested));

	/* A request tagged 300 goes to that table's queue. */
	ASSERT_OK(trigger_iopf(self->fd, self->idev, 300, 1, 0x5000, 1));
	ASSERT_EQ((ssize_t)sizeof(rec), read(fault_fd, &rec, sizeof(rec)));
	EXPECT_EQ(300, rec.pasid);
	EXPECT_EQ(self->idev, rec.dev_id);
	resp.cookie = rec.cookie;
	ASSERT_EQ((ssize_t)sizeof(resp), write(fault_fd, &resp, sizeof(resp)));
	ASSERT_OK(iopf_responses(self->fd, self->idev, &c));
	EXPECT_EQ(1, c.success);

	/* A PASID with nothing attached: answered at once, queue empty. */
	ASSERT_OK(trigger_iopf(self->fd, self->idev, 301, 2, 0x6000, 1));
	ASSERT_OK(iopf_responses(self->fd, self->idev, &c));
	EXPECT_EQ(1, c.invalid);
	ASSERT_EQ(0, read(fault_fd, &rec, sizeof(rec)));

	/* Detaching the PASID answers its pending request. */
	ASSERT_OK(trigger_iopf(self->fd, self->idev, 300, 3, 0x7000, 1));
	ASSERT_OK(detach(300));
	ASSERT_OK(iopf_responses(self->fd, self->idev, &c));
	EXPECT_EQ(2, c.invalid);
	ASSERT_EQ(0, read(fault_fd, &rec, sizeof(rec)));

	ASSERT_OK(close(fault_fd));
	ASSERT_OK(_destroy(self->fd, nested));
	ASSERT_OK(_destroy(self->fd, fault_id));
	ASSERT_OK(_destroy(self->fd, parent));
}

TEST_F(pasid, device_destroyed_with_pasids_attached)
{
	__u32 h;

	ASSERT_OK(pasid_hwpt(self->fd, self->idev, self->ioas, &h));
	ASSERT_OK(attach(1, h));
	ASSERT_OK(attach(2, h));
	/* Destroying the device detaches its PASIDs, then h is free. */
	ASSERT_OK(_destroy(self->fd, self->stdev));
	ASSERT_OK(_destroy(self->fd, h));
}

TEST_F(pasid, file_closed_with_pasids_attached)
{
	__u32 h;

	ASSERT_OK(pasid_hwpt(self->fd, self->idev, self->ioas, &h));
	ASSERT_OK(attach(1, h));
	/* The teardown closes the file; the leak check sees it all gone. */
}
