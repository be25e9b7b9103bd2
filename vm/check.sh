#!/bin/bash
# check.sh: every test of the project, after `make` built it.  Sections:
#   lint     checkpatch --strict, kernel-doc, sparse on the module
#   host     the test harness's own test; the unit layer (the module's
#            IOVA allocator, area arithmetic, IOVA bitmap and ioctl size
#            rules in user space, with ASan and UBSan); the benchmark's
#            report parser; the package's DKMS scripts; iommufd-stat
#   harness  the VM harness's own tests: a failing command, a hanging guest
#            and a WARN_ON in the module must each fail a run
#   vm       the test programs in the VM, under Intel VT-d with the edu,
#            e1000e and nvme devices and two more edus for peer-to-peer DMA
#            (run.sh --p2p); the kernel log must stay clean and the
#            modules must unload afterwards
#   iommus  the VFIO/edu tests again under VT-d scalable mode, AMD-Vi and
#            virtio-iommu
#   container  the legacy VFIO flow on /dev/vfio/vfio served by iommufd.ko
#   group    DMA ownership across an IOMMU group of several devices
#   upstream upstream's selftest (tools/testing/selftests/iommu/iommufd.c),
#            every fixture and variant; cases listed in
#            vm/upstream-pending.txt are reported skipped, with the reason
#            given there, while they fail
#   upstream-newest  the same for the newest upstream's selftest, from the
#            newest linux-source Debian offers (mk/selftest.mk)
# Prints one line per result and, last, "N passed, N failed, N skipped".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$top/out}
here=$top/vm
results=$out/logs/results.txt
mkdir -p "$out/logs"
: >"$results"

# result VERDICT NAME [REASON]: record and print one result.
result() {
	local line="$1 $2${3:+: $3}"
	echo "$line" >>"$results"
	echo "$line"
}

# Turn TAP on stdin into results under a section name.
fold_tap() {
	awk -f "$here/tap-count.awk" | while read -r verdict rest; do
		result "$verdict" "$1/$rest"
	done
}

echo "== lint: kernel style of the module"
{ echo "# program lint"; "$top/scripts/lint.sh"; } | fold_tap lint

echo "== host: the test harness"
{ echo "# program harness_selftest"
  "$top/tests/harness/check-harness.sh" "$out/tests/host/harness_selftest"; } |
	fold_tap host
for src in "$top"/tests/unit/*_test.c; do
	unit=$(basename "$src" _test.c)
	{ echo "# program unit_$unit"; "$out/tests/host/unit_$unit"; } |
		fold_tap host
done
{ echo "# program bench_selftest"; "$top/bench/selftest.sh"; } | fold_tap host
{ echo "# program package_selftest"; "$top/packaging/check/selftest.sh"; } |
	fold_tap host
{ echo "# program stat_selftest"; "$top/tools/selftest.sh"; } | fold_tap host

echo "== harness: the VM harness must catch what goes wrong"
"$here/harness-test.sh" | fold_tap harness

echo "== vm: tests under Intel VT-d (three edus: peer-to-peer too)"
start=$SECONDS
"$here/run.sh" --name tests --quiet --p2p -- /tests/run-all.sh 2>"$out/logs/tests.vm.err"
vm_rc=$?
fold_tap vm <"$out/logs/tests/output.txt"
if [ $vm_rc -eq 0 ]; then
	result PASS "vm/run: booted, tests ran, modules unloaded, kernel log clean"
else
	sed 's/^/    /' "$out/logs/tests.vm.err"
	# A failing test already counted is not counted twice.
	if [ $vm_rc -ne 1 ]; then
		result FAIL "vm/run" "$(grep -m1 '^vm: ' "$out/logs/tests.vm.err")"
	fi
fi
echo "   (VM run took $((SECONDS - start)) s)"

# vm_section RUN SECTION LABEL COMMAND [RUN.SH OPTION...]: one VM run of
# COMMAND whose TAP is folded under SECTION, each program of it named
# LABEL, LABEL2, ...; a run that fails other than by a failing test
# (exit status 1, already counted) is a failure of its own.
vm_section() {
	local name=$1 section=$2 label=$3 cmd=$4 vm_rc
	shift 4
	"$here/run.sh" --name "$name" --quiet --timeout 300 "$@" -- "$cmd" \
		</dev/null 2>"$out/logs/$name.vm.err"
	vm_rc=$?
	awk -v label="$label" '/^TAP version/ {
		n++; print "# program " label (n > 1 ? n : "") } { print }' \
		"$out/logs/$name/output.txt" | fold_tap "$section"
	if [ $vm_rc -ne 0 ] && [ $vm_rc -ne 1 ]; then
		sed 's/^/    /' "$out/logs/$name.vm.err"
		result FAIL "$section/run" "$(grep -m1 '^vm: ' "$out/logs/$name.vm.err")"
	fi
}

# x86 virtio-iommu has no interrupt remapping: MSI is not isolated.
unsafe_msi='echo 1 >/sys/module/iommufd/parameters/allow_unsafe_interrupts; '

# One row per VM run: the heading it starts (if any) | run name | section
# | program label | command | run.sh options.
while IFS='|' read -r heading name section label cmd opts; do
	[ -n "$heading" ] && echo "== $heading"
	# shellcheck disable=SC2086  # the options are words
	vm_section "$name" "$section" "$label" "$cmd" $opts
done <<EOF2
iommus: the VFIO/edu tests under the other IOMMUs QEMU emulates|iommu-intel-sm|iommu-intel-sm|vfio_edu|/tests/bin/vfio_edu|--iommu intel-sm
|iommu-amd|iommu-amd|vfio_edu|/tests/bin/vfio_edu|--iommu amd
|iommu-virtio|iommu-virtio|vfio_edu|${unsafe_msi}/tests/bin/vfio_edu|--iommu virtio
container: /dev/vfio/vfio served by iommufd.ko (VFIO without its container)|container|container|vfio_compat|/tests/bin/vfio_compat && /tests/bin/vfio_edu|--container
group: DMA ownership of a multi-device IOMMU group (PCIe-to-PCI bridge)|group|group|vfio_group|/tests/bin/vfio_group|--bridge
EOF2

# upstream_section NAME ARG: one VM run of vm/guest/run-upstream.sh ARG;
# its cases are reported as NAME/fixture.variant.test.
upstream_section() {
	local name=$1 arg=$2 start=$SECONDS vm_rc
	"$here/run.sh" --name "$name" --quiet -- /tests/run-upstream.sh $arg \
		2>"$out/logs/$name.vm.err"
	vm_rc=$?
	awk -f "$here/tap-count.awk" "$out/logs/$name/output.txt" |
		while read -r verdict case; do
			reason=
			while IFS= read -r line; do
				case "$line" in "#"* | "") continue ;; esac
				# shellcheck disable=SC2053  # the pattern is a glob
				if [[ $name/$case == ${line%%: *} ]]; then
					reason=${line#*: }
					break
				fi
			done <"$here/upstream-pending.txt"
			if [ "$verdict" = FAIL ] && [ -n "$reason" ]; then
				result SKIP "$name/$case" "pending: $reason"
			else
				result "$verdict" "$name/$case"
			fi
		done
	# A failing case is counted above; anything else the VM reports is not.
	if ! grep -q '^vm: command exited' "$out/logs/$name.vm.err" && [ $vm_rc -ne 0 ]; then
		sed 's/^/    /' "$out/logs/$name.vm.err"
		result FAIL "$name/run" "$(grep -m1 '^vm: ' "$out/logs/$name.vm.err")"
	elif [ $vm_rc -eq 0 ] || [ $vm_rc -eq 1 ]; then
		result PASS "$name/run: kernel log clean, modules unloaded"
	fi
	echo "   (VM run took $((SECONDS - start)) s)"
}

echo "== upstream: upstream's iommufd selftest, Debian 6.12's"
upstream_section upstream ""
echo "== upstream-newest: the newest upstream's ($(cat "$out/build/selftest-newest/VERSION" 2>/dev/null))"
upstream_section upstream-newest newest

passed=$(grep -c '^PASS ' "$results")
failed=$(grep -c '^FAIL ' "$results")
skipped=$(grep -c '^SKIP ' "$results")
if [ "$failed" -gt 0 ]; then
	echo "== failures:"
	grep '^FAIL ' "$results" | sed 's/^/    /'
fi
echo "$passed passed, $failed failed, $skipped skipped" | tee "$out/logs/summary.txt"
[ "$failed" -eq 0 ]
