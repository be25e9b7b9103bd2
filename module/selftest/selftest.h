/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hooks from the core into the test ABI.  A production build
 * (IOMMUFD_SELFTEST undefined) compiles them to nothing.
 */
#ifndef IOMMUFD_SELFTEST_H
#define IOMMUFD_SELFTEST_H

#ifdef IOMMUFD_SELFTEST
int iommufd_test_init(void);
void iommufd_test_exit(void);
void iommufd_test_object_created(void);
void iommufd_test_object_freed(void);
#else
static inline int iommufd_test_init(void)
{
	return 0;
}

static inline void iommufd_test_exit(void)
{
}

static inline void iommufd_test_object_created(void)
{
}

static inline void iommufd_test_object_freed(void)
{
}
#endif

#endif /* IOMMUFD_SELFTEST_H */
