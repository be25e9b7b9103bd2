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

. /bench/setup.sh

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
