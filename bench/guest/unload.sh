#!/bin/sh
# unload.sh: unload whichever benchmark module set is loaded (edu is
# unbound from vfio-pci with it).
set -e
for m in vfio_pci vfio_pci_core vfio_iommu_type1 vfio iommufd irqbypass; do
	if grep -q "^$m " /proc/modules; then
		rmmod "$m"
	fi
done
