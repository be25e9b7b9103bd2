// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mock IOMMU on the stock kernel.
 *
 * Debian's kernel does not export the hook upstream's mock uses to hang an
 * IOMMU off a bus of its own, and an IOMMU registered without a firmware
 * node would lose to VT-d (the core hands devices without a fwspec to the
 * first such IOMMU).  So this one registers an iommu_device with a firmware
 * node of its own, and each mock device is a platform device whose fwspec
 * names that node before it is added: the core's platform-bus notifier
 * then probes it with these ops, beside VT-d, untouched by it.
 *
 * A mock paging domain's page table is mock_pgtable.c's; making mock devices
 * and their page requests, mock_dev.c's.
 *
 * A mock nested domain stands for a stage-1 table in user memory: all it
 * has is a small "IOTLB" of MOCK_NESTED_DOMAIN_IOTLB_NUM values, set from
 * the allocation data and zeroed by cache invalidation requests, which
 * IOMMU_TEST_OP_MD_CHECK_IOTLB reads back.
 *
 * Page requests: IOMMU_TEST_OP_TRIGGER_IOPF reports one through the IOMMU
 * core as a device's PRI would, holding the device's iopf_rwsem for
 * reading; every domain change takes it for writing, so a change returns
 * only once reports in flight are done (real drivers drain their page
 * request queues there).  Responses the core delivers to the "device" are
 * counted per response code.
 */
#include <linux/fwnode.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/platform_device.h>
#include <linux/rwsem.h>
#include <linux/property.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_test.h>

#include "../selftest/selftest.h"
#include "../viommu/viommu.h"
#include "mock_priv.h"

struct fwnode_handle mock_fwnode;
static const struct fwnode_operations mock_fwnode_ops = {};
static struct iommu_device mock_iommu;
static struct iopf_queue *mock_iopf_queue;

static u32 mock_dev_flags(struct device *dev)
{
	u32 *flags = dev_get_platdata(dev);

	return flags ? *flags : 0;
}

/*
 * @dev switches domains: wait for page requests being reported from it to
 * be handled, and note the vIOMMU (and the device's ID there) it is now
 * behind, if any.
 */
static void mock_dev_switch(struct device *dev, struct iommufd_viommu *viommu,
			    u64 virt_id)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	if (!mdev)	/* not probed yet */
		return;
	down_write(&mdev->iopf_rwsem);
	mdev->viommu = viommu;
	mdev->virt_id = virt_id;
	up_write(&mdev->iopf_rwsem);
}

/* Wait for reports in flight; what the device is attached to stays. */
static void mock_drain_iopf(struct device *dev)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	if (!mdev)	/* not probed yet */
		return;
	down_write(&mdev->iopf_rwsem);
	up_write(&mdev->iopf_rwsem);
}

static int mock_attach_nop(struct iommu_domain *domain, struct device *dev)
{
	mock_dev_switch(dev, NULL, 0);
	return 0;
}

/*
 * A nested domain on a vIOMMU serves only devices the vIOMMU knows, as a
 * guest can only name those.
 */
static int mock_attach_nested(struct iommu_domain *domain, struct device *dev)
{
	struct iommufd_viommu *viommu = to_mock_nested(domain)->viommu;
	u64 virt_id = 0;

	if (iommufd_should_fail())
		return -ENOMEM;
	if (viommu && iommufd_viommu_virt_id(viommu, dev, &virt_id))
		return -ENOENT;
	mock_dev_switch(dev, viommu, virt_id);
	return 0;
}

static int mock_attach_paging(struct iommu_domain *domain, struct device *dev)
{
	if (iommufd_should_fail())
		return -ENOMEM;
	/* A device without dirty tracking cannot join a tracking domain. */
	if (domain->dirty_ops &&
	    (mock_dev_flags(dev) & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return -EINVAL;
	mock_dev_switch(dev, NULL, 0);
	return 0;
}

/*
 * The core sets @domain at @pasid of @dev; remember it.
 *
 * At IOMMU_TEST_PASID_RESERVED a replace fails once.  The 6.12 core has
 * no PASID replace, so iommufd replaces by a remove and a set: a set there
 * right after a remove, of another domain than the one removed, is a
 * replace.  Putting the old one back then succeeds.
 */
static int mock_set_dev_pasid(struct iommu_domain *domain, struct device *dev,
			      ioasid_t pasid, struct iommu_domain *old)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	if (iommufd_should_fail())
		return -ENOMEM;
	if (pasid == IOMMU_TEST_PASID_RESERVED) {
		struct iommu_domain *removed = mdev->reserved_removed;

		mdev->reserved_removed = NULL;
		if (removed && removed != domain)
			return -ENOMEM;
	}
	/* As for the RID: no dirty tracking domain without dirty tracking. */
	if (domain->dirty_ops &&
	    (mock_dev_flags(dev) & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return -EINVAL;
	mock_drain_iopf(dev);
	return xa_err(xa_store(&mdev->pasids, pasid, domain, GFP_KERNEL));
}

static void mock_remove_dev_pasid(struct device *dev, ioasid_t pasid,
				  struct iommu_domain *domain)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	mock_drain_iopf(dev);
	WARN_ON(xa_erase(&mdev->pasids, pasid) != domain);
	if (pasid == IOMMU_TEST_PASID_RESERVED)
		mdev->reserved_removed = domain;
}

static const struct iommu_domain_ops mock_blocking_ops = {
	.attach_dev = mock_attach_nop,
};

static struct iommu_domain mock_blocking_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &mock_blocking_ops,
};

const struct iommu_domain_ops mock_domain_ops = {
	.attach_dev = mock_attach_paging,
	.set_dev_pasid = mock_set_dev_pasid,
	.map_pages = mock_map_pages,
	.unmap_pages = mock_unmap_pages,
	.iova_to_phys = mock_iova_to_phys,
	.free = mock_domain_free,
};

/*
 * A mock paging domain with MOCK_PAGE_SIZE pages and @sizes besides, and
 * MOCK_HUGE_PAGE_SIZE ones for a device made with 6.12's HUGE_IOVA flag.
 */
static struct iommu_domain *mock_domain_alloc_paging_sizes(struct device *dev,
							   unsigned long sizes)
{
	struct mock_domain *mock;

	mock = kzalloc(sizeof(*mock), GFP_KERNEL);
	if (!mock)
		return NULL;
	mock->domain.type = IOMMU_DOMAIN_UNMANAGED;
	mock->domain.ops = &mock_domain_ops;
	mock->domain.geometry.aperture_start = MOCK_APERTURE_START;
	mock->domain.geometry.aperture_end = MOCK_APERTURE_LAST;
	mock->domain.pgsize_bitmap = MOCK_IO_PAGE_SIZE | sizes;
	if (dev && (mock_dev_flags(dev) & MOCK_FLAGS_DEVICE_HUGE_IOVA))
		mock->domain.pgsize_bitmap |= MOCK_HUGE_PAGE_SIZE;
	xa_init(&mock->ptes);
	return &mock->domain;
}

static struct iommu_domain *mock_domain_alloc_paging(struct device *dev)
{
	return mock_domain_alloc_paging_sizes(dev, 0);
}

/*
 * The page sizes besides MOCK_PAGE_SIZE that user space asked for with
 * IOMMU_HWPT_DATA_SELFTEST data: the newer test ABI's table of several
 * page sizes, whose CPU-page mappings are one entry each (and so dirty as
 * a whole), with MOCK_HUGE_PAGE_SIZE ones too for MOCK_IOMMUPT_HUGE.
 */
static int mock_paging_data(const struct iommu_user_data *user_data,
			    unsigned long *sizes)
{
	struct iommu_hwpt_selftest data;
	int rc;

	*sizes = 0;
	if (!user_data)
		return 0;
	if (user_data->type != IOMMU_HWPT_DATA_SELFTEST)
		return -EOPNOTSUPP;
	rc = iommu_copy_struct_from_user(&data, user_data,
					 IOMMU_HWPT_DATA_SELFTEST, iotlb);
	if (rc)
		return rc;
	switch (data.pagetable_type) {
	case MOCK_IOMMUPT_DEFAULT:
		*sizes = PAGE_SIZE;
		return 0;
	case MOCK_IOMMUPT_HUGE:
		*sizes = PAGE_SIZE | MOCK_HUGE_PAGE_SIZE;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static void mock_nested_free(struct iommu_domain *domain)
{
	kfree(to_mock_nested(domain));
}

/**
 * mock_invalidate_each() - carry out an array of invalidation requests
 * @array: the requests; entry_num becomes how many were done
 * @type: the data type they must have
 * @entry: room for one request
 * @len: its size
 * @min_len: the size of its first version
 * @one: carries out one request; an errno refuses it and stops there
 * @ctx: for @one
 *
 * Return: 0, or the errno of the first refused request (-EINVAL for the
 * wrong type, -ENOMEM for an injected failure, with nothing done).
 */
int mock_invalidate_each(struct iommu_user_data_array *array, u32 type,
			 void *entry, size_t len, size_t min_len,
			 int (*one)(void *ctx, const void *entry), void *ctx)
{
	u32 done;
	int rc = 0;

	if (array->type != type) {
		array->entry_num = 0;
		return -EINVAL;
	}
	if (iommufd_should_fail()) {
		array->entry_num = 0;
		return -ENOMEM;
	}
	for (done = 0; done < array->entry_num; done++) {
		rc = __iommu_copy_struct_from_user_array(entry, array, type,
							 done, len, min_len);
		if (!rc)
			rc = one(ctx, entry);
		if (rc)
			break;
	}
	array->entry_num = done;
	return rc;
}

/* Zero one "IOTLB" entry of a nested domain, or all with FLAG_ALL. */
static int mock_nested_invalidate_one(void *ctx, const void *entry)
{
	const struct iommu_hwpt_invalidate_selftest *inv = entry;
	struct mock_nested *nested = ctx;

	if (inv->flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL)
		return -EOPNOTSUPP;
	if (inv->iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX)
		return -EINVAL;
	spin_lock(&nested->lock);
	if (inv->flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
		memset(nested->iotlb, 0, sizeof(nested->iotlb));
	else
		nested->iotlb[inv->iotlb_id] = 0;
	spin_unlock(&nested->lock);
	return 0;
}

static int mock_cache_invalidate_user(struct iommu_domain *domain,
				      struct iommu_user_data_array *array)
{
	struct iommu_hwpt_invalidate_selftest inv;

	return mock_invalidate_each(array, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				    &inv, sizeof(inv),
				    offsetofend(typeof(inv), iotlb_id),
				    mock_nested_invalidate_one,
				    to_mock_nested(domain));
}

const struct iommu_domain_ops mock_nested_ops = {
	.attach_dev = mock_attach_nested,
	.set_dev_pasid = mock_set_dev_pasid,
	.cache_invalidate_user = mock_cache_invalidate_user,
	.free = mock_nested_free,
};

/**
 * mock_nested_alloc() - a mock nested domain on @parent
 * @parent: a mock paging domain
 * @user_data: struct iommu_hwpt_selftest
 *
 * Return: the domain, or an ERR_PTR().
 */
struct iommu_domain *mock_nested_alloc(struct iommu_domain *parent,
				       const struct iommu_user_data *user_data)
{
	struct iommu_hwpt_selftest data;
	struct mock_nested *nested;
	int rc, i;

	if (parent->ops != &mock_domain_ops)
		return ERR_PTR(-EINVAL);
	if (user_data->type != IOMMU_HWPT_DATA_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);
	rc = iommu_copy_struct_from_user(&data, user_data,
					 IOMMU_HWPT_DATA_SELFTEST, iotlb);
	if (rc)
		return ERR_PTR(rc);

	nested = kzalloc(sizeof(*nested), GFP_KERNEL_ACCOUNT);
	if (!nested)
		return ERR_PTR(-ENOMEM);
	nested->domain.type = IOMMU_DOMAIN_NESTED;
	nested->domain.ops = &mock_nested_ops;
	nested->parent = to_mock_domain(parent);
	spin_lock_init(&nested->lock);
	for (i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		nested->iotlb[i] = data.iotlb;
	return &nested->domain;
}

static struct iommu_domain *
mock_domain_alloc_user(struct device *dev, u32 flags,
		       struct iommu_domain *parent,
		       const struct iommu_user_data *user_data)
{
	struct iommu_domain *domain;
	unsigned long sizes;
	int rc;

	if (iommufd_should_fail())
		return ERR_PTR(-ENOMEM);
	if (parent) {
		if (flags || !user_data)
			return ERR_PTR(-EOPNOTSUPP);
		return mock_nested_alloc(parent, user_data);
	}
	rc = mock_paging_data(user_data, &sizes);
	if (rc)
		return ERR_PTR(rc);
	if (flags & ~(IOMMU_HWPT_ALLOC_NEST_PARENT |
		      IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return ERR_PTR(-EOPNOTSUPP);
	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    (mock_dev_flags(dev) & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return ERR_PTR(-EOPNOTSUPP);
	domain = mock_domain_alloc_paging_sizes(dev, sizes);
	if (!domain)
		return ERR_PTR(-ENOMEM);
	if (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
		domain->dirty_ops = &mock_dirty_ops;
	return domain;
}

static bool mock_capable(struct device *dev, enum iommu_cap cap)
{
	switch (cap) {
	case IOMMU_CAP_CACHE_COHERENCY:
		return true;
	case IOMMU_CAP_DIRTY_TRACKING:
		return !(mock_dev_flags(dev) & MOCK_FLAGS_DEVICE_NO_DIRTY);
	default:
		return false;
	}
}

static void *mock_hw_info(struct device *dev, u32 *length, u32 *type)
{
	struct iommu_test_hw_info *info;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return ERR_PTR(-ENOMEM);
	info->test_reg = IOMMU_HW_INFO_SELFTEST_REGVAL;
	*length = sizeof(*info);
	*type = IOMMU_HW_INFO_TYPE_SELFTEST;
	return info;
}

static struct iommu_device *mock_probe_device(struct device *dev)
{
	struct mock_dev *mdev;
	int i;

	mdev = kzalloc(sizeof(*mdev), GFP_KERNEL);
	if (!mdev)
		return ERR_PTR(-ENOMEM);
	init_rwsem(&mdev->iopf_rwsem);
	xa_init(&mdev->pasids);
	for (i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		atomic_set(&mdev->cache[i], IOMMU_TEST_DEV_CACHE_DEFAULT);
	dev_iommu_priv_set(dev, mdev);
	return &mock_iommu;
}

/*
 * A MOCK_FLAGS_DEVICE_PASID device reports MOCK_PASID_WIDTH bits.  Set
 * here, after the core derived max_pasids from firmware properties, not
 * with a "pasid-num-bits" software node: the 6.12 kernel's software nodes
 * drop a reference they never took when linking one to its device fails
 * (software_node_notify()), which fault injection turns into a
 * use-after-free at the device's removal.
 */
static void mock_probe_finalize(struct device *dev)
{
	if (mock_dev_flags(dev) & MOCK_FLAGS_DEVICE_PASID)
		dev->iommu->max_pasids = 1U << MOCK_PASID_WIDTH;
}

static void mock_release_device(struct device *dev)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	/* The core frees dev->iommu, and the pointer, right after. */
	WARN_ON(!xa_empty(&mdev->pasids));
	xa_destroy(&mdev->pasids);
	kfree(mdev);
}

static int mock_dev_enable_feat(struct device *dev, enum iommu_dev_features f)
{
	if (f != IOMMU_DEV_FEAT_IOPF)
		return -EINVAL;
	if (iommufd_should_fail())
		return -ENOMEM;
	return iopf_queue_add_device(mock_iopf_queue, dev);
}

static int mock_dev_disable_feat(struct device *dev, enum iommu_dev_features f)
{
	if (f != IOMMU_DEV_FEAT_IOPF)
		return -EINVAL;
	if (mock_dev_flags(dev) & MOCK_FLAGS_DEVICE_IOPF_LAST_WORD)
		iommufd_mock_report_iopf(dev, IOMMU_NO_PASID, 0,
					 IOMMU_FAULT_PERM_READ,
					 MOCK_APERTURE_START, true);
	iopf_queue_remove_device(mock_iopf_queue, dev);
	return 0;
}

/*
 * The group of MOCK_FLAGS_DEVICE_SHARED_GROUP devices, made with the first
 * and kept (one reference here) until the module goes.
 */
static DEFINE_MUTEX(mock_shared_group_lock);
static struct iommu_group *mock_shared_group;

static struct iommu_group *mock_device_group(struct device *dev)
{
	struct iommu_group *group;

	if (!(mock_dev_flags(dev) & MOCK_FLAGS_DEVICE_SHARED_GROUP))
		return generic_device_group(dev);
	mutex_lock(&mock_shared_group_lock);
	if (!mock_shared_group) {
		group = iommu_group_alloc();
		if (IS_ERR(group))
			goto out_unlock;
		mock_shared_group = group;
	}
	group = iommu_group_ref_get(mock_shared_group);
out_unlock:
	mutex_unlock(&mock_shared_group_lock);
	return group;
}

/* The "device" receives a page response: count it by code. */
static void mock_page_response(struct device *dev, struct iopf_fault *evt,
			       struct iommu_page_response *msg)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	if (!WARN_ON(msg->code >= IOMMU_TEST_IOPF_RESP_CODES))
		atomic_inc(&mdev->responses[msg->code]);
}

const struct iommu_ops mock_ops = {
	.owner = THIS_MODULE,
	/* Devices start blocked; BLOCKED cannot be a def_domain_type(). */
	.default_domain = &mock_blocking_domain,
	.blocked_domain = &mock_blocking_domain,
	.pgsize_bitmap = MOCK_IO_PAGE_SIZE,
	.capable = mock_capable,
	.hw_info = mock_hw_info,
	.domain_alloc_paging = mock_domain_alloc_paging,
	.domain_alloc_user = mock_domain_alloc_user,
	.probe_device = mock_probe_device,
	.probe_finalize = mock_probe_finalize,
	.release_device = mock_release_device,
	.device_group = mock_device_group,
	.dev_enable_feat = mock_dev_enable_feat,
	.dev_disable_feat = mock_dev_disable_feat,
	.page_response = mock_page_response,
	.remove_dev_pasid = mock_remove_dev_pasid,
	/* A nested domain's stage-1 holds the PASID table: see find_fault_handler(). */
	.user_pasid_table = true,
	.default_domain_ops = &mock_domain_ops,
};

/**
 * iommufd_mock_is_domain() - is @domain one of the mock IOMMU's?
 * @domain: any domain
 *
 * Return: true for mock paging domains.
 */
bool iommufd_mock_is_domain(struct iommu_domain *domain)
{
	return domain->ops == &mock_domain_ops;
}

/**
 * iommufd_mock_check_iotlb() - compare one "IOTLB" entry of a nested domain
 * @domain: any domain
 * @index: the entry
 * @value: what it should hold
 *
 * Return: 0 if it does; -EINVAL if not, or for a bad @index or a domain
 * that is no mock nested domain.
 */
int iommufd_mock_check_iotlb(struct iommu_domain *domain, u32 index, u32 value)
{
	struct mock_nested *nested;
	int rc;

	if (domain->ops != &mock_nested_ops ||
	    index > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX)
		return -EINVAL;
	nested = to_mock_nested(domain);
	spin_lock(&nested->lock);
	rc = nested->iotlb[index] == value ? 0 : -EINVAL;
	spin_unlock(&nested->lock);
	return rc;
}

/**
 * iommufd_mock_init() - register the mock IOMMU with the IOMMU core
 *
 * Context: process context (module init).
 * Return: 0 or a negative errno.
 */
int iommufd_mock_init(void)
{
	int rc;

	mock_iopf_queue = iopf_queue_alloc("iommufd-mock-iopf");
	if (!mock_iopf_queue)
		return -ENOMEM;
	fwnode_init(&mock_fwnode, &mock_fwnode_ops);
	mock_iommu.fwnode = &mock_fwnode;
	mock_iommu.max_pasids = 1U << MOCK_PASID_WIDTH;
	/* The core links each probed device to the IOMMU's sysfs node. */
	rc = iommu_device_sysfs_add(&mock_iommu, NULL, NULL, "iommufd-mock");
	if (rc)
		goto err_free_queue;
	rc = iommu_device_register(&mock_iommu, &mock_ops, NULL);
	if (rc)
		goto err_sysfs;
	return 0;

err_sysfs:
	iommu_device_sysfs_remove(&mock_iommu);
err_free_queue:
	iopf_queue_free(mock_iopf_queue);
	return rc;
}

/**
 * iommufd_mock_exit() - unregister the mock IOMMU
 *
 * Every mock device must be gone.
 *
 * Context: process context (module exit).
 */
void iommufd_mock_exit(void)
{
	iommu_device_unregister(&mock_iommu);
	iommu_device_sysfs_remove(&mock_iommu);
	iopf_queue_free(mock_iopf_queue);
	if (mock_shared_group)
		iommu_group_put(mock_shared_group);
}
