// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-build-only knobs under /sys/kernel/debug/iommufd/, the directory of
 * the debugfs view (stat/), which removes them with itself:
 *
 *   objects       - how many objects exist in all contexts together (read);
 *                   tests check it is back to its starting value after each
 *                   test, so a leaked object fails the test that leaked it
 *   pinned_pages  - pages pinned by all IOASes together (read); the same
 *                   check for leaked pins
 *   block_read_pages - pages read back from a domain through contiguity
 *                   masks (pages/contig.c), ever (read); tests check that
 *                   contiguous memory takes that path
 *   trigger_warn  - writing anything reaches a WARN_ON() in this module, so
 *                   the VM harness can prove it fails a run that warned
 *   fail_nth      - failure injection for the writing thread (fail_nth.c)
 *   pause         - hold a thread inside a race window (pause.c)
 *
 * None of this exists in a production build.
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/debugfs.h>
#include <linux/fs.h>

#include "../mock/mock.h"
#include "selftest.h"
#include "test_cmd.h"

static atomic_t iommufd_test_objects = ATOMIC_INIT(0);
static atomic_long_t iommufd_test_pinned = ATOMIC_LONG_INIT(0);
static atomic_long_t iommufd_test_block_pages = ATOMIC_LONG_INIT(0);

void iommufd_test_object_created(void)
{
	atomic_inc(&iommufd_test_objects);
}

void iommufd_test_object_freed(void)
{
	atomic_dec(&iommufd_test_objects);
}

void iommufd_test_pages_pinned(unsigned long npages)
{
	atomic_long_add(npages, &iommufd_test_pinned);
}

void iommufd_test_pages_unpinned(unsigned long npages)
{
	atomic_long_sub(npages, &iommufd_test_pinned);
}

static int pinned_pages_get(void *data, u64 *val)
{
	*val = atomic_long_read(&iommufd_test_pinned);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pinned_pages_fops, pinned_pages_get, NULL, "%llu\n");

void iommufd_test_block_read(unsigned long npages)
{
	atomic_long_add(npages, &iommufd_test_block_pages);
}

static int block_read_pages_get(void *data, u64 *val)
{
	*val = atomic_long_read(&iommufd_test_block_pages);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(block_read_pages_fops, block_read_pages_get, NULL,
			 "%llu\n");

static ssize_t trigger_warn_write(struct file *file, const char __user *buf,
				  size_t count, loff_t *ppos)
{
	WARN_ON(count);
	return count;
}

static const struct file_operations trigger_warn_fops = {
	.owner = THIS_MODULE,
	.write = trigger_warn_write,
};

bool iommufd_test_is_mock_dev(struct device *dev)
{
	return iommufd_mock_is_dev(dev);
}

int iommufd_test_init(struct dentry *root)
{
	int rc;

	rc = iommufd_mock_init();
	if (rc)
		return rc;
	iommufd_mock_viommu_init();
	iommufd_test_dmabuf_init();
	debugfs_create_atomic_t("objects", 0400, root,
				&iommufd_test_objects);
	debugfs_create_file("trigger_warn", 0200, root, NULL,
			    &trigger_warn_fops);
	debugfs_create_file_unsafe("pinned_pages", 0400, root,
				   NULL, &pinned_pages_fops);
	debugfs_create_file_unsafe("block_read_pages", 0400, root,
				   NULL, &block_read_pages_fops);
	iommufd_fail_init(root);
	iommufd_pause_init(root);
	return 0;
}

void iommufd_test_exit(void)
{
	iommufd_pause_exit();
	iommufd_fail_exit();
	iommufd_test_dmabuf_exit();
	iommufd_mock_viommu_exit();
	iommufd_mock_exit();
	/* Objects or pins outliving the module would be leaks. */
	WARN_ON(atomic_read(&iommufd_test_objects));
	WARN_ON(atomic_long_read(&iommufd_test_pinned));
}
