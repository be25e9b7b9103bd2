/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal to device/: what device.c shares with attach.c and pasid.c
 * (reservations, fault enabling and attach handles, all under the
 * device's igroup->lock) and with group.c (the groups' lifetime).
 */
#ifndef IOMMUFD_DEVICE_PRIV_H
#define IOMMUFD_DEVICE_PRIV_H

#include "device.h"

struct io_pagetable;
struct iommufd_attach_handle;
struct device;
struct iommufd_ctx;
struct iommufd_device;
struct iommufd_group;
struct iommufd_hw_pagetable;

struct iommufd_group *iommufd_group_get(struct iommufd_ctx *ictx,
					struct device *dev);
void iommufd_group_put(struct iommufd_group *igroup);

int iommufd_device_reserve(struct iommufd_device *idev,
			   struct io_pagetable *iopt, void *owner);
int iommufd_device_iopf_get(struct iommufd_device *idev);
void iommufd_device_iopf_put(struct iommufd_device *idev);
void iommufd_device_set_iopf_closing(struct iommufd_device *idev,
				     bool closing);
struct iommufd_attach_handle *
iommufd_handle_alloc(struct iommufd_device *idev,
		     struct iommufd_hw_pagetable *hwpt);
void iommufd_handle_retire(struct iommufd_attach_handle *handle);
int iommufd_pasid_rid_check(struct iommufd_device *idev,
			    struct iommufd_hw_pagetable *hwpt);

#endif /* IOMMUFD_DEVICE_PRIV_H */
