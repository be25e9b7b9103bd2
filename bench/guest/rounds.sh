#!/bin/sh
# rounds.sh ROUNDS [-q]: the benchmark's rounds, in the guest.  Each round
# loads each module set of /lib/bench in turn, runs /bench/bench on it and
# unloads it: the reference (upstream iommufd.ko), the project's release
# build, Debian's VFIO type1, then the test builds of both for the rows
# that need the test ABI, twice each in A-B-B-A order.
# Address space randomisation is off: with it, what the access rows time
# (1 MiB copies under TCG) ran at one of two speeds, a factor of 2 apart,
# for the whole of a bench process, whichever module it was, as the
# process's random layout fell; the ratio was a coin toss.
# Prints what /bench/bench prints, and fails when a set does not load, run
# or unload.
rounds=$1 quick=$2

# THP on for MADV_HUGEPAGE, no address space randomisation (above), 1 GiB
# of hugetlbfs 2 MiB pages (and some slack), and a tmpfs of 4 KiB pages
# for the map rows' 4K buffers, files every set maps: how much of them is
# physically contiguous then cannot differ from set to set (bench.c, B_4K).
echo always >/sys/kernel/mm/transparent_hugepage/enabled
echo 0 >/proc/sys/kernel/randomize_va_space
echo 544 >/proc/sys/vm/nr_hugepages
mkdir -p /bench-shared
mount -t tmpfs -o huge=never,size=2700m,mode=700 bench-shared /bench-shared || {
	echo "bench: cannot mount the tmpfs for the shared 4K buffer" >&2
	exit 1
}
export BENCH_SHARED=/bench-shared/4k
have=$(cat /proc/sys/vm/nr_hugepages)
if [ "$have" -lt 512 ]; then
	echo "bench: only $have hugetlbfs pages, 512 needed" >&2
	exit 1
fi
echo "bench: guest $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs," \
	"$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) MiB," \
	"THP $(cat /sys/kernel/mm/transparent_hugepage/enabled)"

r=1
while [ "$r" -le "$rounds" ]; do
	for set in ref proj type1 ref-test proj-test proj-test ref-test; do
		case $set in
		type1) mode=type1 ;;
		*-test) mode=test ;;
		*) mode=iommufd ;;
		esac
		echo "bench: round $r/$rounds $set: loading modules" >&2
		sh /lib/bench/$set/load.sh /lib/bench/$set || {
			echo "bench: round $r/$rounds $set: FAILED to load" >&2
			exit 1
		}
		/bench/bench $quick -s $set -r "$r/$rounds" $mode || exit 1
		sh /lib/bench/$set/unload.sh || {
			echo "bench: round $r/$rounds $set: FAILED to unload" >&2
			exit 1
		}
	done
	r=$((r + 1))
done
echo "bench: all $rounds rounds done" >&2
