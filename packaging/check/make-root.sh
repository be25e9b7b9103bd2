#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make-root.sh DIR [SUITE]: a Debian root in DIR, as a user would have it
# before installing iommufd-dkms: systemd, udev, two of the distribution's
# 6.12 kernels with their headers (not the newest: that comes as an
# upgrade), linux-source-6.12, DKMS and QEMU, all from Debian's archive
# with apt.  check-package.sh keeps it as a cache and installs the package
# into a copy.
#
# SUITE is trixie (Debian 13, the default: its kernel is 6.12) or bookworm
# (Debian 12: the 6.12 kernels of bookworm-security, and QEMU from
# bookworm-backports, as bookworm's own 7.2 has no -object iommufd).
#
# MIRROR overrides the archive (default http://deb.debian.org/debian).
set -euo pipefail

root=${1:?usage: make-root.sh DIR [SUITE]}
suite=${2:-trixie}
mirror=${MIRROR:-http://deb.debian.org/debian}
case $suite in
trixie) abi_re='deb13' qemu_from=$suite meta=linux-image-amd64 ;;
bookworm)
	# Debian 12's default kernel is 6.1; 6.12 has its own meta-package.
	abi_re='deb12' qemu_from=bookworm-backports meta=linux-image-6.12-amd64
	;;
*)
	echo "make-root.sh: SUITE is trixie or bookworm, not $suite" >&2
	exit 1
	;;
esac

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
[ "$qemu_from" = "$suite" ] ||
	echo "deb $mirror $qemu_from main" >>"$root.tmp/etc/apt/sources.list"
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
# one the meta-package brings: the package must build for both, and for
# that one when check-package.sh then upgrades to it (the archive can hold
# a kernel newer than the meta-package's, so that is not the newest).
newest=$(in_root apt-cache depends "$meta" |
	sed -n "s/.*Depends: linux-image-\(6\.12\.[0-9]*+$abi_re\)-amd64.*/\1/p" | head -1)
[ -n "$newest" ] || {
	echo "check-package: $meta depends on no 6.12 kernel" >&2
	exit 1
}
abis=$(in_root apt-cache search --names-only "^linux-headers-6\\.12\\.[0-9]+\\+$abi_re-amd64\$" |
	sed -n 's/^linux-headers-\(6\.12\.[^ ]*\)-amd64 .*/\1/p' |
	{ cat; echo "$newest"; } | sort -uV | sed "/^$newest\$/,\$d" | tail -2)
[ "$(echo "$abis" | wc -l)" = 2 ] || {
	echo "check-package: the archive has fewer than two 6.12 kernels before $newest" >&2
	exit 1
}
pkgs=(linux-source-6.12 dkms openssl pciutils xz-utils)
for abi in $abis; do
	pkgs+=("linux-image-$abi-amd64" "linux-headers-$abi-amd64")
done
say "installing ${pkgs[*]}"
in_root apt-get install -y -qq --no-install-recommends "${pkgs[@]}" \
	>"$root.tmp.log" 2>&1 || {
	tail -20 "$root.tmp.log"
	exit 1
}
say "installing qemu-system-x86 from $qemu_from"
in_root apt-get install -y -qq --no-install-recommends -t "$qemu_from" \
	qemu-system-x86 >"$root.tmp.log" 2>&1 || {
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
