// SPDX-License-Identifier: GPL-2.0-only
/*
 * vEVENTQs (IOMMU_VEVENTQ_ALLOC): events a vIOMMU's driver reports about
 * its devices, in the guest's IDs, read from a file descriptor.
 *
 * Each read record is a struct iommufd_vevent_header followed by the
 * event's data (its size depends on the queue type).  Headers are numbered
 * in order; a queue holding veventq_depth events drops further ones, and
 * says so with a data-less LOST_EVENTS header at its tail, numbered like
 * the event it stands for, so the gap in the numbers tells how many went.
 * read() returns whole records only and does not block: 0 when the queue
 * is empty, EINVAL for a buffer smaller than a header or than the first
 * record.  Queued events stay when the fd is closed,
 * until the queue is destroyed.  The queue and its file are eventq/'s.
 */
#include <linux/fs.h>
#include <linux/iommufd.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include "../eventq/eventq.h"
#include "viommu.h"

/*
 * The deepest queue user space may ask for: a bound on what one file can
 * make the kernel hold, deep enough for every IOMMU's event queue.
 * Upstream's figure.
 */
#define IOMMUFD_VEVENTQ_MAX_DEPTH BIT(19)

/**
 * struct iommufd_vevent - one queued event
 * @node: in the queue (iommufd_veventq.common.deliver)
 * @header: what read() returns first
 * @len: bytes of @data
 * @data: the event, as the driver reported it
 */
struct iommufd_vevent {
	struct list_head node;
	struct iommufd_vevent_header header;
	size_t len;
	u8 data[] __counted_by(len);
};

/**
 * struct iommufd_veventq - a vEVENTQ object and its file
 * @common: the queue of struct iommufd_vevent, oldest first; its lock
 *	also protects @count, @sequence, @lost_queued and @lost
 * @viommu: the vIOMMU (a user of it)
 * @item: in @viommu->veventqs
 * @type: the events it takes
 * @depth: how many events it holds
 * @count: events queued, @lost not counted
 * @sequence: the number the next header gets
 * @lost_queued: @lost is queued, and then always last
 * @lost: the LOST_EVENTS marker, queued while the newest events were lost
 */
struct iommufd_veventq {
	struct iommufd_eventq common;
	struct iommufd_viommu *viommu;
	struct list_head item;
	u32 type;
	u32 depth;
	u32 count;
	u32 sequence;
	bool lost_queued;
	struct iommufd_vevent lost;	/* no data: last member */
};

/* Append @ev (or the lost marker) and number it. */
static void iommufd_veventq_add(struct iommufd_veventq *q,
				struct iommufd_vevent *ev)
{
	lockdep_assert_held(&q->common.lock);

	/* The marker only ever sits last: anything newer replaces it. */
	if (q->lost_queued)
		list_del(&q->lost.node);
	q->lost_queued = ev == &q->lost;
	list_add_tail(&ev->node, &q->common.deliver);
	ev->header.sequence = q->sequence;
	q->sequence = (q->sequence + 1) & INT_MAX;
}

/**
 * iommufd_viommu_report_event() - a driver reports an event of a vIOMMU
 * @viommu: the vIOMMU
 * @type: the enum iommu_veventq_type (or test type) of the event
 * @data: the event, in the guest's IDs
 * @len: its size
 *
 * Context: process context (the reporting driver's); does not sleep in
 * the queue's lock.
 * Return: 0 when queued, or lost to a full queue; -EOPNOTSUPP without a
 * queue of @type; -ENOMEM (the event is counted lost).
 */
int iommufd_viommu_report_event(struct iommufd_viommu *viommu, u32 type,
				const void *data, size_t len)
{
	struct iommufd_veventq *q;
	struct iommufd_vevent *ev;
	int rc = -EOPNOTSUPP;

	if (WARN_ON_ONCE(!len || !data))
		return -EINVAL;

	down_read(&viommu->veventqs_rwsem);
	list_for_each_entry(q, &viommu->veventqs, item) {
		if (q->type != type)
			continue;
		ev = kmalloc(struct_size(ev, data, len), GFP_KERNEL);
		spin_lock(&q->common.lock);
		if (ev && q->count < q->depth) {
			ev->len = len;
			ev->header.flags = 0;
			memcpy(ev->data, data, len);
			iommufd_veventq_add(q, ev);
			q->count++;
			ev = NULL;
			rc = 0;
		} else {
			iommufd_veventq_add(q, &q->lost);
			rc = ev ? 0 : -ENOMEM;
		}
		spin_unlock(&q->common.lock);
		kfree(ev);
		wake_up_interruptible(&q->common.wait);
		break;
	}
	up_read(&viommu->veventqs_rwsem);
	return rc;
}

static ssize_t iommufd_veventq_read(struct file *filep, char __user *buf,
				    size_t count, loff_t *ppos)
{
	const size_t hdr = sizeof(struct iommufd_vevent_header);
	struct iommufd_veventq *q = container_of(filep->private_data,
						 struct iommufd_veventq, common);
	struct iommufd_vevent *ev;
	size_t done = 0;
	int rc = 0;

	if (*ppos)
		return -ESPIPE;
	if (count < hdr)
		return -EINVAL;

	for (;;) {
		struct iommufd_vevent_header h;
		size_t len;

		spin_lock(&q->common.lock);
		ev = list_first_entry_or_null(&q->common.deliver,
					      struct iommufd_vevent, node);
		len = ev ? hdr + ev->len : 0;
		if (!ev || len > count - done) {
			/* Not even the first record fits: a short buffer. */
			if (ev && !done)
				rc = -EINVAL;
			spin_unlock(&q->common.lock);
			break;
		}
		list_del(&ev->node);
		if (ev == &q->lost)
			q->lost_queued = false;
		else
			q->count--;
		h = ev->header;
		spin_unlock(&q->common.lock);

		/*
		 * Off the queue while copying, so the copy may fault.  An
		 * event goes back to the head then; a marker is dropped (it
		 * may be queued again meanwhile), the numbering still shows
		 * the gap.
		 */
		if (copy_to_user(buf + done, &h, hdr) ||
		    copy_to_user(buf + done + hdr, ev->data, ev->len)) {
			if (ev != &q->lost) {
				spin_lock(&q->common.lock);
				list_add(&ev->node, &q->common.deliver);
				q->count++;
				spin_unlock(&q->common.lock);
			}
			rc = -EFAULT;
			break;
		}
		done += len;
		if (ev != &q->lost)
			kfree(ev);
	}
	return done ? done : rc;
}

static int iommufd_veventq_release(struct inode *inode, struct file *filep)
{
	iommufd_eventq_release(filep->private_data);
	return 0;
}

static const struct file_operations iommufd_veventq_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.read = iommufd_veventq_read,
	.poll = iommufd_eventq_poll,
	.release = iommufd_veventq_release,
};

/**
 * iommufd_veventq_destroy() - destroy callback of a vEVENTQ
 * @obj: the object; its file is closed
 *
 * Context: process context, may sleep.
 */
void iommufd_veventq_destroy(struct iommufd_object *obj)
{
	struct iommufd_veventq *q =
		container_of(obj, struct iommufd_veventq, common.obj);
	struct iommufd_vevent *ev, *next;

	/* Unlinked first: no report can reach the queue after this. */
	down_write(&q->viommu->veventqs_rwsem);
	if (!list_empty(&q->item))
		list_del(&q->item);
	up_write(&q->viommu->veventqs_rwsem);
	list_for_each_entry_safe(ev, next, &q->common.deliver, node) {
		list_del(&ev->node);
		if (ev != &q->lost)
			kfree(ev);
	}
	refcount_dec(&q->viommu->obj.users);
}

/**
 * iommufd_veventq_alloc_ioctl() - IOMMU_VEVENTQ_ALLOC
 * @ucmd: the command; struct iommu_veventq_alloc
 *
 * Context: process context, may sleep.
 * Return: 0 with out_veventq_id and out_veventq_fd set; -EOPNOTSUPP for
 * flags, a reserved field or the default type; -EINVAL for depth 0;
 * -ENOENT for an unknown vIOMMU; -EEXIST if it has a queue of that type.
 */
int iommufd_veventq_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_veventq_alloc *cmd = ucmd->cmd;
	struct iommufd_veventq *q, *cur;
	struct iommufd_viommu *viommu;
	struct iommufd_object *obj;
	int rc;

	if (cmd->flags || cmd->__reserved ||
	    cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->veventq_depth ||
	    cmd->veventq_depth > IOMMUFD_VEVENTQ_MAX_DEPTH)
		return -EINVAL;
	obj = iommufd_get_object(ucmd->ictx, cmd->viommu_id,
				 IOMMUFD_OBJ_VIOMMU);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	viommu = container_of(obj, struct iommufd_viommu, obj);

	q = iommufd_object_alloc_at(ucmd->ictx, struct iommufd_veventq,
				    common.obj, IOMMUFD_OBJ_VEVENTQ);
	if (IS_ERR(q)) {
		rc = PTR_ERR(q);
		goto out_put_viommu;
	}
	iommufd_eventq_init(&q->common, ucmd->ictx);
	q->viommu = viommu;
	refcount_inc(&viommu->obj.users);
	INIT_LIST_HEAD(&q->item);
	q->type = cmd->type;
	q->depth = cmd->veventq_depth;
	q->lost.header.flags = IOMMU_VEVENTQ_FLAG_LOST_EVENTS;

	down_write(&viommu->veventqs_rwsem);
	list_for_each_entry(cur, &viommu->veventqs, item) {
		if (cur->type == cmd->type) {
			up_write(&viommu->veventqs_rwsem);
			rc = -EEXIST;
			goto out_abort;
		}
	}
	list_add_tail(&q->item, &viommu->veventqs);
	up_write(&viommu->veventqs_rwsem);

	cmd->out_veventq_id = q->common.obj.id;
	rc = iommufd_eventq_install(&q->common, ucmd, sizeof(*cmd),
				    "[iommufd-viommu-event]",
				    &iommufd_veventq_fops, O_RDONLY,
				    &cmd->out_veventq_fd);
	if (!rc)
		goto out_put_viommu;
out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &q->common.obj);
out_put_viommu:
	iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}

/**
 * iommufd_veventq_show() - a vEVENTQ's line in the debugfs view (stat/)
 * @m: where it goes
 * @obj: the queue's object
 *
 * Pending: events queued and not yet read; lost: whether events were
 * dropped for want of room since the last read.
 *
 * Context: under ictx->show_rwsem for read (iommufd_ctx_show()).
 */
void iommufd_veventq_show(struct seq_file *m, struct iommufd_object *obj)
{
	struct iommufd_veventq *q =
		container_of(obj, struct iommufd_veventq, common.obj);
	bool lost;
	u32 count;

	spin_lock(&q->common.lock);
	count = q->count;
	lost = q->lost_queued;
	spin_unlock(&q->common.lock);
	seq_printf(m, "veventq id=%u viommu=%u type=%u depth=%u pending=%u lost=%d\n",
		   obj->id, q->viommu->obj.id, q->type, q->depth, count, lost);
}
