#!/bin/bash
# report.sh LOG DIR: turn the RESULT and MEM lines of a benchmark run (LOG)
# into DIR/results.csv and DIR/memory.csv, and print the table.  Sets are
# folded into three columns: ref and ref-test are upstream's iommufd.ko,
# proj and proj-test this project's, type1 Debian's VFIO type1.  For each
# workload and column the median of all samples (every round, every
# repetition) is taken; ratio = reference / project and type1 / project,
# so above 1 means the project is faster; spread is (max - min) / median
# of the project's samples (none for a single sample).  Kernel memory per mapped GiB is the median of
# the MEM lines' first figure, in KiB.
set -euo pipefail
log=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"

awk -v csv="$dir/results.csv" -v memcsv="$dir/memory.csv" "$(cat "$here/stats.awk")"'
function col(set) {
	sub(/-test$/, "", set)
	return set == "ref" || set == "proj" || set == "type1" ? set : ""
}
function human(ns) {
	if (ns == "") return "-"
	if (ns >= 1e9) return sprintf("%.2f s", ns / 1e9)
	if (ns >= 1e6) return sprintf("%.2f ms", ns / 1e6)
	if (ns >= 1e3) return sprintf("%.1f us", ns / 1e3)
	return sprintf("%d ns", ns)
}
function ratio(a, b) {
	return a == "" || b == "" || b == 0 ? "" : sprintf("%.2f", a / b)
}
$1 == "RESULT" && NF == 4 && col($2) != "" {
	k = $3 SUBSEP col($2)
	if (!($3 in seen)) { seen[$3] = 1; order[++nw] = $3 }
	samples[k] = samples[k] " " $4
	next
}
$1 == "MEM" && NF >= 4 && col($2) != "" {
	k = $3 SUBSEP col($2)
	if (!($3 in mseen)) { mseen[$3] = 1; morder[++nm] = $3 }
	msamples[k] = msamples[k] " " $4
}
END {
	print "workload,ref_median_ns,proj_median_ns,ratio_ref_proj,proj_spread,type1_median_ns,ratio_type1_proj,n_ref,n_proj,n_type1" >csv
	printf "%-30s %11s %11s %6s %7s %11s %6s\n", "workload", "reference",
		"project", "ratio", "spread", "type1", "ratio"
	for (i = 1; i <= nw; i++) {
		w = order[i]
		for (c = 1; c <= 3; c++) {
			name = c == 1 ? "ref" : c == 2 ? "proj" : "type1"
			m[name] = ""; n[name] = 0
			if ((w SUBSEP name) in samples) {
				n[name] = stats(samples[w SUBSEP name])
				m[name] = med
				if (name == "proj")
					spread = med && n[name] > 1 ? sprintf("%.2f", rng / med) : ""
			}
		}
		if (!n["proj"]) spread = ""
		printf "%s,%s,%s,%s,%s,%s,%s,%d,%d,%d\n", w, m["ref"], m["proj"],
			ratio(m["ref"], m["proj"]), spread, m["type1"],
			ratio(m["type1"], m["proj"]), n["ref"], n["proj"], n["type1"] >csv
		printf "%-30s %11s %11s %6s %7s %11s %6s\n", w, human(m["ref"]),
			human(m["proj"]), ratio(m["ref"], m["proj"]), spread == "" ? "-" : spread,
			human(m["type1"]), ratio(m["type1"], m["proj"]) == "" ? "-" : ratio(m["type1"], m["proj"])
	}
	print "backing,ref_kib_per_gib,proj_kib_per_gib,type1_kib_per_gib" >memcsv
	if (nm) {
		print ""
		printf "%-30s %11s %11s %11s\n", "kernel memory per mapped GiB",
			"reference", "project", "type1"
	}
	for (i = 1; i <= nm; i++) {
		b = morder[i]
		for (c = 1; c <= 3; c++) {
			name = c == 1 ? "ref" : c == 2 ? "proj" : "type1"
			mm[name] = ""
			if ((b SUBSEP name) in msamples) {
				stats(msamples[b SUBSEP name])
				mm[name] = med
			}
		}
		printf "%s,%s,%s,%s\n", b, mm["ref"], mm["proj"], mm["type1"] >memcsv
		printf "%-30s %11s %11s %11s\n", b, mm["ref"] == "" ? "-" : mm["ref"] " KiB",
			mm["proj"] == "" ? "-" : mm["proj"] " KiB",
			mm["type1"] == "" ? "-" : mm["type1"] " KiB"
	}
}' "$log"
