// SPDX-License-Identifier: GPL-2.0-only
/*
 * The debugfs view: which process has how much memory pinned for DMA, in
 * which I/O address spaces, for which devices, and what is waiting in its
 * fault and event queues.  Upstream, type1 and VFIO cannot say.
 *
 *   /sys/kernel/debug/iommufd/files/N/   one per open /dev/iommu; N is
 *                                        also "iommufd-id" in the fdinfo
 *                                        of every descriptor of it
 *	owner    the process that opened it
 *	objects  every published object: id, type, users
 *	ioas     each IOAS, then its areas, then the file's totals
 *	devices  bound devices, their vDEVICEs, in-kernel accesses
 *	domains  hardware page tables, vIOMMUs and their hardware queues
 *	events   fault queues and vEVENT queues, with what is pending
 *
 * Each line is a record: its kind, then key=value fields with no spaces
 * in a value.  Sizes are decimal bytes, IOVAs hex, an id of 0 names
 * nothing.  iommufd-stat (tools/) prints it as tables or JSON.
 *
 * Root only, and in every build: it reads, and never changes what user
 * space sees.  No object is looked up or used (iommufd_ctx_show()), so an
 * IOMMU_DESTROY during a read waits for it instead of failing with EBUSY.
 * A file's directory is removed first thing at its release, and debugfs
 * waits for reads in flight, so a read never sees its context go.
 */
#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/bug.h>
#include <linux/debugfs.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include "../iommufd_private.h"
#include "../access/access.h"
#include "../device/device.h"
#include "../fault/fault.h"
#include "../hwpt/hwpt.h"
#include "../ioas/ioas.h"
#include "../viommu/viommu.h"
#include "stat.h"

static struct dentry *iommufd_stat_root;
static struct dentry *iommufd_stat_files;
static atomic_long_t iommufd_stat_next_id = ATOMIC_LONG_INIT(0);

typedef void (*iommufd_stat_show_fn)(struct seq_file *m,
				     struct iommufd_object *obj);

/* The line each part prints for an object of its own. */
static const iommufd_stat_show_fn iommufd_stat_shows[IOMMUFD_OBJ_MAX] = {
	[IOMMUFD_OBJ_ACCESS] = iommufd_access_show,
	[IOMMUFD_OBJ_DEVICE] = iommufd_device_show,
	[IOMMUFD_OBJ_HWPT_PAGING] = iommufd_hwpt_show,
	[IOMMUFD_OBJ_HWPT_NESTED] = iommufd_hwpt_show,
	[IOMMUFD_OBJ_FAULT] = iommufd_fault_show,
	[IOMMUFD_OBJ_VIOMMU] = iommufd_viommu_show,
	[IOMMUFD_OBJ_VDEVICE] = iommufd_vdevice_show,
	[IOMMUFD_OBJ_VEVENTQ] = iommufd_veventq_show,
	[IOMMUFD_OBJ_HW_QUEUE] = iommufd_hw_queue_show,
};

/* The walks below ask only for types that have a line here. */
static void iommufd_stat_show_one(struct iommufd_object *obj, void *arg)
{
	if (!WARN_ON_ONCE(!iommufd_stat_shows[obj->type]))
		iommufd_stat_shows[obj->type](arg, obj);
}

static int iommufd_stat_owner_show(struct seq_file *m, void *unused)
{
	struct iommufd_ctx *ictx = m->private;
	char comm[TASK_COMM_LEN] = "-";
	struct task_struct *task;
	char *p;

	task = get_pid_task(ictx->owner, PIDTYPE_TGID);
	if (task) {
		get_task_comm(comm, task);
		put_task_struct(task);
	}
	/*
	 * A comm may hold any byte: spaces would split the field, a newline
	 * the record, and JSON wants ASCII.  Print those as '_'.
	 */
	for (p = comm; *p; p++)
		if (*p < '!' || *p > '~')
			*p = '_';
	seq_printf(m, "file id=%lu pid=%d comm=%s accounting=%s\n",
		   ictx->stat_id, pid_nr(ictx->owner), comm,
		   READ_ONCE(ictx->process_accounting) ? "process" : "user");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(iommufd_stat_owner);

static void iommufd_stat_object_line(struct iommufd_object *obj, void *arg)
{
	struct seq_file *m = arg;

	seq_printf(m, "object id=%u type=%s users=%u\n", obj->id,
		   iommufd_object_type_name(obj->type),
		   refcount_read(&obj->users));
}

static int iommufd_stat_objects_show(struct seq_file *m, void *unused)
{
	iommufd_ctx_show(m->private, ~0UL, iommufd_stat_object_line, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(iommufd_stat_objects);

static int iommufd_stat_ioas_show(struct seq_file *m, void *unused)
{
	return iommufd_ioas_show_all(m, m->private);
}
DEFINE_SHOW_ATTRIBUTE(iommufd_stat_ioas);

static int iommufd_stat_devices_show(struct seq_file *m, void *unused)
{
	iommufd_ctx_show(m->private, BIT(IOMMUFD_OBJ_DEVICE) |
			 BIT(IOMMUFD_OBJ_VDEVICE) | BIT(IOMMUFD_OBJ_ACCESS),
			 iommufd_stat_show_one, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(iommufd_stat_devices);

static int iommufd_stat_domains_show(struct seq_file *m, void *unused)
{
	iommufd_ctx_show(m->private, BIT(IOMMUFD_OBJ_HWPT_PAGING) |
			 BIT(IOMMUFD_OBJ_HWPT_NESTED) |
			 BIT(IOMMUFD_OBJ_VIOMMU) | BIT(IOMMUFD_OBJ_HW_QUEUE),
			 iommufd_stat_show_one, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(iommufd_stat_domains);

static int iommufd_stat_events_show(struct seq_file *m, void *unused)
{
	iommufd_ctx_show(m->private, BIT(IOMMUFD_OBJ_FAULT) |
			 BIT(IOMMUFD_OBJ_VEVENTQ), iommufd_stat_show_one, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(iommufd_stat_events);

/**
 * iommufd_stat_add() - give a new /dev/iommu file its place in the view
 * @ictx: the context, fully initialised
 *
 * Without debugfs the file simply has no directory.
 *
 * Context: process context, sleeps.
 */
void iommufd_stat_add(struct iommufd_ctx *ictx)
{
	char name[24];
	struct dentry *dir;

	ictx->stat_id = atomic_long_inc_return(&iommufd_stat_next_id);
	snprintf(name, sizeof(name), "%lu", ictx->stat_id);
	dir = debugfs_create_dir(name, iommufd_stat_files);
	debugfs_create_file("owner", 0400, dir, ictx, &iommufd_stat_owner_fops);
	debugfs_create_file("objects", 0400, dir, ictx,
			    &iommufd_stat_objects_fops);
	debugfs_create_file("ioas", 0400, dir, ictx, &iommufd_stat_ioas_fops);
	debugfs_create_file("devices", 0400, dir, ictx,
			    &iommufd_stat_devices_fops);
	debugfs_create_file("domains", 0400, dir, ictx,
			    &iommufd_stat_domains_fops);
	debugfs_create_file("events", 0400, dir, ictx,
			    &iommufd_stat_events_fops);
	ictx->stat_dir = dir;
}

/**
 * iommufd_stat_remove() - take a file out of the view
 * @ictx: the context being released
 *
 * Returns once no read of its directory is in flight; later reads fail.
 *
 * Context: process context, sleeps.
 */
void iommufd_stat_remove(struct iommufd_ctx *ictx)
{
	debugfs_remove_recursive(ictx->stat_dir);
	ictx->stat_dir = NULL;
}

/**
 * iommufd_stat_debugfs_root() - /sys/kernel/debug/iommufd
 *
 * For the test build's knobs, which live beside the view and go with it.
 *
 * Return: the directory's dentry (an error pointer without debugfs, which
 * debugfs_create_*() accept as a parent).
 */
struct dentry *iommufd_stat_debugfs_root(void)
{
	return iommufd_stat_root;
}

/**
 * iommufd_stat_init() - create the view's directories at module load
 *
 * Context: process context.
 */
void iommufd_stat_init(void)
{
	iommufd_stat_root = debugfs_create_dir("iommufd", NULL);
	iommufd_stat_files = debugfs_create_dir("files", iommufd_stat_root);
}

/**
 * iommufd_stat_exit() - remove the whole tree at module unload
 *
 * Every /dev/iommu file is closed by then (each holds the module).
 *
 * Context: process context.
 */
void iommufd_stat_exit(void)
{
	debugfs_remove_recursive(iommufd_stat_root);
}
