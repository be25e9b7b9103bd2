#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# post-install.sh KERNELVER: after DKMS copied the modules to
# updates/dkms, make xz-compressed ones readable by every kmod.  Debian
# 12's DKMS compresses with xz's default CRC64 check; a kmod that hands
# the file to the kernel to decompress (Debian 13's) fails on it with
# EINVAL, as the kernel's xz reader knows only CRC32.  CRC32, with the
# kernel's own dictionary size, is what both read.
set -eu

kver=${1:?usage: post-install.sh KERNELVER}
dir=/lib/modules/$kver/updates/dkms

for m in iommufd vfio vfio_iommu_type1 vfio-pci-core vfio-pci; do
	f=$dir/$m.ko.xz
	[ -f "$f" ] || continue
	xz --robot --list "$f" | grep -q 'CRC32' && continue
	xz -dc "$f" >"$f.tmp"
	xz --check=crc32 --lzma2=dict=1MiB -c "$f.tmp" >"$f.new"
	rm -f "$f.tmp"
	mv -f "$f.new" "$f"
	echo "iommufd-dkms: $m.ko.xz recompressed with CRC32 for the kernel's xz reader"
done
