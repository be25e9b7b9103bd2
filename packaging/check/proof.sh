#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# proof.sh: runs at boot in the Debian that check-package.sh installed
# iommufd-dkms into (iommufd-proof.service), and checks what a user would:
# /dev/iommu is there, VFIO comes from DKMS, edu binds to vfio-pci and has
# its cdev, the distribution's QEMU passes edu through /dev/iommu to a
# guest whose DMA lands exactly in its memory, and iommufd-stat shows
# QEMU's pinned guest RAM meanwhile; then the package is purged
# and the kernel's own modules are back.  TAP on the second serial port;
# systemd powers the machine off when it ends (iommufd-proof.service).
set -u
exec >/dev/ttyS1 2>&1

lib=/usr/local/lib/iommufd-proof
n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $*"
}
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
run() {
	echo "# \$ $*"
	# (dpkg's progress is one line redrawn with carriage returns)
	"$@" 2>&1 | tr '\r' '\n' | grep -v '^(Reading database' | sed 's/^/#   /'
	return "${PIPESTATUS[0]}"
}
# Loaded, and in-tree: DKMS's builds carry the out-of-tree taint flag O.
loaded_in_tree() {
	[ -d "/sys/module/$1" ] && ! grep -q O "/sys/module/$1/taint"
}
loaded_out_of_tree() {
	grep -q O "/sys/module/$1/taint" 2>/dev/null
}

echo "@@proof: start"
echo "# $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
run dkms status
# (post-install.sh recompresses; DKMS's built copy must follow, or its
# status reports a difference between built and installed modules.)
check "dkms status finds the installed modules the ones it built" \
	eval '! dkms status 2>&1 | grep -q "Diff between built and installed"'

check "/dev/iommu exists at boot" test -c /dev/iommu
check "systemd-modules-load loaded iommufd" \
	grep -q '^iommufd ' /proc/modules
check "iommufd.ko is signed with the DKMS key (Secure Boot)" \
	grep -q 'DKMS' <<<"$(modinfo -F signer iommufd)"
path=$(modinfo -n vfio-pci)
check "modinfo -n vfio-pci points into updates/dkms ($path)" \
	grep -q '/updates/dkms/' <<<"$path"

# Two edus: the guest gets both, so QEMU maps two BARs for peer-to-peer.
bdf=$(lspci -D -n -d 1234:11e8 | awk '{ print $1; exit }')
bdf2=$(lspci -D -n -d 1234:11e8 | awk 'NR == 2 { print $1 }')
check "two edus are on the PCI bus (${bdf:-none} ${bdf2:-none})" \
	test -n "$bdf" -a -n "$bdf2"
dev=/sys/bus/pci/devices/$bdf
modprobe vfio-pci
for d in "$bdf" "$bdf2"; do
	echo vfio-pci >"/sys/bus/pci/devices/$d/driver_override"
	echo "$d" >/sys/bus/pci/drivers_probe
done
check "the loaded vfio and vfio-pci are the rebuilt ones" \
	eval 'loaded_out_of_tree vfio && loaded_out_of_tree vfio_pci'
check "edu is bound to vfio-pci" \
	test "$(basename "$(readlink "$dev/driver")")" = vfio-pci
cdev=$(ls "$dev/vfio-dev" 2>/dev/null)
check "edu has its VFIO cdev (/dev/vfio/devices/${cdev:-none})" \
	test -c "/dev/vfio/devices/$cdev"

echo "# $(qemu-system-x86_64 --version | head -1)"
echo "# guest: two edus through -object iommufd; nested TCG"
# Started paused (-S): QEMU maps guest RAM and attaches edu before the
# guest runs, and iommufd-stat looks at that before "cont" on the monitor
# (a pipe): the guest may take only seconds.
rm -f /tmp/qemu-mon.in /tmp/qemu-mon.out
mkfifo /tmp/qemu-mon.in /tmp/qemu-mon.out
timeout 900 qemu-system-x86_64 -M q35 -accel tcg -m 64M -nodefaults \
	-display none -no-reboot -S -monitor pipe:/tmp/qemu-mon \
	-object iommufd,id=iommufd0 \
	-device "vfio-pci,host=$bdf,iommufd=iommufd0" \
	-device "vfio-pci,host=$bdf2,iommufd=iommufd0" \
	-device isa-debug-exit,iobase=0xf4,iosize=1 \
	-kernel "$lib/edu-guest.elf" -serial file:/tmp/guest.log \
	2>/tmp/qemu.err &
qemu=$!

# Before the guest runs: iommufd-stat sees QEMU's file, its guest RAM
# mapped and pinned, and edu attached.  How many BAR areas (dma-bufs)
# QEMU maps while the guest runs is reported, not checked: when QEMU maps
# them under nested TCG is not pinned down yet.
start=$SECONDS
for _ in $(seq 60); do
	iommufd-stat --json >/tmp/stat.json 2>/tmp/stat.err &&
		grep -q '"comm": "qemu-system-x86"' /tmp/stat.json &&
		grep -q '"kind": "memory"' /tmp/stat.json && break
	sleep 2
done
echo "# iommufd-stat sampled QEMU after $((SECONDS - start)) s"
# The guest runs from here (the monitor's output is not needed).
cat /tmp/qemu-mon.out >/dev/null &
# Bounded: opening the pipe waits for a reader, which a dead QEMU is not.
timeout 10 sh -c 'echo cont >/tmp/qemu-mon.in' ||
	echo "# QEMU did not take \"cont\" (gone already?)"
iommufd-stat >/tmp/stat.txt 2>&1
sed 's/^/#   iommufd-stat: /' /tmp/stat.txt /tmp/stat.err
# (JSON read with grep and sed: the root has no jq.)  QEMU's file: its
# totals are on the file's first line, its devices one per line.
stat_qemu() {
	local line mapped pinned
	line=$(grep '"comm": "qemu-system-x86"' /tmp/stat.json) || return 1
	[ "$(wc -l <<<"$line")" = 1 ] || return 1
	mapped=$(sed -n 's/.*"mapped": \([0-9]*\).*/\1/p' <<<"$line")
	pinned=$(sed -n 's/.*"pinned": \([0-9]*\).*/\1/p' <<<"$line")
	echo "# QEMU's file: ${mapped:-?} bytes mapped, ${pinned:-?} pinned"
	[ "${mapped:-0}" -ge $((64 << 20)) ] && [ "${pinned:-0}" -ge $((64 << 20)) ] &&
		grep -q '"held_by": \[[0-9]' <<<"$line" &&
		grep -Eq "\"dev\": \"$bdf\", \"driver\": \"vfio-pci\", \"group\": [0-9]+, \"hwpt\": [1-9]" \
			/tmp/stat.json
}
check "iommufd-stat: QEMU's /dev/iommu, 64 MiB of guest RAM mapped and pinned, edu attached" \
	stat_qemu
# Until QEMU exits: the most BAR areas (dma-bufs) its IOAS held at once.
bars=0
while kill -0 "$qemu" 2>/dev/null; do
	n=$(iommufd-stat --json 2>/dev/null | grep -o '"kind": "dmabuf"' | wc -l)
	[ "$n" -gt "$bars" ] && bars=$n
	sleep 2
done
echo "# BAR areas (dma-bufs) in QEMU's IOAS, most at once: $bars"
wait "$qemu"
rc=$?
sed 's/^/#   guest: /' /tmp/guest.log
sed 's/^/#   qemu: /' /tmp/qemu.err
check "the guest's edu DMA through /dev/iommu landed exactly (QEMU exit $rc)" \
	grep -q '^edu-guest: DMA OK' /tmp/guest.log
check "QEMU exited as the guest asked (33)" test "$rc" = 33
# Known, and not this package's to fix: edu has no reset method.  A BAR
# mapping failure ("PCI BAR?", "peer-to-peer transactions on BARs are
# not supported") or anything else fails.
grep -v -e 'no available reset mechanism' \
	/tmp/qemu.err >/tmp/qemu.unexpected
check "QEMU logged no BAR mapping failure, nor anything unexpected" \
	test ! -s /tmp/qemu.unexpected

echo "# purging iommufd-dkms"
for d in "$bdf" "$bdf2"; do
	echo "$d" >"/sys/bus/pci/devices/$d/driver/unbind"
	echo >"/sys/bus/pci/devices/$d/driver_override"
done
modprobe -r vfio-pci vfio_iommu_type1 iommufd
run apt-get purge -y iommufd-dkms
check "after purge, modinfo -n vfio-pci is the kernel's own" \
	grep -q '/kernel/drivers/vfio/' <<<"$(modinfo -n vfio-pci)"
check "iommufd is gone" test -z "$(modinfo -n iommufd 2>/dev/null)"
modprobe vfio-pci
check "the kernel's own vfio loads again" loaded_in_tree vfio
check "the kernel's own vfio-pci loads again" loaded_in_tree vfio_pci
check "no /dev/iommu without the package" test ! -e /dev/iommu
check "iommufd-stat went with the package" test ! -e /usr/sbin/iommufd-stat

echo "# $((n - failed)) passed, $failed failed"
echo "@@proof: done"
