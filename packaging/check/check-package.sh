#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check-package.sh DEB: prove iommufd-dkms the way a Debian user would use
# it.  SUITE=trixie (Debian 13, the default) or SUITE=bookworm (Debian 12
# with bookworm-security's 6.12 kernels and bookworm-backports' QEMU).  In a
# root of that suite with two 6.12 kernels (make-root.sh; cached in
# out/package/ for a week, REFRESH=1 rebuilds it) apt installs the
# package, so DKMS builds in the package's own postinst for both; then apt
# upgrades to the archive's newest kernel, which DKMS's kernel hook must
# build for.  The root then boots that newest kernel under QEMU (TCG,
# VT-d, two edu devices) with systemd, and proof.sh checks /dev/iommu, the
# DKMS modules, edu on vfio-pci with its cdev, the distribution's QEMU
# passing edu through -object iommufd to a guest whose DMA must land
# exactly, and the stock modules after a purge.
#
# Logs in out/package/logs/.  The last line is "N passed, N failed".
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${OUT:-$top/out}
deb=${1:?usage: check-package.sh DEB}
dir=$out/package
suite=${SUITE:-trixie}
case $suite in
trixie)
	distro="Debian 13"
	# Debian 13's default kernel is the 6.12 series.
	kernel_meta="linux-image-amd64 linux-headers-amd64"
	;;
bookworm)
	distro="Debian 12"
	# Debian 12's default kernel is 6.1; 6.12 has its own meta-packages.
	kernel_meta="linux-image-6.12-amd64 linux-headers-6.12-amd64"
	;;
*)
	echo "check-package: SUITE is trixie or bookworm, not $suite" >&2
	exit 1
	;;
esac
base=$dir/$suite-base
work=$dir/work
logs=$dir/logs
here=$top/packaging/check

say() { echo "check-package: $*"; }
passed=0
failed=0
result() {
	if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	echo "$1 - $2"
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

mkdir -p "$logs"
rm -f "$logs"/*

if [ -n "${REFRESH:-}" ] || [ -z "$(find "$base" -maxdepth 0 -mtime -7 2>/dev/null)" ]; then
	"$here/make-root.sh" "$base" "$suite"
else
	say "reusing the $distro root of $(date -r "$base" +%F) (REFRESH=1 rebuilds it)"
fi

say "copying the root"
rm -rf "$work"
cp -a "$base" "$work"
cp "$deb" "$work/tmp/"
in_root() {
	chroot "$work" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"
}
# modules_for KVER: did DKMS install the five modules for KVER?
modules_for() {
	local n
	n=$(ls "$work/lib/modules/$1/updates/dkms" 2>/dev/null | grep -c '\.ko' || true)
	if [ "$n" = 5 ]; then
		result ok "DKMS installed the 5 modules for $1 in updates/dkms ($2)"
	else
		result "not ok" "DKMS installed $n of 5 modules for $1 in updates/dkms ($2)"
	fi
}
show() {
	grep -E 'iommufd-dkms:|Forcing|rror' "$1" | sed 's/^/  /' || true
}

mount -t proc proc "$work/proc"
trap 'umount "$work/proc" 2>/dev/null || true' EXIT
old_kernels=$(ls "$work/lib/modules" | sort -V)
say "apt install $(basename "$deb"): DKMS builds for the root's kernels:" $old_kernels
if in_root apt-get install -y --no-install-recommends "/tmp/$(basename "$deb")" \
	>"$logs/install.log" 2>&1; then
	result ok "apt install of the package in $distro"
else
	result "not ok" "apt install of the package in $distro (see $logs/install.log)"
	tail -30 "$logs/install.log"
fi
show "$logs/install.log"
for k in $old_kernels; do
	modules_for "$k" "at package install"
done

say "apt install $kernel_meta: a kernel upgrade"
# shellcheck disable=SC2086 # two package names
if in_root apt-get install -y --no-install-recommends $kernel_meta \
	>"$logs/upgrade.log" 2>&1; then
	result ok "apt upgrade to the newest kernel"
else
	result "not ok" "apt upgrade to the newest kernel (see $logs/upgrade.log)"
	tail -30 "$logs/upgrade.log"
fi
show "$logs/upgrade.log"
umount "$work/proc"
trap - EXIT
kver=$(ls "$work/lib/modules" | sort -V | tail -1)
if grep -qx "$kver" <<<"$old_kernels"; then
	result "not ok" "the upgrade brought a newer kernel than $kver"
	finish
fi
modules_for "$kver" "by DKMS's kernel hook at the upgrade"

# The proof runs at boot and powers the machine off.
install -d "$work/usr/local/lib/iommufd-proof"
install -m 755 "$here/proof.sh" "$work/usr/local/lib/iommufd-proof/"
install -m 644 "$out/package/edu-guest.elf" "$work/usr/local/lib/iommufd-proof/"
install -m 644 "$here/iommufd-proof.service" "$work/etc/systemd/system/"
ln -sf /etc/systemd/system/iommufd-proof.service \
	"$work/etc/systemd/system/multi-user.target.wants/iommufd-proof.service"
rm -f "$work/tmp/"*.deb

say "making the disk image"
rm -f "$dir/root.img"
size=$(( $(du -sm "$work" | cut -f1) + 1024 ))
mkfs.ext4 -q -F -L root -d "$work" "$dir/root.img" "${size}M"

say "booting $distro ($kver) under QEMU; the proof runs at boot (about 10 minutes)"
set +e
timeout --kill-after=10 1500 qemu-system-x86_64 -accel tcg,thread=single \
	-cpu max,-la57 -M q35,kernel-irqchip=split -smp 2 -m 2G \
	-nodefaults -no-reboot -display none -vga none \
	-device intel-iommu,intremap=on -device edu -device edu \
	-drive file="$dir/root.img",if=virtio,format=raw \
	-kernel "$work/boot/vmlinuz-$kver" -initrd "$work/boot/initrd.img-$kver" \
	-append "root=/dev/vda rw console=ttyS0,115200 intel_iommu=on iommu=nopt panic=-1" \
	-serial file:"$logs/console.log" -serial file:"$logs/proof.log" \
	-monitor none </dev/null >"$logs/qemu.log" 2>&1 &
qemu=$!
# Progress: the proof's lines as they come.
shown=0
while kill -0 "$qemu" 2>/dev/null; do
	sleep 10
	lines=$(tr -d '\r' <"$logs/proof.log" 2>/dev/null | wc -l)
	if [ "$lines" -gt "$shown" ]; then
		tr -d '\r' <"$logs/proof.log" | sed -n "$((shown + 1)),${lines}p" |
			grep -v '^@@proof' | sed 's/^/  /'
		shown=$lines
	fi
done
wait "$qemu"
qemu_rc=$?
set -e
tr -d '\r' <"$logs/proof.log" >"$logs/proof.txt"
tr -d '\r' <"$logs/proof.log" | sed -n "$((shown + 1)),\$p" | grep -v '^@@proof' |
	sed 's/^/  /' || true

if ! grep -q '^@@proof: done' "$logs/proof.txt"; then
	result "not ok" "the proof ran to its end (QEMU exit $qemu_rc; see $logs/console.log)"
	tail -20 "$logs/console.log"
fi
passed=$((passed + $(grep -c '^ok ' "$logs/proof.txt" || true)))
failed=$((failed + $(grep -c '^not ok ' "$logs/proof.txt" || true)))
if grep -E 'WARNING:|BUG:|Oops|Call Trace|lockdep|KASAN' "$logs/console.log" >/dev/null; then
	result "not ok" "the booted kernel's log has a report (see $logs/console.log)"
	grep -E -m5 'WARNING:|BUG:|Oops|Call Trace' "$logs/console.log"
else
	result ok "the booted kernel's log is clean"
fi
finish
