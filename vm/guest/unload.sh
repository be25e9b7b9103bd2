#!/bin/sh
# unload.sh: unload what load.sh loaded, in reverse order (virtio-iommu
# stays: an IOMMU driver cannot be unloaded).  Fails if a module
# cannot be unloaded (still in use, or it refused).
set -e
for m in vfio_pci vfio_pci_core vfio irqbypass iommufd; do
	if grep -q "^$m " /proc/modules; then
		rmmod "$m"
	fi
done
