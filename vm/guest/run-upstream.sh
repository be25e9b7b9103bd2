#!/bin/sh
# run-upstream.sh [newest]: upstream's iommufd selftest, every fixture and
# variant, in one kselftest run; results are named fixture.variant.test.
# Without an argument, Debian 6.12's; with "newest", the newest upstream's
# (mk/selftest.mk).  The host reports cases still pending, with the reason
# (vm/upstream-pending.txt).  Then its fail-nth companion, which needs a
# kernel with fault injection (the debug kernel); elsewhere each of its
# cases skips, saying so.
#
# On the debug kernel (it has kmemleak; Debian's kernel has not) each
# ioctl costs about a millisecond, so the selftest runs there built with a
# 600 s alarm per case instead of upstream's 30 s (mk/selftest.mk).
rc=0
suffix=${1:+_$1}
selftest=/tests/upstream/iommufd$suffix
[ -e /sys/kernel/debug/kmemleak ] && selftest=/tests/upstream/iommufd${suffix}_600s
echo "# program upstream:iommufd$suffix"
$selftest || rc=1
echo "# program upstream:iommufd_fail_nth$suffix"
/tests/upstream/iommufd_fail_nth$suffix || rc=1
exit $rc
