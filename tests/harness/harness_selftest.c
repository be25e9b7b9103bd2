// SPDX-License-Identifier: GPL-2.0-only
/*
 * The harness's own test: tests with known verdicts, some of them failing
 * on purpose.  check-harness.sh runs this program and compares each verdict
 * and diagnostic with what the harness must report; this program's own exit
 * status is expected to be 1.
 */
#include <signal.h>
#include <unistd.h>

#include "harness.h"

TEST(harness, passes)
{
	ASSERT_EQ(1, 1);
	ASSERT_ERRNO(EBADF, close(-1));
	ASSERT_OK(0);
}

TEST(harness, assert_fails)
{
	ASSERT_EQ(1, 2);
	printf("# not reached after a failed ASSERT\n");
}

TEST(harness, expect_fails_and_continues)
{
	EXPECT_EQ(1, 2);
	printf("# reached after a failed EXPECT\n");
}

TEST(harness, errno_mismatch_fails)
{
	ASSERT_ERRNO(ENOENT, close(-1));
}

TEST_TIMEOUT(harness, hangs, 1)
{
	for (;;)
		pause();
}

TEST(harness, crashes)
{
	raise(SIGSEGV);
}

TEST(harness, skips)
{
	SKIP("reason %d given", 42);
}

FIXTURE(fix) {
	int value;
};

FIXTURE_SETUP(fix)
{
	self->value = 7;
}

FIXTURE_TEARDOWN(fix)
{
	printf("# teardown ran with %d\n", self->value);
}

TEST_F(fix, body_sees_setup)
{
	ASSERT_EQ(7, self->value);
	self->value = 8;
}

TEST_F(fix, teardown_runs_after_failed_assert)
{
	self->value = 9;
	ASSERT_TRUE(0);
}
