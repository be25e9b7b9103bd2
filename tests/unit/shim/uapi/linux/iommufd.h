/* SPDX-License-Identifier: GPL-2.0-only */
/* The 6.12 uAPI, as the build sanitized it into out/include/. */
#include <linux/iommufd.h>
