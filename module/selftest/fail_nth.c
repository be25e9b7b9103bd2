// SPDX-License-Identifier: GPL-2.0-only
/*
 * Failure injection for the test build: iommufd_should_fail() sits before
 * every allocation, lookup and driver call of the module that can fail, and
 * says whether this call is to fail as if that step had.
 *
 * Two ways to arm it:
 *
 * - The kernel's fault injection (CONFIG_FAULT_INJECTION, the debug
 *   kernel): the points form the "fail_iommufd" attribute, configured under
 *   /sys/kernel/debug/fail_iommufd/ as any fault attribute is, and they
 *   count for a task's /proc/<pid>/task/<tid>/fail-nth together with
 *   failslab and fail_page_alloc.  Upstream's iommufd_fail_nth test uses
 *   this.
 *
 * - /sys/kernel/debug/iommufd/fail_nth, for kernels without fault injection
 *   (Debian's): a thread writes N and its Nth pass through a point of this
 *   module fails; reading gives what is left of the count, so 0 after the
 *   failure happened.  Writing 0 disarms it.  Only one thread is armed at a
 *   time; arming another replaces it.
 *
 * Neither exists in a production build, where iommufd_should_fail() is a
 * constant false.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/preempt.h>
#include <linux/sched.h>

#include "selftest.h"

#ifdef CONFIG_FAULT_INJECTION
static DECLARE_FAULT_ATTR(fail_iommufd);
static struct dentry *fail_iommufd_dir;
#endif

/*
 * The armed thread and its count.  fail_lock serialises arming; the hot
 * path only compares the pid pointer, which stays valid while armed
 * because fail_pid holds a reference.
 */
static DEFINE_MUTEX(fail_lock);
static struct pid *fail_pid;
static atomic_t fail_count = ATOMIC_INIT(0);

static bool fail_nth_fires(void)
{
	if (!in_task() || READ_ONCE(fail_pid) != task_pid(current))
		return false;
	/* The pass that takes the count from 1 to 0 fails, once. */
	return atomic_dec_if_positive(&fail_count) == 0;
}

bool iommufd_should_fail(void)
{
	if (fail_nth_fires())
		return true;
#ifdef CONFIG_FAULT_INJECTION
	return should_fail(&fail_iommufd, 1);
#else
	return false;
#endif
}

/**
 * iommufd_should_fail_own() - fail here only for this module's fail_nth
 *
 * For points too many to count for the kernel's fail-nth: upstream's
 * iommufd_fail_nth test gives up on a sequence after a fixed number of
 * steps, and a point in every map call of the mock driver would take its
 * two-domain sequence past that.  Our own sweeps arm them through
 * /sys/kernel/debug/iommufd/fail_nth.
 *
 * Context: any.
 * Return: whether this call is to fail.
 */
bool iommufd_should_fail_own(void)
{
	return fail_nth_fires();
}

static ssize_t fail_nth_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct pid *old;
	unsigned int n;
	int rc;

	rc = kstrtouint_from_user(ubuf, count, 0, &n);
	if (rc)
		return rc;
	if (n > INT_MAX)
		return -EINVAL;

	mutex_lock(&fail_lock);
	old = fail_pid;
	atomic_set(&fail_count, n);
	WRITE_ONCE(fail_pid, n ? get_pid(task_pid(current)) : NULL);
	mutex_unlock(&fail_lock);
	put_pid(old);
	return count;
}

static ssize_t fail_nth_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char buf[16];
	int len;

	len = scnprintf(buf, sizeof(buf), "%d\n", atomic_read(&fail_count));
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations fail_nth_fops = {
	.owner = THIS_MODULE,
	.read = fail_nth_read,
	.write = fail_nth_write,
};

void iommufd_fail_init(struct dentry *test_dir)
{
	debugfs_create_file("fail_nth", 0600, test_dir, NULL, &fail_nth_fops);
#ifdef CONFIG_FAULT_INJECTION
	fail_iommufd_dir = fault_create_debugfs_attr("fail_iommufd", NULL,
						     &fail_iommufd);
#endif
}

void iommufd_fail_exit(void)
{
#ifdef CONFIG_FAULT_INJECTION
	if (!IS_ERR(fail_iommufd_dir))
		debugfs_remove_recursive(fail_iommufd_dir);
#endif
	mutex_lock(&fail_lock);
	put_pid(fail_pid);
	fail_pid = NULL;
	mutex_unlock(&fail_lock);
}
