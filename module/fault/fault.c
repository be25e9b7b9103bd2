// SPDX-License-Identifier: GPL-2.0-only
/*
 * I/O page faults delivered to user space (IOMMU_FAULT_QUEUE_ALLOC).
 *
 * A fault object is a queue with a file descriptor.  A nested HWPT
 * allocated with IOMMU_HWPT_FAULT_ID_VALID sends its domain's page
 * requests here: the IOMMU core groups a device's requests and hands each
 * group to iommufd_fault_iopf_handler(), which queues it.  read() turns
 * queued groups into struct iommu_hwpt_pgfault records, one per request,
 * all carrying a cookie for the group; write() takes struct
 * iommu_hwpt_page_response records and answers the group the cookie
 * names, once, for all its requests.
 *
 * No group is left unanswered: when the attachment a fault came through
 * goes away (detach, replace), its queued and read-but-unanswered groups
 * are answered IOMMU_PAGE_RESP_INVALID; so is everything pending when the
 * file is closed, and faults arriving after that are refused at once.
 *
 * The queue and its file are eventq/'s.
 */
#include <linux/fs.h>
#include <linux/iommufd.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>

#include "../iommufd_private.h"
#include "../device/device.h"
#include "../eventq/eventq.h"
#include "../hwpt/hwpt.h"
#include "fault.h"

/**
 * struct iommufd_fault - a fault object and its file
 * @common: the queue: groups (iopf_group.node) queued for read(); its
 *	lock, taken by the fault handler, also protects @closed
 * @closed: the file is released: faults are refused
 * @mutex: serializes write(), the answering of pending groups and
 *	read()'s moving of groups from @deliver to @response; protects
 *	@response
 * @response: cookie -> iopf_group read by user space, not yet answered
 * @next_cookie: cookies are handed out cyclically, so a late answer to a
 *	group answered meanwhile does not hit a new group; under @mutex
 *
 * @mutex is taken before the queue's lock, and that before the group's
 * devices_lock,
 * where the handler checks that the faulting device still takes faults
 * (the module's lock order: iommufd_private.h).
 */
struct iommufd_fault {
	struct iommufd_eventq common;
	bool closed;
	struct mutex mutex;		/* see the kernel-doc above */
	struct xarray response;
	u32 next_cookie;
};

static struct iommufd_fault *to_iommufd_fault(struct file *filep)
{
	return container_of((struct iommufd_eventq *)filep->private_data,
			    struct iommufd_fault, common);
}

static_assert((int)IOMMUFD_PAGE_RESP_SUCCESS == (int)IOMMU_PAGE_RESP_SUCCESS);
static_assert((int)IOMMUFD_PAGE_RESP_INVALID == (int)IOMMU_PAGE_RESP_INVALID);

/* Answer and free each group on @list. */
static void iommufd_fault_answer_list(struct list_head *list,
				      enum iommu_page_response_code code)
{
	struct iopf_group *group, *next;

	list_for_each_entry_safe(group, next, list, node) {
		list_del(&group->node);
		iopf_group_response(group, code);
		iopf_free_group(group);
	}
}

/* The iommufd attach handle @group came through. */
static struct iommufd_attach_handle *
iommufd_group_handle(struct iopf_group *group)
{
	return container_of(group->attach_handle,
			    struct iommufd_attach_handle, handle);
}

/* Did @group come through @handle (any, if NULL) from @dev (any, if NULL)? */
static bool iommufd_fault_match(struct iopf_group *group,
				struct iommufd_attach_handle *handle,
				struct device *dev)
{
	return (!handle || group->attach_handle == &handle->handle) &&
	       (!dev || group->fault_param->dev == dev);
}

/*
 * Answer IOMMU_PAGE_RESP_INVALID every pending group that matches, see
 * iommufd_fault_match().
 */
static void iommufd_fault_answer_pending(struct iommufd_fault *fault,
					 struct iommufd_attach_handle *handle,
					 struct device *dev)
{
	struct iopf_group *group, *next;
	unsigned long cookie;
	LIST_HEAD(answer);

	lockdep_assert_held(&fault->mutex);

	spin_lock(&fault->common.lock);
	list_for_each_entry_safe(group, next, &fault->common.deliver, node)
		if (iommufd_fault_match(group, handle, dev))
			list_move_tail(&group->node, &answer);
	spin_unlock(&fault->common.lock);

	xa_for_each(&fault->response, cookie, group) {
		if (!iommufd_fault_match(group, handle, dev))
			continue;
		xa_erase(&fault->response, cookie);
		list_add_tail(&group->node, &answer);
	}
	iommufd_fault_answer_list(&answer, IOMMU_PAGE_RESP_INVALID);
}

/**
 * iommufd_fault_flush() - answer the faults an ended attachment left
 * @fault: the fault object of the detached HWPT
 * @handle: only faults that came through this attach handle, no longer
 *	reachable through the IOMMU core; NULL for any
 * @dev: only faults of this device, which detached; NULL for any
 *
 * Context: process context, may sleep.
 */
void iommufd_fault_flush(struct iommufd_fault *fault,
			 struct iommufd_attach_handle *handle,
			 struct device *dev)
{
	mutex_lock(&fault->mutex);
	iommufd_fault_answer_pending(fault, handle, dev);
	mutex_unlock(&fault->mutex);
}

/**
 * iommufd_fault_iopf_handler() - the iopf_handler of fault-capable domains
 * @group: a complete group of page requests from one device
 *
 * Context: the IOMMU driver's fault reporting context; does not sleep.
 * Return: 0 with @group queued (answered later by user space or by
 * iommufd); -ENODEV if the fault file is closed or the device's faults
 * are going off, and the core answers.
 */
int iommufd_fault_iopf_handler(struct iopf_group *group)
{
	struct iommufd_hw_pagetable *hwpt =
		group->attach_handle->domain->fault_data;
	struct iommufd_fault *fault = hwpt->fault;
	struct iommufd_attach_handle *handle = iommufd_group_handle(group);

	spin_lock(&fault->common.lock);
	/*
	 * Checked under fault->common.lock, which a flush takes after the device's
	 * faults were marked closing: what it does not find is refused here.
	 */
	if (fault->closed ||
	    !iommufd_group_dev_takes_faults(handle->igroup,
					    group->fault_param->dev)) {
		spin_unlock(&fault->common.lock);
		return -ENODEV;
	}
	list_add_tail(&group->node, &fault->common.deliver);
	spin_unlock(&fault->common.lock);
	wake_up_interruptible(&fault->common.wait);
	return 0;
}

static struct iopf_group *iommufd_fault_pop(struct iommufd_fault *fault)
{
	struct list_head *node;

	lockdep_assert_held(&fault->mutex);
	node = iommufd_eventq_pop(&fault->common);
	return node ? list_entry(node, struct iopf_group, node) : NULL;
}

static void iommufd_fault_push_back(struct iommufd_fault *fault,
				    struct iopf_group *group)
{
	lockdep_assert_held(&fault->mutex);
	iommufd_eventq_push_back(&fault->common, &group->node);
}

/* Write @group's requests as records to @recs. */
static void iommufd_fault_compose(struct iopf_group *group,
				  struct iommu_hwpt_pgfault *recs)
{
	struct iommufd_attach_handle *handle = iommufd_group_handle(group);
	struct iopf_fault *iopf;
	u32 dev_id;

	/*
	 * The device that faulted, which may not be the one whose attach
	 * made the handle; it is attached, as its faults are flushed when it
	 * detaches.
	 */
	dev_id = iommufd_group_dev_id(handle->igroup, group->fault_param->dev);
	list_for_each_entry(iopf, &group->faults, list) {
		const struct iommu_fault_page_request *prm = &iopf->fault.prm;

		*recs++ = (struct iommu_hwpt_pgfault) {
			.flags = prm->flags,
			.dev_id = dev_id,
			.pasid = prm->pasid,
			.grpid = prm->grpid,
			.perm = prm->perm,
			.addr = prm->addr,
			.cookie = group->cookie,
		};
	}
}

/*
 * Whole groups only: a group that does not fit stays queued, and if not
 * even the first fits the read fails with EINVAL.  Each group is made
 * answerable and composed under the mutex, and copied out after it, so a
 * reader stalled on its buffer holds up nobody's detach.
 */
static ssize_t iommufd_fault_read(struct file *filep, char __user *buf,
				  size_t count, loff_t *ppos)
{
	const size_t rec_size = sizeof(struct iommu_hwpt_pgfault);
	struct iommufd_fault *fault = to_iommufd_fault(filep);
	struct iommu_hwpt_pgfault *recs;
	struct iopf_group *group;
	size_t done = 0, len;
	u32 cookie;
	int rc = 0;

	if (*ppos || count % rec_size)
		return -ESPIPE;

	for (;;) {
		mutex_lock(&fault->mutex);
		group = iommufd_fault_pop(fault);
		if (!group)
			goto out_unlock;
		if (group->fault_count > (count - done) / rec_size) {
			iommufd_fault_push_back(fault, group);
			if (!done)
				rc = -EINVAL;
			goto out_unlock;
		}
		len = group->fault_count * rec_size;
		recs = kvzalloc(len, GFP_KERNEL_ACCOUNT);
		rc = recs ? xa_alloc_cyclic(&fault->response, &group->cookie,
					    group, xa_limit_32b,
					    &fault->next_cookie,
					    GFP_KERNEL_ACCOUNT) : -ENOMEM;
		if (rc < 0) {
			iommufd_fault_push_back(fault, group);
			kvfree(recs);
			goto out_unlock;
		}
		iommufd_fault_compose(group, recs);
		cookie = group->cookie;
		mutex_unlock(&fault->mutex);

		/* From here on @group may be answered, and freed, by others. */
		rc = copy_to_user(buf + done, recs, len) ? -EFAULT : 0;
		kvfree(recs);
		if (rc) {
			mutex_lock(&fault->mutex);
			/* Still unanswered: it goes back to the queue. */
			if (xa_cmpxchg(&fault->response, cookie, group, NULL,
				       0) == group)
				iommufd_fault_push_back(fault, group);
			mutex_unlock(&fault->mutex);
			break;
		}
		done += len;
	}
	return done ? done : rc;

out_unlock:
	mutex_unlock(&fault->mutex);
	return done ? done : rc;
}

static ssize_t iommufd_fault_write(struct file *filep, const char __user *buf,
				   size_t count, loff_t *ppos)
{
	const size_t rec_size = sizeof(struct iommu_hwpt_page_response);
	struct iommufd_fault *fault = to_iommufd_fault(filep);
	struct iommu_hwpt_page_response resp;
	struct iopf_group *group;
	size_t done = 0;
	int rc = 0;

	if (*ppos || count % rec_size)
		return -ESPIPE;

	mutex_lock(&fault->mutex);
	for (; done < count; done += rec_size) {
		if (copy_from_user(&resp, buf + done, rec_size)) {
			rc = -EFAULT;
			break;
		}
		if (resp.code != IOMMUFD_PAGE_RESP_SUCCESS &&
		    resp.code != IOMMUFD_PAGE_RESP_INVALID) {
			rc = -EINVAL;
			break;
		}
		group = xa_erase(&fault->response, resp.cookie);
		if (!group) {
			rc = -EINVAL;
			break;
		}
		iopf_group_response(group, resp.code);
		iopf_free_group(group);
	}
	mutex_unlock(&fault->mutex);
	return done ? done : rc;
}

/* Always writable: answers are taken whenever they come. */
static __poll_t iommufd_fault_poll(struct file *filep,
				   struct poll_table_struct *wait)
{
	return iommufd_eventq_poll(filep, wait) | EPOLLOUT | EPOLLWRNORM;
}

static int iommufd_fault_release(struct inode *inode, struct file *filep)
{
	struct iommufd_fault *fault = to_iommufd_fault(filep);

	mutex_lock(&fault->mutex);
	spin_lock(&fault->common.lock);
	fault->closed = true;
	spin_unlock(&fault->common.lock);
	iommufd_fault_answer_pending(fault, NULL, NULL);
	mutex_unlock(&fault->mutex);
	iommufd_eventq_release(&fault->common);
	return 0;
}

static const struct file_operations iommufd_fault_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.read = iommufd_fault_read,
	.write = iommufd_fault_write,
	.poll = iommufd_fault_poll,
	.release = iommufd_fault_release,
};

/**
 * iommufd_fault_destroy() - destroy callback of a fault object
 * @obj: the object; its file is closed and no HWPT uses it
 *
 * Context: process context, may sleep.
 */
void iommufd_fault_destroy(struct iommufd_object *obj)
{
	struct iommufd_fault *fault =
		container_of(obj, struct iommufd_fault, common.obj);

	/* Closing the file answered everything and refused the rest. */
	WARN_ON(!list_empty(&fault->common.deliver) || !xa_empty(&fault->response));
	xa_destroy(&fault->response);
	mutex_destroy(&fault->mutex);
}

/**
 * iommufd_get_fault() - look up a fault object
 * @ictx: the context
 * @id: its id
 *
 * Context: any.
 * Return: the fault object (a user of it), or ERR_PTR(-ENOENT).
 */
struct iommufd_fault *iommufd_get_fault(struct iommufd_ctx *ictx, u32 id)
{
	struct iommufd_object *obj;

	obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_FAULT);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct iommufd_fault, common.obj);
}

/**
 * iommufd_fault_put() - drop a HWPT's use of its fault object
 * @fault: the fault object
 */
void iommufd_fault_put(struct iommufd_fault *fault)
{
	refcount_dec(&fault->common.obj.users);
}

/**
 * iommufd_fault_alloc_ioctl() - IOMMU_FAULT_QUEUE_ALLOC
 * @ucmd: the command; struct iommu_fault_alloc
 *
 * Context: process context, may sleep.
 * Return: 0 with out_fault_id and out_fault_fd set; -EOPNOTSUPP for
 * flags; -EMFILE, -ENOMEM, -EFAULT.
 */
int iommufd_fault_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_fault_alloc *cmd = ucmd->cmd;
	struct iommufd_fault *fault;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;

	fault = iommufd_object_alloc_at(ucmd->ictx, struct iommufd_fault,
					common.obj, IOMMUFD_OBJ_FAULT);
	if (IS_ERR(fault))
		return PTR_ERR(fault);
	iommufd_eventq_init(&fault->common, ucmd->ictx);
	mutex_init(&fault->mutex);
	xa_init_flags(&fault->response, XA_FLAGS_ALLOC1);

	cmd->out_fault_id = fault->common.obj.id;
	rc = iommufd_eventq_install(&fault->common, ucmd, sizeof(*cmd),
				    "[iommufd-pgfault]", &iommufd_fault_fops,
				    O_RDWR, &cmd->out_fault_fd);
	if (rc)
		iommufd_object_abort_and_destroy(ucmd->ictx,
						 &fault->common.obj);
	return rc;
}

/**
 * iommufd_fault_show() - a fault queue's line in the debugfs view (stat/)
 * @m: where it goes
 * @obj: the fault object
 *
 * Pending: fault groups not yet read; unanswered: read, and waiting for
 * user space's response.
 *
 * Context: under ictx->show_rwsem for read (iommufd_ctx_show()).
 */
void iommufd_fault_show(struct seq_file *m, struct iommufd_object *obj)
{
	struct iommufd_fault *fault =
		container_of(obj, struct iommufd_fault, common.obj);
	unsigned int pending, unanswered = 0;
	unsigned long index;
	void *entry;

	spin_lock(&fault->common.lock);
	pending = list_count_nodes(&fault->common.deliver);
	spin_unlock(&fault->common.lock);
	/* Only counted, never followed: RCU is enough. */
	xa_for_each(&fault->response, index, entry)
		unanswered++;
	seq_printf(m, "fault id=%u pending=%u unanswered=%u\n", obj->id,
		   pending, unanswered);
}
