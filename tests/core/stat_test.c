// SPDX-License-Identifier: GPL-2.0-only
/*
 * The debugfs view of who pins what (/sys/kernel/debug/iommufd/files/N/)
 * and iommufd-stat, its command: each file is found by the id in its
 * fdinfo and names the process that opened it; the numbers of its IOASes,
 * areas, devices, HWPTs and queues are what the test mapped, pinned,
 * charged, attached and queued, with memory shared by IOAS_COPY counted
 * once in the file's totals; reading never makes IOMMU_DESTROY fail; the
 * directory goes with the file.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "account_utils.h"
#include "mock_utils.h"

#define VIEW IOMMUFD_DEBUGFS "/files"
#define BUF1_PAGES 64
#define BUF2_PAGES 16
#define VIEW_MAX (64 * 1024)

/* File @name of the view of @fd's file into @buf; -1 with errno if not. */
static int view_read(int fd, const char *name, char *buf, size_t size)
{
	char path[128];
	ssize_t n;
	int vfd;

	snprintf(path, sizeof(path), VIEW "/%ld/%s", iommufd_stat_id(fd), name);
	vfd = open(path, O_RDONLY);
	if (vfd < 0)
		return -1;
	n = read(vfd, buf, size - 1);
	close(vfd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/*
 * The first line of @text that starts with @prefix and has every
 * "key=value" of @want (space separated) among its fields; NULL if none.
 */
static const char *find_rec(const char *text, const char *prefix,
			    const char *want)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);
		char line[512], wants[256], *save, *w;
		int ok = 1;

		if (strncmp(l, prefix, strlen(prefix)) || len >= sizeof(line))
			continue;
		snprintf(line, sizeof(line), " %.*s ", (int)len, l);
		snprintf(wants, sizeof(wants), "%s", want);
		for (w = strtok_r(wants, " ", &save); w && ok;
		     w = strtok_r(NULL, " ", &save)) {
			char field[128];

			snprintf(field, sizeof(field), " %s ", w);
			ok = strstr(line, field) != NULL;
		}
		if (ok)
			return l;
	}
	return NULL;
}

/* How many lines of @text start with @prefix. */
static int count_recs(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l)
		n += !strncmp(l, prefix, strlen(prefix));
	return n;
}

/* ASSERT that view file @name of @fd has a @prefix line with @want. */
#define ASSERT_REC(fd, name, prefix, ...)				\
	do {								\
		char _want[256];					\
		snprintf(_want, sizeof(_want), __VA_ARGS__);		\
		ASSERT_OK(view_read(fd, name, view, VIEW_MAX));		\
		if (!find_rec(view, prefix, _want))			\
			harness_abort(__FILE__, __LINE__,		\
				      "no \"%s\" line with %s in %s:\n%s", \
				      prefix, _want, name, view);	\
	} while (0)

FIXTURE(stat) {
	int fd;
	char *view;
	struct leak_baseline leak;
};

FIXTURE_SETUP(stat)
{
	leak_baseline(&self->leak);
	self->fd = iommufd_open();
	self->view = malloc(VIEW_MAX);
	ASSERT_TRUE(self->view != NULL);
}

FIXTURE_TEARDOWN(stat)
{
	if (self->fd >= 0)
		ASSERT_OK(close(self->fd));
	free(self->view);
	leak_check(&self->leak);
}

TEST_F(stat, a_directory_per_file_named_in_its_fdinfo)
{
	char *view = self->view, comm[32] = "", path[128];
	long id = iommufd_stat_id(self->fd);
	int dup_fd, other;
	FILE *f;

	ASSERT_GT(id, 0);
	/* Every descriptor of the file names it; another file differs. */
	dup_fd = dup(self->fd);
	ASSERT_EQ(id, iommufd_stat_id(dup_fd));
	other = iommufd_open();
	ASSERT_NE(id, iommufd_stat_id(other));

	f = fopen("/proc/self/comm", "r");
	ASSERT_TRUE(f && fscanf(f, "%31s", comm) == 1);
	fclose(f);
	ASSERT_REC(self->fd, "owner", "file ", "id=%ld pid=%d comm=%s accounting=user",
		   id, getpid(), comm);
	/* Nothing in it yet: one total line, no object, device or queue. */
	ASSERT_REC(self->fd, "ioas", "total ", "ioas=0 areas=0 mapped=0 pinned=0 charged=0");
	ASSERT_OK(view_read(self->fd, "objects", view, VIEW_MAX));
	EXPECT_EQ(0, strlen(view));
	ASSERT_OK(view_read(self->fd, "devices", view, VIEW_MAX));
	EXPECT_EQ(0, strlen(view));
	ASSERT_OK(view_read(self->fd, "events", view, VIEW_MAX));
	EXPECT_EQ(0, strlen(view));

	/* The view is root's alone, and read only. */
	snprintf(path, sizeof(path), VIEW "/%ld/owner", id);
	{
		struct stat st;
		pid_t child;
		int status;

		ASSERT_OK(stat(path, &st));
		EXPECT_EQ(0400, st.st_mode & 0777);
		EXPECT_EQ(0, st.st_uid);
		child = fork();
		ASSERT_GE(child, 0);
		if (child == 0)
			_exit(setuid(65534) || open(path, O_RDONLY) >= 0 ||
			      errno != EACCES);
		ASSERT_EQ(child, waitpid(child, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}

	/* The directory lives as long as the file, not the descriptor. */
	ASSERT_OK(close(self->fd));
	self->fd = -1;
	snprintf(path, sizeof(path), VIEW "/%ld", id);
	ASSERT_OK(access(path, F_OK));
	ASSERT_OK(close(dup_fd));
	EXPECT_ERRNO(ENOENT, access(path, F_OK));
	ASSERT_OK(close(other));
}

/*
 * Two IOASes, the second a copy of part of the first; a mock device on the
 * first pins its memory; the test runs without CAP_IPC_LOCK, so every pin
 * is charged to the user.
 */
TEST_F(stat, mapped_pinned_and_charged_as_the_test_made_them)
{
	const unsigned long b1 = BUF1_PAGES * PAGE_SZ, b2 = BUF2_PAGES * PAGE_SZ;
	long pinned_before = iommufd_pinned_pages();
	char *view = self->view;
	void *buf1, *buf2;
	__u32 a, b, stdev, hwpt, idev, item;
	int access_fd;

	ASSERT_OK(drop_cap(CAP_IPC_LOCK));
	ASSERT_OK(set_memlock_pages(4 * (BUF1_PAGES + BUF2_PAGES)));
	buf1 = test_buffer(b1);
	buf2 = test_buffer(b2);
	ASSERT_TRUE(buf1 && buf2);
	ASSERT_OK(_ioas_alloc(self->fd, &a));
	ASSERT_OK(_ioas_alloc(self->fd, &b));
	ASSERT_OK(_ioas_map_fixed(self->fd, a, buf1, b1, BASE));
	ASSERT_OK(_ioas_map_fixed(self->fd, a, buf2, b2, BASE + b1 * 4));

	/* Mapped, not pinned: no domain yet. */
	ASSERT_REC(self->fd, "ioas", "ioas ", "id=%u areas=2 mapped=%lu pinned=0 charged=0 domains=0 accesses=0",
		   a, b1 + b2);
	ASSERT_REC(self->fd, "ioas", "area ", "ioas=%u iova=0x%lx length=%lu kind=memory prot=rw pid=%d charge=user uid=0",
		   a, BASE, b1, getpid());
	ASSERT_REC(self->fd, "ioas", "area ", "ioas=%u iova=0x%lx length=%lu",
		   a, BASE + b1 * 4, b2);
	ASSERT_REC(self->fd, "ioas", "ioas ", "id=%u areas=0 mapped=0 pinned=0", b);

	/* A device: everything of A pinned once and charged once. */
	ASSERT_OK(mock_domain(self->fd, a, 0, &stdev, &hwpt, &idev));
	ASSERT_REC(self->fd, "ioas", "ioas ", "id=%u areas=2 mapped=%lu pinned=%lu charged=%lu domains=1",
		   a, b1 + b2, b1 + b2, b1 + b2);
	EXPECT_EQ(BUF1_PAGES + BUF2_PAGES, proc_status_pages("VmPin"));
	EXPECT_EQ(pinned_before + BUF1_PAGES + BUF2_PAGES,
		  iommufd_pinned_pages());
	ASSERT_REC(self->fd, "devices", "device ", "id=%u hwpt=%u pasids=-", idev, hwpt);
	ASSERT_REC(self->fd, "domains", "hwpt ", "id=%u kind=paging ioas=%u devices=1 auto=1 nest_parent=0",
		   hwpt, a);
	ASSERT_REC(self->fd, "objects", "object ", "id=%u type=ioas", a);
	ASSERT_REC(self->fd, "objects", "object ", "id=%u type=hwpt_paging", hwpt);
	ASSERT_REC(self->fd, "objects", "object ", "id=%u type=device", idev);

	/*
	 * B maps a copy of buf1: the same memory, pinned once.  B shows it as
	 * pinned (it is, for A's domain); the file's total counts it once.
	 */
	ASSERT_OK(_ioas_copy(self->fd, b, BASE, a, BASE, b1,
			     MAP_RW));
	ASSERT_REC(self->fd, "ioas", "ioas ", "id=%u areas=1 mapped=%lu pinned=%lu charged=%lu domains=0",
		   b, b1, b1, b1);
	ASSERT_REC(self->fd, "ioas", "total ", "ioas=2 areas=3 mapped=%lu pinned=%lu charged=%lu",
		   2 * b1 + b2, b1 + b2, b1 + b2);

	/* An in-kernel access on B pins a page of the copy. */
	access_fd = _access_create(self->fd, b, 1);
	ASSERT_GE(access_fd, 0);
	ASSERT_OK(_access_pin(self->fd, access_fd, BASE, PAGE_SZ, 0, &item));
	ASSERT_REC(self->fd, "devices", "access ", "ioas=%u", b);
	ASSERT_REC(self->fd, "ioas", "area ", "ioas=%u iova=0x%lx length=%lu kind=memory prot=rw pid=%d charge=user uid=0 accesses=1",
		   b, BASE, b1, getpid());
	ASSERT_REC(self->fd, "ioas", "ioas ", "id=%u areas=1 mapped=%lu pinned=%lu charged=%lu domains=0 accesses=1",
		   b, b1, b1, b1);

	/*
	 * Unmapped from A: its domain lets go, and only the access's page
	 * stays pinned and charged.
	 */
	ASSERT_EQ(b1 + b2, unmap_all(self->fd, a));
	ASSERT_REC(self->fd, "ioas", "ioas ", "id=%u areas=0 mapped=0 pinned=0 charged=0 domains=1", a);
	ASSERT_REC(self->fd, "ioas", "ioas ", "id=%u areas=1 mapped=%lu pinned=%lu charged=%lu",
		   b, b1, PAGE_SZ, PAGE_SZ);
	ASSERT_REC(self->fd, "ioas", "total ", "ioas=2 areas=1 mapped=%lu pinned=%lu charged=%lu",
		   b1, PAGE_SZ, PAGE_SZ);
	EXPECT_EQ(1, proc_status_pages("VmPin"));

	/* Destroyed objects leave the view. */
	ASSERT_OK(close(access_fd));
	ASSERT_OK(_destroy(self->fd, stdev));
	ASSERT_OK(view_read(self->fd, "devices", view, VIEW_MAX));
	EXPECT_EQ(0, count_recs(view, "device "));
	EXPECT_EQ(0, count_recs(view, "access "));
	ASSERT_OK(view_read(self->fd, "domains", view, VIEW_MAX));
	EXPECT_EQ(0, count_recs(view, "hwpt "));
	ASSERT_REC(self->fd, "ioas", "total ", "ioas=2 areas=1 mapped=%lu pinned=0 charged=0", b1);
	EXPECT_EQ(0, proc_status_pages("VmPin"));
	ASSERT_OK(view_read(self->fd, "objects", view, VIEW_MAX));
	EXPECT_EQ(2, count_recs(view, "object "));
}

/* A fault queue's pending and unanswered faults, and nested HWPTs. */
TEST_F(stat, pending_faults_and_nested_tables)
{
	__u32 ioas, stdev, idev, parent, nested, fault_id;
	struct iommu_hwpt_pgfault rec;
	struct iommu_hwpt_page_response r;
	char *view = self->view;
	int fault_fd;

	ASSERT_OK(_ioas_alloc(self->fd, &ioas));
	ASSERT_OK(device_and_parent(self->fd, ioas, 0, &stdev, &idev, &parent));
	ASSERT_OK(fault_alloc(self->fd, &fault_id, &fault_fd));
	ASSERT_OK(nested_alloc(self->fd, idev, parent, fault_id,
			       IOMMU_TEST_IOTLB_DEFAULT, &nested));
	ASSERT_OK(mock_replace(self->fd, stdev, &nested));
	ASSERT_REC(self->fd, "domains", "hwpt ", "id=%u kind=nested parent=%u viommu=0", nested, parent);
	ASSERT_REC(self->fd, "domains", "hwpt ", "id=%u kind=paging ioas=%u", parent, ioas);
	ASSERT_REC(self->fd, "domains", "hwpt ", "id=%u auto=0 nest_parent=1", parent);
	ASSERT_REC(self->fd, "devices", "device ", "id=%u hwpt=%u", idev, nested);
	ASSERT_REC(self->fd, "events", "fault ", "id=%u pending=0 unanswered=0", fault_id);

	ASSERT_OK(trigger_iopf(self->fd, idev, 0, 1, 0x1000, 1));
	ASSERT_OK(trigger_iopf(self->fd, idev, 0, 2, 0x2000, 1));
	ASSERT_REC(self->fd, "events", "fault ", "id=%u pending=2 unanswered=0", fault_id);
	ASSERT_EQ((ssize_t)sizeof(rec), read(fault_fd, &rec, sizeof(rec)));
	ASSERT_REC(self->fd, "events", "fault ", "id=%u pending=1 unanswered=1", fault_id);
	r = (struct iommu_hwpt_page_response){ .cookie = rec.cookie };
	ASSERT_EQ((ssize_t)sizeof(r), write(fault_fd, &r, sizeof(r)));
	ASSERT_REC(self->fd, "events", "fault ", "id=%u pending=1 unanswered=0", fault_id);
	ASSERT_OK(view_read(self->fd, "events", view, VIEW_MAX));
	EXPECT_EQ(1, count_recs(view, "fault "));
	ASSERT_OK(close(fault_fd));
}

/*
 * Reading the view uses no object, so IOMMU_DESTROY never fails with
 * EBUSY because of it: a reader loops over every file of the view while
 * IOASes holding mappings are made and destroyed.
 */
TEST_F(stat, reading_never_makes_destroy_fail)
{
	static const char *const names[] = {
		"owner", "objects", "ioas", "devices", "domains", "events",
	};
	void *buf = test_buffer(16 * PAGE_SZ);
	int iterations = on_debug_kernel() ? 200 : 2000, status;
	pid_t reader;
	__u32 ioas;

	ASSERT_TRUE(buf != NULL);
	reader = fork();
	ASSERT_GE(reader, 0);
	if (reader == 0) {
		for (;;)
			for (unsigned int i = 0; i < 6; i++)
				if (view_read(self->fd, names[i], self->view,
					      VIEW_MAX))
					_exit(1);
	}
	for (int i = 0; i < iterations; i++) {
		ASSERT_OK(_ioas_alloc(self->fd, &ioas));
		ASSERT_OK(_ioas_map_fixed(self->fd, ioas, buf, 16 * PAGE_SZ,
					  BASE));
		ASSERT_OK(_destroy(self->fd, ioas));
	}
	/* The reader was still reading all along. */
	ASSERT_EQ(0, waitpid(reader, &status, WNOHANG));
	ASSERT_OK(kill(reader, SIGKILL));
	ASSERT_EQ(reader, waitpid(reader, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
}

/* Output of @cmd into @buf; -1 unless it ran and exited 0. */
static int run(const char *cmd, char *buf, size_t size)
{
	size_t n = 0;
	FILE *p = popen(cmd, "r");

	if (!p)
		return -1;
	while (n < size - 1 && !feof(p))
		n += fread(buf + n, 1, size - 1 - n, p);
	buf[n] = 0;
	return pclose(p) == 0 ? 0 : -1;
}

/* Mark the test failed unless @want is in @text, showing @text. */
#define EXPECT_IN(text, want)						\
	do {								\
		if (!strstr(text, want))				\
			harness_fail(__FILE__, __LINE__,		\
				     "\"%s\" not in:\n%s", want, text);	\
	} while (0)

/* iommufd-stat prints the same numbers, as tables and as JSON. */
TEST_F(stat, iommufd_stat_tables_and_json)
{
	const unsigned long len = BUF1_PAGES * PAGE_SZ;
	char *out = self->view, want[256];
	long id = iommufd_stat_id(self->fd);
	__u32 ioas, hwpt, idev;
	void *buf;

	if (system("command -v iommufd-stat >/dev/null"))
		SKIP("iommufd-stat is not on PATH");
	buf = test_buffer(len);
	ASSERT_TRUE(buf != NULL);
	ASSERT_OK(_ioas_alloc(self->fd, &ioas));
	ASSERT_OK(_ioas_map_fixed(self->fd, ioas, buf, len, BASE));
	ASSERT_OK(mock_domain(self->fd, ioas, 0, NULL, &hwpt, &idev));

	ASSERT_OK(run("iommufd-stat --json", out, VIEW_MAX));
	/* This file: its owner, who holds it, its totals, its parts. */
	snprintf(want, sizeof(want), "{\"id\": %ld, \"pid\": %d, ", id, getpid());
	EXPECT_IN(out, want);
	snprintf(want, sizeof(want), "\"total\": {\"ioas\": 1, \"areas\": 1, \"mapped\": %lu, \"pinned\": %lu, ",
		 len, len);
	EXPECT_IN(out, want);
	snprintf(want, sizeof(want), "\"held_by\": [%d]", getpid());
	EXPECT_IN(out, want);
	snprintf(want, sizeof(want), "{\"id\": %u, \"dev\": \"", idev);
	EXPECT_IN(out, want);
	snprintf(want, sizeof(want), "\"hwpt\": %u, \"pasids\": \"-\"}", hwpt);
	EXPECT_IN(out, want);
	snprintf(want, sizeof(want), "\"iova\": \"0x%lx\", \"length\": %lu, \"kind\": \"memory\"",
		 BASE, len);
	EXPECT_IN(out, want);

	/* The tables: the file's row, its IOAS's row, its device's row. */
	ASSERT_OK(run("iommufd-stat", out, VIEW_MAX));
	snprintf(want, sizeof(want), "\n%-5ld %-8d ", id, getpid());
	EXPECT_IN(out, want);
	snprintf(want, sizeof(want), "\n%-5ld %-5u %6d %8s %8s ", id, ioas, 1,
		 "256.0K", "256.0K");
	EXPECT_IN(out, want);
	snprintf(want, sizeof(want), "\n%-5ld %-6u ", id, idev);
	EXPECT_IN(out, want);
}
