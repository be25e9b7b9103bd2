#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# build.sh KERNELVER [KERNEL_BUILD_DIR]: DKMS's build of iommufd-dkms.
# Compiles iommufd.ko (production configuration: no test ABI) against the
# kernel's headers, then VFIO (vfio, vfio_iommu_type1, vfio-pci-core,
# vfio-pci) from Debian's linux-source-6.12 against that iommufd.ko, with
# the iommufd support and device cdev Debian's kernel leaves out.  The
# modules end up in build/, where dkms.conf looks for them.
#
# build.sh --clean removes what a build left.
#
# LINUX_SOURCE_TAR overrides the VFIO source tarball (default
# /usr/src/linux-source-6.12.tar.xz).
set -eu

say() { echo "iommufd-dkms: $*"; }
die() {
	echo "iommufd-dkms: error: $*" >&2
	exit 1
}

top=$(pwd)
if [ "${1:-}" = --clean ]; then
	rm -rf "$top/build"
	find "$top/module" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name '*.symvers' \
		-o -name '*.order' \) -delete
	exit 0
fi

kver=${1:?usage: build.sh KERNELVER [KERNEL_BUILD_DIR] | --clean}
kdir=${2:-/lib/modules/$kver/build}
src=${LINUX_SOURCE_TAR:-/usr/src/linux-source-6.12.tar.xz}

case $kver in
6.12.*) ;;
*) die "kernel $kver is not Linux 6.12: iommufd-dkms implements the iommufd of 6.12 kernels only (Debian 13, or Debian 12 with its backports kernel)" ;;
esac
[ -f "$kdir/Makefile" ] ||
	die "no kernel headers for $kver in $kdir: apt install linux-headers-$kver"
[ -f "$src" ] || die "no $src: apt install linux-source-6.12"

jobs=$(nproc 2>/dev/null || echo 1)

say "building iommufd.ko for $kver"
make -C "$kdir" M="$top/module" -j"$jobs" modules

say "unpacking drivers/vfio from $src"
rm -rf "$top/build" && mkdir -p "$top/build/debian"
tar -xf "$src" -C "$top/build/debian" --strip-components=3 \
	--wildcards --no-wildcards-match-slash \
	'linux-source-6.12/drivers/vfio/*.[ch]' \
	'linux-source-6.12/drivers/vfio/pci/*.[ch]'

say "applying the project's VFIO patches"
sh "$top/vfio/prepare.sh" "$top/build/debian" "$top/build/vfio"
say "building VFIO for $kver against this iommufd.ko"
make -C "$kdir" M="$top/build/vfio" -j"$jobs" \
	KBUILD_EXTRA_SYMBOLS="$top/module/Module.symvers" modules

cp "$top/module/iommufd.ko" "$top/build/vfio/vfio.ko" \
	"$top/build/vfio/vfio_iommu_type1.ko" \
	"$top/build/vfio/pci/vfio-pci-core.ko" \
	"$top/build/vfio/pci/vfio-pci.ko" "$top/build/"
say "built iommufd, vfio, vfio_iommu_type1, vfio-pci-core, vfio-pci"
