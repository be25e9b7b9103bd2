// SPDX-License-Identifier: GPL-2.0-only
/*
 * The file side of event queues: making the file last, once nothing can
 * fail, so no error path has to undo an open file (whose release would run
 * later, deferred); taking entries off the queue and putting back one whose
 * copy to user space failed; poll(); and what closing the file lets go.
 *
 * read() does not block: an object's read() returns 0 with nothing
 * queued, as upstream's do; poll() reports EPOLLIN while entries wait.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommufd.h>

#include "eventq.h"

/**
 * iommufd_eventq_init() - set up the queue of a newly allocated object
 * @q: the queue, its object allocated and not yet finalized
 * @ictx: the context
 */
void iommufd_eventq_init(struct iommufd_eventq *q, struct iommufd_ctx *ictx)
{
	q->ictx = ictx;
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->deliver);
	init_waitqueue_head(&q->wait);
}

/**
 * iommufd_eventq_install() - answer the ioctl, give the queue its file
 *	and publish the object
 * @q: the queue, ready for use
 * @ucmd: the ioctl; its reply is sent with @out_fd set
 * @cmd_size: bytes of the reply
 * @name: the anonymous inode's name
 * @fops: the file's operations; private_data is @q
 * @flags: O_RDONLY or O_RDWR
 * @out_fd: where in the reply the file descriptor goes
 *
 * On failure the caller aborts the object; nothing of the file is left.
 *
 * Context: process context, may sleep.
 * Return: 0, or an errno of allocating the descriptor or file or of the
 * reply.
 */
int iommufd_eventq_install(struct iommufd_eventq *q,
			   struct iommufd_ucmd *ucmd, size_t cmd_size,
			   const char *name,
			   const struct file_operations *fops, int flags,
			   u32 *out_fd)
{
	struct file *filep;
	int fdno, rc;

	fdno = get_unused_fd_flags(O_CLOEXEC);
	if (fdno < 0)
		return fdno;
	*out_fd = fdno;
	rc = iommufd_ucmd_respond(ucmd, cmd_size);
	if (rc)
		goto err_put_fdno;
	filep = anon_inode_getfile(name, fops, q, flags);
	if (IS_ERR(filep)) {
		rc = PTR_ERR(filep);
		goto err_put_fdno;
	}
	/* The file is a user of the object and keeps the context open. */
	refcount_inc(&q->obj.users);
	iommufd_ctx_get(q->ictx);
	fd_install(fdno, filep);
	iommufd_object_finalize(q->ictx, &q->obj);
	return 0;

err_put_fdno:
	put_unused_fd(fdno);
	return rc;
}

/**
 * iommufd_eventq_pop() - take the oldest entry off the queue
 * @q: the queue
 *
 * Return: the entry's list node, or NULL with nothing queued.
 */
struct list_head *iommufd_eventq_pop(struct iommufd_eventq *q)
{
	struct list_head *node = NULL;

	spin_lock(&q->lock);
	if (!list_empty(&q->deliver)) {
		node = q->deliver.next;
		list_del(node);
	}
	spin_unlock(&q->lock);
	return node;
}

/**
 * iommufd_eventq_push_back() - return a popped entry to the head
 * @q: the queue
 * @node: the entry's list node, as iommufd_eventq_pop() gave it
 */
void iommufd_eventq_push_back(struct iommufd_eventq *q,
			      struct list_head *node)
{
	spin_lock(&q->lock);
	list_add(node, &q->deliver);
	spin_unlock(&q->lock);
}

/**
 * iommufd_eventq_poll() - poll() of an event queue's file
 * @filep: the file; private_data is the struct iommufd_eventq
 * @wait: the poll table
 *
 * Return: EPOLLIN | EPOLLRDNORM while entries wait, else 0.
 */
__poll_t iommufd_eventq_poll(struct file *filep,
			     struct poll_table_struct *wait)
{
	struct iommufd_eventq *q = filep->private_data;
	__poll_t mask = 0;

	poll_wait(filep, &q->wait, wait);
	spin_lock(&q->lock);
	if (!list_empty(&q->deliver))
		mask |= EPOLLIN | EPOLLRDNORM;
	spin_unlock(&q->lock);
	return mask;
}

/**
 * iommufd_eventq_release() - what closing the file lets go
 * @q: the queue
 *
 * The object may be destroyed from here on.
 */
void iommufd_eventq_release(struct iommufd_eventq *q)
{
	struct iommufd_ctx *ictx = q->ictx;

	iommufd_put_object(ictx, &q->obj);
	iommufd_ctx_put(ictx);
}
