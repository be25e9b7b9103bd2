/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Forced after Debian's autoconf.h for the VFIO build that leaves the
 * type1 container to iommufd.ko: VFIO then registers no /dev/vfio/vfio.
 */
#undef CONFIG_VFIO_CONTAINER
