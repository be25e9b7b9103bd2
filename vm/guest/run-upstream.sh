#!/bin/sh
# run-upstream.sh: upstream's iommufd selftest, every fixture and variant,
# in one kselftest run; results are named fixture.variant.test.  The host
# reports cases still pending, with the reason (vm/upstream-pending.txt).
# Then its fail-nth companion, which needs a kernel with fault injection
# (the debug kernel); elsewhere each of its cases skips, saying so.
rc=0
echo "# program upstream:iommufd"
/tests/upstream/iommufd || rc=1
echo "# program upstream:iommufd_fail_nth"
/tests/upstream/iommufd_fail_nth || rc=1
exit $rc
