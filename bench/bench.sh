#!/bin/bash
# bench.sh [ROUNDS] [QUICK]: the benchmark, after `make bench-build`.  Boots
# one VM under VT-d with 6 GiB and the bench image (out/bench/bench.cpio.gz),
# runs ROUNDS rounds (default 3) of every module set in it (guest side:
# bench/guest/rounds.sh), showing its progress lines as they come, then
# writes out/bench/: log.txt (the raw RESULT/MEM lines), results.csv,
# memory.csv, report.md and ratios.png, and prints the table.  QUICK=1
# divides every size by 8.  BENCH_ICOUNT=1 boots the VM with its clock
# counting instructions (vm/run.sh --icount): the times then count the
# instructions both vCPUs ran, whatever the host's load, and leave out
# what memory and QEMU's devices cost.  BENCH_REPORT_ONLY=1 skips the VM
# and reports on the output of the last run (out/logs/bench/output.txt).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$top/out}
rounds=${1:-3} quick=${2:-}
bench=$out/bench
logs=$out/logs/bench
qflag= icount=()
# shellcheck source=bench/vm.sh
. "$top/bench/vm.sh"
[ -n "$quick" ] && [ "$quick" != 0 ] && qflag=-q
[ "${BENCH_ICOUNT:-0}" = 1 ] && icount=(--icount)

if [ "${BENCH_REPORT_ONLY:-0}" = 1 ]; then
	rc=0
else
	echo "bench: $rounds round(s)${qflag:+, quick sizes}${icount:+, clock counting instructions}; one VM, progress follows"
	rm -f "$bench/log.txt"
	echo "${icount:+instructions}" >"$bench/clock"
	start=$SECONDS
	bench_vm bench $((1800 + rounds * 5400)) "$bench/bench.cpio.gz" \
		"${icount[@]}" -- /bench/rounds.sh "$rounds" $qflag
	rc=$?
	echo "bench: VM run took $((SECONDS - start)) s"
fi
grep -E '^(RESULT|MEM|MEMTRY) ' "$logs/output.txt" >"$bench/log.txt"
if [ $rc -ne 0 ]; then
	echo "bench: the VM run failed (exit $rc); logs in $logs" >&2
	exit 1
fi

"$top/bench/report.sh" "$bench/log.txt" "$bench" >"$bench/table.txt" || exit 1
"$top/bench/plot.sh" "$bench/results.csv" "$bench/ratios.png" || exit 1

{
	echo "# iommufd.ko benchmark"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- host CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
	echo "- host kernel: $(uname -r)"
	echo "- QEMU: $(qemu-system-x86_64 --version | head -1) (TCG, 2 vCPUs, 6 GiB, intel-iommu)"
	if [ "$(cat "$bench/clock" 2>/dev/null)" = instructions ]; then
		echo "- clock: guest instructions (QEMU -icount shift=0: 1 ns each), not host time"
	else
		echo "- clock: host time"
	fi
	echo "- guest: $(sed -n 's/^bench: guest //p' "$logs/output.txt" | head -1)"
	echo "- project: $(git -C "$top" describe --always --dirty 2>/dev/null)"
	echo "- rounds: $rounds${qflag:+ (quick: sizes divided by 8)}"
	# The files behind the 4K rows, as every set found them.
	sed -n 's/^bench: round [^ ]* [^ ]*: the \([^ ]*\) \(4K[^ ]*\) buffer, shared by all sets, lies in \([0-9]*\) physical runs, \([0-9]*\) of its \([0-9]*\) 2M in one\r*$/- \2 buffer: \1 in \3 physically contiguous runs, \4 of its \5 2 MiB blocks in one/p' \
		"$logs/output.txt" | sort | uniq -c |
		sed 's/^ *\([0-9]*\) \(.*\)/\2 (\1 bench processes)/'
	# What the guest found wrong with the memory behind the rows.
	sed -n 's/^bench: warning: /- warning: /p' "$logs/output.txt" | sort -u
	echo
	echo "Columns: medians over all rounds and repetitions.  ratio ="
	echo "reference / project and type1 / project: above 1 the project is"
	echo "faster.  spread = (max - min) / median of the project's samples."
	echo "reference = upstream drivers/iommu/iommufd of linux-source-6.12"
	echo "(production build; access_* and dirty_* rows: test builds of both)."
	echo "type1 = Debian's vfio_iommu_type1.ko.  Kernel memory: growth of"
	echo "Slab + SecPageTables + VmallocUsed while the memory is mapped."
	echo
	echo '```'
	cat "$bench/table.txt"
	echo '```'
	echo
	echo '![ratios](ratios.png)'
} >"$bench/report.md"

cat "$bench/table.txt"
echo "bench: wrote $bench/results.csv, memory.csv, report.md, ratios.png"
