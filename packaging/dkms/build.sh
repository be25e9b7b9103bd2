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
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf" 2>/dev/null)

say "building iommufd.ko for $kver"
make -C "$kdir" M="$top/module" -j"$jobs" modules

say "unpacking drivers/vfio from $src"
rm -rf "$top/build" && mkdir -p "$top/build/vfio"
tar -xf "$src" -C "$top/build/vfio" --strip-components=3 \
	--wildcards --no-wildcards-match-slash \
	'linux-source-6.12/drivers/vfio/*.[ch]' \
	'linux-source-6.12/drivers/vfio/pci/*.[ch]'
tar -xf "$src" -C "$top/build" --strip-components=1 linux-source-6.12/Makefile

# The source should be the kernel's own release; say so loudly when not.
src_ver=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p; s/^SUBLEVEL = //p' \
	"$top/build/Makefile" | paste -sd.)
kern_ver=$(echo "$kver" | sed -n 's/^\(6\.12\.[0-9]*\).*/\1/p')
# build/notes is what dkms/post-build.sh shows in DKMS's own output.
if [ "$src_ver" != "$kern_ver" ]; then
	{
		echo "WARNING: VFIO is rebuilt from linux-source-6.12 $src_ver, but the kernel is $kver ($kern_ver)."
		echo "WARNING: install the linux-source-6.12 of the kernel's release when the archive has it, then rebuild:"
		echo "WARNING:   dkms remove iommufd/$version -k $kver && dkms install iommufd/$version -k $kver"
	} >"$top/build/notes"
else
	echo "VFIO rebuilt from linux-source-6.12 $src_ver, the kernel's release" \
		>"$top/build/notes"
fi
sed 's/^/iommufd-dkms: /' "$top/build/notes"

cp "$top/vfio/Kbuild" "$top/build/vfio/Kbuild"
cp "$top/vfio/pci/Kbuild" "$top/build/vfio/pci/Kbuild"
say "building VFIO for $kver against this iommufd.ko"
make -C "$kdir" M="$top/build/vfio" -j"$jobs" \
	KBUILD_EXTRA_SYMBOLS="$top/module/Module.symvers" modules

cp "$top/module/iommufd.ko" "$top/build/vfio/vfio.ko" \
	"$top/build/vfio/vfio_iommu_type1.ko" \
	"$top/build/vfio/pci/vfio-pci-core.ko" \
	"$top/build/vfio/pci/vfio-pci.ko" "$top/build/"
say "built iommufd, vfio, vfio_iommu_type1, vfio-pci-core, vfio-pci"
