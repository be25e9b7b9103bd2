// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test ABI's in-kernel access: CREATE_ACCESS makes one, as an emulated
 * device driver would, attached to an IOAS and returned as a file
 * descriptor whose close destroys it; ACCESS_REPLACE_IOAS, ACCESS_PAGES,
 * DESTROY_ACCESS_PAGES and ACCESS_RW drive it.  Its unmap callback unpins
 * whatever overlaps the IOVA going away, as a driver must.  Test builds
 * only.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/iommufd.h>
#include <linux/iommufd_ext.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd_test.h>

#include "../iommufd_private.h"
#include "test_cmd.h"

/* Upper bound on one ACCESS_PAGES or ACCESS_RW, as upstream's. */
#define TEST_ACCESS_MAX_BYTES (16UL * 1024 * 1024)

/**
 * struct test_access - the state behind an access file descriptor
 * @access: the access, NULL until fully made
 * @file: the file descriptor's file
 * @lock: protects @items and @next_id
 * @items: struct test_access_item, one per ACCESS_PAGES still pinned
 * @next_id: id of the next item
 * @pins: created with MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES
 */
struct test_access {
	struct iommufd_access *access;
	struct file *file;
	struct mutex lock;	/* protects items and next_id */
	struct list_head items;
	u32 next_id;
	bool pins;
};

struct test_access_item {
	struct list_head link;
	unsigned long iova;
	unsigned long length;
	u32 id;
};

/* The driver's side of the unmap contract: unpin what overlaps. */
static void test_access_unmap(void *data, unsigned long iova,
			      unsigned long length)
{
	unsigned long last = iova + length - 1;
	struct test_access *staccess = data;
	struct test_access_item *item, *tmp;

	mutex_lock(&staccess->lock);
	list_for_each_entry_safe(item, tmp, &staccess->items, link) {
		if (iova > item->iova + item->length - 1 || last < item->iova)
			continue;
		list_del(&item->link);
		iommufd_access_unpin_pages(staccess->access, item->iova,
					   item->length);
		kfree(item);
	}
	mutex_unlock(&staccess->lock);
}

static const struct iommufd_access_ops test_access_ops = {
	.unmap = test_access_unmap,
};

static const struct iommufd_access_ops test_access_ops_pin = {
	.needs_pin_pages = 1,
	.unmap = test_access_unmap,
};

static int test_access_release(struct inode *inode, struct file *file)
{
	struct test_access *staccess = file->private_data;

	if (staccess->access) {
		/* Unpins every item through the unmap callback. */
		iommufd_access_detach(staccess->access);
		iommufd_access_destroy(staccess->access);
	}
	WARN_ON(!list_empty(&staccess->items));
	mutex_destroy(&staccess->lock);
	kfree(staccess);
	return 0;
}

static const struct file_operations test_access_fops = {
	.owner = THIS_MODULE,
	.release = test_access_release,
};

/* The access behind file descriptor @fd, with a file reference. */
static struct test_access *test_access_get(int fd)
{
	struct file *file = fget(fd);

	if (!file)
		return ERR_PTR(-EBADFD);
	if (file->f_op != &test_access_fops) {
		fput(file);
		return ERR_PTR(-EBADFD);
	}
	return file->private_data;
}

/**
 * iommufd_test_create_access() - CREATE_ACCESS
 * @ucmd: the command
 * @ioas_id: the IOAS to attach it to
 * @flags: MOCK_FLAGS_ACCESS_CREATE_*
 *
 * Return: 0 with the access's fd in the reply, or an errno.
 */
int iommufd_test_create_access(struct iommufd_ucmd *ucmd, u32 ioas_id,
			       u32 flags)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct test_access *staccess;
	struct iommufd_access *access;
	int fd, rc;
	u32 id;

	if (flags & ~MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)
		return -EOPNOTSUPP;

	staccess = kzalloc(sizeof(*staccess), GFP_KERNEL_ACCOUNT);
	if (!staccess)
		return -ENOMEM;
	mutex_init(&staccess->lock);
	INIT_LIST_HEAD(&staccess->items);
	staccess->file = anon_inode_getfile("[iommufd_test_access]",
					    &test_access_fops, staccess,
					    O_RDWR);
	if (IS_ERR(staccess->file)) {
		rc = PTR_ERR(staccess->file);
		mutex_destroy(&staccess->lock);
		kfree(staccess);
		return rc;
	}

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		rc = -ENOMEM;
		goto err_fput;
	}
	staccess->pins = flags & MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;
	access = iommufd_access_create(ucmd->ictx,
				       staccess->pins ? &test_access_ops_pin :
							&test_access_ops,
				       staccess, &id);
	if (IS_ERR(access)) {
		rc = PTR_ERR(access);
		goto err_put_fd;
	}
	rc = iommufd_access_attach(access, ioas_id);
	if (rc)
		goto err_destroy;
	cmd->create_access.out_access_fd = fd;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_detach;

	staccess->access = access;
	fd_install(fd, staccess->file);
	return 0;

err_detach:
	iommufd_access_detach(access);
err_destroy:
	iommufd_access_destroy(access);
err_put_fd:
	put_unused_fd(fd);
err_fput:
	fput(staccess->file);	/* release frees staccess */
	return rc;
}

/**
 * iommufd_test_access_replace_ioas() - ACCESS_REPLACE_IOAS
 * @fd: the access's fd
 * @ioas_id: the IOAS to move it to
 *
 * Return: 0 or an errno.
 */
int iommufd_test_access_replace_ioas(int fd, u32 ioas_id)
{
	struct test_access *staccess = test_access_get(fd);
	int rc;

	if (IS_ERR(staccess))
		return PTR_ERR(staccess);
	rc = iommufd_access_replace(staccess->access, ioas_id);
	fput(staccess->file);
	return rc;
}

/* Do @pages really hold the user memory at @uptr? */
static int test_check_pages(void __user *uptr, struct page **pages,
			    size_t npages)
{
	for (; npages; npages--, pages++, uptr += PAGE_SIZE) {
		struct page *page;
		bool same;

		if (get_user_pages_fast((unsigned long)uptr, 1, 0, &page) != 1)
			return -EFAULT;
		same = page == *pages;
		put_page(page);
		if (!same)
			return -EBADE;
	}
	return 0;
}

/**
 * iommufd_test_access_pages() - ACCESS_PAGES: pin, and check the pages
 * @ucmd: the command
 * @fd: the access's fd
 * @iova: start
 * @length: bytes
 * @uptr: user address the pages should be, to check them against
 * @flags: MOCK_FLAGS_ACCESS_WRITE
 *
 * Return: 0 with the pin's id in the reply, or an errno.
 */
int iommufd_test_access_pages(struct iommufd_ucmd *ucmd, int fd,
			      unsigned long iova, size_t length,
			      void __user *uptr, u32 flags)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct test_access_item *item;
	struct test_access *staccess;
	struct page **pages;
	size_t npages;
	int rc;

	if (length > TEST_ACCESS_MAX_BYTES)
		return -ENOMEM;
	if (flags & ~MOCK_FLAGS_ACCESS_WRITE)
		return -EOPNOTSUPP;
	staccess = test_access_get(fd);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);
	if (!staccess->pins) {
		rc = -EOPNOTSUPP;
		goto out_put;
	}

	npages = (ALIGN(iova + length, PAGE_SIZE) - ALIGN_DOWN(iova, PAGE_SIZE)) /
		 PAGE_SIZE;
	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	item = kzalloc(sizeof(*item), GFP_KERNEL_ACCOUNT);
	if (!pages || !item) {
		rc = -ENOMEM;
		goto out_free;
	}

	mutex_lock(&staccess->lock);
	rc = iommufd_access_pin_pages(staccess->access, iova, length, pages,
				      flags & MOCK_FLAGS_ACCESS_WRITE ?
					      IOMMUFD_ACCESS_RW_WRITE : 0);
	if (rc)
		goto out_unlock;
	if (uptr) {
		rc = test_check_pages(uptr - offset_in_page(iova), pages,
				      npages);
		if (rc)
			goto out_unpin;
	}
	item->iova = iova;
	item->length = length;
	item->id = staccess->next_id++;
	cmd->access_pages.out_access_pages_id = item->id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_unpin;
	list_add_tail(&item->link, &staccess->items);
	item = NULL;
	goto out_unlock;

out_unpin:
	iommufd_access_unpin_pages(staccess->access, iova, length);
out_unlock:
	mutex_unlock(&staccess->lock);
out_free:
	kfree(item);
	kvfree(pages);
out_put:
	fput(staccess->file);
	return rc;
}

/**
 * iommufd_test_access_item_destroy() - DESTROY_ACCESS_PAGES
 * @fd: the access's fd
 * @item_id: the pin, as ACCESS_PAGES returned it
 *
 * Return: 0 or -ENOENT.
 */
int iommufd_test_access_item_destroy(int fd, u32 item_id)
{
	struct test_access *staccess = test_access_get(fd);
	struct test_access_item *item;
	int rc = -ENOENT;

	if (IS_ERR(staccess))
		return PTR_ERR(staccess);
	mutex_lock(&staccess->lock);
	list_for_each_entry(item, &staccess->items, link) {
		if (item->id != item_id)
			continue;
		list_del(&item->link);
		iommufd_access_unpin_pages(staccess->access, item->iova,
					   item->length);
		kfree(item);
		rc = 0;
		break;
	}
	mutex_unlock(&staccess->lock);
	fput(staccess->file);
	return rc;
}

/**
 * iommufd_test_access_rw() - ACCESS_RW
 * @fd: the access's fd
 * @iova: start
 * @length: bytes
 * @ubuf: the user buffer to copy from or to
 * @flags: MOCK_ACCESS_RW_*
 *
 * Return: 0 or an errno.
 */
int iommufd_test_access_rw(int fd, unsigned long iova, size_t length,
			   void __user *ubuf, u32 flags)
{
	struct test_access *staccess;
	void *buf;
	int rc;

	if (length > TEST_ACCESS_MAX_BYTES)
		return -ENOMEM;
	if (flags & ~(MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH))
		return -EOPNOTSUPP;
	staccess = test_access_get(fd);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);

	buf = kvzalloc(length, GFP_KERNEL_ACCOUNT);
	if (!buf) {
		rc = -ENOMEM;
		goto out_put;
	}
	if ((flags & MOCK_ACCESS_RW_WRITE) && copy_from_user(buf, ubuf, length)) {
		rc = -EFAULT;
		goto out_free;
	}
	/* The MOCK_ACCESS_RW_* bits are the IOMMUFD_ACCESS_RW_* bits. */
	rc = iommufd_access_rw(staccess->access, iova, buf, length, flags);
	if (!rc && !(flags & MOCK_ACCESS_RW_WRITE) &&
	    copy_to_user(ubuf, buf, length))
		rc = -EFAULT;
out_free:
	kvfree(buf);
out_put:
	fput(staccess->file);
	return rc;
}

static_assert((int)MOCK_ACCESS_RW_WRITE == (int)IOMMUFD_ACCESS_RW_WRITE);
static_assert((int)MOCK_ACCESS_RW_SLOW_PATH ==
	      (int)__IOMMUFD_ACCESS_RW_SLOW_PATH);
