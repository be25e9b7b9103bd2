#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# post-install.sh KERNELVER: after DKMS copied the modules to
# updates/dkms:
#
# - Warn when VFIO was rebuilt from a linux-source-6.12 of another release
#   than the kernel's (the archive sometimes publishes the kernel first).
#
# - Make xz-compressed modules readable by every kmod.  Debian 12's DKMS
#   compresses with xz's default CRC64 check; a kmod that hands the file
#   to the kernel to decompress (Debian 13's) fails on it with EINVAL, as
#   the kernel's xz reader knows only CRC32.  CRC32, with the kernel's own
#   dictionary size, is what both read.  DKMS's own copy of the built
#   module gets the same file, or `dkms status` would report a difference
#   between the built and the installed module.
#
# DPKG_QUERY, MODULES_DIR and DKMS_TREE override dpkg-query, /lib/modules
# and /var/lib/dkms (tests).
set -eu

kver=${1:?usage: post-install.sh KERNELVER}
dir=${MODULES_DIR:-/lib/modules}/$kver/updates/dkms
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf 2>/dev/null)

release() {
	sed -n 's/^\(6\.12\.[0-9]*\).*/\1/p'
}
src_ver=$(${DPKG_QUERY:-dpkg-query} -W -f '${Version}' linux-source-6.12 \
	2>/dev/null | release)
kern_ver=$(echo "$kver" | release)
if [ -n "$src_ver" ] && [ "$src_ver" != "$kern_ver" ]; then
	cat <<WARNING
iommufd-dkms: WARNING: VFIO was rebuilt from linux-source-6.12 $src_ver,
iommufd-dkms: WARNING: but the kernel is $kver.  Upgrade the kernel, or
iommufd-dkms: WARNING: install linux-source-6.12 $kern_ver when the archive has it, then rebuild:
iommufd-dkms: WARNING:   dkms remove iommufd/$version -k $kver
iommufd-dkms: WARNING:   dkms install iommufd/$version -k $kver
WARNING
fi

for m in iommufd vfio vfio_iommu_type1 vfio-pci-core vfio-pci; do
	f=$dir/$m.ko.xz
	[ -f "$f" ] || continue
	xz --robot --list "$f" | grep -q 'CRC32' && continue
	xz -dc "$f" >"$f.tmp"
	xz --check=crc32 --lzma2=dict=1MiB -c "$f.tmp" >"$f.new"
	rm -f "$f.tmp"
	mv -f "$f.new" "$f"
	for built in "${DKMS_TREE:-/var/lib/dkms}/iommufd/$version/$kver"/*/module/"$m".ko.xz; do
		[ -f "$built" ] && cp "$f" "$built"
	done
	echo "iommufd-dkms: $m.ko.xz recompressed with CRC32 for the kernel's xz reader"
done
