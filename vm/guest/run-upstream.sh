#!/bin/sh
# run-upstream.sh: upstream's iommufd selftest, every fixture and variant,
# in one kselftest run; results are named fixture.variant.test.  The host
# reports cases still pending, with the reason (vm/upstream-pending.txt).
# Then its fail-nth companion, which needs a kernel with fault injection
# (the debug kernel); elsewhere each of its cases skips, saying so.
#
# On the debug kernel (it has kmemleak; Debian's kernel has not) each
# ioctl costs about a millisecond, so the selftest runs there built with a
# 600 s alarm per case instead of upstream's 30 s (mk/selftest.mk).
rc=0
selftest=/tests/upstream/iommufd
[ -e /sys/kernel/debug/kmemleak ] && selftest=/tests/upstream/iommufd_600s
echo "# program upstream:iommufd"
$selftest || rc=1
echo "# program upstream:iommufd_fail_nth"
/tests/upstream/iommufd_fail_nth || rc=1
exit $rc
