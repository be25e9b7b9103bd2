// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory behind mappings: huge pages (hugetlbfs and transparent), and
 * what munmap() and fork() after mapping do.  Pages belong to the process
 * that mapped them: pins come from its address space whoever asks, and
 * pinned pages stay with the IOAS until unpinned, whatever the process
 * does to its own mappings meanwhile.
 */
#include <stdio.h>
#include <sys/wait.h>

#include "iommufd_utils.h"

#define BASE (1UL << 24)

/*
 * The new image of a process that mapped memory and then exec()ed (see
 * rw_after_exec_never_reaches_the_new_image): it maps a page of its own
 * where the old image's mapped memory was, says so, waits until another
 * process has tried an access rw there, and exits 0 if its page is
 * untouched.
 */
__attribute__((constructor)) static void exec_helper(void)
{
	const char *env = getenv("IOMMUFD_TEST_EXEC_AT");
	unsigned long addr;
	unsigned char *p, c = 0;
	int ready, done;

	if (!env || sscanf(env, "%lx:%d:%d", &addr, &ready, &done) != 3)
		return;
	p = mmap((void *)addr, PAGE_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		_exit(2);
	memset(p, 0x5a, PAGE_SZ);
	if (write(ready, &c, 1) != 1 || read(done, &c, 1) != 1)
		_exit(3);
	if (c)
		_exit(20 + c);	/* the other process's verdict */
	for (size_t i = 0; i < PAGE_SZ; i++)
		if (p[i] != 0x5a)
			_exit(1);
	_exit(0);
}

static void fill(unsigned char *p, size_t len, unsigned char seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(seed + i * 13);
}

TEST_F(ioas, hugetlbfs_page_pins_and_reads_whole)
{
	unsigned char *huge = mmap(NULL, HUGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
				   -1, 0);
	unsigned char *tmp = malloc(HUGE);
	int access = _access_create(self->fd, self->ioas, 1);
	__u32 item;

	if (huge == MAP_FAILED)
		SKIP("no hugetlbfs page free (vm.nr_hugepages)");
	fill(huge, HUGE, 1);
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, huge, HUGE, BASE));
	ASSERT_OK(_access_pin(self->fd, access, BASE, HUGE, 0, &item));
	EXPECT_EQ(self->leak.pinned_before + HUGE / PAGE_SZ,
		  iommufd_pinned_pages());
	ASSERT_OK(_access_rw(self->fd, access, BASE, tmp, HUGE, 0));
	ASSERT_EQ(0, memcmp(tmp, huge, HUGE));
	ASSERT_OK(_access_unpin(self->fd, access, item));
	EXPECT_EQ(self->leak.pinned_before, iommufd_pinned_pages());
	ASSERT_OK(close(access));
	free(tmp);
	munmap(huge, HUGE);
}

TEST_F(ioas, transparent_huge_pages_pin_and_read)
{
	unsigned char *raw = mmap(NULL, 3 * HUGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *thp = (void *)(((uintptr_t)raw + HUGE - 1) & ~(HUGE - 1));
	unsigned char *tmp = malloc(2 * HUGE);
	int access = _access_create(self->fd, self->ioas, 1);
	__u64 iova = 0;
	__u32 item;

	ASSERT_NE(MAP_FAILED, raw);
	madvise(thp, 2 * HUGE, MADV_HUGEPAGE);
	fill(thp, 2 * HUGE, 2);
	/* Automatic IOVA keeps the 2 MiB alignment of the memory. */
	ASSERT_OK(_ioas_map(self->fd, self->ioas, thp, 2 * HUGE, &iova,
			    MAP_RW));
	EXPECT_EQ(0, iova % HUGE);
	ASSERT_OK(_access_pin(self->fd, access, iova, 2 * HUGE, 0, &item));
	EXPECT_EQ(self->leak.pinned_before + 2 * HUGE / PAGE_SZ,
		  iommufd_pinned_pages());
	ASSERT_OK(_access_rw(self->fd, access, iova + 5, tmp, 2 * HUGE - 10,
			     0));
	ASSERT_EQ(0, memcmp(tmp, thp + 5, 2 * HUGE - 10));
	ASSERT_OK(_access_unpin(self->fd, access, item));
	ASSERT_OK(close(access));
	free(tmp);
	munmap(raw, 3 * HUGE);
}

TEST_F(ioas, munmap_after_pin_keeps_the_pinned_pages)
{
	unsigned char *buf = test_buffer(2 * PAGE_SZ), want[64], got[64];
	int access = _access_create(self->fd, self->ioas, 1);
	__u32 item;

	fill(want, sizeof(want), 9);
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, 2 * PAGE_SZ,
				  BASE));
	ASSERT_OK(_access_pin(self->fd, access, BASE, 2 * PAGE_SZ, 0, &item));
	ASSERT_OK(_access_rw(self->fd, access, BASE + 10, want, sizeof(want),
			     MOCK_ACCESS_RW_WRITE));
	ASSERT_OK(munmap(buf, 2 * PAGE_SZ));
	/* The device side still sees the pages it pinned. */
	ASSERT_OK(_access_rw(self->fd, access, BASE + 10, got, sizeof(got), 0));
	ASSERT_EQ(0, memcmp(want, got, sizeof(got)));
	EXPECT_EQ(2, proc_status_pages("VmPin"));
	ASSERT_OK(_access_unpin(self->fd, access, item));
	/* Unpinned, the memory is gone with the mapping. */
	EXPECT_ERRNO(EFAULT, _access_rw(self->fd, access, BASE + 10, got,
					sizeof(got), 0));
	EXPECT_ERRNO(EFAULT, _access_pin(self->fd, access, BASE, PAGE_SZ, 0,
					 NULL));
	EXPECT_EQ(0, proc_status_pages("VmPin"));
	ASSERT_OK(close(access));
}

/*
 * A child that inherited the file pins and writes through the access: the
 * pages come from the parent, which mapped them, not from the child's
 * copy-on-write copy.
 */
TEST_F(ioas, fork_after_map_pins_the_mappers_pages)
{
	unsigned char *buf = test_buffer(PAGE_SZ), want[32];
	int status, to_parent[2], to_child[2];
	pid_t pid;
	char c;

	fill(want, sizeof(want), 77);
	ASSERT_OK(pipe(to_parent));
	ASSERT_OK(pipe(to_child));
	ASSERT_OK(_ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ, BASE));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int access = _access_create(self->fd, self->ioas, 1);
		__u32 item;

		if (access < 0)
			_exit(10);
		if (_access_pin(self->fd, access, BASE, PAGE_SZ, 0, &item))
			_exit(11);
		if (_access_rw(self->fd, access, BASE, want, sizeof(want),
			       MOCK_ACCESS_RW_WRITE))
			_exit(12);
		/* The child's own copy is untouched. */
		if (!memcmp(buf, want, sizeof(want)))
			_exit(13);
		if (write(to_parent[1], "p", 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(14);
		_exit(_access_unpin(self->fd, access, item) ? 15 : 0);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	/* Pinned from the parent's memory, and charged to it. */
	EXPECT_EQ(0, memcmp(buf, want, sizeof(want)));
	EXPECT_EQ(1, proc_status_pages("VmPin"));
	ASSERT_EQ(1, write(to_child[1], "c", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, proc_status_pages("VmPin"));
}

/*
 * After the mapping process exec()s, its IOAS still maps the old image's
 * memory, which is gone.  An access rw from another process that has the
 * file must fail with EFAULT, not land in the new image at that address.
 */
TEST_F(ioas, rw_after_exec_never_reaches_the_new_image)
{
	int access = _access_create(self->fd, self->ioas, 0);
	int ready[2], done[2], status;
	pid_t mapper, other;

	ASSERT_LE(0, access);
	ASSERT_OK(pipe(ready));
	ASSERT_OK(pipe(done));
	mapper = fork();
	ASSERT_LE(0, mapper);
	if (!mapper) {
		unsigned char *buf = test_buffer(PAGE_SZ);
		char env[96], exe[] = "/proc/self/exe";
		char *argv[] = { exe, NULL }, *envp[] = { env, NULL };

		if (!buf ||
		    _ioas_map_fixed(self->fd, self->ioas, buf, PAGE_SZ, BASE))
			_exit(10);
		snprintf(env, sizeof(env), "IOMMUFD_TEST_EXEC_AT=%lx:%d:%d",
			 (unsigned long)buf, ready[1], done[0]);
		execve(exe, argv, envp);
		_exit(11);
	}
	other = fork();
	ASSERT_LE(0, other);
	if (!other) {
		unsigned char data[64];
		char verdict = 0, c;

		if (read(ready[0], &c, 1) != 1)
			_exit(12);
		memset(data, 0x77, sizeof(data));
		if (!_access_rw(self->fd, access, BASE, data, sizeof(data),
				MOCK_ACCESS_RW_WRITE))
			verdict = 13;	/* it wrote somewhere */
		else if (errno != EFAULT)
			verdict = 14;
		if (write(done[1], &verdict, 1) != 1)
			_exit(15);
		_exit(verdict);
	}
	ASSERT_EQ(other, waitpid(other, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* The mapper's new image exits 0 when its page is untouched. */
	ASSERT_EQ(mapper, waitpid(mapper, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_OK(close(access));
}
