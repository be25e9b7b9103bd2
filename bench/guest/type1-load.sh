#!/bin/sh
# load.sh DIR: Debian's own VFIO with the type1 IOMMU backend, from DIR.
set -e
dir=$1
for m in irqbypass vfio vfio_iommu_type1 vfio-pci-core vfio-pci; do
	grep -q "^$(echo $m | tr - _) " /proc/modules || insmod "$dir/$m.ko"
done
