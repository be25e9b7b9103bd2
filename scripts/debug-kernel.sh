#!/bin/bash
# debug-kernel.sh: build a debug kernel from Debian's linux-source-6.12 for
# hunting locking and memory bugs (Debian's own kernel has no lockdep,
# KASAN or kmemleak), into out/debug/linux/.  About 20 minutes on 2 cores;
# a second run only rebuilds what changed.
#
# Config: x86_64_defconfig + kvm_guest.config, plus KASAN, PROVE_LOCKING,
# DEBUG_KMEMLEAK, fault injection (slab, page allocator, fail-nth), the
# IOMMU drivers QEMU emulates, VFIO as modules (debug-check.sh replaces
# them with ones built against iommufd.ko) and what the module needs
# (debugfs, interval trees, modules).
# Boot it with vm/run.sh --debug (which adds -cpu max,-la57: LA57 under TCG
# gives a false KASAN report in identify_cpu).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$top/out}
src=$out/debug/linux
mkdir -p "$out/debug"

if [ ! -f "$src/Makefile" ]; then
	rm -rf "$src" "$out/debug/linux-source-6.12"
	tar -xf /usr/src/linux-source-6.12.tar.xz -C "$out/debug"
	mv "$out/debug/linux-source-6.12" "$src"
fi
cd "$src"
# The options are applied on every run, so a tree built before one was
# added gets it (and rebuilds only what it changes).
if [ ! -f .config ]; then
	make -s x86_64_defconfig
	make -s kvm_guest.config
fi
cp .config .config.before
./scripts/config \
	-e KASAN -e KASAN_GENERIC -e KASAN_INLINE \
	-e PROVE_LOCKING -e DEBUG_LOCKDEP -e DEBUG_ATOMIC_SLEEP \
	-e DEBUG_KMEMLEAK -e DEBUG_KMEMLEAK_AUTO_SCAN \
	-e FAULT_INJECTION -e FAILSLAB -e FAIL_PAGE_ALLOC \
	-e FAULT_INJECTION_DEBUG_FS \
	-e DEBUG_FS -e DEBUG_INFO_NONE -d DEBUG_INFO_BTF \
	-e MODULES -e MODULE_UNLOAD -d MODULE_SIG \
	-e IOMMU_SUPPORT -e INTEL_IOMMU -e INTEL_IOMMU_SVM -e IRQ_REMAP \
	-e AMD_IOMMU -e VIRTIO_IOMMU -e VIRTIO_PCI \
	-m VFIO -m VFIO_PCI -m VFIO_PCI_CORE -m VFIO_IOMMU_TYPE1 \
	-m IRQ_BYPASS_MANAGER \
	-e INTERVAL_TREE -e HUGETLBFS -e TRANSPARENT_HUGEPAGE \
	-e BLK_DEV_INITRD -e RD_GZIP -e DEVTMPFS -e SERIAL_8250_CONSOLE \
	-e USERFAULTFD \
	-d IOMMUFD -d VFIO_DEVICE_CDEV
make -s olddefconfig
cmp -s .config .config.before || echo "debug kernel: configuration changed, rebuilding"
rm -f .config.before
nice make -s -j"$(nproc)" bzImage modules
make -s modules_prepare
echo "debug kernel: $src/arch/x86/boot/bzImage"
