#!/bin/bash
# vm.sh: sourced by bench.sh and profile.sh, with $top and $out set.
#
# bench_vm NAME TIMEOUT IMAGE [RUN.SH OPTIONS...] -- COMMAND...: boot the
# benchmark VM (6 GiB, VT-d, no module set loaded) on IMAGE, run COMMAND
# in it with logs in out/logs/NAME/, and show the guest's "bench: "
# progress lines as they come.  Returns vm/run.sh's exit status.
bench_vm() {
	local name=$1 timeout=$2 image=$3 vm
	shift 3
	"$top/vm/run.sh" --name "$name" --quiet --image "$image" \
		--modules bench/idle --mem 6G --timeout "$timeout" "$@" &
	vm=$!
	# tail ends when run.sh does (run.sh recreates the file, so follow
	# it by name).
	sleep 2
	tail -n +1 -F --pid=$vm "$out/logs/$name/output.log" 2>/dev/null |
		grep --line-buffered '^bench: ' | sed -u 's/\r$//'
	wait $vm
}
