// SPDX-License-Identifier: GPL-2.0-only
/*
 * One module, two upstream selftests: Debian 6.12's and the newest.
 *
 * Where upstream changed the layout of a structure, the caller's size says
 * which one it passed, as the extensible structs intend.  In a few places
 * upstream changed only the errno of an identical call, and both
 * selftests check it; no size tells those apart.  A caller that allocates
 * a mock nested HWPT with the 6.12 layout of struct iommu_hwpt_selftest
 * (the iotlb word alone) marks its file as speaking 6.12's test ABI, and
 * on that file those errnos are 6.12's.  Every other file, including
 * every file without a mock HWPT, gets the newest upstream's.
 *
 * The errnos that differ:
 *	IOMMU_HWPT_INVALIDATE of an object that is no nested HWPT or vIOMMU:
 *	6.12 ENOENT, newer EINVAL.
 */
#include <linux/compiler.h>
#include <linux/stddef.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_test.h>

#include "../iommufd_private.h"
#include "selftest.h"

/**
 * iommufd_test_note_hwpt_data() - note which test ABI a HWPT's data speaks
 * @ictx: the file
 * @type: the IOMMU_HWPT_ALLOC data type
 * @len: its length
 */
void iommufd_test_note_hwpt_data(struct iommufd_ctx *ictx, u32 type, u32 len)
{
	if (type == IOMMU_HWPT_DATA_SELFTEST)
		WRITE_ONCE(ictx->test_abi_6_12,
			   len == offsetofend(struct iommu_hwpt_selftest,
					      iotlb));
}

/**
 * iommufd_test_abi_6_12() - does @ictx's caller speak 6.12's test ABI?
 * @ictx: the file
 *
 * Return: true if its last mock HWPT data had the 6.12 layout.
 */
bool iommufd_test_abi_6_12(struct iommufd_ctx *ictx)
{
	return READ_ONCE(ictx->test_abi_6_12);
}
