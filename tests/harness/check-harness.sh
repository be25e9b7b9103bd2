#!/bin/bash
# check-harness.sh PROGRAM: run the harness's self-test program on the host
# and check that the harness reported every planted failure, hang, crash
# and skip as it must.  Prints TAP, one line per check.
set -u
prog=$1
out=$(timeout 60 "$prog" 2>&1)
status=$?
n=0 failed=0

check() {	# check DESCRIPTION GREP-PATTERN
	n=$((n + 1))
	if grep -Eq -- "$2" <<<"$out"; then
		echo "ok $n harness: $1"
	else
		echo "not ok $n harness: $1 (no line matching '$2')"
		failed=1
	fi
}

check "a passing test passes" '^ok [0-9]+ harness\.passes$'
check "a failed ASSERT fails the test" '^not ok [0-9]+ harness\.assert_fails$'
check "a failed ASSERT ends the test" '^# .*expected 1 \(1, 0x1\) == 2'
n=$((n + 1))
if grep -q 'not reached after a failed ASSERT' <<<"$out"; then
	echo "not ok $n harness: code after a failed ASSERT ran"; failed=1
else
	echo "ok $n harness: code after a failed ASSERT does not run"
fi
check "a failed EXPECT fails the test" '^not ok [0-9]+ harness\.expect_fails_and_continues$'
check "a failed EXPECT lets the test go on" '^# reached after a failed EXPECT$'
check "a wrong errno fails" '^not ok [0-9]+ harness\.errno_mismatch_fails$'
check "a wrong errno is named" 'expected close\(-1\) to fail with ENOENT, got -1 \(errno EBADF\)'
check "a hanging test fails" '^not ok [0-9]+ harness\.hangs$'
check "a hanging test is killed at its timeout" '^# harness\.hangs: no result after 1 s, killed$'
check "a crashing test fails" '^not ok [0-9]+ harness\.crashes$'
check "a crash is named" 'killed by signal 11'
check "a skip says why" '^ok [0-9]+ harness\.skips # SKIP reason 42 given$'
check "a fixture body sees its setup" '^ok [0-9]+ fix\.body_sees_setup$'
check "teardown runs after a passing body" '^# teardown ran with 8$'
check "teardown runs after a failed ASSERT" '^# teardown ran with 9$'
check "a failed fixture test fails" '^not ok [0-9]+ fix\.teardown_runs_after_failed_assert$'
check "the totals are right" '^# 2 passed, 6 failed, 1 skipped$'
n=$((n + 1))
if [ "$status" -eq 1 ]; then
	echo "ok $n harness: the exit status reports failure"
else
	echo "not ok $n harness: exit status $status, expected 1"; failed=1
fi
echo "1..$n"
exit $failed
