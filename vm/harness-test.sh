#!/bin/bash
# harness-test.sh: prove that vm/run.sh fails a run for each thing that can
# go wrong in the guest.  Each case boots the VM once.  Prints TAP.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=0 failed=0

# expect CODE NAME TIMEOUT COMMAND: run COMMAND, want exit status CODE.
expect() {
	local want=$1 name=$2 timeout=$3 rc
	shift 3
	"$here/run.sh" --name "harness-$name" --timeout "$timeout" --quiet \
		-- "$@" 2>"${OUT:-$here/../out}/logs/harness-$name.err"
	rc=$?
	n=$((n + 1))
	if [ $rc -eq "$want" ]; then
		echo "ok $n $name"
	else
		echo "# run.sh exited $rc, wanted $want"
		echo "not ok $n $name"
		failed=1
	fi
}

echo "# program vm-harness"
echo "1..4"
expect 0 passing_command_passes 300 true
expect 1 failing_command_fails 300 'echo "not ok 1 planted"; false'
expect 3 hanging_guest_is_killed 25 'sleep 100000'
expect 2 module_warn_fails_run 300 \
	'echo 1 >/sys/kernel/debug/iommufd/trigger_warn'
exit $failed
