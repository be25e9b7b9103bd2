#!/bin/sh
# profile.sh [-q]: where the time of the headline row goes, in the guest
# (make bench-profile, bench/profile.sh).  For the reference and the
# project's release build, and for the map and the unmap of map+unmap
# 1 GiB 4K apart, one bench process under `perf record` with a cpu-clock
# event it enables around that phase alone (bench -p).  Prints, on stdout:
#   RESULT SET WORKLOAD NS         the phases' times, as bench prints them
#   SAMPLED SET PHASE NS REPS      what perf sampled of that phase, over
#                                  REPS runs of it
#   SYM SET PHASE PCT OWN SYMBOL   its share of the samples, OWN 1 for a
#                                  symbol of the loaded iommufd.ko
# and "bench: ..." progress lines on stderr.  Fails when a set does not
# load, run or unload, or perf finds no samples.
quick=$1

. /bench/setup.sh
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid

for set in ref proj; do
	for phase in map unmap; do
		echo "bench: profile $set $phase: loading modules" >&2
		sh /lib/bench/$set/load.sh /lib/bench/$set || {
			echo "bench: profile $set: FAILED to load" >&2
			exit 1
		}
		rm -f /tmp/ctl /tmp/ack /tmp/perf.data
		mkfifo /tmp/ctl /tmp/ack
		# perf opens the ack FIFO for writing before it starts bench:
		# hold a reader open so that it does not wait for one.
		exec 3<>/tmp/ack
		BENCH_PERF_CTL=/tmp/ctl BENCH_PERF_ACK=/tmp/ack \
			/usr/bin/perf record -q -D -1 --control=fifo:/tmp/ctl,/tmp/ack \
			-e cpu-clock -F 4000 -o /tmp/perf.data -- \
			/bench/bench $quick -p $phase -s $set -r profile iommufd \
			>/tmp/out || exit 1
		exec 3<&-
		cat /tmp/out
		reps=$(grep -c "^RESULT $set ${phase}_" /tmp/out)
		/usr/bin/perf report -i /tmp/perf.data --stdio --sort sym >/tmp/report 2>/dev/null
		ns=$(sed -n 's/^# Event count (approx\.): \([0-9]*\).*/\1/p' /tmp/report)
		if [ -z "$ns" ] || [ "$ns" -le 0 ]; then
			echo "bench: profile $set $phase: FAILED: perf found no samples" >&2
			exit 1
		fi
		echo "SAMPLED $set $phase $ns $reps"
		# The module's own symbols, then each sampled symbol, marked.
		awk '$4 == "[iommufd]" { print $3 }' /proc/kallsyms >/tmp/own
		awk -v set=$set -v phase=$phase '
			NR == FNR { own[$1] = 1; next }
			/^#/ || NF < 3 { next }
			{ pct = $1; sub(/%$/, "", pct)
			  print "SYM", set, phase, pct, ($3 in own) ? 1 : 0, $3 }' \
			/tmp/own /tmp/report
		sh /lib/bench/$set/unload.sh || {
			echo "bench: profile $set: FAILED to unload" >&2
			exit 1
		}
	done
done
echo "bench: profile done" >&2
