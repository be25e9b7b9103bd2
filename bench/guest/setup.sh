#!/bin/sh
# setup.sh: the guest settings every benchmark run needs, sourced by
# rounds.sh and profile.sh.  THP on for MADV_HUGEPAGE, no address space
# randomisation (rounds.sh says why), 1 GiB of hugetlbfs 2 MiB pages (and
# some slack), and a tmpfs of 4 KiB pages for the map rows' 4K buffers,
# files every set maps: how much of them is physically contiguous then
# cannot differ from set to set (bench.c, B_4K).  Exports BENCH_SHARED.
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
