// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_TEST_CMD, the test ABI of upstream's selftests: its dispatch and
 * the operations on IOASes, mock devices and their domains.  The in-kernel
 * access it drives (CREATE_ACCESS and the ACCESS_* operations) is
 * test_access.c's.  Test builds only.
 *
 *   ADD_RESERVED          reserve IOVA in an IOAS
 *   MD_CHECK_REFS         check how often each page of a user range is
 *                         pinned (leak checks after every upstream test)
 *   SET_TEMP_MEMORY_LIMIT shrink the pin batch buffer to reach the paths
 *                         that a full batch never takes
 */
#include <linux/file.h>
#include <linux/iommufd.h>
#include <linux/iommufd_ext.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd_test.h>

#include "../iommufd_private.h"
#include "../device/device.h"
#include "../hwpt/hwpt.h"
#include "../ioas/ioas.h"
#include "../mock/mock.h"
#include "selftest.h"
#include "test_cmd.h"

#define TEST_DEFAULT_BATCH_BYTES 65536

static unsigned long test_batch_bytes = TEST_DEFAULT_BATCH_BYTES;

/**
 * iommufd_test_pin_batch_limit() - pages one pin batch may hold
 * @npages: what the caller would use
 *
 * Return: @npages, or fewer while SET_TEMP_MEMORY_LIMIT is in force.
 */
unsigned long iommufd_test_pin_batch_limit(unsigned long npages)
{
	unsigned long limit = READ_ONCE(test_batch_bytes) / sizeof(void *);

	return clamp(limit, 1UL, npages);
}

static int test_add_reserved(struct iommufd_ucmd *ucmd, u32 ioas_id,
			     unsigned long start, unsigned long length)
{
	struct iommufd_ioas *ioas;
	unsigned long last;
	int rc;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(start, length - 1, &last))
		return -EOVERFLOW;
	ioas = iommufd_get_ioas(ucmd->ictx, ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = iopt_reserve(&ioas->iopt, start, last, NULL);
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

/*
 * Each page of [uptr, uptr + length) must be pinned exactly @refs times.
 * A pin adds GUP_PIN_COUNTING_BIAS to the refcount of an order-0 page;
 * compound pages keep pins elsewhere and are not checked.
 */
static int test_check_refs(void __user *uptr, unsigned long length,
			   unsigned int refs)
{
	unsigned long end;

	if (length % PAGE_SIZE || (unsigned long)uptr % PAGE_SIZE ||
	    check_add_overflow((unsigned long)uptr, length, &end))
		return -EINVAL;

	for (; length; length -= PAGE_SIZE, uptr += PAGE_SIZE) {
		struct page *page;
		bool ok = true;
		long got;

		got = get_user_pages_fast((unsigned long)uptr, 1, 0, &page);
		if (got < 0)
			return got;
		if (got != 1)
			return -EFAULT;
		if (!PageCompound(page))
			ok = page_ref_count(page) / GUP_PIN_COUNTING_BIAS == refs;
		put_page(page);
		if (!ok)
			return -EIO;
	}
	return 0;
}

/**
 * struct test_stdev - a mock device made by MOCK_DOMAIN, bound and attached
 * @obj: the object user space destroys to remove the device
 * @dev: the mock device
 * @idev: its binding
 */
struct test_stdev {
	struct iommufd_object obj;
	struct device *dev;
	struct iommufd_device *idev;
};

/**
 * iommufd_test_stdev_destroy() - destroy callback of a mock device object
 * @obj: the object
 *
 * Context: process context, may sleep.
 */
void iommufd_test_stdev_destroy(struct iommufd_object *obj)
{
	struct test_stdev *stdev = container_of(obj, struct test_stdev, obj);

	if (stdev->idev) {
		iommufd_device_detach_all_pasids(stdev->idev);
		if (stdev->idev->hwpt)
			iommufd_device_detach(stdev->idev);
		iommufd_device_unbind(stdev->idev);
	}
	if (stdev->dev)
		iommufd_mock_dev_destroy(stdev->dev);
}

/* MOCK_DOMAIN(_FLAGS): a new mock device, bound and attached to pt_id. */
static int test_mock_domain(struct iommufd_ucmd *ucmd, u32 pt_id,
			    u32 dev_flags)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct test_stdev *stdev;
	u32 idev_id;
	int rc;

	stdev = iommufd_object_alloc(ucmd->ictx, struct test_stdev,
				     IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(stdev))
		return PTR_ERR(stdev);
	stdev->dev = iommufd_mock_dev_create(dev_flags);
	if (IS_ERR(stdev->dev)) {
		rc = PTR_ERR(stdev->dev);
		stdev->dev = NULL;
		goto err_abort;
	}
	stdev->idev = iommufd_device_bind(ucmd->ictx, stdev->dev, &idev_id);
	if (IS_ERR(stdev->idev)) {
		rc = PTR_ERR(stdev->idev);
		stdev->idev = NULL;
		goto err_abort;
	}
	rc = iommufd_device_attach(stdev->idev, &pt_id);
	if (rc)
		goto err_abort;

	/* mock_domain and mock_domain_flags share these three fields. */
	cmd->mock_domain.out_stdev_id = stdev->obj.id;
	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_idev_id = idev_id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_abort;
	iommufd_object_finalize(ucmd->ictx, &stdev->obj);
	return 0;

err_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &stdev->obj);
	return rc;
}

/* MOCK_DOMAIN_REPLACE: move a mock device to another page table. */
static int test_mock_domain_replace(struct iommufd_ucmd *ucmd, u32 stdev_id,
				    u32 pt_id)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommufd_object *obj;
	struct test_stdev *stdev;
	int rc;

	obj = iommufd_get_object(ucmd->ictx, stdev_id, IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	stdev = container_of(obj, struct test_stdev, obj);
	rc = iommufd_device_replace(stdev->idev, &pt_id);
	if (!rc) {
		cmd->mock_domain_replace.pt_id = pt_id;
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	}
	iommufd_put_object(ucmd->ictx, obj);
	return rc;
}

/* MD_CHECK_MAP: does the mock HWPT map the IOVA range to that memory? */
static int test_md_check_map(struct iommufd_ucmd *ucmd, u32 hwpt_id,
			     unsigned long iova, unsigned long length,
			     void __user *uptr)
{
	struct iommu_domain *domain;
	struct iommufd_object *obj;
	int rc;

	obj = iommufd_get_object(ucmd->ictx, hwpt_id,
				 IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	domain = container_of(obj, struct iommufd_hw_pagetable, obj)->domain;
	if (!iommufd_mock_is_domain(domain))
		rc = -EINVAL;
	else
		rc = iommufd_mock_check_map(domain, iova, length, uptr);
	iommufd_put_object(ucmd->ictx, obj);
	return rc;
}

/* MD_CHECK_IOTLB: does entry @index of a mock nested HWPT hold @value? */
static int test_md_check_iotlb(struct iommufd_ucmd *ucmd, u32 hwpt_id,
			       u32 index, u32 value)
{
	struct iommufd_object *obj;
	int rc;

	obj = iommufd_get_object(ucmd->ictx, hwpt_id, IOMMUFD_OBJ_HWPT_NESTED);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	rc = iommufd_mock_check_iotlb(container_of(obj,
						   struct iommufd_hw_pagetable,
						   obj)->domain,
				      index, value);
	iommufd_put_object(ucmd->ictx, obj);
	return rc;
}

/* Look up a bound mock device by its device object id. */
static struct iommufd_device *test_get_mock_idev(struct iommufd_ucmd *ucmd,
						 u32 id)
{
	struct iommufd_device *idev = iommufd_get_device(ucmd, id);

	if (!IS_ERR(idev) && !iommufd_mock_is_dev(idev->dev)) {
		iommufd_put_object(ucmd->ictx, &idev->obj);
		return ERR_PTR(-EINVAL);
	}
	return idev;
}

/*
 * TRIGGER_IOPF(_PARTIAL): the mock device sends a page request.  As with
 * hardware, the sender learns nothing: an unhandled request is answered,
 * which IOPF_RESPONSES shows.
 */
static int test_trigger_iopf(struct iommufd_ucmd *ucmd, bool last)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommufd_device *idev;

	idev = test_get_mock_idev(ucmd, cmd->trigger_iopf.dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	iommufd_mock_report_iopf(idev->dev, cmd->trigger_iopf.pasid,
				 cmd->trigger_iopf.grpid,
				 cmd->trigger_iopf.perm,
				 cmd->trigger_iopf.addr, last);
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return 0;
}

/*
 * PASID_CHECK_HWPT: is @hwpt_id's domain (none, for 0) what the mock
 * "hardware" has at @pasid?  Reads the driver's state, not iommufd's.
 */
static int test_pasid_check(struct iommufd_ucmd *ucmd, struct device *dev,
			    u32 pasid, u32 hwpt_id)
{
	struct iommu_domain *domain = iommufd_mock_pasid_domain(dev, pasid);
	struct iommufd_object *obj;
	int rc = 0;

	if (!hwpt_id)
		return domain ? -EINVAL : 0;
	obj = iommufd_get_object(ucmd->ictx, hwpt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	if ((obj->type != IOMMUFD_OBJ_HWPT_PAGING &&
	     obj->type != IOMMUFD_OBJ_HWPT_NESTED) ||
	    container_of(obj, struct iommufd_hw_pagetable, obj)->domain !=
	    domain)
		rc = -EINVAL;
	iommufd_put_object(ucmd->ictx, obj);
	return rc;
}

/* PASID_*: attach, replace, detach and check a PASID of a mock device. */
static int test_pasid(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommufd_object *obj;
	struct test_stdev *stdev;
	int rc = 0;

	obj = iommufd_get_object(ucmd->ictx, cmd->id, IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	stdev = container_of(obj, struct test_stdev, obj);

	switch (cmd->op) {
	case IOMMU_TEST_OP_PASID_ATTACH:
		rc = iommufd_device_attach_pasid(stdev->idev,
						 cmd->pasid_attach.pasid,
						 cmd->pasid_attach.pt_id);
		break;
	case IOMMU_TEST_OP_PASID_REPLACE:
		rc = iommufd_device_replace_pasid(stdev->idev,
						  cmd->pasid_replace.pasid,
						  cmd->pasid_replace.pt_id);
		break;
	case IOMMU_TEST_OP_PASID_DETACH:
		iommufd_device_detach_pasid(stdev->idev,
					    cmd->pasid_detach.pasid);
		break;
	default:
		rc = test_pasid_check(ucmd, stdev->dev, cmd->pasid_check.pasid,
				      cmd->pasid_check.hwpt_id);
	}
	iommufd_put_object(ucmd->ictx, obj);
	return rc;
}

/* DEV_CHECK_CACHE and TRIGGER_VEVENT: on a mock device by its id. */
static int test_dev_op(struct iommufd_ucmd *ucmd, u32 idev_id)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommufd_device *idev;
	int rc;

	idev = test_get_mock_idev(ucmd, idev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	if (cmd->op == IOMMU_TEST_OP_DEV_CHECK_CACHE)
		rc = iommufd_mock_check_dev_cache(idev->dev,
						  cmd->check_dev_cache.id,
						  cmd->check_dev_cache.cache);
	else
		rc = iommufd_mock_trigger_vevent(idev->dev);
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

/* IOPF_RESPONSES: what the mock device was answered so far. */
static int test_iopf_responses(struct iommufd_ucmd *ucmd, u32 idev_id)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	u32 counts[IOMMU_TEST_IOPF_RESP_CODES];
	struct iommufd_device *idev;

	idev = test_get_mock_idev(ucmd, idev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	iommufd_mock_iopf_responses(idev->dev, counts);
	iommufd_put_object(ucmd->ictx, &idev->obj);
	cmd->iopf_responses.out_success = counts[IOMMU_PAGE_RESP_SUCCESS];
	cmd->iopf_responses.out_invalid = counts[IOMMU_PAGE_RESP_INVALID];
	cmd->iopf_responses.out_failure = counts[IOMMU_PAGE_RESP_FAILURE];
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}

/* DIRTY: the mock device "wrote" the pages whose bits are set. */
static int test_dirty(struct iommufd_ucmd *ucmd, u32 hwpt_id,
		      unsigned long iova, unsigned long length,
		      unsigned long page_size, void __user *uptr)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommu_domain *domain;
	struct iommufd_object *obj;
	unsigned long nbits, count;
	unsigned long *bits;
	int rc;

	if (!page_size || !length || iova % page_size ||
	    length % page_size || !uptr)
		return -EINVAL;
	nbits = length / page_size;
	if (nbits > SZ_16M * BITS_PER_BYTE)
		return -EOVERFLOW;
	obj = iommufd_get_object(ucmd->ictx, hwpt_id, IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	domain = container_of(obj, struct iommufd_hw_pagetable, obj)->domain;
	rc = -EINVAL;
	if (!iommufd_mock_is_domain(domain))
		goto out_put;
	bits = kvcalloc(BITS_TO_LONGS(nbits), sizeof(long), GFP_KERNEL_ACCOUNT);
	rc = -ENOMEM;
	if (!bits)
		goto out_put;
	rc = -EFAULT;
	if (copy_from_user(bits, uptr, DIV_ROUND_UP(nbits, BITS_PER_BYTE)))
		goto out_free;
	rc = iommufd_mock_mark_dirty(domain, iova, length, page_size,
				     bits, &count);
	if (!rc) {
		cmd->dirty.out_nr_dirty = count;
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	}
out_free:
	kvfree(bits);
out_put:
	iommufd_put_object(ucmd->ictx, obj);
	return rc;
}

/**
 * iommufd_test_cmd_ioctl() - IOMMU_TEST_CMD
 * @ucmd: the command; struct iommu_test_cmd
 *
 * Context: process context, may sleep.
 * Return: the operation's result; -EOPNOTSUPP for an operation this build
 * does not implement.
 */
int iommufd_test_cmd_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOMMU_TEST_OP_ADD_RESERVED:
		return test_add_reserved(ucmd, cmd->id,
					 cmd->add_reserved.start,
					 cmd->add_reserved.length);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return test_check_refs(u64_to_user_ptr(cmd->check_refs.uptr),
				       cmd->check_refs.length,
				       cmd->check_refs.refs);
	case IOMMU_TEST_OP_CREATE_ACCESS:
		return iommufd_test_create_access(ucmd, cmd->id,
					  cmd->create_access.flags);
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
		return iommufd_test_access_replace_ioas(cmd->id,
						cmd->access_replace_ioas.ioas_id);
	case IOMMU_TEST_OP_ACCESS_PAGES:
		return iommufd_test_access_pages(ucmd, cmd->id, cmd->access_pages.iova,
					 cmd->access_pages.length,
					 u64_to_user_ptr(cmd->access_pages.uptr),
					 cmd->access_pages.flags);
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
		return iommufd_test_access_item_destroy(cmd->id,
						cmd->destroy_access_pages.access_pages_id);
	case IOMMU_TEST_OP_ACCESS_RW:
		return iommufd_test_access_rw(cmd->id, cmd->access_rw.iova,
				      cmd->access_rw.length,
				      u64_to_user_ptr(cmd->access_rw.uptr),
				      cmd->access_rw.flags);
	case IOMMU_TEST_OP_MOCK_DOMAIN:
		return test_mock_domain(ucmd, cmd->id, 0);
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return test_mock_domain(ucmd, cmd->id,
					cmd->mock_domain_flags.dev_flags);
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return test_mock_domain_replace(ucmd, cmd->id,
						cmd->mock_domain_replace.pt_id);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return test_md_check_map(ucmd, cmd->id, cmd->check_map.iova,
					 cmd->check_map.length,
					 u64_to_user_ptr(cmd->check_map.uptr));
	case IOMMU_TEST_OP_DIRTY:
		return test_dirty(ucmd, cmd->id, cmd->dirty.iova,
				  cmd->dirty.length, cmd->dirty.page_size,
				  u64_to_user_ptr(cmd->dirty.uptr));
	case IOMMU_TEST_OP_MD_CHECK_IOTLB:
		return test_md_check_iotlb(ucmd, cmd->id, cmd->check_iotlb.id,
					   cmd->check_iotlb.iotlb);
	case IOMMU_TEST_OP_TRIGGER_IOPF:
		return test_trigger_iopf(ucmd, true);
	case IOMMU_TEST_OP_TRIGGER_IOPF_PARTIAL:
		return test_trigger_iopf(ucmd, false);
	case IOMMU_TEST_OP_DEV_CHECK_CACHE:
		return test_dev_op(ucmd, cmd->id);
	case IOMMU_TEST_OP_TRIGGER_VEVENT:
		return test_dev_op(ucmd, cmd->trigger_vevent.dev_id);
	case IOMMU_TEST_OP_PASID_ATTACH:
	case IOMMU_TEST_OP_PASID_REPLACE:
	case IOMMU_TEST_OP_PASID_DETACH:
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		return test_pasid(ucmd);
	case IOMMU_TEST_OP_DMABUF_GET:
		return iommufd_test_dmabuf_get(cmd->dmabuf_get.length,
					       cmd->dmabuf_get.open_flags);
	case IOMMU_TEST_OP_DMABUF_REVOKE:
		return iommufd_test_dmabuf_revoke(cmd->dmabuf_revoke.dmabuf_fd,
						  cmd->dmabuf_revoke.revoked);
	case IOMMU_TEST_OP_IOPF_RESPONSES:
		return test_iopf_responses(ucmd, cmd->id);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		/* Room for at least one entry, as upstream requires. */
		if (cmd->memory_limit.limit < sizeof(unsigned long) + sizeof(u32))
			return -EINVAL;
		WRITE_ONCE(test_batch_bytes, cmd->memory_limit.limit);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}
