/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal to pages/: pinning and charging.  The rest of the module uses
 * the iopt_pages_* functions declared in ioas/io_pagetable.h.
 */
#ifndef IOMMUFD_PAGES_H
#define IOMMUFD_PAGES_H

#include <linux/types.h>

struct iopt_pages;

int iopt_pages_charge(struct iopt_pages *pages, unsigned long npages);
void iopt_pages_uncharge(struct iopt_pages *pages, unsigned long npages);
u8 iopt_account_mode_for_current(bool process_mode);

#endif /* IOMMUFD_PAGES_H */
