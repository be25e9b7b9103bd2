#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# selftest.sh: the DKMS scripts' own test, on the host, in TAP (make
# check).  Without building anything: which kernels dkms.conf and
# build.sh accept, post-install.sh's warning about a VFIO source of
# another release (dpkg-query faked), and its recompression of a CRC64
# module to CRC32 with the same content.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dkms=$top/packaging/dkms
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..9"
# shellcheck source=scripts/tap.sh
. "$top/scripts/tap.sh"

# dkms.conf is sourced by DKMS with kernelver set; apply its regex.
excluded() {
	(
		kernelver=$1 kernel_source_dir=/nonexistent
		# shellcheck source=/dev/null
		. "$dkms/dkms.conf"
		[[ ! $1 =~ $BUILD_EXCLUSIVE_KERNEL ]]
	)
}
check "dkms.conf: builds for Debian 13's and Debian 12's 6.12 kernels" \
	eval '! excluded 6.12.118+deb13-amd64 && ! excluded 6.12.57+deb12-amd64'
check "dkms.conf: excludes 6.1, 6.13 and 6.120" \
	eval 'excluded 6.1.0-30-amd64 && excluded 6.13.2-amd64 && excluded 6.120.1'

(cd "$tmp" && "$dkms/build.sh" 6.1.0-30-amd64 >"$tmp/out" 2>&1)
rc=$?
check "build.sh: refuses a 6.1 kernel, saying why" \
	eval "[ $rc != 0 ] && grep -q 'is not Linux 6.12' '$tmp/out'"

# post-install.sh runs in the DKMS source directory, next to dkms.conf.
mkdir -p "$tmp/src" "$tmp/mods/6.12.118+deb13-amd64/updates/dkms"
sed 's/#MODULE_VERSION#/9.9/' "$dkms/dkms.conf" >"$tmp/src/dkms.conf"
printf '#!/bin/sh\necho "$FAKE_VERSION"\n' >"$tmp/dpkg-query"
chmod +x "$tmp/dpkg-query"
post_install() {
	(cd "$tmp/src" && FAKE_VERSION=$1 DPKG_QUERY="$tmp/dpkg-query" \
		MODULES_DIR="$tmp/mods" DKMS_TREE="$tmp/dkms" \
		"$dkms/post-install.sh" \
		6.12.118+deb13-amd64)
}
post_install 6.12.117-1 >"$tmp/older" 2>&1
check "post-install.sh: warns of a linux-source-6.12 older than the kernel" \
	eval "grep -q 'WARNING: VFIO was rebuilt from linux-source-6.12 6.12.117' '$tmp/older' &&
		grep -q 'dkms install iommufd/9.9 -k 6.12.118+deb13-amd64' '$tmp/older'"
post_install 6.12.118-1 >"$tmp/same" 2>&1
check "post-install.sh: quiet when the source is the kernel's release" \
	test ! -s "$tmp/same"

ko=$tmp/mods/6.12.118+deb13-amd64/updates/dkms/vfio.ko
head -c 100000 /dev/urandom >"$tmp/vfio.ko"
xz --check=crc64 -c "$tmp/vfio.ko" >"$ko.xz"
built=$tmp/dkms/iommufd/9.9/6.12.118+deb13-amd64/x86_64/module/vfio.ko.xz
mkdir -p "$(dirname "$built")"
cp "$ko.xz" "$built"
post_install 6.12.118-1 >"$tmp/recompress" 2>&1
check "post-install.sh: recompresses a CRC64 module with CRC32" \
	eval "xz --robot --list '$ko.xz' | grep -q CRC32"
check "post-install.sh: the module's content is unchanged" \
	eval "xz -dc '$ko.xz' | cmp -s - '$tmp/vfio.ko'"
check "post-install.sh: DKMS's built copy is the installed file" \
	cmp -s "$ko.xz" "$built"
post_install 6.12.118-1 >"$tmp/again" 2>&1
check "post-install.sh: leaves a CRC32 module alone" test ! -s "$tmp/again"
