/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A page that stalls whoever touches it: a userfaultfd-registered page
 * that a resolver thread fills in only a while after the first fault, to
 * hold a kernel path (a copy to or from user space) in place.
 */
#ifndef UFFD_UTILS_H
#define UFFD_UTILS_H

#include <poll.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <linux/userfaultfd.h>

#include "iommufd_utils.h"

struct stall_page {
	int uffd;
	void *region;		/* the stalling page */
	void *fill;		/* what it is filled with */
	unsigned int delay_us;	/* from the fault to the fill */
	volatile int faulted;	/* someone touched it */
	volatile int filled;	/* and was let go */
	pthread_t resolver;
};

static inline void *stall_page_resolver(void *arg)
{
	struct stall_page *sp = arg;
	struct pollfd p = { .fd = sp->uffd, .events = POLLIN };
	struct uffdio_copy copy = { .len = PAGE_SZ };
	struct uffd_msg msg;

	if (poll(&p, 1, 20000) != 1 ||
	    read(sp->uffd, &msg, sizeof(msg)) != sizeof(msg))
		return NULL;
	sp->faulted = 1;
	usleep(sp->delay_us);
	copy.dst = msg.arg.pagefault.address & ~(PAGE_SZ - 1);
	copy.src = (uintptr_t)sp->fill;
	sp->filled = 1;
	ioctl(sp->uffd, UFFDIO_COPY, &copy);
	return NULL;
}

/* 0, or -1 with errno (no userfaultfd: the caller skips). */
static inline int stall_page_init(struct stall_page *sp, unsigned int delay_us)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	memset(sp, 0, sizeof(*sp));
	sp->delay_us = delay_us;
	sp->uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (sp->uffd < 0)
		return -1;
	sp->region = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sp->fill = test_buffer(PAGE_SZ);
	reg.range.start = (uintptr_t)sp->region;
	reg.range.len = PAGE_SZ;
	if (sp->region == MAP_FAILED || ioctl(sp->uffd, UFFDIO_API, &api) ||
	    ioctl(sp->uffd, UFFDIO_REGISTER, &reg))
		return -1;
	return pthread_create(&sp->resolver, NULL, stall_page_resolver, sp) ?
	       -1 : 0;
}

/* Wait (up to 20 s) until something is stalled on the page. */
static inline int stall_page_wait_fault(struct stall_page *sp)
{
	int i;

	for (i = 0; i < 2000 && !sp->faulted; i++)
		usleep(10000);
	return sp->faulted ? 0 : -1;
}

static inline void stall_page_fini(struct stall_page *sp)
{
	pthread_join(sp->resolver, NULL);
	close(sp->uffd);
	munmap(sp->region, PAGE_SZ);
}

#endif /* UFFD_UTILS_H */
