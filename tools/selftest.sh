#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# selftest.sh: iommufd-stat's own test, on the host, in TAP (make check).
# It reads a made-up view (the record format of module/stat/stat.c), so
# what it checks is the command: its tables, valid JSON with the right
# types under each awk it may meet (Debian's mawk, busybox), escaping,
# files closed while read, and its errors.  The numbers against a real
# module are checked in the VM (tests/core/stat_test.c).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
stat=$top/tools/iommufd-stat
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..10"
# shellcheck source=scripts/tap.sh
. "$top/scripts/tap.sh"

# view DIR ID COMM: one file of a made-up view, with one IOAS, a device
# and a fault queue.
view() {
	local d=$1/files/$2
	mkdir -p "$d"
	echo "file id=$2 pid=4$2 comm=$3 accounting=user" >"$d/owner"
	printf 'object id=1 type=ioas users=2\nobject id=2 type=device users=1\n' >"$d/objects"
	cat >"$d/ioas" <<-IOAS
	area ioas=1 iova=0x1000000 length=1048576 kind=memory prot=rw pid=4$2 charge=user uid=0 accesses=0 locks=0
	ioas id=1 areas=1 mapped=1048576 pinned=1048576 charged=1048576 domains=1 accesses=0
	total ioas=1 areas=1 mapped=1048576 pinned=1048576 charged=1048576
	IOAS
	echo "device id=2 dev=0000:00:03.0 driver=vfio-pci group=5 hwpt=3 pasids=1:4,2:4" >"$d/devices"
	echo "hwpt id=3 kind=paging ioas=1 devices=1 auto=1 nest_parent=0 pasid=0 coherent=1" >"$d/domains"
	echo "fault id=9 pending=2 unanswered=1" >"$d/events"
}

view "$tmp/v" 3 qemu
view "$tmp/v" 12 'od"d\x'
# A file closed while the command reads: its directory is empty.
mkdir -p "$tmp/v/files/13"

"$stat" --root "$tmp/v" >"$tmp/table" 2>&1
check "tables: one row per open file, closed ones left out" \
	eval "grep -q '^3 .* 43 ' '$tmp/table' && grep -q '^12 ' '$tmp/table' && ! grep -q '^13 ' '$tmp/table'"
check "tables: sizes in binary units, the IOAS and device rows" \
	eval "grep -Eq '^3 +1 +1 +1.0M +1.0M +1.0M +1 +0' '$tmp/table' && grep -Eq '^3 +2 +0000:00:03.0 +vfio-pci +5 +3 +1:4,2:4' '$tmp/table'"
check "tables: the pending and unanswered faults" \
	eval "grep -Eq '^3 +9 +fault +2 +1$' '$tmp/table'"

# Each awk the command may run under: the system's, and busybox's.
mkdir -p "$tmp/bb"
ln -s "$(command -v busybox)" "$tmp/bb/awk"
json_ok=true types_ok=true
for awk_path in "" "$tmp/bb"; do
	PATH="${awk_path:+$awk_path:}$PATH" "$stat" --root "$tmp/v" --json >"$tmp/json" 2>&1
	jq -e . "$tmp/json" >/dev/null || json_ok=false
	jq -e '.files[0].total.pinned == 1048576 and .files[0].areas[0].iova == "0x1000000"
		and .files[0].devices[0].pasids == "1:4,2:4" and .files[0].faults[0].unanswered == 1
		and (.files | length) == 2 and .files[0].objects[1].type == "device"' \
		"$tmp/json" >/dev/null || types_ok=false
done
check "--json: valid JSON under the system's awk and busybox awk" $json_ok
check "--json: numbers as numbers, IOVAs and lists as strings, every record" $types_ok
comm_of_12() {
	[ "$(jq -r '.files[] | select(.id == 12) | .comm' "$tmp/json")" = 'od"d\x' ]
}
check "--json: a command name with quotes and backslashes survives" comm_of_12
check "--json: files in the order they were opened" \
	eval "[ \"\$(jq -c '[.files[].id]' '$tmp/json')\" = '[3,12]' ]"

mkdir -p "$tmp/empty/files"
"$stat" --root "$tmp/empty" --json >"$tmp/none" 2>&1
check "--json: no open file is an empty list" \
	eval "jq -e '.files == []' '$tmp/none' >/dev/null"

"$stat" --root "$tmp/nothing" >"$tmp/err" 2>&1
rc=$?
check "no view (module not loaded): exit 1, saying why" \
	eval "[ $rc = 1 ] && grep -q 'is iommufd.ko loaded' '$tmp/err'"
"$stat" --bogus >"$tmp/err" 2>&1
rc=$?
check "an unknown option: exit 2 with the usage" \
	eval "[ $rc = 2 ] && grep -q '^usage: iommufd-stat' '$tmp/err'"
