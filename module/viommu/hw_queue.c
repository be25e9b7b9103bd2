// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hardware queues of a vIOMMU (IOMMU_HW_QUEUE_ALLOC): a queue the guest
 * keeps in its own memory, such as a command queue, that the physical
 * IOMMU reads directly by physical address instead of the VMM trapping
 * and replaying each command.
 *
 * The queue's memory is named by its IOVA in the vIOMMU's nesting parent
 * (a guest physical address).  Since the IOMMU reads it by physical
 * address, behind every page table, the pages must be physically
 * contiguous, and they stay pinned with a locked pin (ioas/): while the
 * queue exists, unmapping its IOVA fails with EBUSY, so the memory cannot
 * be reused under the hardware.  The driver may make one queue depend on
 * another (iommufd_hw_queue_depend()), which then cannot be destroyed
 * first.
 */
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_ext.h>

#include "../iommufd_private.h"
#include "../hwpt/hwpt.h"
#include "../ioas/ioas.h"
#include "viommu.h"

static struct io_pagetable *iommufd_hw_queue_iopt(struct iommufd_hw_queue *q)
{
	return &q->viommu->hwpt->ioas->iopt;
}

/*
 * Pin the whole pages under the queue, with a locked pin, and find its
 * physical address; -EFAULT unless the pages are contiguous.
 */
static int iommufd_hw_queue_pin(struct iommufd_hw_queue *q, u64 last,
				phys_addr_t *base_pa)
{
	unsigned long first = ALIGN_DOWN(q->base_iova, PAGE_SIZE);
	unsigned long pin_last = last | (PAGE_SIZE - 1);
	unsigned long npages, i;
	struct page **pages;
	int rc;

	npages = (pin_last - first + 1) / PAGE_SIZE;
	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL | __GFP_NOWARN);
	if (!pages)
		return -ENOMEM;
	rc = iopt_lock_pin(iommufd_hw_queue_iopt(q), first, pin_last, pages);
	if (rc)
		goto out_free;
	for (i = 1; i < npages; i++) {
		if (page_to_pfn(pages[i]) != page_to_pfn(pages[0]) + i) {
			iopt_lock_unpin(iommufd_hw_queue_iopt(q), first,
					pin_last);
			rc = -EFAULT;
			goto out_free;
		}
	}
	q->pin_first = first;
	q->pin_last = pin_last;
	*base_pa = page_to_phys(pages[0]) + offset_in_page(q->base_iova);
out_free:
	kvfree(pages);
	return rc;
}

/**
 * iommufd_hw_queue_destroy() - destroy callback of a hardware queue
 * @obj: the object; nothing uses it any more
 *
 * Also undoes a half-made queue: each step is undone only if it was done.
 *
 * Context: process context, may sleep.
 */
void iommufd_hw_queue_destroy(struct iommufd_object *obj)
{
	struct iommufd_hw_queue *q =
		container_of(obj, struct iommufd_hw_queue, obj);

	if (!q->viommu)
		return;
	if (q->initialized && q->viommu->ops->hw_queue_destroy)
		q->viommu->ops->hw_queue_destroy(q);
	if (q->pin_last)
		iopt_lock_unpin(iommufd_hw_queue_iopt(q), q->pin_first,
				q->pin_last);
	refcount_dec(&q->viommu->obj.users);
}

/**
 * iommufd_hw_queue_alloc_ioctl() - IOMMU_HW_QUEUE_ALLOC
 * @ucmd: the command; struct iommu_hw_queue_alloc
 *
 * Context: process context, may sleep.
 * Return: 0 with out_hw_queue_id set; -EOPNOTSUPP for flags, the default
 * type or a type the vIOMMU does not offer; -EINVAL for a zero length;
 * -EOVERFLOW for a range past the end of the IOVA space; -ENOENT for an
 * unknown vIOMMU or a range not wholly mapped in its nesting parent;
 * -EFAULT for memory that is not physically contiguous; -ENOMEM over
 * RLIMIT_MEMLOCK; the driver's errors.
 */
int iommufd_hw_queue_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_queue_alloc *cmd = ucmd->cmd;
	struct iommufd_viommu *viommu;
	struct iommufd_hw_queue *q;
	struct iommufd_object *obj;
	phys_addr_t base_pa;
	u64 last;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->nesting_parent_iova, cmd->length - 1,
			       &last))
		return -EOVERFLOW;

	obj = iommufd_get_object(ucmd->ictx, cmd->viommu_id,
				 IOMMUFD_OBJ_VIOMMU);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	viommu = container_of(obj, struct iommufd_viommu, obj);
	if (!viommu->ops->hw_queue_supports || !viommu->ops->hw_queue_init ||
	    !viommu->ops->hw_queue_supports(viommu, cmd->type)) {
		rc = -EOPNOTSUPP;
		goto out_put;
	}

	q = iommufd_object_alloc(ucmd->ictx, struct iommufd_hw_queue,
				 IOMMUFD_OBJ_HW_QUEUE);
	if (IS_ERR(q)) {
		rc = PTR_ERR(q);
		goto out_put;
	}
	q->viommu = viommu;
	refcount_inc(&viommu->obj.users);
	q->type = cmd->type;
	q->index = cmd->index;
	q->base_iova = cmd->nesting_parent_iova;
	q->length = cmd->length;

	rc = iommufd_hw_queue_pin(q, last, &base_pa);
	if (rc)
		goto out_abort;
	rc = viommu->ops->hw_queue_init(q, base_pa);
	if (rc)
		goto out_abort;
	q->initialized = true;
	cmd->out_hw_queue_id = q->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ucmd->ictx, &q->obj);
	goto out_put;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &q->obj);
out_put:
	iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}

/**
 * iommufd_hw_queue_depend() - make @hw_queue depend on @on
 * @hw_queue: a queue being set up (in the driver's @hw_queue_init)
 * @on: a queue of the same vIOMMU
 *
 * Until iommufd_hw_queue_undepend(), @on is a user of @hw_queue's making:
 * IOMMU_DESTROY of @on fails with EBUSY.
 *
 * Context: any.
 * Return: 0, or -EINVAL for queues of different vIOMMUs.
 */
int iommufd_hw_queue_depend(struct iommufd_hw_queue *hw_queue,
			    struct iommufd_hw_queue *on)
{
	if (hw_queue->viommu != on->viommu)
		return -EINVAL;
	refcount_inc(&on->obj.users);
	return 0;
}

/**
 * iommufd_hw_queue_undepend() - undo iommufd_hw_queue_depend()
 * @hw_queue: the dependent queue (in the driver's @hw_queue_destroy)
 * @on: the queue it depended on
 *
 * Context: any.
 */
void iommufd_hw_queue_undepend(struct iommufd_hw_queue *hw_queue,
			       struct iommufd_hw_queue *on)
{
	iommufd_put_object(hw_queue->viommu->ictx, &on->obj);
}

/**
 * iommufd_hw_queue_show() - a HW queue's line in the debugfs view (stat/)
 * @m: where it goes
 * @obj: the queue's object
 *
 * Context: under ictx->show_rwsem for read (iommufd_ctx_show()).
 */
void iommufd_hw_queue_show(struct seq_file *m, struct iommufd_object *obj)
{
	struct iommufd_hw_queue *q =
		container_of(obj, struct iommufd_hw_queue, obj);

	seq_printf(m, "hw_queue id=%u viommu=%u type=%u index=%u iova=0x%llx length=%llu\n",
		   obj->id, q->viommu->obj.id, q->type, q->index, q->base_iova,
		   q->length);
}
