#!/bin/sh
# run-upstream.sh: upstream's iommufd selftest, the fixtures and variants
# this module supports so far, one kselftest run each so results are
# reported per fixture and variant.  Tests that need what is not there yet
# are skipped by the host with the reason (vm/upstream-expect.txt).
t=/tests/upstream/iommufd
rc=0
echo "# program upstream:iommufd"
"$t" -f iommufd || rc=1
echo "# program upstream:iommufd_ioas.no_domain"
"$t" -V mock_domain -V two_mock_domain -V mock_domain_limit \
	-f iommufd_ioas || rc=1
exit $rc
