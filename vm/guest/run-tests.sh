#!/bin/sh
# run-tests.sh [FILTER]: run every test program in /tests/bin, one after the
# other (FILTER: only programs whose name contains it).  Each prints TAP;
# the host counts the results.  Exit status: non-zero if any program failed.
rc=0
for t in /tests/bin/*; do
	case "$(basename "$t")" in
	*"$1"*) ;;
	*) continue ;;
	esac
	echo "# program $(basename "$t")"
	"$t" || rc=1
done
exit $rc
