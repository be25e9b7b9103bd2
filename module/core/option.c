// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_OPTION: small settings of the file and of its objects.
 *
 *   IOMMU_OPTION_RLIMIT_MODE  file-wide, object_id 0: 0 charges pins to the
 *                             user (default), 1 to the process.  Setting it
 *                             needs CAP_SYS_RESOURCE and an empty file.
 *   IOMMU_OPTION_HUGE_PAGES   per IOAS: 1 (default) lets contiguous pages
 *                             map as large IOMMU pages, 0 maps PAGE_SIZE.
 */
#include <linux/capability.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd.h>

#include "../iommufd_private.h"
#include "../ioas/ioas.h"

static int iommufd_option_rlimit_mode(struct iommu_option *cmd,
				      struct iommufd_ctx *ictx)
{
	int rc = 0;

	if (cmd->object_id)
		return -EOPNOTSUPP;
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = READ_ONCE(ictx->process_accounting);
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (!capable(CAP_SYS_RESOURCE))
		return -EPERM;

	/* Pins already made were charged one way; no switching under them. */
	xa_lock(&ictx->objects);
	if (!xa_empty(&ictx->objects))
		rc = -EBUSY;
	else if (cmd->val64 > 1)
		rc = -EINVAL;
	else
		WRITE_ONCE(ictx->process_accounting, cmd->val64);
	xa_unlock(&ictx->objects);
	return rc;
}

static int iommufd_option_huge_pages(struct iommu_option *cmd,
				     struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas;
	int rc = 0;

	ioas = iommufd_get_ioas(ictx, cmd->object_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (cmd->op == IOMMU_OPTION_OP_GET)
		cmd->val64 = !READ_ONCE(ioas->iopt.disable_large_pages);
	else if (cmd->op != IOMMU_OPTION_OP_SET)
		rc = -EOPNOTSUPP;
	else if (cmd->val64 > 1)
		rc = -EINVAL;
	else
		rc = iopt_set_large_pages(&ioas->iopt, cmd->val64);
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/**
 * iommufd_option_ioctl() - IOMMU_OPTION
 * @ucmd: the command; struct iommu_option
 *
 * Only val64 is written back.
 *
 * Context: process context, may sleep.
 * Return: 0; -EOPNOTSUPP for an unknown option or op or a reserved field;
 * -EINVAL for a value out of range; -EPERM, -EBUSY as described above;
 * -ENOENT for an unknown IOAS; -EFAULT.
 */
int iommufd_option_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct iommu_option __user *ucmd_ptr = ucmd->ubuffer;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->option_id) {
	case IOMMU_OPTION_RLIMIT_MODE:
		rc = iommufd_option_rlimit_mode(cmd, ucmd->ictx);
		break;
	case IOMMU_OPTION_HUGE_PAGES:
		rc = iommufd_option_huge_pages(cmd, ucmd->ictx);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (rc)
		return rc;
	if (copy_to_user(&ucmd_ptr->val64, &cmd->val64, sizeof(cmd->val64)))
		return -EFAULT;
	return 0;
}
