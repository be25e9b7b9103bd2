// SPDX-License-Identifier: GPL-2.0-only
/*
 * vIOMMU objects on the mock IOMMU: IOMMU_VIOMMU_ALLOC with its data
 * loopback, nested HWPTs allocated on a vIOMMU (which only devices with a
 * vDEVICE there can attach to), IOMMU_VDEVICE_ALLOC, cache invalidation in
 * virtual device IDs, IOMMU_VEVENTQ_ALLOC with event numbering and lost
 * events, what holds what, and a vDEVICE's id kept dead after its device
 * is unbound.  The fixture's teardown closes everything and checks that
 * nothing is left.
 */
#include <poll.h>

#include "mock_utils.h"

#define VIRT 0x99
#define EV_SIZE (sizeof(struct iommufd_vevent_header) + \
		 sizeof(struct iommu_viommu_event_selftest))

static int viommu_alloc(int fd, __u32 idev, __u32 hwpt, __u32 type,
			void *data, __u32 len, __u32 *out)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd), .type = type, .dev_id = idev,
		.hwpt_id = hwpt, .data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_viommu_id;
	return rc;
}

static int vdevice_alloc(int fd, __u32 viommu, __u32 idev, __u64 virt_id,
			 __u32 *out)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd), .viommu_id = viommu, .dev_id = idev,
		.virt_id = virt_id,
	};
	int rc = ioctl(fd, IOMMU_VDEVICE_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_vdevice_id;
	return rc;
}

static int veventq_alloc(int fd, __u32 viommu, __u32 type, __u32 depth,
			 __u32 *id, int *qfd)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd), .viommu_id = viommu, .type = type,
		.veventq_depth = depth,
	};
	int rc = ioctl(fd, IOMMU_VEVENTQ_ALLOC, &cmd);

	if (!rc) {
		*id = cmd.out_veventq_id;
		*qfd = cmd.out_veventq_fd;
	}
	return rc;
}

static int trigger_vevent(int fd, __u32 idev)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_TRIGGER_VEVENT,
		.trigger_vevent.dev_id = idev,
	};

	return _test_cmd(fd, &cmd);
}

static int dev_cache_is(int fd, __u32 idev, __u32 a, __u32 b, __u32 c,
			__u32 d)
{
	__u32 want[4] = { a, b, c, d };
	int i;

	for (i = 0; i < 4; i++) {
		struct iommu_test_cmd cmd = {
			.op = IOMMU_TEST_OP_DEV_CHECK_CACHE, .id = idev,
			.check_dev_cache = { .id = i, .cache = want[i] },
		};

		if (_test_cmd(fd, &cmd))
			return -1;
	}
	return 0;
}

/* invalidate(): 0, or the errno it failed with. */
static int invalidate_errno(int fd, __u32 id, __u32 type, void *reqs,
			    __u32 len, __u32 *num)
{
	return invalidate(fd, id, type, reqs, len, num) ? errno : 0;
}

/* A mock device, a NEST_PARENT HWPT, a vIOMMU on it, a nested HWPT there. */
FIXTURE(viommu) {
	int fd;
	__u32 ioas, stdev, idev, parent, viommu, nested;
	struct leak_baseline leak;
};

FIXTURE_SETUP(viommu)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };

	open_with_ioas(&self->leak, &self->fd, &self->ioas);
	ASSERT_OK(device_and_parent(self->fd, self->ioas, 0, &self->stdev,
				    &self->idev, &self->parent));
	ASSERT_OK(viommu_alloc(self->fd, self->idev, self->parent,
			       IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
			       &self->viommu));
	ASSERT_OK(hwpt_alloc(self->fd, self->idev, self->viommu, 0, 0,
			     IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data),
			     &self->nested));
}

FIXTURE_TEARDOWN(viommu)
{
	ASSERT_OK(close(self->fd));
	leak_check(&self->leak);
}

TEST_F(viommu, alloc_refusals_and_data)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd), .type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.dev_id = self->idev, .hwpt_id = self->parent, .flags = 1,
	};
	struct {
		__u32 in_data, out_data;
		__u64 mmap_offset, mmap_length;
	} data = { .in_data = 0xbeef };
	__u32 plain, other = 0;

	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &cmd));
	EXPECT_ERRNO(EOPNOTSUPP, viommu_alloc(self->fd, self->idev,
					      self->parent,
					      IOMMU_VIOMMU_TYPE_DEFAULT, NULL,
					      0, &other));
	EXPECT_ERRNO(EOPNOTSUPP, viommu_alloc(self->fd, self->idev,
					      self->parent, 0xdead, NULL, 0,
					      &other));
	EXPECT_ERRNO(ENOENT, viommu_alloc(self->fd, self->ioas, self->parent,
					  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
					  &other));
	/* The parent must be a NEST_PARENT HWPT_PAGING. */
	EXPECT_ERRNO(ENOENT, viommu_alloc(self->fd, self->idev, 0,
					  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
					  &other));
	EXPECT_ERRNO(ENOENT, viommu_alloc(self->fd, self->idev, self->nested,
					  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
					  &other));
	ASSERT_OK(hwpt_alloc(self->fd, self->idev, self->ioas, 0, 0,
			     IOMMU_HWPT_DATA_NONE, NULL, 0, &plain));
	EXPECT_ERRNO(EINVAL, viommu_alloc(self->fd, self->idev, plain,
					  IOMMU_VIOMMU_TYPE_SELFTEST, NULL, 0,
					  &other));
	ASSERT_OK(_destroy(self->fd, plain));
	/* The driver's data: short, unreadable. */
	EXPECT_ERRNO(EINVAL, viommu_alloc(self->fd, self->idev, self->parent,
					  IOMMU_VIOMMU_TYPE_SELFTEST, &data,
					  4, &other));
	EXPECT_ERRNO(EFAULT, viommu_alloc(self->fd, self->idev, self->parent,
					  IOMMU_VIOMMU_TYPE_SELFTEST,
					  (void *)8, sizeof(data), &other));
	EXPECT_EQ(0, other);

	/* A second vIOMMU on the same parent; the data comes back. */
	ASSERT_OK(viommu_alloc(self->fd, self->idev, self->parent,
			       IOMMU_VIOMMU_TYPE_SELFTEST, &data,
			       sizeof(data), &other));
	EXPECT_EQ(0xbeef, data.out_data);
	/* Only the first 8 bytes are needed. */
	data.out_data = 0;
	ASSERT_OK(_destroy(self->fd, other));
	ASSERT_OK(viommu_alloc(self->fd, self->idev, self->parent,
			       IOMMU_VIOMMU_TYPE_SELFTEST, &data, 8, &other));
	EXPECT_EQ(0xbeef, data.out_data);
	ASSERT_OK(_destroy(self->fd, other));

	/* What holds what. */
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, self->parent));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, self->viommu));
	ASSERT_OK(_destroy(self->fd, self->nested));
	ASSERT_OK(_destroy(self->fd, self->viommu));
	ASSERT_OK(_destroy(self->fd, self->parent));
}

TEST_F(viommu, nested_hwpt_on_a_viommu)
{
	struct iommu_hwpt_selftest data = { .iotlb = 1 };
	__u32 stdev2, idev2, vdev, vdev2, pt, out = 0;

	/* Stage-2 flags, no data, a vIOMMU of another device's IOMMU... */
	EXPECT_ERRNO(EOPNOTSUPP, hwpt_alloc(self->fd, self->idev,
					    self->viommu,
					    IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
					    IOMMU_HWPT_DATA_SELFTEST, &data,
					    sizeof(data), &out));
	EXPECT_ERRNO(EOPNOTSUPP, hwpt_alloc(self->fd, self->idev,
					    self->viommu, 0, 0,
					    IOMMU_HWPT_DATA_SELFTEST + 1,
					    &data, sizeof(data), &out));
	EXPECT_ERRNO(ENOENT, hwpt_alloc(self->fd, self->idev, self->viommu,
					IOMMU_HWPT_FAULT_ID_VALID, 0xffffffff,
					IOMMU_HWPT_DATA_SELFTEST, &data,
					sizeof(data), &out));
	EXPECT_EQ(0, out);
	ASSERT_OK(check_iotlb(self->fd, self->nested, 0,
			      IOMMU_TEST_IOTLB_DEFAULT));

	/* Only a device the vIOMMU knows can use its nested tables. */
	pt = self->nested;
	EXPECT_ERRNO(ENOENT, mock_replace(self->fd, self->stdev, &pt));
	ASSERT_OK(vdevice_alloc(self->fd, self->viommu, self->idev, VIRT,
				&vdev));
	ASSERT_OK(mock_replace(self->fd, self->stdev, &pt));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, self->nested));

	/* One vDEVICE per device, one device per virtual ID. */
	EXPECT_ERRNO(EEXIST, vdevice_alloc(self->fd, self->viommu, self->idev,
					   VIRT + 1, &out));
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev2, NULL, &idev2));
	EXPECT_ERRNO(EEXIST, vdevice_alloc(self->fd, self->viommu, idev2,
					   VIRT, &out));
	EXPECT_ERRNO(ENOENT, vdevice_alloc(self->fd, self->ioas, idev2, 1,
					   &out));
	EXPECT_ERRNO(ENOENT, vdevice_alloc(self->fd, self->viommu,
					   self->ioas, 1, &out));
	ASSERT_OK(vdevice_alloc(self->fd, self->viommu, idev2, 1ULL << 40,
				&vdev2));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, self->viommu));

	pt = self->ioas;
	ASSERT_OK(mock_replace(self->fd, self->stdev, &pt));
	ASSERT_OK(_destroy(self->fd, vdev));
	ASSERT_OK(_destroy(self->fd, vdev2));
	ASSERT_OK(_destroy(self->fd, stdev2));
	ASSERT_OK(_destroy(self->fd, self->nested));
	ASSERT_OK(_destroy(self->fd, self->viommu));
}

TEST_F(viommu, invalidate_in_virtual_ids)
{
	struct iommu_viommu_invalidate_selftest inv[2] = {};
	__u32 vdev, num;

	ASSERT_OK(vdevice_alloc(self->fd, self->viommu, self->idev, VIRT,
				&vdev));
	ASSERT_OK(dev_cache_is(self->fd, self->idev,
			       IOMMU_TEST_DEV_CACHE_DEFAULT,
			       IOMMU_TEST_DEV_CACHE_DEFAULT,
			       IOMMU_TEST_DEV_CACHE_DEFAULT,
			       IOMMU_TEST_DEV_CACHE_DEFAULT));

#define INV(err, type, ptr, len, n, want)				\
	do {								\
		num = (n);						\
		EXPECT_EQ(err, invalidate_errno(self->fd, self->viommu,	\
						type, ptr, len, &num));	\
		EXPECT_EQ(want, num);					\
	} while (0)

	INV(0, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv, sizeof(inv[0]), 0,
	    0);
	INV(EINVAL, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID, inv,
	    sizeof(inv[0]), 1, 0);
	INV(EINVAL, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv,
	    sizeof(inv[0]) + 1, 1, 0);
	INV(EINVAL, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv, 1, 1, 0);
	INV(EINVAL, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, NULL,
	    sizeof(inv[0]), 1, 0);
	INV(EINVAL, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv, 0, 1, 0);
	inv[0].vdev_id = VIRT;
	inv[0].flags = 0xffffffff;
	INV(EOPNOTSUPP, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv,
	    sizeof(inv[0]), 1, 0);
	inv[0].flags = 0;
	inv[0].cache_id = MOCK_DEV_CACHE_ID_MAX + 1;
	INV(EINVAL, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv,
	    sizeof(inv[0]), 1, 0);
	/* An ID the vIOMMU does not know. */
	inv[0].cache_id = 0;
	inv[0].vdev_id = VIRT + 1;
	INV(EINVAL, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv,
	    sizeof(inv[0]), 1, 0);
	ASSERT_OK(dev_cache_is(self->fd, self->idev,
			       IOMMU_TEST_DEV_CACHE_DEFAULT,
			       IOMMU_TEST_DEV_CACHE_DEFAULT,
			       IOMMU_TEST_DEV_CACHE_DEFAULT,
			       IOMMU_TEST_DEV_CACHE_DEFAULT));

	/* The first of two is done and counted. */
	inv[0].vdev_id = VIRT;
	inv[1].vdev_id = VIRT;
	inv[1].cache_id = MOCK_DEV_CACHE_ID_MAX + 1;
	INV(EINVAL, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv,
	    sizeof(inv[0]), 2, 1);
	ASSERT_OK(dev_cache_is(self->fd, self->idev, 0,
			       IOMMU_TEST_DEV_CACHE_DEFAULT,
			       IOMMU_TEST_DEV_CACHE_DEFAULT,
			       IOMMU_TEST_DEV_CACHE_DEFAULT));
	inv[0].cache_id = 2;
	inv[1].cache_id = 3;
	INV(0, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv, sizeof(inv[0]), 2,
	    2);
	ASSERT_OK(dev_cache_is(self->fd, self->idev, 0,
			       IOMMU_TEST_DEV_CACHE_DEFAULT, 0, 0));
	inv[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	INV(0, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv, sizeof(inv[0]), 1,
	    1);
	ASSERT_OK(dev_cache_is(self->fd, self->idev, 0, 0, 0, 0));

	/* Gone with its vDEVICE: the ID means nothing any more. */
	ASSERT_OK(_destroy(self->fd, vdev));
	inv[0].flags = 0;
	INV(EINVAL, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv,
	    sizeof(inv[0]), 1, 0);
	/* The nested HWPT's own invalidation is still its own. */
	num = 0;
	ASSERT_OK(invalidate(self->fd, self->nested,
			     IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, NULL, 0,
			     &num));
}

/* Read @n events, checking their numbers follow @seq and their IDs. */
static int read_events(int qfd, int n, __u32 virt, __u32 *seq)
{
	unsigned char buf[8 * EV_SIZE];
	ssize_t got = read(qfd, buf, n * EV_SIZE);
	int i;

	if (got != (ssize_t)(n * EV_SIZE))
		return -1;
	for (i = 0; i < n; i++) {
		struct iommufd_vevent_header h;
		struct iommu_viommu_event_selftest ev;

		memcpy(&h, buf + i * EV_SIZE, sizeof(h));
		memcpy(&ev, buf + i * EV_SIZE + sizeof(h), sizeof(ev));
		if (h.flags || h.sequence != *seq || ev.virt_id != virt)
			return -1;
		*seq = h.sequence + 1;
	}
	return 0;
}

TEST_F(viommu, event_queue)
{
	struct iommufd_vevent_header h;
	unsigned char buf[64];
	struct pollfd p;
	__u32 vdev, qid, seq = 0, out;
	int qfd, qfd2;

	/* Refusals. */
	{
		struct iommu_veventq_alloc cmd = {
			.size = sizeof(cmd), .viommu_id = self->viommu,
			.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
			.veventq_depth = 2,
		};

		cmd.flags = 1;
		EXPECT_ERRNO(EOPNOTSUPP,
			     ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
		cmd.flags = 0;
		cmd.__reserved = 1;
		EXPECT_ERRNO(EOPNOTSUPP,
			     ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	}
	EXPECT_ERRNO(EOPNOTSUPP, veventq_alloc(self->fd, self->viommu,
					       IOMMU_VEVENTQ_TYPE_DEFAULT, 2,
					       &qid, &qfd));
	EXPECT_ERRNO(EINVAL, veventq_alloc(self->fd, self->viommu,
					   IOMMU_VEVENTQ_TYPE_SELFTEST, 0,
					   &qid, &qfd));
	EXPECT_ERRNO(ENOENT, veventq_alloc(self->fd, self->parent,
					   IOMMU_VEVENTQ_TYPE_SELFTEST, 2,
					   &qid, &qfd));

	/* No event without a vDEVICE attached through the vIOMMU. */
	EXPECT_ERRNO(ENOENT, trigger_vevent(self->fd, self->idev));
	ASSERT_OK(vdevice_alloc(self->fd, self->viommu, self->idev, VIRT,
				&vdev));
	out = self->nested;
	ASSERT_OK(mock_replace(self->fd, self->stdev, &out));
	/* Nor without a queue for it. */
	EXPECT_ERRNO(EOPNOTSUPP, trigger_vevent(self->fd, self->idev));

	ASSERT_OK(veventq_alloc(self->fd, self->viommu,
				IOMMU_VEVENTQ_TYPE_SELFTEST, 2, &qid, &qfd));
	EXPECT_ERRNO(EEXIST, veventq_alloc(self->fd, self->viommu,
					   IOMMU_VEVENTQ_TYPE_SELFTEST, 2,
					   &out, &qfd2));
	/* Another type is another queue. */
	ASSERT_OK(veventq_alloc(self->fd, self->viommu, 1, 2, &out, &qfd2));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, self->viommu));

	p = (struct pollfd){ .fd = qfd, .events = POLLIN };
	ASSERT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(0, read(qfd, buf, sizeof(buf)));
	ASSERT_OK(trigger_vevent(self->fd, self->idev));
	ASSERT_EQ(1, poll(&p, 1, 0));
	/*
	 * A buffer too small for a header, or for the first record, is
	 * refused, and the record stays queued.
	 */
	EXPECT_ERRNO(EINVAL, read(qfd, buf, 0));
	EXPECT_ERRNO(EINVAL,
		     read(qfd, buf, sizeof(struct iommufd_vevent_header) - 1));
	EXPECT_ERRNO(EINVAL, read(qfd, buf, EV_SIZE - 1));
	ASSERT_OK(read_events(qfd, 1, VIRT, &seq));
	/* An empty queue reads nothing; a short buffer is still refused. */
	ASSERT_EQ(0, read(qfd, buf, sizeof(buf)));
	EXPECT_ERRNO(EINVAL, read(qfd, buf, 1));
	/* The other queue got nothing. */
	ASSERT_EQ(0, read(qfd2, buf, sizeof(buf)));

	/* Depth 2: the third is lost, and a marker says so. */
	ASSERT_OK(trigger_vevent(self->fd, self->idev));
	ASSERT_OK(trigger_vevent(self->fd, self->idev));
	ASSERT_OK(trigger_vevent(self->fd, self->idev));
	ASSERT_OK(read_events(qfd, 2, VIRT, &seq));
	ASSERT_EQ((ssize_t)sizeof(h), read(qfd, &h, sizeof(h)));
	EXPECT_EQ(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, h.flags);
	EXPECT_EQ(seq, h.sequence);
	/* The next event is numbered after the lost one. */
	ASSERT_OK(trigger_vevent(self->fd, self->idev));
	seq++;
	ASSERT_OK(read_events(qfd, 1, VIRT, &seq));
	/* Several losses leave one marker, with the newest number. */
	ASSERT_OK(trigger_vevent(self->fd, self->idev));
	ASSERT_OK(trigger_vevent(self->fd, self->idev));
	ASSERT_OK(trigger_vevent(self->fd, self->idev));
	ASSERT_OK(trigger_vevent(self->fd, self->idev));
	ASSERT_EQ((ssize_t)(2 * EV_SIZE + sizeof(h)),
		  read(qfd, buf, sizeof(buf)));
	memcpy(&h, buf + 2 * EV_SIZE, sizeof(h));
	EXPECT_EQ(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, h.flags);
	EXPECT_EQ(seq + 3, h.sequence);

	/* The open fd keeps the queue; events stay queued after close. */
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, qid));
	ASSERT_OK(trigger_vevent(self->fd, self->idev));
	ASSERT_OK(close(qfd));
	ASSERT_OK(_destroy(self->fd, qid));
	ASSERT_OK(close(qfd2));
	ASSERT_OK(_destroy(self->fd, out));
	EXPECT_ERRNO(EOPNOTSUPP, trigger_vevent(self->fd, self->idev));
	out = self->ioas;
	ASSERT_OK(mock_replace(self->fd, self->stdev, &out));
	ASSERT_OK(_destroy(self->fd, vdev));
}

TEST_F(viommu, faults_through_a_nested_table_on_a_viommu)
{
	struct iommu_hwpt_selftest data = { .iotlb = 1 };
	struct iommu_hwpt_page_response resp = {
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};
	struct iommu_hwpt_pgfault rec;
	__u32 fault_id, iopf_hwpt, vdev, pt;
	struct iopf_counts c;
	int fault_fd;

	ASSERT_OK(fault_alloc(self->fd, &fault_id, &fault_fd));
	ASSERT_OK(hwpt_alloc(self->fd, self->idev, self->viommu,
			     IOMMU_HWPT_FAULT_ID_VALID, fault_id,
			     IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data),
			     &iopf_hwpt));
	ASSERT_OK(vdevice_alloc(self->fd, self->viommu, self->idev, VIRT,
				&vdev));
	pt = iopf_hwpt;
	ASSERT_OK(mock_replace(self->fd, self->stdev, &pt));
	ASSERT_OK(trigger_iopf(self->fd, self->idev, 1, 2, 0x1000, 1));
	ASSERT_EQ((ssize_t)sizeof(rec), read(fault_fd, &rec, sizeof(rec)));
	resp.cookie = rec.cookie;
	ASSERT_EQ((ssize_t)sizeof(resp), write(fault_fd, &resp, sizeof(resp)));
	ASSERT_OK(iopf_responses(self->fd, self->idev, &c));
	EXPECT_EQ(1, c.success);
	pt = self->ioas;
	ASSERT_OK(mock_replace(self->fd, self->stdev, &pt));
	ASSERT_OK(_destroy(self->fd, iopf_hwpt));
	ASSERT_OK(close(fault_fd));
	ASSERT_OK(_destroy(self->fd, fault_id));
	ASSERT_OK(_destroy(self->fd, vdev));
}

TEST_F(viommu, unbind_leaves_the_vdevice_id_dead)
{
	__u32 vdev, ioas2;
	int i;

	ASSERT_OK(vdevice_alloc(self->fd, self->viommu, self->idev, VIRT,
				&vdev));
	/* Destroying the mock device unbinds it: its vDEVICE goes too. */
	ASSERT_OK(_destroy(self->fd, self->stdev));
	EXPECT_ERRNO(ENOENT, _destroy(self->fd, vdev));
	/* ... and the vIOMMU is free of it. */
	ASSERT_OK(_destroy(self->fd, self->nested));
	ASSERT_OK(_destroy(self->fd, self->viommu));
	/* The id is not handed out again, though lower and higher ones are. */
	for (i = 0; i < 16; i++) {
		ASSERT_OK(_ioas_alloc(self->fd, &ioas2));
		ASSERT_NE(vdev, ioas2);
	}
	ASSERT_GT(ioas2, vdev);
}

TEST_F(viommu, close_with_everything_in_place)
{
	__u32 vdev, qid, pt = self->nested;
	int qfd;

	ASSERT_OK(vdevice_alloc(self->fd, self->viommu, self->idev, VIRT,
				&vdev));
	ASSERT_OK(mock_replace(self->fd, self->stdev, &pt));
	ASSERT_OK(veventq_alloc(self->fd, self->viommu,
				IOMMU_VEVENTQ_TYPE_SELFTEST, 4, &qid, &qfd));
	ASSERT_OK(trigger_vevent(self->fd, self->idev));
	ASSERT_OK(close(qfd));
	/* The teardown closes the file and checks nothing is left. */
}

TEST_F(viommu, pasid_changes_keep_the_device_behind_its_viommu)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	__u32 stdev, idev, vdev, pt, h, nested;
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_PASID_ATTACH };
	__u32 qid;
	int qfd;

	/*
	 * A PASID-capable device on a nested table of the vIOMMU made for
	 * PASID use too: only then may its PASIDs take tables.
	 */
	ASSERT_OK(mock_domain(self->fd, self->ioas, MOCK_FLAGS_DEVICE_PASID,
			      &stdev, NULL, &idev));
	ASSERT_OK(vdevice_alloc(self->fd, self->viommu, idev, VIRT, &vdev));
	ASSERT_OK(hwpt_alloc(self->fd, idev, self->viommu,
			     IOMMU_HWPT_ALLOC_PASID, 0,
			     IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data),
			     &nested));
	pt = nested;
	ASSERT_OK(mock_replace(self->fd, stdev, &pt));
	ASSERT_OK(veventq_alloc(self->fd, self->viommu,
				IOMMU_VEVENTQ_TYPE_SELFTEST, 4, &qid, &qfd));
	ASSERT_OK(trigger_vevent(self->fd, idev));

	/* Attaching and detaching a PASID leaves the device where it was. */
	ASSERT_OK(hwpt_alloc(self->fd, idev, self->ioas,
			     IOMMU_HWPT_ALLOC_PASID, 0, IOMMU_HWPT_DATA_NONE,
			     NULL, 0, &h));
	cmd.id = stdev;
	cmd.pasid_attach.pasid = 5;
	cmd.pasid_attach.pt_id = h;
	ASSERT_OK(_test_cmd(self->fd, &cmd));
	ASSERT_OK(trigger_vevent(self->fd, idev));
	cmd.op = IOMMU_TEST_OP_PASID_DETACH;
	ASSERT_OK(_test_cmd(self->fd, &cmd));
	ASSERT_OK(trigger_vevent(self->fd, idev));
	{
		unsigned char buf[4 * EV_SIZE];

		ASSERT_EQ((ssize_t)(3 * EV_SIZE), read(qfd, buf, sizeof(buf)));
	}
	ASSERT_OK(close(qfd));
	ASSERT_OK(_destroy(self->fd, stdev));
	ASSERT_OK(_destroy(self->fd, h));
	ASSERT_OK(_destroy(self->fd, nested));
}

static int hw_queue_alloc(int fd, __u32 viommu, __u32 index, __u64 iova,
			  __u64 length, __u32 *out)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd), .viommu_id = viommu,
		.type = IOMMU_HW_QUEUE_TYPE_SELFTEST, .index = index,
		.nesting_parent_iova = iova, .length = length,
	};
	int rc = ioctl(fd, IOMMU_HW_QUEUE_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_hw_queue_id;
	return rc;
}

/*
 * The vIOMMU's mmap() region outlives the descriptor of the file, which
 * its mapping holds; and a file closed with hardware queues unpins their
 * memory and frees them, in dependency order (the teardown checks).
 */
TEST_F(viommu, mmap_region_and_hw_queues_at_close)
{
	struct iommu_viommu_selftest data = { .in_data = 0xcafe };
	void *buf = test_buffer(2 * PAGE_SZ);
	long pinned = iommufd_pinned_pages();
	__u32 viommu, q0, q1;
	__u32 *region;

	ASSERT_OK(viommu_alloc(self->fd, self->idev, self->parent,
			       IOMMU_VIOMMU_TYPE_SELFTEST, &data, sizeof(data),
			       &viommu));
	ASSERT_EQ(0xcafe, data.out_data);
	ASSERT_EQ(2 * PAGE_SZ, data.out_mmap_length);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, data.out_mmap_length, PROT_READ,
				   MAP_PRIVATE, self->fd,
				   data.out_mmap_offset));
	EXPECT_EQ(EINVAL, errno);
	region = mmap(NULL, data.out_mmap_length, PROT_READ | PROT_WRITE,
		      MAP_SHARED, self->fd, data.out_mmap_offset);
	ASSERT_NE(MAP_FAILED, region);
	EXPECT_EQ(0xcafe, region[0]);

	/* Two queues in the parent's IOVA, the second on the first. */
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 2 * PAGE_SZ,
				  1UL << 24));
	ASSERT_OK(hw_queue_alloc(self->fd, viommu, 0, 1UL << 24, 64, &q0));
	ASSERT_OK(hw_queue_alloc(self->fd, viommu, 1, (1UL << 24) + PAGE_SZ,
				 PAGE_SZ, &q1));
	EXPECT_EQ(pinned + 2, iommufd_pinned_pages());
	EXPECT_ERRNO(EBUSY, _ioas_unmap(self->fd, self->ioas, 1UL << 24,
					2 * PAGE_SZ, NULL));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, q0));
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, viommu));

	/* Closing the descriptor keeps the file while the region is mapped. */
	ASSERT_OK(close(self->fd));
	EXPECT_EQ(0xcafe, region[0]);
	EXPECT_EQ(pinned + 2, iommufd_pinned_pages());
	ASSERT_OK(munmap(region, data.out_mmap_length));
	EXPECT_EQ(pinned, iommufd_pinned_pages());
	/* The teardown's close finds the descriptor closed already. */
	self->fd = iommufd_open();
}
