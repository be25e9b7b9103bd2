# stats.awk: awk functions the benchmark's reports share (report.sh,
# profile-report.sh put this text in front of their programs).
#
# stats(s): sorts the space-separated numbers in s; sets med to their
# median and rng to max - min; returns how many there are.
function stats(s,    n, v, i, j, t) {
	n = split(s, v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	rng = v[n] - v[1]
	return n
}
