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
 * A mock domain is an xarray indexed by IOVA / MOCK_IO_PAGE_SIZE (half a
 * CPU page, so IOVA granularity finer than PAGE_SIZE is exercised) whose
 * entries hold the physical address and marks for the first and last
 * IOVA of each map call: an unmap that starts or ends inside one map call
 * means the caller split a mapping, and warns.  Domains allocated for
 * dirty tracking keep a dirty mark per entry, which IOMMU_TEST_OP_DIRTY
 * sets (the "device" wrote) and read_and_clear_dirty() reports, a huge
 * IOVA page as a whole.
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

#define MOCK_IO_PAGE_SIZE (PAGE_SIZE / 2)
#define MOCK_HUGE_PAGE_SIZE (512 * MOCK_IO_PAGE_SIZE)

/* Entry = physical address / MOCK_IO_PAGE_SIZE, plus these marks. */
#define MOCK_ENT_FIRST BIT(58)
#define MOCK_ENT_LAST BIT(59)
#define MOCK_ENT_HUGE BIT(60)	/* mapped as part of a MOCK_HUGE_PAGE_SIZE */
#define MOCK_ENT_DIRTY BIT(61)
#define MOCK_ENT_ADDR (MOCK_ENT_FIRST - 1)

static struct fwnode_handle mock_fwnode;
static const struct fwnode_operations mock_fwnode_ops = {};
static struct iommu_device mock_iommu;
static struct iopf_queue *mock_iopf_queue;

static struct mock_domain *to_mock_domain(struct iommu_domain *domain)
{
	return container_of(domain, struct mock_domain, domain);
}

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

/* The core sets @domain at @pasid of @dev; remember it. */
static int mock_set_dev_pasid(struct iommu_domain *domain, struct device *dev,
			      ioasid_t pasid, struct iommu_domain *old)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	if (iommufd_should_fail())
		return -ENOMEM;
	mock_drain_iopf(dev);
	return xa_err(xa_store(&mdev->pasids, pasid, domain, GFP_KERNEL));
}

static void mock_remove_dev_pasid(struct device *dev, ioasid_t pasid,
				  struct iommu_domain *domain)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	mock_drain_iopf(dev);
	WARN_ON(xa_erase(&mdev->pasids, pasid) != domain);
}

static const struct iommu_domain_ops mock_blocking_ops = {
	.attach_dev = mock_attach_nop,
};

static struct iommu_domain mock_blocking_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &mock_blocking_ops,
};

static int mock_map_pages(struct iommu_domain *domain, unsigned long iova,
			  phys_addr_t paddr, size_t pgsize, size_t pgcount,
			  int prot, gfp_t gfp, size_t *mapped)
{
	struct mock_domain *mock = to_mock_domain(domain);
	unsigned long first = iova, n = pgsize * pgcount / MOCK_IO_PAGE_SIZE;
	unsigned long i;

	if (WARN_ON(iova % MOCK_IO_PAGE_SIZE || pgsize % MOCK_IO_PAGE_SIZE))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned long ent = paddr / MOCK_IO_PAGE_SIZE + i;
		void *old;

		if (i == 0)
			ent |= MOCK_ENT_FIRST;
		if (i == n - 1)
			ent |= MOCK_ENT_LAST;
		if (pgsize != MOCK_IO_PAGE_SIZE)
			ent |= MOCK_ENT_HUGE;
		old = xa_store(&mock->ptes, iova / MOCK_IO_PAGE_SIZE,
			       xa_mk_value(ent), gfp);
		if (xa_is_err(old)) {
			for (; first != iova; first += MOCK_IO_PAGE_SIZE)
				xa_erase(&mock->ptes, first / MOCK_IO_PAGE_SIZE);
			return xa_err(old);
		}
		WARN_ON(old);	/* mapped over a mapping */
		iova += MOCK_IO_PAGE_SIZE;
		*mapped += MOCK_IO_PAGE_SIZE;
	}
	return 0;
}

static size_t mock_unmap_pages(struct iommu_domain *domain, unsigned long iova,
			       size_t pgsize, size_t pgcount,
			       struct iommu_iotlb_gather *gather)
{
	struct mock_domain *mock = to_mock_domain(domain);
	unsigned long n = pgsize * pgcount / MOCK_IO_PAGE_SIZE, i;
	bool huge = domain->pgsize_bitmap & MOCK_HUGE_PAGE_SIZE;

	for (i = 0; i < n; i++, iova += MOCK_IO_PAGE_SIZE) {
		void *ent = xa_erase(&mock->ptes, iova / MOCK_IO_PAGE_SIZE);

		/*
		 * Unmaps cover whole map calls.  (With huge IOVA pages the
		 * core splits differently and the marks say nothing.)
		 */
		if (!ent || huge)
			continue;
		if (i == 0)
			WARN_ON(!(xa_to_value(ent) & MOCK_ENT_FIRST));
		if (i == n - 1)
			WARN_ON(!(xa_to_value(ent) & MOCK_ENT_LAST));
	}
	return n * MOCK_IO_PAGE_SIZE;
}

static phys_addr_t mock_iova_to_phys(struct iommu_domain *domain,
				     dma_addr_t iova)
{
	struct mock_domain *mock = to_mock_domain(domain);
	void *ent = xa_load(&mock->ptes, iova / MOCK_IO_PAGE_SIZE);

	if (!ent)
		return 0;
	return (xa_to_value(ent) & MOCK_ENT_ADDR) * MOCK_IO_PAGE_SIZE +
	       iova % MOCK_IO_PAGE_SIZE;
}

static void mock_domain_free(struct iommu_domain *domain)
{
	struct mock_domain *mock = to_mock_domain(domain);

	WARN_ON(!xa_empty(&mock->ptes));
	xa_destroy(&mock->ptes);
	kfree(mock);
}

const struct iommu_domain_ops mock_domain_ops = {
	.attach_dev = mock_attach_paging,
	.set_dev_pasid = mock_set_dev_pasid,
	.map_pages = mock_map_pages,
	.unmap_pages = mock_unmap_pages,
	.iova_to_phys = mock_iova_to_phys,
	.free = mock_domain_free,
};

static struct iommu_domain *mock_domain_alloc_paging(struct device *dev)
{
	struct mock_domain *mock;

	mock = kzalloc(sizeof(*mock), GFP_KERNEL);
	if (!mock)
		return NULL;
	mock->domain.type = IOMMU_DOMAIN_UNMANAGED;
	mock->domain.ops = &mock_domain_ops;
	mock->domain.geometry.aperture_start = MOCK_APERTURE_START;
	mock->domain.geometry.aperture_end = MOCK_APERTURE_LAST;
	mock->domain.pgsize_bitmap = MOCK_IO_PAGE_SIZE;
	if (dev && (mock_dev_flags(dev) & MOCK_FLAGS_DEVICE_HUGE_IOVA))
		mock->domain.pgsize_bitmap |= MOCK_HUGE_PAGE_SIZE;
	xa_init(&mock->ptes);
	return &mock->domain;
}

static int mock_set_dirty_tracking(struct iommu_domain *domain, bool enable)
{
	if (iommufd_should_fail())
		return -ENOMEM;
	to_mock_domain(domain)->dirty_tracking = enable;
	return 0;
}

/* Test and (unless @keep) clear the dirty marks of [iova, iova + size). */
static bool mock_test_clear_dirty(struct mock_domain *mock, unsigned long iova,
				  unsigned long size, bool keep)
{
	bool dirty = false;
	unsigned long i;

	for (i = 0; i < size / MOCK_IO_PAGE_SIZE; i++) {
		unsigned long index = iova / MOCK_IO_PAGE_SIZE + i;
		void *ent = xa_load(&mock->ptes, index);

		if (!ent || !(xa_to_value(ent) & MOCK_ENT_DIRTY))
			continue;
		dirty = true;
		if (!keep)
			xa_store(&mock->ptes, index,
				 xa_mk_value(xa_to_value(ent) & ~MOCK_ENT_DIRTY),
				 GFP_KERNEL);
	}
	return dirty;
}

static int mock_read_and_clear_dirty(struct iommu_domain *domain,
				     unsigned long iova, size_t size,
				     unsigned long flags,
				     struct iommu_dirty_bitmap *dirty)
{
	struct mock_domain *mock = to_mock_domain(domain);
	unsigned long end = iova + size;

	if (iommufd_should_fail())
		return -EIO;
	/* Reading needs tracking on; clearing (no bitmap) does not. */
	if (!mock->dirty_tracking && dirty->bitmap)
		return -EINVAL;
	while (iova < end) {
		void *ent = xa_load(&mock->ptes, iova / MOCK_IO_PAGE_SIZE);
		unsigned long unit = MOCK_IO_PAGE_SIZE, head;

		if (ent && (xa_to_value(ent) & MOCK_ENT_HUGE))
			unit = MOCK_HUGE_PAGE_SIZE;
		head = iova & ~(unit - 1);
		if (ent && mock_test_clear_dirty(mock, head, unit,
						 flags & IOMMU_DIRTY_NO_CLEAR))
			iommu_dirty_bitmap_record(dirty, head, unit);
		iova = head + unit;
	}
	return 0;
}

static const struct iommu_dirty_ops mock_dirty_ops = {
	.set_dirty_tracking = mock_set_dirty_tracking,
	.read_and_clear_dirty = mock_read_and_clear_dirty,
};

/**
 * iommufd_mock_mark_dirty() - the "device" writes: mark pages dirty
 * @domain: a mock domain with dirty tracking on
 * @iova: start, page_size aligned
 * @length: bytes, a multiple of page_size
 * @page_size: bytes per bit of @bits
 * @bits: one bit per page; set bits are marked
 * @count: out: mapped pages marked
 *
 * Context: process context.
 * Return: 0, or -EINVAL with tracking off.
 */
int iommufd_mock_mark_dirty(struct iommu_domain *domain, unsigned long iova,
			    unsigned long length, unsigned long page_size,
			    const unsigned long *bits, unsigned long *count)
{
	struct mock_domain *mock = to_mock_domain(domain);
	unsigned long i;

	if (!mock->dirty_tracking)
		return -EINVAL;
	*count = 0;
	for (i = 0; i < length / page_size; i++) {
		unsigned long index = (iova + i * page_size) / MOCK_IO_PAGE_SIZE;
		void *ent;

		if (!test_bit(i, bits))
			continue;
		ent = xa_load(&mock->ptes, index);
		if (!ent)
			continue;
		xa_store(&mock->ptes, index,
			 xa_mk_value(xa_to_value(ent) | MOCK_ENT_DIRTY),
			 GFP_KERNEL);
		(*count)++;
	}
	return 0;
}

static void mock_nested_free(struct iommu_domain *domain)
{
	kfree(to_mock_nested(domain));
}

/* Requests in order; stop at the first bad one, saying how many were done. */
static int mock_cache_invalidate_user(struct iommu_domain *domain,
				      struct iommu_user_data_array *array)
{
	struct mock_nested *nested = to_mock_nested(domain);
	struct iommu_hwpt_invalidate_selftest inv;
	u32 done;
	int rc = 0;

	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST) {
		array->entry_num = 0;
		return -EINVAL;
	}
	if (iommufd_should_fail()) {
		array->entry_num = 0;
		return -ENOMEM;
	}
	for (done = 0; done < array->entry_num; done++) {
		rc = iommu_copy_struct_from_user_array(&inv, array,
						       IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						       done, iotlb_id);
		if (rc)
			break;
		if (inv.flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (inv.iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX) {
			rc = -EINVAL;
			break;
		}
		spin_lock(&nested->lock);
		if (inv.flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
			memset(nested->iotlb, 0, sizeof(nested->iotlb));
		else
			nested->iotlb[inv.iotlb_id] = 0;
		spin_unlock(&nested->lock);
	}
	array->entry_num = done;
	return rc;
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

	if (iommufd_should_fail())
		return ERR_PTR(-ENOMEM);
	if (parent) {
		if (flags || !user_data)
			return ERR_PTR(-EOPNOTSUPP);
		return mock_nested_alloc(parent, user_data);
	}
	if (user_data)
		return ERR_PTR(-EOPNOTSUPP);
	if (flags & ~(IOMMU_HWPT_ALLOC_NEST_PARENT |
		      IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return ERR_PTR(-EOPNOTSUPP);
	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    (mock_dev_flags(dev) & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return ERR_PTR(-EOPNOTSUPP);
	domain = mock_domain_alloc_paging(dev);
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
 * iommufd_mock_report_iopf() - a mock device sends a page request
 * @dev: a mock device
 * @pasid: the PASID, or IOMMU_NO_PASID for none
 * @grpid: the page request group
 * @perm: IOMMU_FAULT_PERM_* access wanted
 * @addr: the faulting address
 * @last: the last request of its group (the group is then handled)
 *
 * Context: process context, may sleep.
 * Return: what iommu_report_device_fault() returns; the fault is answered
 * (counted by iommufd_mock_iopf_responses()) when it cannot be handled.
 */
int iommufd_mock_report_iopf(struct device *dev, u32 pasid, u32 grpid,
			     u32 perm, u64 addr, bool last)
{
	struct mock_dev *mdev = to_mock_dev(dev);
	struct iopf_fault event = {
		.fault = {
			.type = IOMMU_FAULT_PAGE_REQ,
			.prm = {
				.pasid = pasid,
				.grpid = grpid,
				.perm = perm,
				.addr = addr,
			},
		},
	};
	int rc;

	if (last)
		event.fault.prm.flags |= IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	if (pasid != IOMMU_NO_PASID)
		event.fault.prm.flags |= IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
	down_read(&mdev->iopf_rwsem);
	rc = iommu_report_device_fault(dev, &event);
	up_read(&mdev->iopf_rwsem);
	return rc;
}

/**
 * iommufd_mock_iopf_responses() - page responses a mock device received
 * @dev: a mock device
 * @counts: out: IOMMU_TEST_IOPF_RESP_CODES counts, by response code
 */
void iommufd_mock_iopf_responses(struct device *dev, u32 *counts)
{
	struct mock_dev *mdev = to_mock_dev(dev);
	int i;

	for (i = 0; i < IOMMU_TEST_IOPF_RESP_CODES; i++)
		counts[i] = atomic_read(&mdev->responses[i]);
}

/**
 * iommufd_mock_pasid_domain() - the domain set at a PASID of a mock device
 * @dev: a mock device
 * @pasid: the PASID
 *
 * Return: the domain, or NULL if none is set there.
 */
struct iommu_domain *iommufd_mock_pasid_domain(struct device *dev,
					       u32 pasid)
{
	return xa_load(&to_mock_dev(dev)->pasids, pasid);
}

/**
 * iommufd_mock_is_dev() - is @dev a mock device?
 * @dev: any device
 *
 * Return: true if the mock IOMMU translates for @dev.
 */
bool iommufd_mock_is_dev(struct device *dev)
{
	struct iommu_fwspec *fwspec = dev_iommu_fwspec_get(dev);

	return fwspec && fwspec->iommu_fwnode == &mock_fwnode;
}

/**
 * iommufd_mock_check_map() - does @domain map [@iova, +@length) to the
 *	memory at @uptr?
 * @domain: a mock domain
 * @iova: start, MOCK_IO_PAGE_SIZE aligned
 * @length: bytes, a multiple of MOCK_IO_PAGE_SIZE
 * @uptr: user address of the memory it should map, same alignment
 *
 * Context: process context, may fault.
 * Return: 0; -EINVAL for a misaligned request or a wrong or missing
 * translation; the errors of looking up the user page.
 */
int iommufd_mock_check_map(struct iommu_domain *domain, unsigned long iova,
			   unsigned long length, void __user *uptr)
{
	struct mock_domain *mock = to_mock_domain(domain);

	if (iova % MOCK_IO_PAGE_SIZE || length % MOCK_IO_PAGE_SIZE ||
	    (unsigned long)uptr % MOCK_IO_PAGE_SIZE)
		return -EINVAL;
	for (; length; length -= MOCK_IO_PAGE_SIZE) {
		unsigned long uaddr = (unsigned long)uptr;
		struct page *page;
		phys_addr_t want;
		void *ent;
		long got;

		got = get_user_pages_fast(uaddr & PAGE_MASK, 1, 0, &page);
		if (got < 0)
			return got;
		if (got != 1)
			return -EFAULT;
		want = page_to_phys(page) + offset_in_page(uaddr);
		put_page(page);
		ent = xa_load(&mock->ptes, iova / MOCK_IO_PAGE_SIZE);
		if (!ent)
			return -EINVAL;
		if (want != (xa_to_value(ent) & MOCK_ENT_ADDR) * MOCK_IO_PAGE_SIZE)
			return -EINVAL;
		iova += MOCK_IO_PAGE_SIZE;
		uptr += MOCK_IO_PAGE_SIZE;
	}
	return 0;
}

/*
 * Point @dev, not yet added, at the mock IOMMU.  iommu_fwspec_init() would
 * do it, but wants iommu_probe_device_lock held, which Debian's kernel
 * does not export (firmware code calls it under that lock).  A device not
 * yet added cannot race with its own probe, so build the same per-device
 * data directly; the core frees it when the device is removed.
 */
static int mock_dev_set_fwspec(struct device *dev)
{
	struct iommu_fwspec *fwspec;
	struct dev_iommu *param;

	param = kzalloc(sizeof(*param), GFP_KERNEL);
	fwspec = kzalloc(struct_size(fwspec, ids, 1), GFP_KERNEL);
	if (!param || !fwspec) {
		kfree(param);
		kfree(fwspec);
		return -ENOMEM;
	}
	mutex_init(&param->lock);
	fwspec->iommu_fwnode = fwnode_handle_get(&mock_fwnode);
	param->fwspec = fwspec;
	dev->iommu = param;
	return 0;
}

/* Undo mock_dev_set_fwspec() for a device that was never added. */
static void mock_dev_free_fwspec(struct device *dev)
{
	struct dev_iommu *param = dev->iommu;

	if (!param)
		return;
	dev->iommu = NULL;
	fwnode_handle_put(param->fwspec->iommu_fwnode);
	kfree(param->fwspec);
	mutex_destroy(&param->lock);
	kfree(param);
}

/**
 * iommufd_mock_dev_create() - add a mock device behind the mock IOMMU
 * @flags: MOCK_FLAGS_DEVICE_*
 *
 * Context: process context, may sleep.
 * Return: the device, probed by the IOMMU core into a group of its own, or
 * an ERR_PTR().
 */
struct device *iommufd_mock_dev_create(u32 flags)
{
	const struct property_entry pasid_props[] = {
		PROPERTY_ENTRY_U32("pasid-num-bits", MOCK_PASID_WIDTH),
		{}
	};
	struct platform_device *pdev;
	int rc;

	if (flags & ~(MOCK_FLAGS_DEVICE_NO_DIRTY | MOCK_FLAGS_DEVICE_HUGE_IOVA |
		      MOCK_FLAGS_DEVICE_PASID |
		      MOCK_FLAGS_DEVICE_SHARED_GROUP |
		      MOCK_FLAGS_DEVICE_IOPF_LAST_WORD))
		return ERR_PTR(-EINVAL);

	pdev = platform_device_alloc("iommufd-mock", PLATFORM_DEVID_AUTO);
	if (!pdev)
		return ERR_PTR(-ENOMEM);
	/*
	 * Nothing suspends a mock device or listens for its uevents: without
	 * its power/ attributes and uevents, making one costs some thirty
	 * fewer allocations, and fail-nth tests that make many run shorter.
	 */
	device_set_pm_not_required(&pdev->dev);
	dev_set_uevent_suppress(&pdev->dev, true);
	rc = platform_device_add_data(pdev, &flags, sizeof(flags));
	if (rc)
		goto err_put;
	if (flags & MOCK_FLAGS_DEVICE_PASID) {
		rc = device_create_managed_software_node(&pdev->dev,
							 pasid_props, NULL);
		if (rc)
			goto err_put;
	}
	/* Name the mock IOMMU before the bus notifier probes the device. */
	rc = mock_dev_set_fwspec(&pdev->dev);
	if (rc)
		goto err_put;
	rc = platform_device_add(pdev);
	if (rc) {
		mock_dev_free_fwspec(&pdev->dev);
		goto err_put;
	}
	if (!pdev->dev.iommu_group) {
		platform_device_unregister(pdev);
		return ERR_PTR(-ENODEV);
	}
	return &pdev->dev;

err_put:
	platform_device_put(pdev);
	return ERR_PTR(rc);
}

/**
 * iommufd_mock_dev_destroy() - remove a device of iommufd_mock_dev_create()
 * @dev: the device, no longer bound to iommufd
 *
 * Context: process context, may sleep.
 */
void iommufd_mock_dev_destroy(struct device *dev)
{
	platform_device_unregister(to_platform_device(dev));
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
