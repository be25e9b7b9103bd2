#!/bin/bash
# lint.sh: the kernel-style checks every change of the module must pass.
# Prints TAP, one line per check:
#   checkpatch --strict on every file of module/ and include/ and on the
#     project's own files of vfio-pci-core (checkpatch.pl and its data come
#     from Debian's linux-source-6.12)
#   kernel-doc -Wall on the same files
#   sparse (make C=2) and W=1 over the test configuration of the module,
#     and over vfio_pci_dmabuf.c in a VFIO tree vfio/prepare.sh made
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$top/out}
kver=${KVER:-$(cat "$out/kver")}
kdir=${KDIR:-/usr/src/linux-headers-$kver}
tools=$out/build/lint-tools
cd "$top"

if [ ! -f "$tools/scripts/checkpatch.pl" ]; then
	mkdir -p "$tools"
	tar -xf /usr/src/linux-source-6.12.tar.xz -C "$tools" --strip-components=1 \
		linux-source-6.12/scripts/checkpatch.pl \
		linux-source-6.12/scripts/spelling.txt \
		linux-source-6.12/scripts/const_structs.checkpatch
fi
mapfile -t files < <(find module include vfio/pci -name '*.[ch]' | sort)
n=0 failed=0
verdict() {	# verdict NAME LOGFILE: pass if LOGFILE is empty
	n=$((n + 1))
	if [ -s "$2" ]; then
		echo "not ok $n lint: $1"
		sed 's/^/# /' "$2" | head -40
		failed=1
	else
		echo "ok $n lint: $1"
	fi
}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

perl "$tools/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f "${files[@]}" 2>&1 |
	grep -E 'ERROR|WARNING|CHECK' >"$log/checkpatch"
verdict "checkpatch --strict clean" "$log/checkpatch"

"$kdir/scripts/kernel-doc" -none -Wall "${files[@]}" >"$log/kdoc" 2>&1
verdict "kernel-doc -Wall clean" "$log/kdoc"

rm -rf "$out/build/sparse" && mkdir -p "$out/build/sparse"
rsync -a module include "$out/build/sparse/"
make -C "$kdir" M="$out/build/sparse/module" C=2 W=1 IOMMUFD_SELFTEST=y modules 2>&1 |
	grep -E 'warning|error' >"$log/sparse"
verdict "sparse (C=2) and W=1 clean" "$log/sparse"

# Debian's VFIO files are not this project's style; the file of its own is.
rm -rf "$out/build/sparse-vfio"
"$top/vfio/prepare.sh" "$out/build/vfio-debian" "$out/build/sparse-vfio"
make -C "$kdir" M="$out/build/sparse-vfio" C=2 W=1 pci/vfio_pci_dmabuf.o 2>&1 |
	grep -E 'warning|error' >"$log/sparse-vfio"
verdict "vfio_pci_dmabuf.c: sparse (C=2) and W=1 clean" "$log/sparse-vfio"
echo "1..$n"
exit $failed
