#!/bin/bash
# profile-report.sh LOG: summarise the output of bench/guest/profile.sh
# (its RESULT, SAMPLED and SYM lines in LOG) as a table per module set and
# phase: the median time of one call; how much of it perf's cpu-clock
# sampled; the part it could not sample; the part in iommufd.ko's own
# code; and the symbols with the most samples, in ms per call.  A
# cpu-clock sample is taken from a timer interrupt, so time spent with
# interrupts off (GUP-fast walks the page tables so, and the VT-d driver
# waits for its invalidations under spinlocks that save them) is never
# sampled: that is the "unsampled" figure.
set -euo pipefail
log=$1
here=$(cd "$(dirname "$0")" && pwd)
top=${PROFILE_TOP:-8}

awk -v top="$top" "$(cat "$here/stats.awk")"'
$1 == "RESULT" {
	phase = $3; sub(/_.*/, "", phase)
	wall[$2 " " phase] = wall[$2 " " phase] " " $4
}
$1 == "SAMPLED" && $5 > 0 {
	key = $2 " " $3
	sampled[key] = $4 / $5
	if (!(key in seen)) { seen[key] = 1; order[n++] = key }
}
$1 == "SYM" {
	key = $2 " " $3
	nsym[key]++
	pct[key, nsym[key]] = $4
	own[key, nsym[key]] = $5
	sym[key, nsym[key]] = $6
}
END {
	if (!n) {
		print "profile-report: no SAMPLED lines in the log" > "/dev/stderr"
		exit 1
	}
	for (k = 0; k < n; k++) {
		key = order[k]
		if (!(key in wall)) {
			print "profile-report: no times for " key > "/dev/stderr"
			exit 1
		}
		stats(wall[key])
		w = med / 1e6
		s = sampled[key] / 1e6
		o = 0
		for (i = 1; i <= nsym[key]; i++)
			if (own[key, i])
				o += pct[key, i] * s / 100
		split(key, p, " ")
		name = p[1] == "ref" ? "reference" : "project"
		unsampled = w > s ? w - s : 0
		share = w > 0 ? 100 * o / w : 0
		printf "%s %s: %.2f ms a call; sampled %.2f ms, unsampled %.2f ms; iommufd.ko itself %.2f ms (%.1f %%)\n",
		       name, p[2], w, s, unsampled, o, share
		# The symbols come sorted by their share, most first.
		for (i = 1; i <= nsym[key] && i <= top; i++)
		{
			mark = own[key, i] ? "  (iommufd.ko)" : ""
			printf "  %-40s %8.2f ms%s\n", sym[key, i],
			       pct[key, i] * s / 100, mark
		}
	}
}' "$log"
