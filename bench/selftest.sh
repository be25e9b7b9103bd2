#!/bin/bash
# selftest.sh: the benchmark's own test, on the host, in TAP.  Feeds
# bench/report.sh a canned log (bench/test/sample.log: odd and even sample
# counts, a set with its test build, a missing column, lines to ignore) and
# compares the CSV files with what they must be; then checks that a wrong
# expectation is caught, so the comparison itself can fail.  The same for
# bench/profile-report.sh (bench/test/profile-sample.log).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..7"
# shellcheck source=scripts/tap.sh
. "$here/../scripts/tap.sh"
check "bench/report: runs on a canned log" \
	bash -c "'$here/report.sh' '$here/test/sample.log' '$tmp' >'$tmp/table.txt'"
check "bench/report: medians, ratios, spread in results.csv" \
	diff -u "$here/test/expected.csv" "$tmp/results.csv"
check "bench/report: kernel memory per GiB in memory.csv" \
	diff -u "$here/test/expected-memory.csv" "$tmp/memory.csv"
sed 's/,550,/,551,/' "$here/test/expected.csv" >"$tmp/wrong.csv"
check "bench/report: a wrong median is noticed" \
	bash -c "! diff -q '$tmp/wrong.csv' '$tmp/results.csv' >/dev/null"
# The profile summary (make bench-profile): medians over every run of a
# phase, the sampled time split per call, iommufd.ko's own share summed
# over all its symbols, including those below the top ones shown.
check "bench/profile-report: runs on a canned log" \
	bash -c "PROFILE_TOP=3 '$here/profile-report.sh' '$here/test/profile-sample.log' >'$tmp/profile.txt'"
check "bench/profile-report: times, own share and top symbols" \
	diff -u "$here/test/profile-expected.txt" "$tmp/profile.txt"
sed 's/(9.9 %)/(9.8 %)/' "$here/test/profile-expected.txt" >"$tmp/wrong-profile.txt"
check "bench/profile-report: a wrong share is noticed" \
	bash -c "! diff -q '$tmp/wrong-profile.txt' '$tmp/profile.txt' >/dev/null"
