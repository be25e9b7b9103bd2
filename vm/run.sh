#!/bin/bash
# run.sh [options] [-- COMMAND...]: boot the stock Debian 6.12 kernel in QEMU
# (TCG, no KVM) with an emulated IOMMU and DMA-capable devices, load the
# project's modules, run COMMAND in the guest and power off.  Without a
# COMMAND, an interactive shell on this terminal.
#
#   --name NAME      logs go to out/logs/NAME/ (default: run)
#   --timeout SECS   kill a guest that has not finished by then (default 900)
#   --iommu KIND     intel (default), intel-sm (scalable mode), virtio, amd,
#                    none
#   --quiet          do not print the command's output
#   --container      load the /dev/vfio/vfio variant (out/modules/container)
#   --bridge         add a PCIe-to-PCI bridge with a second edu and an e1000
#                    behind it: one IOMMU group of several devices
#   --p2p            add two edus for peer-to-peer DMA: one on the root bus,
#                    one alone behind its own PCIe-to-PCI bridge (a bus
#                    reset resets it alone, so VFIO can reset it)
#   --debug          boot the debug kernel of scripts/debug-kernel.sh with
#                    the image of scripts/debug-check.sh
#   --mem SIZE       guest memory, as QEMU's -m takes it (default 2G)
#   --image FILE     boot this initramfs instead of out/vm/base.cpio.gz
#   --modules NAME   load /lib/NAME of the image instead of /lib/iommufd
#   --icount         the guest's clock counts instructions (QEMU -icount
#                    shift=0, one ns each), not host time: timings taken in
#                    the guest no longer depend on the host's load, at the
#                    price of ignoring memory and device costs
#
# It prints the command's output, then, on stderr, one "vm: ..." line per
# problem found.  Exit status:
#   0 the command succeeded, the modules unloaded, the kernel log is clean
#   1 the command failed          2 the kernel log has a report (WARN, BUG,
#   3 the guest hung or died        oops, lockdep, KASAN, ...)
#   4 the modules did not load    5 the modules did not unload
# The lowest-numbered problem wins; all of them are printed.  The serial
# logs stay in out/logs/NAME/: console.log (kernel), output.log (command).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$top/out}
name=run timeout=900 iommu=intel quiet=0 debug=0 bridge=() modules= mem=2G image=
icount=()
while [ $# -gt 0 ]; do
	case "$1" in
	--name) name=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--iommu) iommu=$2; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--debug) debug=1; shift ;;
	--container) modules=" vm.modules=iommufd-container"; shift ;;
	--modules) modules=" vm.modules=$2"; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--image) image=$2; shift 2 ;;
	--icount) icount=(-icount shift=0,sleep=off); shift ;;
	--bridge)
		bridge=(-device pcie-pci-bridge,id=br0
			-device edu,bus=br0,addr=1
			-device e1000,bus=br0,addr=2,netdev=net1
			-netdev user,id=net1,restrict=on)
		shift ;;
	--p2p)
		bridge=(-device edu
			-device pcie-pci-bridge,id=brp
			-device edu,bus=brp,addr=1)
		shift ;;
	--) shift; break ;;
	*) echo "run.sh: unknown option $1" >&2; exit 64 ;;
	esac
done

kver=${KVER:-$(cat "$out/kver")}
kernel=$out/kernel/$kver/boot/vmlinuz-$kver
base=$out/vm/base.cpio.gz
cpu=max
if [ "$debug" = 1 ]; then
	kernel=$out/debug/linux/arch/x86/boot/bzImage
	base=$out/debug/base.cpio.gz
	# LA57 under TCG makes KASAN report a false positive in identify_cpu.
	cpu=max,-la57
fi
[ -z "$image" ] || base=$image
for f in "$kernel" "$base"; do
	[ -f "$f" ] || { echo "run.sh: $f missing; run make" >&2; exit 64; }
done

logs=$out/logs/$name
rm -rf "$logs"
mkdir -p "$logs/extra"

# The command rides in a second cpio appended to the base image.
initrd=$base
if [ $# -gt 0 ]; then
	printf '%s\n' "$*" >"$logs/extra/cmd"
	(cd "$logs/extra" && echo cmd | cpio -o -H newc --quiet | gzip -1) >"$logs/extra.cpio.gz"
	cat "$base" "$logs/extra.cpio.gz" >"$logs/initrd.img"
	initrd=$logs/initrd.img
fi

[ -f "$out/vm/nvme.img" ] || truncate -s 16M "$out/vm/nvme.img"

append="console=ttyS0,115200 loglevel=7 panic=-1 oops=panic mitigations=off$modules"
machine=q35
iommu_dev=()
case "$iommu" in
intel)
	machine=q35,kernel-irqchip=split
	iommu_dev=(-device intel-iommu,intremap=on)
	append+=" intel_iommu=on iommu=nopt" ;;
intel-sm)
	machine=q35,kernel-irqchip=split
	iommu_dev=(-device intel-iommu,intremap=on,x-scalable-mode=on)
	append+=" intel_iommu=on,sm_on iommu=nopt" ;;
virtio)
	iommu_dev=(-device virtio-iommu-pci)
	append+=" iommu=nopt" ;;
amd)
	machine=q35,kernel-irqchip=split
	iommu_dev=(-device amd-iommu,intremap=on)
	append+=" iommu=nopt" ;;
none) ;;
*) echo "run.sh: unknown --iommu $iommu" >&2; exit 64 ;;
esac

# Single-threaded TCG: with one host thread per vCPU, the kernel's live
# code patching (int3-based text_poke) races with other vCPUs' translated
# code and the guest oopses at boot now and then ("Oops: int3" in
# run_timer_softirq, seen under load).  Two vCPUs still interleave.
qemu=(qemu-system-x86_64 -accel tcg,thread=single "${icount[@]}" -cpu "$cpu" -M "$machine" -smp 2 -m "$mem"
	-nodefaults -no-reboot -display none -vga none
	"${iommu_dev[@]}"
	-device edu
	-netdev user,id=net0,restrict=on -device e1000e,netdev=net0
	-drive file="$out/vm/nvme.img",if=none,id=nvme0,format=raw
	-device nvme,serial=iommufd0,drive=nvme0
	"${bridge[@]}"
	-kernel "$kernel" -initrd "$initrd" -append "$append")

if [ $# -eq 0 ]; then
	exec "${qemu[@]}" -serial mon:stdio
fi

timeout --kill-after=10 "$timeout" "${qemu[@]}" \
	-serial file:"$logs/console.log" -serial file:"$logs/output.log" \
	-monitor none </dev/null >"$logs/qemu.log" 2>&1
qemu_rc=$?

# Output, without the markers and carriage returns.
tr -d '\r' <"$logs/output.log" >"$logs/output.txt" 2>/dev/null
[ "$quiet" = 1 ] || grep -v '^@@vm: ' "$logs/output.txt"

problems=()
rc=0
fail() {
	echo "vm: $2" >&2
	[ "$rc" -eq 0 ] || [ "$1" -lt "$rc" ] && rc=$1
	problems+=("$2")
}
marker() {
	grep -qx "@@vm: $1" "$logs/output.txt"
}

# Kernel reports that fail a run wherever they appear.
bad='WARNING: |BUG: |Oops|general protection fault|Kernel panic|'
bad+='kernel BUG at|UBSAN:|KASAN|possible circular locking|'
bad+='possible recursive locking|inconsistent lock state|'
bad+='suspicious RCU usage|scheduling while atomic|'
bad+='suspected memory leak|detected stall|blocked for more than|'
bad+='refcount_t: |list_add corruption|list_del corruption|Call Trace:'
tr -d '\r' <"$logs/console.log" >"$logs/console.txt" 2>/dev/null
if grep -Eq "$bad" "$logs/console.txt"; then
	fail 2 "kernel log has reports (first lines follow; full log $logs/console.txt)"
	grep -E -m 8 "$bad" "$logs/console.txt" | sed 's/^/vm:   /' >&2
fi

if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
	fail 3 "guest did not finish within $timeout s; killed"
elif ! marker done && ! marker load-failed; then
	fail 3 "guest stopped before finishing (qemu exit $qemu_rc; see $logs/)"
fi
if marker load-failed; then
	fail 4 "modules did not load"
elif ! marker boot; then
	fail 3 "guest never reached init"
fi
status=$(sed -n 's/^@@vm: exit \([0-9]*\)$/\1/p' "$logs/output.txt")
if [ -n "$status" ] && [ "$status" != 0 ]; then
	fail 1 "command exited with status $status"
fi
marker unload-failed && fail 5 "modules did not unload"

[ "$rc" -eq 0 ] || echo "vm: logs kept in $logs" >&2
exit $rc
