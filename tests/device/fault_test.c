// SPDX-License-Identifier: GPL-2.0-only
/*
 * I/O page faults through a fault queue (IOMMU_FAULT_QUEUE_ALLOC) on the
 * mock IOMMU: a mock device's page requests are read from the fault fd,
 * answered by writing responses, and each answer reaches the device (its
 * response counters).  Groups of requests take one answer.  Nothing stays
 * unanswered when the device moves away, is destroyed, or the fd closes.
 */
#include <poll.h>

#include "mock_utils.h"
#include "uffd_utils.h"

#define PASID 7
#define REC sizeof(struct iommu_hwpt_pgfault)

/* A mock device on a nested HWPT whose faults go to a fresh queue. */
FIXTURE(fault) {
	int fd;
	__u32 ioas, stdev, idev, parent, nested, fault_id;
	int fault_fd;
	struct leak_baseline leak;
};

FIXTURE_SETUP(fault)
{
	open_with_ioas(&self->leak, &self->fd, &self->ioas);
	ASSERT_OK(device_and_parent(self->fd, self->ioas, 0, &self->stdev,
				    &self->idev, &self->parent));
	ASSERT_OK(fault_alloc(self->fd, &self->fault_id, &self->fault_fd));
	ASSERT_OK(nested_alloc(self->fd, self->idev, self->parent,
			       self->fault_id, IOMMU_TEST_IOTLB_DEFAULT,
			       &self->nested));
	ASSERT_OK(mock_replace(self->fd, self->stdev, &self->nested));
}

FIXTURE_TEARDOWN(fault)
{
	if (self->fault_fd >= 0)
		ASSERT_OK(close(self->fault_fd));
	ASSERT_OK(close(self->fd));
	leak_check(&self->leak);
}

static int counts_are(int fd, __u32 idev, __u32 success, __u32 invalid,
		      __u32 failure)
{
	struct iopf_counts c;

	if (iopf_responses(fd, idev, &c))
		return -1;
	if (c.success != success || c.invalid != invalid ||
	    c.failure != failure) {
		fprintf(stderr, "# responses %u/%u/%u, want %u/%u/%u\n",
			c.success, c.invalid, c.failure, success, invalid,
			failure);
		return -1;
	}
	return 0;
}

static int respond(int fault_fd, __u32 cookie, __u32 code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };
	ssize_t n = write(fault_fd, &r, sizeof(r));

	return n == sizeof(r) ? 0 : -1;
}

static int readable(int fault_fd)
{
	struct pollfd p = { .fd = fault_fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

TEST(fault_queue, alloc_and_destroy)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd), .flags = 1 };
	long before = iommufd_live_objects();
	int fd = iommufd_open(), fault_fd;
	__u32 id;

	if (before < 0)
		SKIP("not the test build of iommufd.ko");
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd));
	ASSERT_OK(fault_alloc(fd, &id, &fault_fd));
	ASSERT_GT(fault_fd, 2);
	ASSERT_GT(fcntl(fault_fd, F_GETFD) & FD_CLOEXEC, 0);
	/* The open fd keeps the object. */
	EXPECT_ERRNO(EBUSY, _destroy(fd, id));
	/* Nothing queued: read returns 0 at once, and poll agrees. */
	{
		struct iommu_hwpt_pgfault rec;

		ASSERT_EQ(0, read(fault_fd, &rec, sizeof(rec)));
		ASSERT_FALSE(readable(fault_fd));
	}
	ASSERT_OK(close(fault_fd));
	ASSERT_OK(_destroy(fd, id));
	EXPECT_ERRNO(ENOENT, _destroy(fd, id));
	/* An fd left open keeps the /dev/iommu context until it closes. */
	ASSERT_OK(fault_alloc(fd, &id, &fault_fd));
	ASSERT_OK(close(fd));
	ASSERT_GT(iommufd_live_objects(), before);
	ASSERT_OK(close(fault_fd));
	ASSERT_EQ(before, iommufd_live_objects());
}

TEST_F(fault, request_read_answered_and_delivered)
{
	struct iommu_hwpt_pgfault rec;

	ASSERT_FALSE(readable(self->fault_fd));
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 3, 0xabc000, 1));
	ASSERT_TRUE(readable(self->fault_fd));
	ASSERT_EQ((ssize_t)REC, read(self->fault_fd, &rec, REC));
	EXPECT_EQ(self->idev, rec.dev_id);
	EXPECT_EQ(PASID, rec.pasid);
	EXPECT_EQ(3, rec.grpid);
	EXPECT_EQ(IOMMU_PGFAULT_PERM_READ, rec.perm);
	EXPECT_EQ(0xabc000, rec.addr);
	EXPECT_EQ(IOMMU_PGFAULT_FLAGS_PASID_VALID |
		  IOMMU_PGFAULT_FLAGS_LAST_PAGE, rec.flags);
	ASSERT_FALSE(readable(self->fault_fd));
	/* Read but not answered: the device still waits. */
	ASSERT_OK(counts_are(self->fd, self->idev, 0, 0, 0));
	ASSERT_OK(respond(self->fault_fd, rec.cookie,
			  IOMMUFD_PAGE_RESP_SUCCESS));
	ASSERT_OK(counts_are(self->fd, self->idev, 1, 0, 0));
	/* A cookie answers once. */
	EXPECT_ERRNO(EINVAL, respond(self->fault_fd, rec.cookie,
				     IOMMUFD_PAGE_RESP_SUCCESS));

	/* Without a PASID, and answered INVALID. */
	ASSERT_OK(trigger_iopf(self->fd, self->idev, 0, 4, 0x1000, 1));
	ASSERT_EQ((ssize_t)REC, read(self->fault_fd, &rec, REC));
	EXPECT_EQ(IOMMU_PGFAULT_FLAGS_LAST_PAGE, rec.flags);
	ASSERT_OK(respond(self->fault_fd, rec.cookie,
			  IOMMUFD_PAGE_RESP_INVALID));
	ASSERT_OK(counts_are(self->fd, self->idev, 1, 1, 0));
}

TEST_F(fault, a_group_is_read_whole_and_answered_once)
{
	struct iommu_hwpt_pgfault recs[4];
	int i;

	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 9, 0x1000, 0));
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 9, 0x2000, 0));
	/* Incomplete: nothing to read yet. */
	ASSERT_FALSE(readable(self->fault_fd));
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 9, 0x3000, 1));
	ASSERT_TRUE(readable(self->fault_fd));

	/* Too small for the group: refused, the group stays queued. */
	EXPECT_ERRNO(EINVAL, read(self->fault_fd, recs, 2 * REC));
	/* Not a whole number of records. */
	EXPECT_ERRNO(ESPIPE, read(self->fault_fd, recs, REC + 1));
	ASSERT_EQ((ssize_t)(3 * REC), read(self->fault_fd, recs, sizeof(recs)));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(9, recs[i].grpid);
		EXPECT_EQ(recs[0].cookie, recs[i].cookie);
		EXPECT_EQ(0x1000UL * (i + 1), recs[i].addr);
	}
	EXPECT_EQ(0, recs[0].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	EXPECT_NE(0, recs[2].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE);

	ASSERT_OK(respond(self->fault_fd, recs[0].cookie,
			  IOMMUFD_PAGE_RESP_SUCCESS));
	/* One response for the group, to the last request. */
	ASSERT_OK(counts_are(self->fd, self->idev, 1, 0, 0));
}

TEST_F(fault, several_groups_in_one_read_and_one_write)
{
	struct iommu_hwpt_page_response resp[3];
	struct iommu_hwpt_pgfault recs[3], more[3];
	void *bad;
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, i,
				       0x1000 * i, 1));
	/* Two records' room: two whole groups, the third stays. */
	ASSERT_EQ((ssize_t)(2 * REC), read(self->fault_fd, recs, 2 * REC));
	ASSERT_TRUE(readable(self->fault_fd));
	ASSERT_EQ((ssize_t)REC, read(self->fault_fd, more, sizeof(more)));
	recs[2] = more[0];
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(i, recs[i].grpid);
		resp[i] = (struct iommu_hwpt_page_response) {
			.cookie = recs[i].cookie,
			.code = IOMMUFD_PAGE_RESP_SUCCESS,
		};
	}
	/* A bad record stops the write after those before it. */
	resp[1].code = 5;
	ASSERT_EQ((ssize_t)sizeof(resp[0]),
		  write(self->fault_fd, resp, sizeof(resp)));
	ASSERT_OK(counts_are(self->fd, self->idev, 1, 0, 0));
	EXPECT_ERRNO(EINVAL, write(self->fault_fd, &resp[1],
				   2 * sizeof(resp[0])));
	EXPECT_ERRNO(ESPIPE, write(self->fault_fd, &resp[1], 3));
	resp[1].code = IOMMUFD_PAGE_RESP_SUCCESS;
	ASSERT_EQ((ssize_t)(2 * sizeof(resp[0])),
		  write(self->fault_fd, &resp[1], 2 * sizeof(resp[0])));
	ASSERT_OK(counts_are(self->fd, self->idev, 3, 0, 0));
	/* An unknown cookie. */
	EXPECT_ERRNO(EINVAL, respond(self->fault_fd, 0xdead,
				     IOMMUFD_PAGE_RESP_SUCCESS));
	/* Bad buffers. */
	bad = mmap(NULL, PAGE_SZ, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	ASSERT_NE(MAP_FAILED, bad);
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 5, 0, 1));
	EXPECT_ERRNO(EFAULT, read(self->fault_fd, bad, REC));
	EXPECT_ERRNO(EFAULT, write(self->fault_fd, bad, sizeof(resp[0])));
	munmap(bad, PAGE_SZ);
	/* The group survived the failed read. */
	ASSERT_EQ((ssize_t)REC, read(self->fault_fd, recs, REC));
	ASSERT_OK(respond(self->fault_fd, recs[0].cookie,
			  IOMMUFD_PAGE_RESP_SUCCESS));
	ASSERT_OK(counts_are(self->fd, self->idev, 4, 0, 0));
}

TEST_F(fault, moving_away_answers_what_is_pending)
{
	struct iommu_hwpt_pgfault rec;
	__u32 pt, old_cookie;

	/* One read and unanswered, one still queued. */
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 1, 0x1000, 1));
	ASSERT_EQ((ssize_t)REC, read(self->fault_fd, &rec, REC));
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 2, 0x2000, 1));

	pt = self->parent;
	ASSERT_OK(mock_replace(self->fd, self->stdev, &pt));
	ASSERT_OK(counts_are(self->fd, self->idev, 0, 2, 0));
	ASSERT_FALSE(readable(self->fault_fd));
	/* The late answer finds nothing. */
	EXPECT_ERRNO(EINVAL, respond(self->fault_fd, rec.cookie,
				     IOMMUFD_PAGE_RESP_SUCCESS));

	/* On a table without a fault queue, requests are answered at once. */
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 3, 0x3000, 1));
	ASSERT_OK(counts_are(self->fd, self->idev, 0, 3, 0));
	ASSERT_FALSE(readable(self->fault_fd));

	/* Back on the faulting table, faults flow again. */
	pt = self->nested;
	ASSERT_OK(mock_replace(self->fd, self->stdev, &pt));
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 4, 0x4000, 1));
	old_cookie = rec.cookie;
	ASSERT_EQ((ssize_t)REC, read(self->fault_fd, &rec, REC));
	EXPECT_EQ(4, rec.grpid);
	/* A new group never takes the cookie of one answered meanwhile. */
	EXPECT_NE(old_cookie, rec.cookie);
	EXPECT_ERRNO(EINVAL, respond(self->fault_fd, old_cookie,
				     IOMMUFD_PAGE_RESP_SUCCESS));
	ASSERT_OK(respond(self->fault_fd, rec.cookie,
			  IOMMUFD_PAGE_RESP_SUCCESS));
	ASSERT_OK(counts_are(self->fd, self->idev, 1, 3, 0));
}

TEST_F(fault, two_nested_tables_share_one_queue)
{
	struct iommu_hwpt_pgfault rec;
	__u32 other, pt;

	ASSERT_OK(nested_alloc(self->fd, self->idev, self->parent,
			       self->fault_id, 1, &other));
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 1, 0x1000, 1));
	/*
	 * To another table on the same queue: the old attachment's fault is
	 * answered, new ones come through the new one.
	 */
	pt = other;
	ASSERT_OK(mock_replace(self->fd, self->stdev, &pt));
	ASSERT_OK(counts_are(self->fd, self->idev, 0, 1, 0));
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 2, 0x2000, 1));
	ASSERT_EQ((ssize_t)REC, read(self->fault_fd, &rec, REC));
	EXPECT_EQ(2, rec.grpid);
	ASSERT_OK(respond(self->fault_fd, rec.cookie,
			  IOMMUFD_PAGE_RESP_SUCCESS));
	ASSERT_OK(counts_are(self->fd, self->idev, 1, 1, 0));
	/* The queue stays while a HWPT uses it, even with its fd closed. */
	ASSERT_OK(close(self->fault_fd));
	self->fault_fd = -1;
	EXPECT_ERRNO(EBUSY, _destroy(self->fd, self->fault_id));
}

TEST_F(fault, closing_the_fd_answers_and_refuses)
{
	struct iommu_hwpt_pgfault rec;

	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 1, 0x1000, 1));
	ASSERT_EQ((ssize_t)REC, read(self->fault_fd, &rec, REC));
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 2, 0x2000, 1));
	ASSERT_OK(close(self->fault_fd));
	self->fault_fd = -1;
	ASSERT_OK(counts_are(self->fd, self->idev, 0, 2, 0));
	/* Nobody can read any more: new requests fail at once. */
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 3, 0x3000, 1));
	ASSERT_OK(counts_are(self->fd, self->idev, 0, 2, 1));
	/* The device and tables still come apart cleanly. */
	ASSERT_OK(_destroy(self->fd, self->stdev));
	ASSERT_OK(_destroy(self->fd, self->nested));
	ASSERT_OK(_destroy(self->fd, self->fault_id));
}

TEST_F(fault, destroying_the_device_answers_pending)
{
	__u32 stdev2, idev2, nested2;
	struct iopf_counts c;

	/* A second device, faulting through its own nested table. */
	ASSERT_OK(mock_domain(self->fd, self->ioas, 0, &stdev2, NULL, &idev2));
	ASSERT_OK(nested_alloc(self->fd, idev2, self->parent, self->fault_id,
			       1, &nested2));
	ASSERT_OK(mock_replace(self->fd, stdev2, &nested2));
	ASSERT_OK(trigger_iopf(self->fd, idev2, PASID, 1, 0x1000, 1));
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 2, 0x2000, 1));
	ASSERT_OK(iopf_responses(self->fd, idev2, &c));
	ASSERT_EQ(0, c.invalid);
	/*
	 * Destroying it answers its fault and takes it off the queue (its
	 * counters go with it); the other device's stays.
	 */
	ASSERT_OK(_destroy(self->fd, stdev2));
	ASSERT_OK(counts_are(self->fd, self->idev, 0, 0, 0));
	{
		struct iommu_hwpt_pgfault rec[2];

		ASSERT_EQ((ssize_t)REC, read(self->fault_fd, rec, sizeof(rec)));
		EXPECT_EQ(self->idev, rec[0].dev_id);
		EXPECT_EQ(2, rec[0].grpid);
	}
	ASSERT_OK(_destroy(self->fd, nested2));
}

TEST_F(fault, pending_faults_at_close_of_everything)
{
	/* Queued and read-unanswered faults, then the files just close. */
	struct iommu_hwpt_pgfault rec;

	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 1, 0x1000, 1));
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 2, 0x2000, 1));
	ASSERT_EQ((ssize_t)REC, read(self->fault_fd, &rec, REC));
	ASSERT_OK(counts_are(self->fd, self->idev, 0, 0, 0));
	/*
	 * /dev/iommu closes first: the fault fd keeps its context; the
	 * teardown closes that fd, the context goes, and it checks that no
	 * object or pin is left.
	 */
	ASSERT_OK(close(self->fd));
	self->fd = iommufd_open();
}

/* A read whose buffer stalls in copy-out holds up no detach. */
struct stalled_read {
	int fault_fd;
	ssize_t got;
	struct iommu_hwpt_pgfault *rec;
};

static void *stalled_reader(void *arg)
{
	struct stalled_read *r = arg;

	r->got = read(r->fault_fd, r->rec, REC);
	return NULL;
}

TEST_F(fault, a_stalled_reader_holds_up_no_detach)
{
	struct stalled_read r = { .fault_fd = self->fault_fd };
	struct iommu_hwpt_pgfault rec;
	struct stall_page sp;
	pthread_t reader;
	__u32 pt;

	if (stall_page_init(&sp, 1000000))
		SKIP("no userfaultfd: %s", strerror(errno));
	r.rec = sp.region;
	ASSERT_OK(trigger_iopf(self->fd, self->idev, PASID, 1, 0x1000, 1));
	ASSERT_OK(pthread_create(&reader, NULL, stalled_reader, &r));
	ASSERT_OK(stall_page_wait_fault(&sp));

	/* Moving away answers the group at once, the reader still stalled. */
	pt = self->parent;
	ASSERT_OK(mock_replace(self->fd, self->stdev, &pt));
	EXPECT_EQ(0, sp.filled);
	ASSERT_OK(counts_are(self->fd, self->idev, 0, 1, 0));

	ASSERT_OK(pthread_join(reader, NULL));
	rec = *r.rec;
	stall_page_fini(&sp);
	/* The reader got its record; its answer comes too late. */
	ASSERT_EQ((ssize_t)REC, r.got);
	EXPECT_EQ(1, rec.grpid);
	EXPECT_ERRNO(EINVAL, respond(self->fault_fd, rec.cookie,
				     IOMMUFD_PAGE_RESP_SUCCESS));
	ASSERT_OK(counts_are(self->fd, self->idev, 0, 1, 0));
}

/*
 * Regression: a device of a multi-device group whose faults went off
 * while the group stayed attached (another device still is) could send a
 * page request between iommufd answering its pending ones and the IOMMU
 * core turning its faults off; it was queued, and the core then freed it
 * under the queue.  It must be refused instead, and the other device's
 * faults still arrive.
 */
TEST(fault_queue, last_request_of_a_leaving_device_is_refused)
{
	long objects = iommufd_live_objects();
	__u32 ioas, stdev1, idev1, parent, fault_id, nested, stdev2, idev2;
	struct iommu_hwpt_pgfault rec;
	int fd = iommufd_open();
	int fault_fd;
	__u32 pt;

	if (objects < 0)
		SKIP("%s missing: not the test build of iommufd.ko",
		     IOMMUFD_DEBUGFS);
	ASSERT_OK(_ioas_alloc(fd, &ioas));
	ASSERT_OK(device_and_parent(fd, ioas,
				    MOCK_FLAGS_DEVICE_SHARED_GROUP |
				    MOCK_FLAGS_DEVICE_IOPF_LAST_WORD,
				    &stdev1, &idev1, &parent));
	ASSERT_OK(fault_alloc(fd, &fault_id, &fault_fd));
	ASSERT_OK(nested_alloc(fd, idev1, parent, fault_id,
			       IOMMU_TEST_IOTLB_DEFAULT, &nested));
	pt = nested;
	ASSERT_OK(mock_replace(fd, stdev1, &pt));
	/* A second device joins the group where it is attached. */
	ASSERT_OK(mock_domain(fd, nested, MOCK_FLAGS_DEVICE_SHARED_GROUP,
			      &stdev2, NULL, &idev2));

	/* The first leaves, sending a last request as its faults go off. */
	ASSERT_OK(_destroy(fd, stdev1));
	EXPECT_FALSE(readable(fault_fd));

	ASSERT_OK(trigger_iopf(fd, idev2, 0, 1, BASE, 1));
	ASSERT_TRUE(readable(fault_fd));
	ASSERT_EQ((ssize_t)sizeof(rec), read(fault_fd, &rec, sizeof(rec)));
	EXPECT_EQ(idev2, rec.dev_id);
	ASSERT_OK(respond(fault_fd, rec.cookie, IOMMUFD_PAGE_RESP_SUCCESS));

	ASSERT_OK(close(fault_fd));
	ASSERT_OK(close(fd));
	EXPECT_EQ(objects, iommufd_live_objects());
}
