#!/bin/sh
# run-upstream.sh: upstream's iommufd selftest, every fixture and variant,
# in one kselftest run; results are named fixture.variant.test.  The host
# reports cases still pending, with the reason (vm/upstream-pending.txt).
echo "# program upstream:iommufd"
exec /tests/upstream/iommufd
