#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# vfio/prepare.sh SRC DST: the VFIO build tree, DST, from Debian's
# drivers/vfio unpacked in SRC (left as it is): Debian's sources, the
# project's Kbuild files and its own files of vfio-pci-core (the BAR
# dma-bufs, vfio/pci/vfio_pci_dmabuf.[ch], with the two project headers
# they need under pci/include/), then the project's patches
# (vfio/patches/*.patch, in order).  A patch that does not apply exactly
# fails the build: a new linux-source-6.12 release changed what it hooks.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
[ $# -eq 2 ] || { echo "usage: $0 SRC DST" >&2; exit 2; }
src=$1 dst=$2
[ -f "$src/vfio_main.c" ] || { echo "$0: no drivers/vfio in $src" >&2; exit 1; }

rm -rf "$dst"
mkdir -p "$dst/pci/include/linux" "$dst/pci/include/uapi/linux"
cp "$src"/*.[ch] "$here/Kbuild" "$dst/"
cp "$src"/pci/*.[ch] "$here/pci/Kbuild" "$here/pci/vfio_pci_dmabuf.c" \
	"$here/pci/vfio_pci_dmabuf.h" "$dst/pci/"
cp "$top/include/linux/iommufd_ext.h" "$dst/pci/include/linux/"
cp "$top/include/uapi/linux/vfio_dmabuf.h" "$dst/pci/include/uapi/linux/"
for p in "$here"/patches/*.patch; do
	patch -d "$dst" -p1 --forward --fuzz=0 --no-backup-if-mismatch -s <"$p" || {
		echo "$0: $(basename "$p") does not apply to $src" >&2
		exit 1
	}
done
