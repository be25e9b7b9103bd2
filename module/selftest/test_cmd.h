/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal to selftest/: the operations of IOMMU_TEST_CMD that
 * test_cmd.c dispatches to the other files of the test ABI.
 */
#ifndef IOMMUFD_SELFTEST_TEST_CMD_H
#define IOMMUFD_SELFTEST_TEST_CMD_H

#include <linux/types.h>

struct iommufd_ucmd;

/* test_access.c */
int iommufd_test_create_access(struct iommufd_ucmd *ucmd, u32 ioas_id,
			       u32 flags);
int iommufd_test_access_replace_ioas(int fd, u32 ioas_id);
int iommufd_test_access_pages(struct iommufd_ucmd *ucmd, int fd,
			      unsigned long iova, size_t length,
			      void __user *uptr, u32 flags);
int iommufd_test_access_item_destroy(int fd, u32 item_id);
int iommufd_test_access_rw(int fd, unsigned long iova, size_t length,
			   void __user *ubuf, u32 flags);

/* test_dmabuf.c */
int iommufd_test_dmabuf_get(size_t length, u32 open_flags);
int iommufd_test_dmabuf_revoke(int fd, bool revoked);
void iommufd_test_dmabuf_init(void);
void iommufd_test_dmabuf_exit(void);

#endif /* IOMMUFD_SELFTEST_TEST_CMD_H */
