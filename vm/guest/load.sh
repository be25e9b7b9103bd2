#!/bin/sh
# load.sh [DIR]: load the project's modules from DIR (default: this script's
# folder) in dependency order, in the test configuration: iommufd.ko built
# with the test ABI, then VFIO when it links against iommufd.ko cleanly
# (DIR/vfio.links says "yes"); Debian's irqbypass.ko, which VFIO needs, is
# looked for in DIR, then in the running kernel's module tree.  Debian's
# virtio-iommu.ko first, when the VM has a virtio-iommu.
# Safe to run again: loaded modules are skipped.
set -e
dir=${1:-$(dirname "$0")}

loaded() {
	grep -q "^$1 " /proc/modules
}

load() {
	name=$(basename "$1" .ko | tr - _)
	loaded "$name" && return 0
	insmod "$1"
}

# A virtio-iommu in the VM needs its (Debian) driver before devices are
# handed out; virtio PCI device id 0x1057.
if grep -qx 0x1057 /sys/bus/pci/devices/*/device 2>/dev/null &&
	[ -f "$dir/virtio-iommu.ko" ]; then
	load "$dir/virtio-iommu.ko"
fi

load "$dir/iommufd.ko"

if [ "$(cat "$dir/vfio.links" 2>/dev/null)" = yes ]; then
	if ! loaded irqbypass; then
		if [ -f "$dir/irqbypass.ko" ]; then
			load "$dir/irqbypass.ko"
		else
			# Built into some kernels (the debug one): then VFIO
			# links without it.
			modprobe irqbypass 2>/dev/null || true
		fi
	fi
	load "$dir/vfio.ko"
	load "$dir/vfio-pci-core.ko"
	load "$dir/vfio-pci.ko"
fi
