# tap-count.awk: fold the TAP of one or more test programs into our own
# results.  Input: TAP, where "# program NAME" starts each program.  Output:
# one line per result, "PASS name", "FAIL name" or "SKIP name: reason",
# plus a FAIL line for each program that ran fewer tests than it planned
# (it crashed or was killed part way).
function close_program() {
	if (prog != "" && plan >= 0 && seen != plan)
		printf "FAIL %s: planned %d tests, %d reported\n", prog, plan, seen
}
/^# program / { close_program(); prog = $3; plan = -1; seen = 0; next }
/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
/^not ok [0-9]+ / {
	seen++
	name = $0; sub(/^not ok [0-9]+ /, "", name)
	printf "FAIL %s\n", name
	next
}
/^ok [0-9]+ / {
	seen++
	name = $0; sub(/^ok [0-9]+ /, "", name)
	if (name ~ / # [Ss][Kk][Ii][Pp]/) {
		reason = name; sub(/.* # [Ss][Kk][Ii][Pp] */, "", reason)
		sub(/ # [Ss][Kk][Ii][Pp].*/, "", name)
		printf "SKIP %s: %s\n", name, reason
	} else {
		printf "PASS %s\n", name
	}
}
END { close_program() }
