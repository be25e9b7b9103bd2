# shellcheck shell=bash
# tap.sh: sourced by the scripts that test the project's own scripts
# (bench/selftest.sh, packaging/check/selftest.sh).
#   check NAME COMMAND [ARG...]   runs COMMAND; prints "ok N NAME" or
#                                 "not ok N NAME" (TAP), N counting up
n=0
check() {
	n=$((n + 1))
	if "${@:2}"; then echo "ok $n $1"; else echo "not ok $n $1"; fi
}
