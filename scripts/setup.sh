#!/bin/bash
# Install, from Debian's archive, everything the build and the VM need.
# Idempotent: a second run with nothing new in the archive changes nothing.
# Picks the newest 6.12 kernel ABI the archive offers (no version is pinned).
#
# The guest kernel image is never installed as the host kernel: its .deb is
# downloaded and unpacked with dpkg-deb -x under out/kernel/.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$top/out}

say() { echo "setup: $*"; }

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "setup: $1 needs root" >&2
		exit 1
	fi
}

# Refresh the package lists at most once an hour, so repeated `make check`
# runs do not hit the archive every time.  (The lists' own mtimes are the
# archive's dates, not the fetch's, so keep a stamp of our own.)
mkdir -p "$out"
if [ -z "$(find "$out/.apt-updated" -mmin -60 2>/dev/null)" ]; then
	need_root "apt-get update"
	say "apt-get update"
	apt-get update -qq
	touch "$out/.apt-updated"
fi

# The newest 6.12 ABI with a generic amd64 flavour, e.g. 6.12.117+deb12,
# unless the caller names one (KVER=6.12.N+debM-amd64, e.g. to match KDIR).
if [ -n "${KVER:-}" ]; then
	abi=${KVER%-amd64}
else
	abi=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb[0-9]+-amd64$' |
	sed -n 's/^linux-headers-\(6\.12\.[^ ]*\)-amd64 .*/\1/p' | sort -V | tail -1)
fi
if [ -z "$abi" ]; then
	echo "setup: the archive has no linux-headers-6.12.*-amd64" >&2
	exit 1
fi
kver=$abi-amd64
say "kernel $kver"

pkgs=(
	"linux-headers-$kver" linux-source-6.12
	qemu-system-x86 busybox-static rsync cpio kmod
	build-essential bc bison flex libelf-dev libssl-dev
	sparse xz-utils libcap-dev jq patch
)
# What a target needs on top (make bench: gnuplot), space-separated.
read -r -a extra <<<"${SETUP_PKGS:-}"
pkgs+=("${extra[@]}")
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	need_root "installing packages"
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi

# The guest kernel: unpack, never install.
kdir=$out/kernel/$kver
if [ ! -f "$kdir/boot/vmlinuz-$kver" ]; then
	need_root "apt-get download"
	say "unpacking linux-image-$kver-unsigned for the VM"
	tmp=$(mktemp -d)
	chmod 755 "$tmp"	# apt-get download fetches as user _apt
	(cd "$tmp" && apt-get download -qq "linux-image-$kver-unsigned")
	rm -rf "$kdir"
	mkdir -p "$kdir"
	dpkg-deb -x "$tmp"/linux-image-"$kver"-unsigned_*.deb "$kdir"
	rm -rf "$tmp"
fi

echo "$kver" >"$out/kver"
say "ready: headers /usr/src/linux-headers-$kver, guest kernel $kdir"
