/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * access/: in-kernel accesses to an IOAS (the in-kernel API of
 * <linux/iommufd.h> for emulated devices).  What the object core calls.
 */
#ifndef IOMMUFD_ACCESS_ACCESS_H
#define IOMMUFD_ACCESS_ACCESS_H

#include "../iommufd_private.h"

struct seq_file;

void iommufd_access_destroy_object(struct iommufd_object *obj);
void iommufd_access_show(struct seq_file *m, struct iommufd_object *obj);

#endif /* IOMMUFD_ACCESS_ACCESS_H */
