// SPDX-License-Identifier: GPL-2.0-only
/*
 * The I/O address space object (IOAS).
 *
 * For now an IOAS is only an object in the table; its I/O page table comes
 * with the IOAS ioctls.
 */
#include <linux/errno.h>
#include <linux/err.h>
#include <uapi/linux/iommufd.h>

#include "../iommufd_private.h"

/**
 * iommufd_ioas_destroy() - release what an IOAS holds
 * @obj: the IOAS's object, already out of the table
 *
 * Context: process context, may sleep.
 */
void iommufd_ioas_destroy(struct iommufd_object *obj)
{
}

/**
 * iommufd_ioas_alloc_ioctl() - IOMMU_IOAS_ALLOC
 * @ucmd: the command; struct iommu_ioas_alloc
 *
 * Context: process context, may sleep.
 * Return: 0 with out_ioas_id set; -EOPNOTSUPP for any flag; -ENOMEM;
 * -EFAULT if the reply cannot be written, in which case no IOAS exists.
 */
int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;

	ioas = iommufd_object_alloc(ucmd->ictx, struct iommufd_ioas,
				    IOMMUFD_OBJ_IOAS);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	cmd->out_ioas_id = ioas->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ucmd->ictx, &ioas->obj);
	return 0;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &ioas->obj);
	return rc;
}
