// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pause points for the test build: a race whose window is a few
 * instructions wide is held open so that a test can act inside it, every
 * time, instead of hoping a stress run lands there.
 *
 * /sys/kernel/debug/iommufd/pause:
 *   write NAME     arm the point NAME (see pause_names[]); the next thread
 *                  to pass it stops there
 *   read           wait (at most PAUSE_WAIT) until a thread stopped at the
 *                  armed point; "reached\n", or -ETIMEDOUT
 *   write release  let it go on; disarms
 *
 * A stopped thread goes on by itself after PAUSE_WAIT, so a test that dies
 * inside the window cannot wedge the kernel.  Nothing of this exists in a
 * production build, where iommufd_test_pause() is empty.
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "selftest.h"

#define PAUSE_WAIT (10 * HZ)

static const char *const pause_names[] = {
	[IOMMUFD_PAUSE_NONE] = "none",
	[IOMMUFD_PAUSE_OBJECT_REMOVED] = "object_removed",
	[IOMMUFD_PAUSE_V1_CUT] = "v1_cut",
	[IOMMUFD_PAUSE_SHOW_OBJECT] = "show_object",
	[IOMMUFD_PAUSE_ALL_IOAS_LOCKED] = "all_ioas_locked",
};

/*
 * pause_lock serialises the debugfs writers; the point that passes only
 * takes the armed value over with a cmpxchg, so one thread stops.
 */
static DEFINE_MUTEX(pause_lock);
static atomic_t pause_armed = ATOMIC_INIT(IOMMUFD_PAUSE_NONE);
static DECLARE_COMPLETION(pause_reached);
static DECLARE_COMPLETION(pause_release);

void iommufd_test_pause(enum iommufd_pause_point point)
{
	if (atomic_cmpxchg(&pause_armed, point, IOMMUFD_PAUSE_NONE) != point)
		return;
	complete_all(&pause_reached);
	wait_for_completion_timeout(&pause_release, PAUSE_WAIT);
}

static ssize_t pause_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	char buf[32];
	int point;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = 0;
	strim(buf);

	mutex_lock(&pause_lock);
	if (!strcmp(buf, "release")) {
		atomic_set(&pause_armed, IOMMUFD_PAUSE_NONE);
		complete_all(&pause_release);
		mutex_unlock(&pause_lock);
		return count;
	}
	point = match_string(pause_names, ARRAY_SIZE(pause_names), buf);
	if (point <= IOMMUFD_PAUSE_NONE) {
		mutex_unlock(&pause_lock);
		return -EINVAL;
	}
	reinit_completion(&pause_reached);
	reinit_completion(&pause_release);
	atomic_set(&pause_armed, point);
	mutex_unlock(&pause_lock);
	return count;
}

static ssize_t pause_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	static const char reached[] = "reached\n";
	long left;

	if (*ppos)
		return 0;
	left = wait_for_completion_interruptible_timeout(&pause_reached,
							 PAUSE_WAIT);
	if (left < 0)
		return left;
	if (!left)
		return -ETIMEDOUT;
	return simple_read_from_buffer(ubuf, count, ppos, reached,
				       sizeof(reached) - 1);
}

static const struct file_operations pause_fops = {
	.owner = THIS_MODULE,
	.read = pause_read,
	.write = pause_write,
};

void iommufd_pause_init(struct dentry *test_dir)
{
	debugfs_create_file("pause", 0600, test_dir, NULL, &pause_fops);
}

/* After the debugfs file is gone: nobody can arm it again. */
void iommufd_pause_exit(void)
{
	atomic_set(&pause_armed, IOMMUFD_PAUSE_NONE);
	complete_all(&pause_release);
}
