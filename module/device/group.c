// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device groups: an iommu_group as one iommufd context sees it.  DMA
 * isolation is per group, so a group is attached as a whole; one struct
 * iommufd_group per group per context, shared by the group's bound
 * devices and found again by the group's id.  Fault delivery (fault/)
 * names and checks the faulting device here, under the group's
 * devices_lock, and depends on nothing else of device/.
 */
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/kref.h>
#include <linux/slab.h>

#include "../iommufd_private.h"
#include "device_priv.h"

static void iommufd_group_release(struct kref *kref)
{
	struct iommufd_group *igroup =
		container_of(kref, struct iommufd_group, users);

	WARN_ON(igroup->hwpt || igroup->attached);
	xa_cmpxchg(&igroup->ictx->groups, iommu_group_id(igroup->group),
		   igroup, NULL, GFP_KERNEL);
	iommu_group_put(igroup->group);
	mutex_destroy(&igroup->lock);
	kfree(igroup);
}

/**
 * iommufd_group_put() - let go of a group taken with iommufd_group_get()
 * @igroup: the group; freed, and forgotten by its context, with the last
 *	user
 *
 * Context: process context, may sleep.
 */
void iommufd_group_put(struct iommufd_group *igroup)
{
	kref_put(&igroup->users, iommufd_group_release);
}

/**
 * iommufd_group_get() - the context's view of @dev's group, made on first use
 * @ictx: the context
 * @dev: a device with an IOMMU group
 *
 * Context: process context, may sleep.
 * Return: the group with a user taken for the caller, or ERR_PTR():
 * -ENODEV without an IOMMU group, -ENOMEM.
 */
struct iommufd_group *iommufd_group_get(struct iommufd_ctx *ictx,
					struct device *dev)
{
	struct iommufd_group *igroup, *cur;
	struct iommu_group *group;
	unsigned int id;
	int rc;

	group = iommu_group_get(dev);
	if (!group)
		return ERR_PTR(-ENODEV);
	id = iommu_group_id(group);

	igroup = kzalloc(sizeof(*igroup), GFP_KERNEL);
	/* A slot to store into under the lock without allocating. */
	rc = igroup ? xa_reserve(&ictx->groups, id, GFP_KERNEL) : -ENOMEM;
	if (rc) {
		kfree(igroup);
		iommu_group_put(group);
		return ERR_PTR(rc);
	}
	kref_init(&igroup->users);
	mutex_init(&igroup->lock);
	spin_lock_init(&igroup->devices_lock);
	INIT_LIST_HEAD(&igroup->devices);
	igroup->ictx = ictx;
	igroup->group = group;

	xa_lock(&ictx->groups);
	cur = xa_load(&ictx->groups, id);
	if (cur && kref_get_unless_zero(&cur->users)) {
		xa_unlock(&ictx->groups);
		mutex_destroy(&igroup->lock);
		kfree(igroup);
		iommu_group_put(group);
		return cur;
	}
	/* Empty, or a dying entry, whose release will find it replaced. */
	__xa_store(&ictx->groups, id, igroup, GFP_ATOMIC);
	xa_unlock(&ictx->groups);
	return igroup;
}

/**
 * iommufd_ctx_has_group() - is a device of @group bound to @ictx?
 * @ictx: the context
 * @group: the iommu group
 *
 * Return: true if any device of the group is bound to the context.
 */
bool iommufd_ctx_has_group(struct iommufd_ctx *ictx, struct iommu_group *group)
{
	struct iommufd_group *igroup;
	bool found;

	if (!ictx || !group)
		return false;
	xa_lock(&ictx->groups);
	igroup = xa_load(&ictx->groups, iommu_group_id(group));
	found = igroup && igroup->group == group &&
		kref_read(&igroup->users);
	xa_unlock(&ictx->groups);
	return found;
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_has_group, IOMMUFD);

/* The bound device of @igroup that is @dev, or NULL; devices_lock held. */
static struct iommufd_device *iommufd_group_find_dev(struct iommufd_group *igroup,
						     struct device *dev)
{
	struct iommufd_device *idev;

	lockdep_assert_held(&igroup->devices_lock);

	list_for_each_entry(idev, &igroup->devices, group_item)
		if (idev->dev == dev)
			return idev;
	return NULL;
}

/**
 * iommufd_group_dev_id() - the object id of a bound device of a group
 * @igroup: the group
 * @dev: a device of it
 *
 * Context: any; takes @igroup->devices_lock.
 * Return: the id, or 0 if @dev is not bound.
 */
u32 iommufd_group_dev_id(struct iommufd_group *igroup, struct device *dev)
{
	struct iommufd_device *idev;
	u32 id;

	spin_lock(&igroup->devices_lock);
	idev = iommufd_group_find_dev(igroup, dev);
	id = idev ? idev->obj.id : 0;
	spin_unlock(&igroup->devices_lock);
	return id;
}

/**
 * iommufd_group_dev_takes_faults() - may a page request of @dev be queued?
 * @igroup: the group whose attach handle it came through
 * @dev: a device of it
 *
 * Context: any; takes @igroup->devices_lock.
 * Return: false if @dev is not bound or its faults are going off.
 */
bool iommufd_group_dev_takes_faults(struct iommufd_group *igroup,
				    struct device *dev)
{
	struct iommufd_device *idev;
	bool takes;

	spin_lock(&igroup->devices_lock);
	idev = iommufd_group_find_dev(igroup, dev);
	takes = idev && !idev->iopf_closing;
	spin_unlock(&igroup->devices_lock);
	return takes;
}
