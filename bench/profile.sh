#!/bin/bash
# profile.sh [QUICK]: where the time of the headline row (map+unmap 1 GiB
# of 4 KiB pages) goes, for the reference and for the project's release
# build, after `make bench-build`.  Boots the benchmark VM with the bench
# image and this host's perf (Debian's linux-perf) with the libraries it
# links, runs bench/guest/profile.sh in it, showing its progress lines,
# and writes out/bench/profile.txt (bench/profile-report.sh).  QUICK=1
# divides the size by 8.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$top/out}
quick=${1:-}
bench=$out/bench
logs=$out/logs/bench-profile
qflag=
# shellcheck source=bench/vm.sh
. "$top/bench/vm.sh"
[ -n "$quick" ] && [ "$quick" != 0 ] && qflag=-q

perf=$(command -v perf) || {
	echo "bench-profile: no perf on this host (Debian's linux-perf)" >&2
	exit 1
}
# perf and what it links, in an image appended to the bench image.
root=$bench/perf-root
rm -rf "$root"
mkdir -p "$root/usr/bin"
cp "$perf" "$root/usr/bin/perf"
for lib in $(ldd "$perf" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$bench/perf.cpio.gz"
cat "$bench/bench.cpio.gz" "$bench/perf.cpio.gz" >"$bench/profile.cpio.gz"

echo "bench-profile: map+unmap 1G 4K${qflag:+ (quick: / 8)}, reference and project, map and unmap sampled apart; one VM"
start=$SECONDS
bench_vm bench-profile 3600 "$bench/profile.cpio.gz" -- /bench/profile.sh $qflag
rc=$?
echo "bench-profile: VM run took $((SECONDS - start)) s"
if [ $rc -ne 0 ]; then
	echo "bench-profile: the VM run failed (exit $rc); logs in $logs" >&2
	exit 1
fi
{
	# The file behind the row, as the first process laid it out.
	sed -n 's/^bench: round [^ ]* [^ ]*: the \([^ ]*\) 4K buffer, shared by all sets, lies in \([0-9]*\) physical runs.*/the \1 4K file: \2 physically contiguous runs/p' \
		"$logs/output.txt" | head -1
	"$top/bench/profile-report.sh" "$logs/output.txt"
} >"$bench/profile.txt" || exit 1
cat "$bench/profile.txt"
