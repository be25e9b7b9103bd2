/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * eventq/: what objects that user space reads through a file have in
 * common: the fault queue (fault/) and the vEVENTQ (viommu/).  Each embeds
 * a struct iommufd_eventq first; this folder makes its file, reports it
 * readable, lets go of it at close, and keeps the list that producers
 * append to and read() takes from.  What an entry is, how it is read and
 * what happens when too many wait is the embedding object's.
 */
#ifndef IOMMUFD_EVENTQ_H
#define IOMMUFD_EVENTQ_H

#include <linux/list.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "../iommufd_private.h"

/**
 * struct iommufd_eventq - the head of an object read through a file
 * @obj: the object
 * @ictx: the context (a reference while the file is open)
 * @lock: protects @deliver; producers take it in atomic context, so
 *	nothing under it sleeps
 * @deliver: entries waiting for read(), oldest first
 * @wait: poll() waits here for an entry
 */
struct iommufd_eventq {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	spinlock_t lock;		/* see the kernel-doc above */
	struct list_head deliver;
	wait_queue_head_t wait;
};

void iommufd_eventq_init(struct iommufd_eventq *q, struct iommufd_ctx *ictx);
int iommufd_eventq_install(struct iommufd_eventq *q,
			   struct iommufd_ucmd *ucmd, size_t cmd_size,
			   const char *name,
			   const struct file_operations *fops, int flags,
			   u32 *out_fd);
struct list_head *iommufd_eventq_pop(struct iommufd_eventq *q);
void iommufd_eventq_push_back(struct iommufd_eventq *q,
			      struct list_head *node);
__poll_t iommufd_eventq_poll(struct file *filep,
			     struct poll_table_struct *wait);
void iommufd_eventq_release(struct iommufd_eventq *q);

#endif /* IOMMUFD_EVENTQ_H */
