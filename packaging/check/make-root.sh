#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make-root.sh DIR: a Debian 13 (trixie) root in DIR, as a user would have
# it before installing iommufd-dkms: systemd, udev, two of the
# distribution's 6.12 kernels with their headers (not the newest: that
# comes as an upgrade), linux-source-6.12, DKMS and QEMU, all from Debian's
# archive with apt.  check-package.sh keeps it as a cache and
# installs the package into a copy.
#
# MIRROR overrides the archive (default http://deb.debian.org/debian).
set -euo pipefail

root=${1:?usage: make-root.sh DIR}
mirror=${MIRROR:-http://deb.debian.org/debian}
suite=trixie

say() { echo "check-package: $*"; }

rm -rf "$root" "$root.tmp"
mkdir -p "$root.tmp"
say "debootstrap $suite (minbase)"
debootstrap --variant=minbase --include=systemd-sysv,udev,kmod \
	"$suite" "$root.tmp" "$mirror" >"$root.tmp.log" 2>&1 || {
	tail -20 "$root.tmp.log"
	exit 1
}

cat >"$root.tmp/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb ${mirror%/debian}/debian-security $suite-security main
SOURCES
cat >"$root.tmp/usr/sbin/policy-rc.d" <<'POLICY'
#!/bin/sh
# No daemons start inside the chroot.
exit 101
POLICY
chmod 755 "$root.tmp/usr/sbin/policy-rc.d"

in_root() {
	chroot "$root.tmp" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"
}
mount -t proc proc "$root.tmp/proc"
trap 'umount "$root.tmp/proc" 2>/dev/null || true' EXIT

say "apt-get update in the root"
in_root apt-get update -qq
# What a user installs: kernels and their headers (DKMS builds against
# them), the VFIO source the package rebuilds from, DKMS (with openssl,
# which it signs modules with), and the VMM.  The two kernels before the
# archive's newest: the package must build for both, and for the newest
# when check-package.sh then upgrades to it.
abis=$(in_root apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb13-amd64$' |
	sed -n 's/^linux-headers-\(6\.12\.[^ ]*\)-amd64 .*/\1/p' | sort -V | tail -3 | head -2)
[ "$(echo "$abis" | wc -l)" = 2 ] || {
	echo "check-package: the archive has fewer than three 6.12 kernels" >&2
	exit 1
}
pkgs=(linux-source-6.12 dkms openssl qemu-system-x86 pciutils xz-utils)
for abi in $abis; do
	pkgs+=("linux-image-$abi-amd64" "linux-headers-$abi-amd64")
done
say "installing ${pkgs[*]}"
in_root apt-get install -y -qq --no-install-recommends "${pkgs[@]}" \
	>"$root.tmp.log" 2>&1 || {
	tail -20 "$root.tmp.log"
	exit 1
}
in_root apt-get clean
umount "$root.tmp/proc"
trap - EXIT

# Boots from a virtio disk with a serial console, no password needed.
echo iommufd-proof >"$root.tmp/etc/hostname"
echo "/dev/vda / ext4 rw,relatime 0 1" >"$root.tmp/etc/fstab"
in_root passwd -d root >/dev/null
rm -f "$root.tmp.log"
mv "$root.tmp" "$root"
say "root ready: $(ls "$root/boot" | grep '^vmlinuz-' | tr '\n' ' ')"
