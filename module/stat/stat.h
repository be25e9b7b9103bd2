/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stat/: the debugfs view of who pins what, for which devices (stat.c
 * describes it).  What the rest of the module uses of it: the core adds
 * each open /dev/iommu to it and removes it first thing at release.
 *
 * The view reads each part through that part's own header: the
 * iommufd_*_show() functions print one object each as a line, called under
 * ictx->show_rwsem for read by iommufd_ctx_show().
 */
#ifndef IOMMUFD_STAT_STAT_H
#define IOMMUFD_STAT_STAT_H

struct dentry;
struct iommufd_ctx;

void iommufd_stat_init(void);
void iommufd_stat_exit(void);
struct dentry *iommufd_stat_debugfs_root(void);
void iommufd_stat_add(struct iommufd_ctx *ictx);
void iommufd_stat_remove(struct iommufd_ctx *ictx);

#endif /* IOMMUFD_STAT_STAT_H */
