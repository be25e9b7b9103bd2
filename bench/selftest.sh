#!/bin/bash
# selftest.sh: the benchmark's own test, on the host, in TAP.  Feeds
# bench/report.sh a canned log (bench/test/sample.log: odd and even sample
# counts, a set with its test build, a missing column, lines to ignore) and
# compares the CSV files with what they must be; then checks that a wrong
# expectation is caught, so the comparison itself can fail.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..4"
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
