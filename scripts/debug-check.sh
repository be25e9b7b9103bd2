#!/bin/bash
# debug-check.sh: run the VM tests on a debug kernel (KASAN, lockdep,
# kmemleak, fault injection; see debug-kernel.sh) to hunt locking and
# memory bugs.  Not part of make check (the kernel takes about 20 minutes to
# build); run it by hand after changing locking or lifetimes.  VFIO is
# rebuilt against this iommufd.ko from the same sources and Kbuild files as
# for Debian's kernel (mk/vfio.mk), so the VFIO tests run here too; and
# upstream's iommufd_fail_nth runs whole, as this kernel injects failures.
#
#   scripts/debug-check.sh [COMMAND]   default: every test program, then
#                                      upstream's selftests, Debian 6.12's
#                                      and the newest (each with its
#                                      fail-nth companion)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$top/out}
linux=$out/debug/linux
dbg=$out/debug

# Builds the kernel the first time; later only what a change of its
# configuration touches.
"$top/scripts/debug-kernel.sh"

# The module, test configuration, against the debug tree.
mkdir -p "$dbg/build/module" "$dbg/build/include" "$dbg/modules"
rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	"$top/module/" "$dbg/build/module/"
rsync -a --delete "$top/include/" "$dbg/build/include/"
make -s -C "$linux" M="$dbg/build/module" IOMMUFD_SELFTEST=y modules
cp "$dbg/build/module/iommufd.ko" "$dbg/modules/"
install -m 755 "$top/vm/guest/load.sh" "$top/vm/guest/unload.sh" "$dbg/modules/"

# VFIO (vfio, vfio-pci-core, vfio-pci) against that iommufd.ko, patched as
# make's; make has unpacked Debian's drivers/vfio into out/build/vfio-debian.
"$top/vfio/prepare.sh" "$out/build/vfio-debian" "$dbg/build/vfio"
make -s -C "$linux" M="$dbg/build/vfio" \
	KBUILD_EXTRA_SYMBOLS="$dbg/build/module/Module.symvers" modules
cp "$dbg/build/vfio/vfio.ko" "$dbg/build/vfio/pci/vfio-pci-core.ko" \
	"$dbg/build/vfio/pci/vfio-pci.ko" "$linux/virt/lib/irqbypass.ko" \
	"$dbg/modules/"
echo yes >"$dbg/modules/vfio.links"

# The normal image with the debug modules in place of the stock ones.
rm -rf "$dbg/root"
cp -a "$out/vm/root" "$dbg/root"
rm -rf "$dbg/root/lib/iommufd"
cp -a "$dbg/modules" "$dbg/root/lib/iommufd"
(cd "$dbg/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$dbg/base.cpio.gz"

# After the tests, two kmemleak scans: leaks show in the kernel log.
leakscan="echo scan >/sys/kernel/debug/kmemleak; sleep 2; echo scan >/sys/kernel/debug/kmemleak; cat /sys/kernel/debug/kmemleak"
cmd="${1:-/tests/run-all.sh; /tests/run-upstream.sh; /tests/run-upstream.sh newest}; $leakscan"
vm_rc=0
# With the peer-to-peer edus (run.sh --p2p), so that vfio_p2p's BAR
# revocation runs under lockdep and KASAN too.
"$top/vm/run.sh" --debug --p2p --name debug --timeout "${DEBUG_TIMEOUT:-5400}" -- "$cmd" ||
	vm_rc=$?

# The run fails on a kernel report (run.sh's status) and on a failed test.
results=$(awk -f "$top/vm/tap-count.awk" "$out/logs/debug/output.txt")
grep '^FAIL ' <<<"$results" | sed 's/^/    /' || true
passed=$(grep -c '^PASS ' <<<"$results" || true)
failed=$(grep -c '^FAIL ' <<<"$results" || true)
skipped=$(grep -c '^SKIP ' <<<"$results" || true)
if [ $vm_rc -eq 0 ]; then
	vm="kernel log clean, modules unloaded"
else
	vm="VM run failed (status $vm_rc): see $out/logs/debug/"
fi
echo "check-debug: $passed passed, $failed failed, $skipped skipped; $vm"
[ $vm_rc -eq 0 ] && [ "$failed" -eq 0 ]
