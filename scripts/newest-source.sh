#!/bin/bash
# newest-source.sh SERIES DIR: unpack the iommufd selftest, its test ABI
# header and the uAPI header of the newest linux-source-SERIES Debian
# offers (trixie-backports or sid) into DIR, for `make check`'s run of the
# newest upstream selftest beside 6.12's.
#
# The host's apt configuration is not touched: the package lists of those
# suites go to a private directory under out/, the package is only
# downloaded (never installed), and only the files named below are kept;
# the 170 MB package is deleted once they are out.  DIR/VERSION names the
# package version they came from.
set -euo pipefail

series=$1 dir=$2
top=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$top/out}
apt=$out/build/apt-newest

say() { echo "newest-source: $*"; }

mkdir -p "$apt"/{lists/partial,cache/archives/partial,etc}
cat >"$apt/etc/newest.sources" <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie-backports sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/etc"
	-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
	-o Debug::NoLocking=1 -o APT::Sandbox::User=root)

say "package lists of trixie-backports and sid (private, under $apt)"
apt-get -qq "${opts[@]}" update
version=$(apt-cache "${opts[@]}" show "linux-source-$series" 2>/dev/null |
	sed -n 's/^Version: //p' | sort -V | tail -1)
if [ -z "$version" ]; then
	echo "newest-source: Debian offers no linux-source-$series" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"	# apt-get download fetches as user _apt
say "downloading linux-source-$series $version (about 170 MB)"
(cd "$tmp" && apt-get -qq "${opts[@]}" download "linux-source-$series=$version")
say "unpacking the selftest and its headers"
dpkg-deb --fsys-tarfile "$tmp"/linux-source-"$series"_*.deb |
	tar -x -C "$tmp" "./usr/src/linux-source-$series.tar.xz"
rm -f "$tmp"/*.deb
rm -rf "$dir"
mkdir -p "$dir"
src=linux-source-$series
tar -xf "$tmp/usr/src/$src.tar.xz" -C "$dir" --strip-components=1 \
	"$src/tools/testing/selftests/iommu/iommufd.c" \
	"$src/tools/testing/selftests/iommu/iommufd_fail_nth.c" \
	"$src/tools/testing/selftests/iommu/iommufd_utils.h" \
	"$src/tools/testing/selftests/kselftest_harness.h" \
	"$src/tools/testing/selftests/kselftest.h" \
	"$src/drivers/iommu/iommufd/iommufd_test.h" \
	"$src/include/uapi/linux/iommufd.h"
echo "$version" >"$dir/VERSION"
say "ready: linux-source-$series $version in $dir"
